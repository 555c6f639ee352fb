// `syslog` (listening): judges the syslog messages the receiver publishes for this sensor's device
// (inbox topic `syslog:<deviceId>`) against rules — facility, severity at or above, app and
// message regexes — counting matches and raising Warning/Down until a clearing line or quiet time.

import { z } from 'zod';
import type { Reading } from '../../core/model.ts';
import type { ReceivedMessage } from '../../store/store.ts';
import { duration } from '../fields.ts';
import { defineSensorKind, failed, type CheckContext, type ListenContext, type Listener } from '../sensor.ts';
import { countsSince, deviceOfSensor, regex, RuleTracker, type CountSnapshot, type TrackedRule } from './rules.ts';
import './errors.ts';

const FACILITY_NAMES = [
  'kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp', 'ntp', 'audit', 'alert', 'clock',
  'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7',
] as const;
const SEVERITY_NAMES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;

const TRACKER_KEY = 'syslog.tracker';
const PREV_KEY = 'syslog.prev';

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

async function listen(s: SyslogSettings, ctx: ListenContext): Promise<Listener> {
  const tracker = new RuleTracker(s.rules.map(compileSyslogRule), ctx.wallNow());
  ctx.memory.set(TRACKER_KEY, tracker);
  ctx.memory.delete(PREV_KEY);
  const topic = `syslog:${deviceOfSensor(ctx.sensorId)}`;
  const unsubscribe = ctx.inbox.subscribe(topic, (raw) => {
    const m = raw as ReceivedMessage;
    const { raised, cleared } = tracker.offer(m, m.text, ctx.wallNow());
    for (const r of raised) ctx.record({ severity: r.state === 'down' ? 'error' : 'warning', text: `${r.name}: ${m.text}`, data: { rule: r.name, source: m.source } });
    for (const r of cleared) ctx.record({ severity: 'info', text: `${r.name} cleared: ${m.text}`, data: { rule: r.name } });
    if (raised.length > 0 || cleared.length > 0) ctx.checkNow();
  });
  return { address: `inbox:${topic}`, close: async () => unsubscribe() };
}

function check(_s: SyslogSettings, ctx: CheckContext): Reading {
  const tracker = ctx.memory.get(TRACKER_KEY);
  if (!(tracker instanceof RuleTracker)) return failed('RECEIVER_NOT_LISTENING', 'the sensor is not subscribed to the syslog receiver yet');
  const now = ctx.wallNow();
  const c = countsSince(tracker, ctx.memory.get(PREV_KEY) as CountSnapshot | undefined, now);
  ctx.memory.set(PREV_KEY, c.snapshot);
  const v = tracker.verdict(now);
  const channels = [
    { key: 'matchCount', value: c.matched },
    { key: 'matchesPerMin', value: c.matchedPerMin },
    { key: 'messagesPerMin', value: c.seenPerMin },
  ];
  const counts = `${c.seen} message${c.seen === 1 ? '' : 's'}, ${c.matched} matching since the last check`;
  return v.status === 'up' ? { channels, status: 'up', message: counts } : { channels, status: v.status, message: `${v.rule}: ${v.message ?? ''} (${counts})` };
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
  check: async (s, ctx) => check(s, ctx),
  listen,
});
