// `syslog` (listening): judges the syslog messages the receiver publishes for this sensor's device
// (inbox topic `syslog:<deviceId>`) against rules — facility, severity at or above, app and
// message regexes — counting matches and raising Warning/Down until a clearing line or quiet time.

import { z } from 'zod';
import type { ReceivedMessage } from '../../store/store.ts';
import { duration } from '../fields.ts';
import { defineSensorKind } from '../sensor.ts';
import { regex, type TrackedRule } from './rules.ts';
import { judgeRules, listenForRules } from './rule-sensor.ts';
import './errors.ts';

const FACILITY_NAMES = [
  'kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp', 'ntp', 'audit', 'alert', 'clock',
  'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7',
] as const;
const SEVERITY_NAMES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;


export const syslogRule = z.strictObject({
  name: z.string().min(1).optional().describe('Shown in messages (default "rule N")'),
  facilities: z.array(z.enum(FACILITY_NAMES)).min(1).optional().describe('Facilities that match (default any)'),
  severity: z.enum(SEVERITY_NAMES).optional().describe('Matches this severity or a more severe one (default any)'),
  app: regex.optional().describe('Regex on the APP-NAME / tag (case-insensitive)'),
  message: regex.optional().describe('Regex on the message text (case-insensitive)'),
  state: z.enum(['warning', 'down']).default('warning').describe('State while the rule is active'),
  clearRegex: regex.optional().describe('A message matching this regex clears the rule'),
  clearAfter: duration({ min: 1 }).optional().describe('Clears the rule after this long without a match'),
});
export type SyslogRule = z.infer<typeof syslogRule>;

export const syslogSettings = z.strictObject({
  rules: z.array(syslogRule).default([]).describe('Rules judged against every message from the device'),
});
export type SyslogSettings = z.infer<typeof syslogSettings>;

/** A rule as a pure predicate over received syslog messages. */
export function compileSyslogRule(r: SyslogRule, index: number): TrackedRule<ReceivedMessage> {
  const app = r.app !== undefined ? new RegExp(r.app, 'i') : undefined;
  const text = r.message !== undefined ? new RegExp(r.message, 'i') : undefined;
  const clear = r.clearRegex !== undefined ? new RegExp(r.clearRegex, 'i') : undefined;
  const maxSeverity = r.severity !== undefined ? SEVERITY_NAMES.indexOf(r.severity) : undefined;
  return {
    name: r.name ?? `rule ${index + 1}`,
    state: r.state,
    ...(r.clearAfter !== undefined ? { clearAfterMs: r.clearAfter * 1000 } : {}),
    matches(m) {
      const d = m.data ?? {};
      if (r.facilities && !r.facilities.includes(d.facility as (typeof FACILITY_NAMES)[number])) return false;
      if (maxSeverity !== undefined) {
        const sev = SEVERITY_NAMES.indexOf(d.severity as (typeof SEVERITY_NAMES)[number]);
        if (sev < 0 || sev > maxSeverity) return false;
      }
      if (app && !app.test(typeof d.app === 'string' ? d.app : '')) return false;
      return !text || text.test(m.text);
    },
    clears: (m) => clear !== undefined && clear.test(m.text),
  };
}

export const syslogKind = defineSensorKind({
  kind: 'syslog',
  title: 'Syslog rules',
  description:
    "Judges the syslog messages Wardwatch's syslog receiver (UDP, TCP, TLS; RFC 5424 and 3164) gets from the device's address. Each rule matches on facility, severity (this one or worse), app name and message regexes (case-insensitive), and sets Warning or Down while active; a message matching its clearRegex, or clearAfter without a match, clears it. Channels count matching messages since the last check and per minute. Every message stays searchable in the message log, ATNA audit records included.",
  settings: syslogSettings,
  channels: [
    { key: 'matchCount', name: 'Matching messages', unit: 'count', primary: true, description: 'Messages matching a rule since the last check' },
    { key: 'matchesPerMin', name: 'Matches/min', unit: 'per min' },
    { key: 'messagesPerMin', name: 'Messages/min', unit: 'per min', description: 'All syslog messages from the device' },
  ],
  concurrency: 1000,
  defaultIntervalS: 60,
  usesHost: false,
  check: async (_s, ctx) => judgeRules(ctx, 'syslog receiver', 'message', (c) => [
    { key: 'matchCount', value: c.matched },
    { key: 'matchesPerMin', value: c.matchedPerMin },
    { key: 'messagesPerMin', value: c.seenPerMin },
  ]),
  listen: (s, ctx) => listenForRules(ctx, 'syslog', s.rules.map(compileSyslogRule)),
});
