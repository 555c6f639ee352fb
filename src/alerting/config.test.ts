// The `alerting:` section: defaults, and every cross-reference error with its path and exact text
// (the config loader turns the path into file:line:col).

import { describe, expect, it } from 'vitest';
import { alertingSchema, alertingTreeProblems } from './config.ts';
import { hospitalTree } from './engine/testing.ts';

const channels = [
  { name: 'mail', kind: 'email', host: 'smtp.hospital.example', from: 'wardwatch@hospital.example' },
  { name: 'hook', kind: 'webhook', url: 'http://127.0.0.1:9/hook' },
];
const contacts = [{ name: 'alice', email: 'alice@hospital.example' }, { name: 'bob', addresses: { hook: 'x' } }];
const rule = { name: 'down', trigger: { state: { to: ['down'] } }, to: ['alice'], channels: ['mail'] };

function problems(input: Record<string, unknown>): string[] {
  const r = alertingSchema.safeParse({ channels, contacts, ...input });
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('alerting config', () => {
  it('fills defaults: whole-tree scope, recovery on, grouping 30 s, flapping 5 in 10 min, links valid 24 h', () => {
    const c = alertingSchema.parse({ channels, contacts, rules: [{ ...rule, escalation: [{ after: '10m', to: ['bob'], channels: ['hook'] }], repeat: { every: '15m' } }] });
    expect(c.rules[0]).toMatchObject({ scope: [], exclude: [], replaces: [], recovery: true, grouping: true, maintenance: [], escalation: [{ after: 600 }], repeat: { every: 900, max: 10 } });
    expect(c.grouping).toEqual({ window: 30, minMembers: 3, minShare: 0.5 });
    expect(c.flapping).toEqual({ changes: 5, window: 600, settle: 600 });
    expect(c.ackLinkValidity).toBe(86_400);
    expect(alertingSchema.parse({})).toMatchObject({ contacts: [], rules: [], channels: [] });
  });

  it('names unknown contacts, groups, on-call roles and channels where they are used', () => {
    expect(
      problems({
        groups: [{ name: 'it', members: ['alice', 'zoe'] }],
        oncall: [{ name: 'net', shifts: [{ contact: 'yann', from: '08:00', to: '20:00' }], fallback: 'xena' }],
        rules: [{ ...rule, to: ['dave', 'group:ops', 'oncall:pacs', 'group:it'], channels: ['mail', 'sms'], fallbackChannel: 'pager' }],
      }),
    ).toEqual([
      'groups.0.members.1: unknown contact "zoe" (configured: alice, bob)',
      'oncall.0.shifts.0.contact: unknown contact "yann" (configured: alice, bob)',
      'oncall.0.fallback: unknown contact "xena" (configured: alice, bob)',
      'rules.0.to.0: unknown contact "dave" (configured: alice, bob; groups are written "group:NAME", on-call roles "oncall:NAME")',
      'rules.0.to.1: unknown group "ops" (configured: it)',
      'rules.0.to.2: unknown on-call role "pacs" (configured: net)',
      'rules.0.channels.1: unknown channel "sms" (configured: mail, hook)',
      'rules.0.fallbackChannel: unknown channel "pager" (configured: mail, hook)',
    ]);
  });

  it('refuses a contact without an address for a channel that needs one, also through groups and escalation', () => {
    expect(
      problems({
        groups: [{ name: 'all', members: ['alice', 'bob'] }],
        rules: [{ ...rule, to: ['bob'], escalation: [{ after: '5m', to: ['group:all'] }, { after: '10m', to: ['bob'], channels: ['hook'] }] }],
      }),
    ).toEqual([
      'rules.0.to.0: contact "bob" has no address for channel "mail" (kind email): add email to the contact',
      'rules.0.escalation.0.to.0: contact "bob" has no address for channel "mail" (kind email): add email to the contact',
    ]);
  });

  it('checks escalation order, replaces, duplicate names and the trigger', () => {
    expect(
      problems({
        rules: [
          rule,
          { ...rule, name: 'none', trigger: {} },
          { ...rule, name: 'two', trigger: { state: { to: ['down'] }, held: { state: 'down', for: '2m' } } },
          { ...rule, name: 'thr', trigger: { threshold: { channel: 'responseTimeMs', for: '1m' } } },
        ],
      }),
    ).toEqual([
      'rules.1.trigger: expected exactly one of state, held, threshold, unusual, security or change, got none',
      'rules.2.trigger: expected exactly one of state, held, threshold, unusual, security or change, got state and held',
      'rules.3.trigger.threshold: expected above or below (or both)',
    ]);
    expect(problems({ rules: [{ ...rule, escalation: [{ after: '10m', to: ['alice'] }, { after: '5m', to: ['alice'] }], replaces: ['down', 'nightly'] }, rule] })).toEqual([
      'rules.1.name: duplicate rule name "down" (also at index 0)',
      'rules.0.replaces.0: a rule cannot replace itself',
      'rules.0.replaces.1: unknown rule "nightly" (configured: down)',
      'rules.0.escalation.1.after: expected a time after the previous step (600s), got 300s',
    ]);
  });

  it('the unusual trigger: defaults, and exact errors for its fields', () => {
    const c = alertingSchema.parse({ channels, contacts, rules: [{ ...rule, trigger: { unusual: { channel: 'responseTimeMs' } } }] });
    expect(c.rules[0]!.trigger.unusual).toEqual({ channel: 'responseTimeMs', sigma: 3, weeks: 4, minWeeks: 2 });
    const u = (unusual: unknown) => problems({ rules: [{ ...rule, trigger: { unusual } }] });
    expect(u({ channel: '', sigma: 0, weeks: 2.5, minWeeks: 'two' })).toEqual([
      'rules.0.trigger.unusual.channel: expected a channel key such as responseTimeMs, got ""',
      'rules.0.trigger.unusual.sigma: expected a number of standard deviations greater than 0 (e.g. 3), got 0',
      'rules.0.trigger.unusual.weeks: expected a number of weeks (a whole number from 1 to 52), got 2.5',
      'rules.0.trigger.unusual.minWeeks: expected a number of weeks (a whole number from 1 to 52), got "two"',
    ]);
    expect(u({ channel: 'x', weeks: 3, minWeeks: 4 })).toEqual(['rules.0.trigger.unusual.minWeeks: expected at most weeks (3), got 4']);
    expect(u({ channel: 'x', sigma: 25, weeks: 60 })).toEqual([
      'rules.0.trigger.unusual.sigma: expected a number of standard deviations up to 20, got 25',
      'rules.0.trigger.unusual.weeks: expected a number of weeks (a whole number from 1 to 52), got 60',
    ]);
    expect(u({ channel: 'x', mean: 3 })).toEqual(['rules.0.trigger.unusual: Unrecognized key: "mean"']);
  });

  it('checks time zones, times of day and recipients\' spelling', () => {
    expect(
      problems({
        oncall: [{ name: 'net', timezone: 'Europe/Berlinn', shifts: [{ contact: 'alice', from: '8:00', to: '20:00' }] }],
        rules: [{ ...rule, to: ['Group:x y'], schedule: { hours: [{ days: ['monday'], from: '20:00', to: '24:00' }] } }],
      }),
    ).toEqual([
      'oncall.0.timezone: unknown time zone "Europe/Berlinn" (use an IANA name such as Europe/Berlin or UTC)',
      'oncall.0.shifts.0.from: expected a time of day such as 08:00, got "8:00"',
      'rules.0.to.0: expected a recipient ("contact", "group:NAME" or "oncall:NAME"), got "Group:x y"',
      'rules.0.schedule.hours.0.days.0: expected a day (mon, tue, wed, thu, fri, sat, sun), got "monday"',
      'rules.0.schedule.hours.0.to: expected a time of day such as 08:00, got "24:00"',
    ]);
  });

  it('checks node ids and maintenance windows against the tree', () => {
    const tree = hospitalTree({ groups: { pacs: { 'pacs-1': { sensors: ['echo'] } } }, maintenance: [{ name: 'sunday', schedule: { type: 'weekly', days: ['sun'], start: '02:00', durationMin: 60 } }] });
    const c = alertingSchema.parse({ channels, contacts, rules: [{ ...rule, scope: ['main/core/pacs', 'main/core/pac'], exclude: ['pacs-1'], maintenance: ['sunday', 'monday'] }] });
    expect(alertingTreeProblems(c, tree)).toEqual([
      { path: ['rules', 0, 'scope', 1], message: 'unknown node id "main/core/pac" (use the full id, e.g. site/probe/group/device)' },
      { path: ['rules', 0, 'exclude', 0], message: 'unknown node id "pacs-1" (use the full id, e.g. site/probe/group/device)' },
      { path: ['rules', 0, 'maintenance', 1], message: 'unknown maintenance window "monday" (configured: sunday)' },
    ]);
  });
});
