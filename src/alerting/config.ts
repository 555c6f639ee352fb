// The `alerting:` section of the YAML config: who can be told (contacts, groups, on-call roles with
// weekly shifts), through what (channel instances, from the channel registry), and when (rules:
// scope in the tree, trigger, recipients × channels, escalation, reminders, schedule, maintenance).
// Every cross-reference is checked here, with the path of the offending value.

import { z } from 'zod';
import { WEEKDAYS } from '../core/tree.ts';
import type { Tree } from '../core/tree.ts';
import { describeGot, duration } from '../sensors/fields.ts';
import { channelKind, channelListSchema } from './channels/registry.ts';

const refName = z
  .string({ error: (i) => `expected a name (letters, digits, ".", "_", "-"), got ${describeGot(i.input)}` })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: (i) => `expected a name (letters, digits, ".", "_", "-"), got ${describeGot(i.input)}` });

function validZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const timezone = z
  .string({ error: (i) => `expected an IANA time zone such as Europe/Berlin, got ${describeGot(i.input)}` })
  .refine(validZone, { error: (i) => `unknown time zone ${describeGot(i.input)} (use an IANA name such as Europe/Berlin or UTC)` });

const timeOfDay = z
  .string({ error: (i) => `expected a time of day such as 08:00, got ${describeGot(i.input)}` })
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: (i) => `expected a time of day such as 08:00, got ${describeGot(i.input)}` });

/** Weekly hours: `to` before `from` runs overnight into the next day; `from` equal to `to` is all day. */
const hoursSchema = z.strictObject({
  days: z.array(z.enum(WEEKDAYS, { error: (i) => `expected a day (${WEEKDAYS.join(', ')}), got ${describeGot(i.input)}` })).min(1, { error: 'expected at least one day (mon … sun)' }).default([...WEEKDAYS]).describe('Days the period starts on'),
  from: timeOfDay.describe('Start, local time'),
  to: timeOfDay.describe('End, local time (before `from`: the next morning)'),
});

const contactSchema = z.strictObject({
  name: refName.describe('Name rules, groups and shifts refer to'),
  fullName: z.string().min(1).optional(),
  email: z
    .string({ error: (i) => `expected an email address, got ${describeGot(i.input)}` })
    .regex(/^[^\s@<>]+@[^\s@<>]+$/, { error: (i) => `expected an email address such as oncall@hospital.example, got ${describeGot(i.input)}` })
    .optional(),
  phone: z.string().regex(/^\+?[0-9 ()-]{3,30}$/, { error: (i) => `expected a phone number such as +49 30 1234567, got ${describeGot(i.input)}` }).optional(),
  addresses: z.record(z.string(), z.string().min(1)).optional().describe('Address per channel name or channel kind (chat handles, pager ids): { slack: "@alice" }'),
});

const groupSchema = z.strictObject({
  name: refName,
  members: z.array(refName).min(1, { error: 'expected at least one contact' }).describe('Contact names'),
});

const oncallSchema = z.strictObject({
  name: refName,
  timezone: timezone.default('UTC').describe('Time zone of the shifts'),
  shifts: z.array(hoursSchema.extend({ contact: refName.describe('Who is on call in this period') })).min(1, { error: 'expected at least one shift' }),
  fallback: refName.optional().describe('Contact told when no shift covers the moment'),
});

const STATE_TARGETS = ['up', 'warning', 'down', 'unknown'] as const;
const stateTarget = z.enum(STATE_TARGETS, { error: (i) => `expected one of ${STATE_TARGETS.join(', ')}, got ${describeGot(i.input)}` });
const SEVERITIES = ['info', 'warning', 'critical'] as const;

const count = (what: string, min: number, max: number) =>
  z
    .number({ error: (i) => `expected ${what} (a whole number from ${min} to ${max}), got ${describeGot(i.input)}` })
    .int({ error: (i) => `expected ${what} (a whole number from ${min} to ${max}), got ${describeGot(i.input)}` })
    .min(min, { error: (i) => `expected ${what} (a whole number from ${min} to ${max}), got ${describeGot(i.input)}` })
    .max(max, { error: (i) => `expected ${what} (a whole number from ${min} to ${max}), got ${describeGot(i.input)}` });

/**
 * "Unusual": the value lies outside mean ± sigma·stddev of the channel's hourly averages at the same
 * hour of the week (168 h steps back) over the last `weeks` weeks, once `minWeeks` of them have data.
 */
