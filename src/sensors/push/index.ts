// `push`: a device or script reports to Wardwatch by HTTP (POST/GET /api/push/<token>) with values,
// a status and a message; the sensor shows the last report and goes Down when none arrives within
// the expected period. For systems Wardwatch cannot reach: backup jobs, scripts behind firewalls.

import { z } from 'zod';
import { UNITS, type ChannelValue, type Reading } from '../../core/model.ts';
import { duration } from '../fields.ts';
import { defineSensorKind, failed, type CheckContext, type ListenContext, type Listener } from '../sensor.ts';
import { RESERVED_KEYS, TOKEN_PATTERN, TOKEN_RULE, VALUE_KEY_PATTERN, isPushMessage, pushTopic, type PushMessage } from './message.ts';
import './errors.ts';

const STATS_KEY = 'push.stats';
const PREV_KEY = 'push.prevCount';

const token = z.string().regex(TOKEN_PATTERN, { error: TOKEN_RULE });

export const pushSettings = z.strictObject({
  token: token.optional().describe('The sensor\'s token (default: the token of a credential of type push); keep it secret'),
  expectEvery: duration({ min: 1 }).default(300).describe('How often a report is expected (default 5m)'),
  grace: duration().default(60).describe('Extra time allowed before a missing report makes the sensor Down (default 1m)'),
  units: z
    .record(z.string().regex(VALUE_KEY_PATTERN, { error: (i) => `expected a camelCase channel key, got ${JSON.stringify(i.input)}` }), z.enum(UNITS))
    .default({})
    .describe('Units of the pushed values, by key (value: "%", backupSizeBytes: "bytes"); default "value"'),
});
export type PushSettings = z.infer<typeof pushSettings>;

export class PushStats {
  count = 0;
  last: PushMessage | undefined;
  problem: string | undefined;
  constructor(readonly startedAt: number) {}
}

/** The token from the settings, else from a credential of type push; a reason when there is none or it is too weak. */
export function resolveToken(s: PushSettings, credential: ListenContext['credential']): string | { problem: string } {
  if (s.token !== undefined) return s.token;
  if (!credential) return { problem: 'no token: set `token` or a credential of type push' };
  if (credential.type !== 'push') return { problem: `credential "${credential.name}" is of type ${credential.type}, expected push` };
  const t = credential.values.token ?? '';
  return TOKEN_PATTERN.test(t) ? t : { problem: `credential "${credential.name}": ${TOKEN_RULE}` };
}

async function listen(s: PushSettings, ctx: ListenContext): Promise<Listener> {
  const stats = new PushStats(ctx.wallNow());
  ctx.memory.set(STATS_KEY, stats);
  ctx.memory.delete(PREV_KEY);
  const t = resolveToken(s, ctx.credential);
  if (typeof t !== 'string') {
    stats.problem = t.problem;
    return { close: async () => {} };
  }
  const unsubscribe = ctx.inbox.subscribe(pushTopic(t), (m) => {
    if (!isPushMessage(m)) return;
    const wasDown = stats.last?.status === 'down';
    stats.count++;
    stats.last = m;
    // a change of the reported status is worth an event and an immediate check
    if ((m.status === 'down') !== wasDown) {
      ctx.record({ severity: m.status === 'down' ? 'error' : 'info', text: `push report${m.from ? ` from ${m.from}` : ''}: ${m.status ?? 'up'}${m.message ? ` (${m.message})` : ''}` });
      ctx.checkNow();
    }
  });
  return { address: 'push:/api/push/<token>', close: async () => unsubscribe() };
}

function check(s: PushSettings, ctx: CheckContext): Reading {
  const stats = ctx.memory.get(STATS_KEY);
  if (!(stats instanceof PushStats)) return failed('PUSH_NOT_LISTENING', 'the push receiver for this sensor is not listening');
  if (stats.problem) return failed('BAD_SETTINGS', stats.problem);
  const now = ctx.wallNow();
  const prevCount = (ctx.memory.get(PREV_KEY) as number | undefined) ?? 0;
  ctx.memory.set(PREV_KEY, stats.count);
  const last = stats.last;
  const ageS = Math.max(0, Math.round((now - (last?.receivedAt ?? stats.startedAt)) / 100) / 10);
  const channels: ChannelValue[] = [
    { key: 'lastPushAgeS', value: ageS },
    { key: 'pushCount', value: stats.count - prevCount },
  ];
  for (const [key, value] of Object.entries(last?.values ?? {})) {
    if (RESERVED_KEYS.has(key)) continue;
    channels.push({ key, value, unit: s.units[key] ?? 'value' });
  }
  const allowedS = s.expectEvery + s.grace;
  if (ageS > allowedS) {
    const since = last ? `last report ${Math.round(ageS)} s ago` : `no report since the sensor started ${Math.round(ageS)} s ago`;
    return failed('PUSH_MISSING', `${since}; one was expected every ${s.expectEvery} s (+${s.grace} s grace)`, channels);
  }
  if (!last) return { channels, message: `waiting for the first report (expected every ${s.expectEvery} s)` };
  const text = `${last.status ?? 'up'}${last.message ? `: ${last.message}` : ''} (reported ${Math.round(ageS)} s ago)`;
  if (last.status === 'down') return { ...failed('PUSH_REPORTED_DOWN', text, channels), status: 'down' };
  if (last.status === 'warning') return { channels, message: text, status: 'warning' };
  return { channels, message: text };
}

export const pushKind = defineSensorKind({
  kind: 'push',
  title: 'Push (HTTP heartbeat)',
  description:
    'A device or script reports to Wardwatch by HTTP: POST /api/push/<token> with a JSON body {"value": 12, "values": {"queueLength": 3}, "status": "up|warning|down", "message": "..."}, or GET /api/push/<token>?value=12&status=up&message=... for simple devices. The sensor shows the last report and its values, and goes Down when no report arrives within expectEvery plus grace. The token (at least 20 random characters) comes from the settings or a credential of type push.',
  settings: pushSettings,
  channels: [
    { key: 'lastPushAgeS', name: 'Age of last report', unit: 's', primary: true },
    { key: 'pushCount', name: 'Reports', unit: 'count', description: 'Reports received since the last check' },
  ],
  concurrency: 1000,
  defaultIntervalS: 60,
  usesHost: false,
  // One channel per value a report carries.
  dynamicChannels: true,
  check: async (s, ctx) => check(s, ctx),
  listen,
});
