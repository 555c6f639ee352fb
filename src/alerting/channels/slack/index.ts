// Slack incoming webhook: a Block Kit message (header, facts, members of a grouped alert, buttons for
// the console and acknowledgement) with a plain `text` fallback for notifications and old clients.

import type { Notification } from '../../notification.ts';
import { escapeLine, escapeSlack, render } from '../../templates/index.ts';
import { defineChannelKind, permanent } from '../channel.ts';
import { httpSend } from '../http.ts';
import { slackSettings } from './settings.ts';

const ICON: Readonly<Record<string, string>> = { critical: ':red_circle:', warning: ':large_orange_circle:', info: ':large_blue_circle:' };

export const SLACK_TEMPLATES = {
  header: '{{kindLabel}}: {{title}}',
  text: '{{#device}}*{{device}}*{{/device}}{{#sensor}} › {{sensor}}{{/sensor}}{{#state}} is *{{state}}*{{/state}}{{#since}} since {{since}}{{/since}}{{#message}}\n{{message}}{{/message}}{{#value}}\nValue: {{value}}{{/value}}{{#affectedDependents}}\n{{affectedDependents}} dependent sensors paused{{/affectedDependents}}{{#runbook}}\n*What to do:* {{runbook}}{{/runbook}}',
  members: '{{#members}}• {{name}}: {{state}}{{#message}} — {{message}}{{/message}}\n{{/members}}',
} as const;

function button(text: string, url: string, style?: 'primary'): Record<string, unknown> {
  return { type: 'button', text: { type: 'plain_text', text }, url, ...(style ? { style } : {}) };
}

export function slackMessage(n: Notification, templates: Readonly<Record<string, string>>): Record<string, unknown> {
  const header = render('header', SLACK_TEMPLATES, templates, n, escapeLine).slice(0, 150);
  const text = render('text', SLACK_TEMPLATES, templates, n, escapeSlack);
  const blocks: Record<string, unknown>[] = [{ type: 'header', text: { type: 'plain_text', text: header } }];
  if (text.trim()) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `${ICON[n.vars.severity ?? 'info'] ?? ''} ${text}`.trim().slice(0, 3000) } });
  const members = n.vars.members?.length ? render('members', SLACK_TEMPLATES, templates, n, escapeSlack) : '';
  if (members.trim()) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: members.slice(0, 3000) } });
  const buttons = [
    ...(n.vars.ackUrl && n.kind !== 'recovery' ? [button('Acknowledge', n.vars.ackUrl, 'primary')] : []),
    ...(n.vars.consoleUrl ? [button('Open in Wardwatch', n.vars.consoleUrl)] : []),
  ];
  if (buttons.length > 0) blocks.push({ type: 'actions', elements: buttons });
  return { text: header, blocks };
}

export const slackKind = defineChannelKind({
  kind: 'slack',
  title: 'Slack (incoming webhook)',
  description: 'Posts a Block Kit message to a Slack channel through an incoming webhook.',
  settings: slackSettings,
  needsAddress: false,
  templates: SLACK_TEMPLATES,
  render(n, _settings, templates) {
    return JSON.stringify(slackMessage(n, templates));
  },
  async send(body, settings, ctx) {
    const url = settings.url ?? (settings.urlSecret !== undefined ? ctx.secret(settings.urlSecret) : undefined);
    if (url === undefined) return permanent('config', `secret "${settings.urlSecret ?? ''}" (urlSecret) is not in the secrets file`);
    return httpSend({ url, body, signal: ctx.signal });
  },
});
