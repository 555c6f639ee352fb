// The channel registry and the `alerting.channels` schema: every kind registered once, defaults
// filled, and malformed instances refused with the exact text an operator will read.

import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CHANNEL_KINDS, channelInstanceSchema, channelListSchema, channelKind, instanceSettings, type ChannelInstance } from './registry.ts';
import { sampleNotification } from './testing/fixtures.ts';

function problems(list: unknown): string[] {
  const r = channelListSchema.safeParse(list);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('channel registry', () => {
  it('lists each kind once with settings, templates and a description', () => {
    const names = CHANNEL_KINDS.map((k) => k.kind);
    expect(names).toEqual(['email', 'slack', 'teams', 'pagerduty', 'webhook', 'syslog', 'command']);
    expect(new Set(names).size).toBe(names.length);
    for (const k of CHANNEL_KINDS) {
      expect(k.description.length).toBeGreaterThan(20);
      expect(Object.keys(k.templates).length).toBeGreaterThan(0);
      expect(channelKind(k.kind)).toBe(k);
    }
    expect(CHANNEL_KINDS.filter((k) => k.needsAddress).map((k) => k.kind)).toEqual(['email']);
  });

  it('fills defaults and converts durations to seconds', () => {
    const c = channelInstanceSchema.parse({ name: 'mail', kind: 'email', host: 'smtp.hospital.example', from: 'ww@hospital.example', retryFor: '2h', timeout: '10s', fallback: 'pager' });
    expect(c).toEqual({ name: 'mail', kind: 'email', host: 'smtp.hospital.example', from: 'ww@hospital.example', retryFor: 7200, timeout: 10, fallback: 'pager', security: 'starttls', rejectUnauthorized: true });
    const hook = channelInstanceSchema.parse({ name: 'siem', kind: 'syslog', host: '10.0.0.5' });
    expect(hook).toMatchObject({ retryFor: 3600, timeout: 30, transport: 'udp', format: 'rfc5424', facility: 16, appName: 'wardwatch' });
  });

  it('refuses malformed instances with exact messages and paths', () => {
    expect(problems([
      { name: 'mail', kind: 'email', host: 'smtp', from: 'not an address', port: 'abc' },
      { name: 'm2', kind: 'email', host: 'smtp', from: 'a@b.example', username: 'u' },
      { name: 'hook', kind: 'webhook', url: 'ftp://x', retryFor: 'soon' },
      { name: 'pd', kind: 'pagerduty' },
      { name: 's', kind: 'slack' },
      { name: 'x', kind: 'fax' },
      { name: 'y' },
      { name: 'cmd', kind: 'command', command: [] },
      { name: 'siem', kind: 'syslog', host: 'h', transport: 'sctp', facility: 30 },
      { name: 'hook2', kind: 'webhook', url: 'http://x/', typo: 1 },
    ])).toEqual([
      '0.port: expected integer 1–65535, got "abc"',
      '0.from: expected an email address such as wardwatch@hospital.example, got "not an address"',
      '1.passwordSecret: missing required key "passwordSecret" (username needs a password secret)',
      '2.retryFor: expected a duration such as 30s, 5m or 2h (at least 1s), got "soon"',
      '2.url: expected an http:// or https:// URL, got "ftp://x"',
      '3.routingKeySecret: expected the name of a secret (see the secrets file), got nothing',
      '4: expected exactly one of url or urlSecret',
      '5.kind: unknown channel kind: expected one of email, slack, teams, pagerduty, webhook, syslog, command, got "fax"',
      '6.kind: missing required key "kind" (expected one of email, slack, teams, pagerduty, webhook, syslog, command)',
      '7.command: expected a list: the program and its arguments (no shell), got an empty list',
      '8.transport: expected one of udp, tcp, tls, got "sctp"',
      '8.facility: expected a syslog facility 0–23',
      '9: Unrecognized key: "typo"',
    ]);
  });

  it('checks template overrides: unknown template names and variables, unclosed sections', () => {
    expect(problems([{ name: 'hook', kind: 'webhook', url: 'http://x/', templates: { text: 'Hi {{devcie}}', subject: 'x' } }])).toEqual([
      '0.templates.text: unknown variable "devcie" at line 1, column 4',
      '0.templates.subject: unknown template "subject" (this kind has text)',
    ]);
    expect(problems([{ name: 's', kind: 'slack', url: 'http://x/', templates: { text: 'a\n{{#members}}{{name}}' } }])).toEqual([
      '0.templates.text: {{#members}} opened at line 2, column 1 is never closed',
    ]);
  });

  it('refuses duplicate names, unknown fallbacks and fallback loops', () => {
    const hook = (name: string, fallback?: string) => ({ name, kind: 'webhook', url: 'http://x/', ...(fallback ? { fallback } : {}) });
    expect(problems([hook('a'), hook('a')])).toEqual(['1.name: duplicate channel name "a" (also at index 0)']);
    expect(problems([hook('a', 'b')])).toEqual(['0.fallback: unknown channel "b" (configured: a)']);
    expect(problems([hook('a', 'b'), hook('b', 'c'), hook('c', 'a')])).toEqual([
      '0.fallback: fallback chain loops: a → b → c → a',
      '1.fallback: fallback chain loops: b → c → a → b',
      '2.fallback: fallback chain loops: c → a → b → c',
    ]);
    expect(problems([hook('a', 'b'), hook('b')])).toEqual([]);
  });

  it('splits an instance into its kind and settings, and the kind renders with them', () => {
    const inst = channelInstanceSchema.parse({ name: 'hook', kind: 'webhook', url: 'http://x/' }) as ChannelInstance;
    const { kind, settings } = instanceSettings(inst);
    expect(kind.kind).toBe('webhook');
    expect(settings).toEqual({ url: 'http://x/', method: 'POST', signatureHeader: 'X-Wardwatch-Signature', timestampHeader: 'X-Wardwatch-Timestamp', rejectUnauthorized: true });
    expect(JSON.parse(kind.render(sampleNotification(), settings, {}) as string)).toMatchObject({ alertId: 'alert-42' });
    expect(() => instanceSettings({ ...inst, kind: 'fax' })).toThrow('channel "hook": unknown channel kind "fax" (expected one of email, slack, teams, pagerduty, webhook, syslog, command)');
  });

  it('exports a JSON schema for the API and editors', () => {
    const json = z.toJSONSchema(channelListSchema, { io: 'input', unrepresentable: 'any' });
    expect(JSON.stringify(json)).toContain('"webhook"');
  });
});
