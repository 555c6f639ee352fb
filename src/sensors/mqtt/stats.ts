// What an mqtt sensor's subscription accumulates between checks (kept in the sensor's memory):
// message and payload-error counts, the last message time, the last value of each configured JSON
// path, and the connection's condition. The listener writes it; the check reads it.

import { toNumber } from '../sql/result.ts';

export interface ValueSpec {
  readonly path: string;
  readonly key: string;
}

export interface ConnectionProblem {
  readonly code: string;
  readonly message: string;
}

export class MqttStats {
  total = 0;
  payloadErrors = 0;
  lastMessageAt: number | undefined;
  connected = false;
  subscribed = false;
  problem: ConnectionProblem | undefined;
  readonly values = new Map<string, number>();
  constructor(readonly startedAt: number) {}
}

export interface MqttSnapshot {
  readonly at: number;
  readonly total: number;
  readonly payloadErrors: number;
}

export function snapshot(s: MqttStats, at: number): MqttSnapshot {
  return { at, total: s.total, payloadErrors: s.payloadErrors };
}

/** "battery.level", "sensors.0.temp" or "sensors[0].temp" → the value there, or undefined. */
export function atPath(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const part of path.replace(/\[(\d+)\]/g, '.$1').split('.')) {
    if (part === '') continue;
    if (cur === null || typeof cur !== 'object') return undefined;
    if (!Object.hasOwn(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

export type PayloadOutcome = { readonly ok: true; readonly found: number } | { readonly ok: false; readonly reason: string };

/** Counts one message and takes the configured values from it; a non-JSON payload is a counted error, never a throw. */
export function takeMessage(stats: MqttStats, payload: Buffer, values: readonly ValueSpec[], at: number): PayloadOutcome {
  stats.total++;
  stats.lastMessageAt = at;
  let doc: unknown;
  try {
    doc = JSON.parse(payload.toString('utf8'));
  } catch (e) {
    stats.payloadErrors++;
    return { ok: false, reason: (e as Error).message };
  }
  let found = 0;
  for (const v of values) {
    const n = toNumber(atPath(doc, v.path));
    if (n === undefined) continue;
    stats.values.set(v.key, n);
    found++;
  }
  return { ok: true, found };
}