const unusualSchema = z
  .strictObject({
    channel: z.string({ error: (i) => `expected a channel key such as responseTimeMs, got ${describeGot(i.input)}` }).min(1, { error: 'expected a channel key such as responseTimeMs, got ""' }),
    sigma: z
      .number({ error: (i) => `expected a number of standard deviations greater than 0 (e.g. 3), got ${describeGot(i.input)}` })
      .gt(0, { error: (i) => `expected a number of standard deviations greater than 0 (e.g. 3), got ${describeGot(i.input)}` })
      .max(20, { error: (i) => `expected a number of standard deviations up to 20, got ${describeGot(i.input)}` })
      .default(3)
      .describe('How many standard deviations from the usual mean is unusual (default 3)'),
    weeks: count('a number of weeks', 1, 52).default(4).describe('Weeks of history the usual range is learned from (default 4)'),
    minWeeks: count('a number of weeks', 1, 52).default(2).describe('Weeks with data needed before the trigger can fire (default 2)'),
  })
  .superRefine((u, ctx) => {
    if (u.minWeeks > u.weeks) ctx.addIssue({ code: 'custom', path: ['minWeeks'], message: `expected at most weeks (${u.weeks}), got ${u.minWeeks}` });
  });

const triggerSchema = z
  .strictObject({
    state: z.strictObject({ to: z.array(stateTarget).min(1), from: z.array(z.enum(['up', 'warning', 'down', 'unknown', 'paused'])).optional() }).optional().describe('A state change (to Down, Warning, Up, Unknown); back to Up is the recovery'),
    held: z.strictObject({ state: stateTarget, for: duration({ min: 1 }) }).optional().describe('A state held for a duration ("down for 2m")'),
    threshold: z
      .strictObject({ channel: z.string().min(1), above: z.number().optional(), below: z.number().optional(), for: duration().default(0) })
      .refine((t) => t.above !== undefined || t.below !== undefined, { error: 'expected above or below (or both)' })
      .optional()
      .describe('A channel above or below a value for a duration'),
    unusual: unusualSchema.optional().describe('A channel value outside its usual range for this hour of the week, learned from history; "and back" when it returns'),
    security: z.strictObject({ minSeverity: z.enum(SEVERITIES).default('warning'), kevOnly: z.boolean().default(false) }).optional().describe('A new security finding'),
    change: z.strictObject({ message: z.boolean().default(true), channels: z.array(z.string().min(1)).default([]) }).optional().describe('A sensor\'s message or a channel\'s value changed'),
  })
  .superRefine((t, ctx) => {
    const set = Object.keys(t).filter((k) => t[k as keyof typeof t] !== undefined);
    if (set.length !== 1) ctx.addIssue({ code: 'custom', message: `expected exactly one of state, held, threshold, unusual, security or change, got ${set.length === 0 ? 'none' : set.join(' and ')}` });
  });

/** "alice" (a contact), "group:ward-3-it" or "oncall:network". */
const recipientRef = z
  .string({ error: (i) => `expected a recipient ("contact", "group:NAME" or "oncall:NAME"), got ${describeGot(i.input)}` })
  .regex(/^((group|oncall):)?[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: (i) => `expected a recipient ("contact", "group:NAME" or "oncall:NAME"), got ${describeGot(i.input)}` });

const stepSchema = z.strictObject({
  after: duration({ min: 1 }).describe('Time after the alert opened, if still unacknowledged'),
  to: z.array(recipientRef).min(1, { error: 'expected at least one recipient' }),
  channels: z.array(refName).min(1).optional().describe('Default: the rule\'s channels'),
});

const ruleSchema = z.strictObject({
  name: refName,
  description: z.string().optional(),
  scope: z.array(z.string().min(1)).default([]).describe('Node ids the rule applies at and below (default: the whole tree)'),
  exclude: z.array(z.string().min(1)).default([]).describe('Node ids below which the rule is switched off'),
  replaces: z.array(refName).default([]).describe('Rules this one overrides within its scope'),
  trigger: triggerSchema,
  severity: z.enum(SEVERITIES).optional().describe('Default: critical for Down, info for Up and changes, warning otherwise'),
  to: z.array(recipientRef).min(1, { error: 'expected at least one recipient' }),
  channels: z.array(refName).min(1, { error: 'expected at least one channel' }),
  escalation: z.array(stepSchema).default([]).describe('Further steps while unacknowledged'),
  repeat: z.strictObject({ every: duration({ min: 60 }), max: z.number().int().min(1).default(10) }).optional().describe('Reminders while unacknowledged'),
  recovery: z.boolean().default(true).describe('Tell everyone who was told when it is back Up'),
  schedule: z
    .strictObject({ timezone: timezone.optional(), hours: z.array(hoursSchema).min(1) })
    .optional()
    .describe(
      'Active hours (default: always; time zone default: the site\'s). The rule opens alerts and notifies only inside them ("page by night, email by day"). ' +
        'When its hours begin, sensors still in its trigger state are taken up then. A step or reminder due outside them waits for the next active period ' +
        '(later steps move on by as much), unless another rule watching the same sensor for the same kind of trigger is active then: that rule covers the time and the step is not sent.',
    ),
  fallbackChannel: refName.optional().describe('Channel used when a notification finally fails (default: the channel\'s own fallback)'),
  maintenance: z
    .array(z.string().min(1))
    .default([])
    .describe('Maintenance windows (by name) that silence the rule: alerts are kept, not sent; one still open and unacknowledged when the window ends is told then (with its original since), and its escalation counts from the end'),
  grouping: z.boolean().default(true).describe('Group many Down sensors behind one parent into one notification'),
});

