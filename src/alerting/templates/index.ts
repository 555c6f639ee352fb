// What a channel's templates can say: the variables of a notification (TemplateVars plus the
// notification's own fields, dates formatted), escapers per medium, and compiling a kind's default
// templates merged with a channel instance's overrides (cached: the same text is parsed once).

import type { Notification } from '../notification.ts';
import { parseTemplate, renderTemplate, type Escape, type Scope, type Template } from './engine.ts';

export { TemplateError } from './engine.ts';

/** Variables available at the top level of every template. */
export const TEMPLATE_VARIABLES = [
  'title', 'state', 'previousState', 'site', 'group', 'clinicalSystem', 'device', 'host', 'sensor', 'sensorId',
  'message', 'value', 'since', 'sinceIso', 'consoleUrl', 'ackUrl', 'members', 'memberCount', 'affectedDependents',
  'runbook', 'severity', 'kind', 'kindLabel', 'rule', 'alertId', 'recipient', 'channel', 'createdAt',
] as const;
/** Variables inside {{#members}}…{{/members}}. */
export const MEMBER_VARIABLES = ['sensorId', 'name', 'state', 'message'] as const;

const TOP: ReadonlySet<string> = new Set(TEMPLATE_VARIABLES);
const MEMBER: ReadonlySet<string> = new Set(MEMBER_VARIABLES);

function known(name: string, sections: readonly string[]): boolean {
  return TOP.has(name) || (sections.includes('members') && MEMBER.has(name));
}

const KIND_LABEL: Readonly<Record<Notification['kind'], string>> = {
  alert: 'Alert',
  grouped: 'Alert (grouped)',
  escalation: 'Escalation',
  reminder: 'Reminder',
  recovery: 'Recovered',
  flapping: 'Flapping',
  security: 'Security finding',
  'delivery-failed': 'Delivery failed',
};

/** Epoch ms as "2026-11-29 02:13:05 UTC": unambiguous on a pager at night, whatever the locale. */
export function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function scopeOf(n: Notification): Scope {
  const v = n.vars;
  return {
    ...v,
    since: v.since === undefined ? undefined : formatTime(v.since),
    sinceIso: v.since === undefined ? undefined : new Date(v.since).toISOString(),
    // Every member variable is an own key (undefined when absent), so {{message}} inside
    // {{#members}} never falls through to the alert's own message.
    members: v.members?.map((m) => ({ sensorId: m.sensorId, name: m.name, state: m.state, message: m.message })),
    memberCount: v.members?.length,
    kind: n.kind,
    kindLabel: KIND_LABEL[n.kind],
    rule: n.ruleName,
    alertId: n.alertId,
    recipient: n.recipient.name,
    channel: n.channel,
    createdAt: formatTime(n.createdAt),
  };
}

export const escapeNone: Escape = (s) => s;

export const escapeHtml: Escape = (s) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Slack mrkdwn: only &, < and > are control characters (https://api.slack.com/reference/surfaces/formatting#escaping). */
export const escapeSlack: Escape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** One line of text (subjects, syslog messages): newlines would split or forge a header or record. */
export const escapeLine: Escape = (s) => s.replace(/[\r\n\t]+/g, ' ');

const cache = new Map<string, Template>();

export function compile(source: string): Template {
  let t = cache.get(source);
  if (!t) {
    t = parseTemplate(source, known);
    if (cache.size > 1000) cache.clear();
    cache.set(source, t);
  }
  return t;
}

/** Renders one named template of a kind: the instance's override if it has one, else the kind's default. */
export function render(
  name: string,
  defaults: Readonly<Record<string, string>>,
  overrides: Readonly<Record<string, string>>,
  n: Notification,
  escape: Escape,
): string {
  const source = overrides[name] ?? defaults[name];
  if (source === undefined) throw new Error(`no template named "${name}"`);
  return renderTemplate(compile(source), scopeOf(n), escape);
}

/** Checks a channel instance's template overrides; returns "templates.<name>: <problem>" lines. */
export function templateProblems(overrides: Readonly<Record<string, string>>, allowed: readonly string[]): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  for (const [name, source] of Object.entries(overrides)) {
    if (!allowed.includes(name)) {
      problems.push({ path: name, message: `unknown template "${name}" (this kind has ${allowed.join(', ')})` });
      continue;
    }
    try {
      compile(source);
    } catch (err) {
      problems.push({ path: name, message: (err as Error).message });
    }
  }
  return problems;
}
