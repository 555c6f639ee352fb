// Microsoft Teams through a Workflows (Power Automate) webhook: the body is a message with one
// Adaptive Card attachment, the shape the "post card in a chat or channel" flow expects.

import type { Notification } from '../../notification.ts';
import { escapeLine, render } from '../../templates/index.ts';
import { defineChannelKind, permanent } from '../channel.ts';
import { httpSend } from '../http.ts';
import { teamsSettings } from './settings.ts';

const COLOR: Readonly<Record<string, string>> = { critical: 'Attention', warning: 'Warning', info: 'Accent' };

export const TEAMS_TEMPLATES = {
  title: '{{kindLabel}}: {{title}}',
  text: '{{#message}}{{message}}{{/message}}{{#runbook}}\n\n**What to do:** {{runbook}}{{/runbook}}',
} as const;

/** Adaptive Card text is Markdown-ish: keep a value from turning into a link or heading by accident. */
function escapeCard(s: string): string {
  return s.replace(/[\\*_[\]()`~]/g, (c) => `\\${c}`);
}

export function teamsMessage(n: Notification, templates: Readonly<Record<string, string>>): Record<string, unknown> {
  const v = n.vars;
  const facts = [
    ['Device', v.device],
    ['Sensor', v.sensor],
    ['State', v.state],
    ['Value', v.value],
    ['Since', v.since === undefined ? undefined : new Date(v.since).toISOString().replace('T', ' ').slice(0, 19) + ' UTC'],
    ['Clinical system', v.clinicalSystem],
    ['Affected dependents', v.affectedDependents === undefined ? undefined : String(v.affectedDependents)],
  ].filter((f): f is [string, string] => f[1] !== undefined && f[1] !== '').map(([title, value]) => ({ title, value: escapeCard(value) }));
  const body: Record<string, unknown>[] = [
    { type: 'TextBlock', size: 'Large', weight: 'Bolder', wrap: true, color: COLOR[v.severity ?? 'info'] ?? 'Default', text: escapeCard(render('title', TEAMS_TEMPLATES, templates, n, escapeLine)) },
  ];
  const text = render('text', TEAMS_TEMPLATES, templates, n, escapeCard);
  if (text.trim()) body.push({ type: 'TextBlock', wrap: true, text });
  if (facts.length > 0) body.push({ type: 'FactSet', facts });
  if (v.members?.length) body.push({ type: 'FactSet', facts: v.members.map((m) => ({ title: escapeCard(m.name), value: escapeCard(`${m.state}${m.message ? ` — ${m.message}` : ''}`) })) });
  const actions = [
    ...(v.ackUrl && n.kind !== 'recovery' ? [{ type: 'Action.OpenUrl', title: 'Acknowledge', url: v.ackUrl }] : []),
    ...(v.consoleUrl ? [{ type: 'Action.OpenUrl', title: 'Open in Wardwatch', url: v.consoleUrl }] : []),
  ];
  return {
    type: 'message',
    attachments: [{
      contentType: 'application/vnd.microsoft.card.adaptive',
      contentUrl: null,
      content: { $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', type: 'AdaptiveCard', version: '1.4', body, ...(actions.length ? { actions } : {}) },
    }],
  };
}

export const teamsKind = defineChannelKind({
  kind: 'teams',
  title: 'Microsoft Teams (workflow webhook)',
  description: 'Posts an Adaptive Card to a Teams channel or chat through a Workflows webhook.',
  settings: teamsSettings,
  needsAddress: false,
  templates: TEAMS_TEMPLATES,
  render(n, _settings, templates) {
    return JSON.stringify(teamsMessage(n, templates));
  },
  async send(body, settings, ctx) {
    const url = settings.url ?? (settings.urlSecret !== undefined ? ctx.secret(settings.urlSecret) : undefined);
    if (url === undefined) return permanent('config', `secret "${settings.urlSecret ?? ''}" (urlSecret) is not in the secrets file`);
    // Workflows answer 202 Accepted once the flow has the message.
    return httpSend({ url, body, signal: ctx.signal });
  },
});