const alertingObject = z
  .strictObject({
    contacts: z.array(contactSchema).default([]),
    groups: z.array(groupSchema).default([]),
    oncall: z.array(oncallSchema).default([]),
    channels: channelListSchema.default([]),
    rules: z.array(ruleSchema).default([]),
    grouping: z
      .strictObject({
        window: duration({ max: 600 }).default(30).describe('How long Down sensors are gathered before deciding (default 30s)'),
        minMembers: z.number().int().min(2).default(3),
        minShare: z.number().gt(0).max(1).default(0.5).describe('Share of a parent\'s sensors that must be affected'),
      })
      .default({ window: 30, minMembers: 3, minShare: 0.5 }),
    flapping: z
      .strictObject({
        changes: z.number().int().min(2).default(5).describe('More state changes than this in `window` is flapping'),
        window: duration({ min: 10 }).default(600),
        settle: duration({ min: 10 }).default(600).describe('Quiet time after which a flapping sensor counts as settled'),
      })
      .default({ changes: 5, window: 600, settle: 600 }),
    ackLinkValidity: duration({ min: 60 }).default(86_400).describe('How long a signed acknowledgement link works (default 24h)'),
  });

export type AlertingConfig = z.output<typeof alertingObject>;

export const alertingSchema = alertingObject.superRefine((a, ctx) => crossCheck(a, ctx)).describe('Rules, recipients and channels of notifications');
export type AlertRule = AlertingConfig['rules'][number];
export type Contact = AlertingConfig['contacts'][number];
export type OnCallRole = AlertingConfig['oncall'][number];
export type Hours = z.infer<typeof hoursSchema>;

type Ctx = z.RefinementCtx;
type Path = (string | number)[];

function unique(list: readonly { name: string }[], what: string, at: string, ctx: Ctx): void {
  const seen = new Map<string, number>();
  list.forEach((x, i) => {
    const first = seen.get(x.name);
    if (first !== undefined) ctx.addIssue({ code: 'custom', path: [at, i, 'name'], message: `duplicate ${what} name "${x.name}" (also at index ${first})` });
    else seen.set(x.name, i);
  });
}

function listOf(names: Iterable<string>): string {
  const l = [...names];
  return l.length === 0 ? 'none configured' : `configured: ${l.join(', ')}`;
}

/** The contacts a recipient reference reaches (a group's members, every contact of an on-call role). */
export function contactsOf(a: Pick<AlertingConfig, 'groups' | 'oncall'>, ref: string): string[] {
  if (ref.startsWith('group:')) return a.groups.find((g) => g.name === ref.slice(6))?.members ?? [];
  if (ref.startsWith('oncall:')) {
    const role = a.oncall.find((o) => o.name === ref.slice(7));
    if (!role) return [];
    return [...new Set([...role.shifts.map((s) => s.contact), ...(role.fallback !== undefined ? [role.fallback] : [])])];
  }
  return [ref];
}

/** The address of a contact for a channel: addresses[channel name], addresses[kind], then the contact field named like the kind (email). */
export function addressOf(c: Contact, channel: { readonly name: string; readonly kind: string }): string | undefined {
  const fields: Readonly<Record<string, string | undefined>> = { email: c.email, phone: c.phone };
  return c.addresses?.[channel.name] ?? c.addresses?.[channel.kind] ?? fields[channel.kind];
}

function crossCheck(a: AlertingConfig, ctx: Ctx): void {
  unique(a.contacts, 'contact', 'contacts', ctx);
  unique(a.groups, 'group', 'groups', ctx);
  unique(a.oncall, 'on-call role', 'oncall', ctx);
  unique(a.rules, 'rule', 'rules', ctx);
  const contacts = new Map(a.contacts.map((c) => [c.name, c]));
  const groups = new Set(a.groups.map((g) => g.name));
  const roles = new Set(a.oncall.map((o) => o.name));
  const channels = new Map(a.channels.map((c) => [c.name, c]));
  const rules = new Set(a.rules.map((r) => r.name));
  const contact = (name: string, path: Path) => {
    if (!contacts.has(name)) ctx.addIssue({ code: 'custom', path, message: `unknown contact "${name}" (${listOf(contacts.keys())})` });
  };
  a.groups.forEach((g, i) => g.members.forEach((m, j) => contact(m, ['groups', i, 'members', j])));
  a.oncall.forEach((o, i) => {
    o.shifts.forEach((s, j) => contact(s.contact, ['oncall', i, 'shifts', j, 'contact']));
    if (o.fallback !== undefined) contact(o.fallback, ['oncall', i, 'fallback']);
  });
  const recipient = (ref: string, path: Path): boolean => {
    if (ref.startsWith('group:')) {
      if (groups.has(ref.slice(6))) return true;
      ctx.addIssue({ code: 'custom', path, message: `unknown group "${ref.slice(6)}" (${listOf(groups)})` });
      return false;
    }
    if (ref.startsWith('oncall:')) {
      if (roles.has(ref.slice(7))) return true;
      ctx.addIssue({ code: 'custom', path, message: `unknown on-call role "${ref.slice(7)}" (${listOf(roles)})` });
      return false;
    }
    if (contacts.has(ref)) return true;
    ctx.addIssue({ code: 'custom', path, message: `unknown contact "${ref}" (${listOf(contacts.keys())}; groups are written "group:NAME", on-call roles "oncall:NAME")` });
    return false;
  };
  const channel = (name: string, path: Path): boolean => {
    if (channels.has(name)) return true;
    ctx.addIssue({ code: 'custom', path, message: `unknown channel "${name}" (${listOf(channels.keys())})` });
    return false;
  };
  /** Every contact a step reaches must have an address for every channel of the step that needs one. */
  const reachable = (refs: readonly string[], chans: readonly string[], path: Path) => {
    refs.forEach((ref, j) => {
      for (const chName of chans) {
        const ch = channels.get(chName);
        if (!ch || channelKind(ch.kind)?.needsAddress !== true) continue;
        for (const name of contactsOf(a, ref)) {
          const c = contacts.get(name);
          if (c && addressOf(c, ch) === undefined) {
            ctx.addIssue({ code: 'custom', path: [...path, j], message: `contact "${name}" has no address for channel "${ch.name}" (kind ${ch.kind}): add ${ch.kind === 'email' ? 'email' : `addresses.${ch.kind}`} to the contact` });
          }
        }
      }
    });
  };
  a.rules.forEach((r, i) => {
    const at = (...p: Path): Path => ['rules', i, ...p];
    const okTo = r.to.map((ref, j) => recipient(ref, at('to', j))).every(Boolean);
    const okCh = r.channels.map((c, j) => channel(c, at('channels', j))).every(Boolean);
    if (okTo && okCh) reachable(r.to, r.channels, at('to'));
    if (r.fallbackChannel !== undefined) channel(r.fallbackChannel, at('fallbackChannel'));
    r.replaces.forEach((name, j) => {
      if (name === r.name) ctx.addIssue({ code: 'custom', path: at('replaces', j), message: 'a rule cannot replace itself' });
      else if (!rules.has(name)) ctx.addIssue({ code: 'custom', path: at('replaces', j), message: `unknown rule "${name}" (${listOf(rules)})` });
    });
    let last = 0;
    r.escalation.forEach((s, j) => {
      if (s.after <= last) ctx.addIssue({ code: 'custom', path: at('escalation', j, 'after'), message: `expected a time after the previous step (${last}s), got ${s.after}s` });
      last = Math.max(last, s.after);
      const stepTo = s.to.map((ref, k) => recipient(ref, at('escalation', j, 'to', k))).every(Boolean);
      const stepCh = (s.channels ?? []).map((c, k) => channel(c, at('escalation', j, 'channels', k))).every(Boolean);
      if (stepTo && stepCh && okCh) reachable(s.to, s.channels ?? r.channels, at('escalation', j, 'to'));
    });
  });
}

export interface AlertingProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/**
 * References from the alerting section into the rest of the config, checked once the tree is
 * built: scope and exclude node ids, maintenance window names. Paths are relative to `alerting`.
 */
export function alertingTreeProblems(a: AlertingConfig, tree: Tree): AlertingProblem[] {
  const out: AlertingProblem[] = [];
  a.rules.forEach((r, i) => {
    for (const key of ['scope', 'exclude'] as const) {
      r[key].forEach((id, j) => {
        if (!tree.nodes.has(id)) out.push({ path: ['rules', i, key, j], message: `unknown node id "${id}" (use the full id, e.g. site/probe/group/device)` });
      });
    }
    r.maintenance.forEach((name, j) => {
      if (!tree.maintenance.has(name)) out.push({ path: ['rules', i, 'maintenance', j], message: `unknown maintenance window "${name}" (${listOf(tree.maintenance.keys())})` });
    });
  });
  return out;
}
