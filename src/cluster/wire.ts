// What travels from a probe to the core in the readings stream: one envelope per engine flush with
// the rows for the store, the state events (with the status they led to), changed states to save,
// and the readings for the live view. Compact tuples for the bulk rows; every field is checked on
// arrival, because a malformed message must never reach the store or crash the core.

import { z } from 'zod';
import { STATES, PAUSE_REASONS, type SensorStatus, type StateEvent, type TimedReading } from '../core/model.ts';
import type { CheckRow, ReceivedMessage, StoredSensorState, ValueRow } from '../store/store.ts';

export const WIRE_VERSION = 1;

/** [sensorId, channel, ts, value] */
export type ValueTuple = [string, string, number, number];
/** [sensorId, ts, ok 1|0] */
export type CheckTuple = [string, number, 0 | 1];

export interface Envelope {
  readonly v: typeof WIRE_VERSION;
  readonly probe: string;
  /** Probe clock when the envelope was written to the probe's outbox. */
  readonly at: number;
  readonly values?: readonly ValueTuple[];
  readonly checks?: readonly CheckTuple[];
  readonly events?: readonly { readonly e: StateEvent; readonly s?: SensorStatus }[];
  readonly states?: readonly StoredSensorState[];
  readonly readings?: readonly { readonly r: TimedReading; readonly s?: SensorStatus }[];
  /** What the probe's receivers (syslog, SNMP traps) took in, for the core's message log. */
  readonly messages?: readonly ReceivedMessage[];
}

export interface DecodedEnvelope {
  readonly probe: string;
  readonly at: number;
  readonly values: ValueRow[];
  readonly checks: CheckRow[];
  readonly events: { readonly e: StateEvent; readonly s?: SensorStatus }[];
  readonly states: StoredSensorState[];
  readonly readings: { readonly r: TimedReading; readonly s?: SensorStatus }[];
  readonly messages: ReceivedMessage[];
}

const state = z.enum(STATES);
const pauseReason = z.enum(PAUSE_REASONS);
const num = z.number().finite();
const values = z.record(z.string(), num);

const status = z.object({
  state,
  pauseReason: pauseReason.optional(),
  acknowledged: z.object({ by: z.string(), at: num, note: z.string().optional() }).optional(),
  failures: num,
  since: num,
  message: z.string().optional(),
  error: z.string().optional(),
  lastCheck: num.optional(),
  lastValues: values.optional(),
});

const event = z.object({ sensorId: z.string(), ts: num, from: state, to: state, pauseReason: pauseReason.optional(), reason: z.string(), message: z.string().optional() });

const stored = z.object({
  sensorId: z.string(),
  state,
  pauseReason: pauseReason.optional(),
  since: num,
  failures: num,
  message: z.string().optional(),
  error: z.string().optional(),
  lastCheck: num.optional(),
  acknowledgedBy: z.string().optional(),
  acknowledgedAt: num.optional(),
  acknowledgedNote: z.string().optional(),
  lastValues: values.optional(),
});

const limits = z.record(z.string(), z.union([num, z.string()])).optional();
const reading = z.object({
  sensorId: z.string(),
  ts: num,
  durationMs: num,
  channels: z.array(z.object({ key: z.string(), value: z.number(), unit: z.string().optional(), name: z.string().optional(), limits })),
  message: z.string().optional(),
  error: z.string().optional(),
  status: z.enum(['up', 'warning', 'down', 'unknown']).optional(),
  phases: z.record(z.string(), z.number()).optional(),
});

const message = z.object({
  receiver: z.string().min(1),
  ts: num,
  source: z.string(),
  deviceId: z.string().optional(),
  severity: z.enum(['debug', 'info', 'notice', 'warning', 'error', 'critical']),
  text: z.string(),
  data: z.record(z.string(), z.unknown()).optional(),
});

const envelope = z.object({
  v: z.literal(WIRE_VERSION),
  probe: z.string(),
  at: num,
  // Bulk rows are checked by hand below (zod per tuple costs more than the store write).
  values: z.array(z.unknown()).optional(),
  checks: z.array(z.unknown()).optional(),
  events: z.array(z.object({ e: event, s: status.optional() })).optional(),
  states: z.array(stored).optional(),
  readings: z.array(z.object({ r: reading, s: status.optional() })).optional(),
  messages: z.array(message).optional(),
});

export function encodeEnvelope(e: Envelope): Uint8Array {
  return Buffer.from(JSON.stringify(e));
}

export class WireError extends Error {}

/** Parses and checks one message; throws WireError naming the field that is wrong. */
export function decodeEnvelope(data: Uint8Array): DecodedEnvelope {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8'));
  } catch (err) {
    throw new WireError(`not JSON: ${(err as Error).message}`);
  }
  const parsed = envelope.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new WireError(`${issue.path.join('.') || '(message)'}: ${issue.message}`);
  }
  const p = parsed.data;
  const events: DecodedEnvelope['events'] = p.events ?? [];
  const states: StoredSensorState[] = p.states ?? [];
  const vals: ValueRow[] = [];
  (p.values ?? []).forEach((t, i) => {
    if (!Array.isArray(t) || t.length !== 4 || typeof t[0] !== 'string' || typeof t[1] !== 'string' || !Number.isFinite(t[2]) || !Number.isFinite(t[3])) {
      throw new WireError(`values.${i}: expected [sensorId, channel, ts, value]`);
    }
    vals.push({ sensorId: t[0], channel: t[1], ts: t[2] as number, value: t[3] as number });
  });
  const checks: CheckRow[] = [];
  (p.checks ?? []).forEach((t, i) => {
    if (!Array.isArray(t) || t.length !== 3 || typeof t[0] !== 'string' || !Number.isFinite(t[1]) || (t[2] !== 0 && t[2] !== 1)) {
      throw new WireError(`checks.${i}: expected [sensorId, ts, 0|1]`);
    }
    checks.push({ sensorId: t[0], ts: t[1] as number, ok: t[2] === 1 });
  });
  return {
    probe: p.probe,
    at: p.at,
    values: vals,
    checks,
    events,
    states,
    readings: (p.readings ?? []) as DecodedEnvelope['readings'],
    messages: p.messages ?? [],
  };
}

/** Splits rows into envelopes of about maxBytes each (JetStream refuses messages over max_payload). */
export function splitEnvelope(e: Envelope, maxBytes: number): Uint8Array[] {
  const whole = encodeEnvelope(e);
  if (whole.byteLength <= maxBytes) return [whole];
  const parts = (['values', 'checks', 'events', 'states', 'readings', 'messages'] as const).filter((k) => (e[k]?.length ?? 0) > 0);
  const total = parts.reduce((n, k) => n + e[k]!.length, 0);
  if (total <= 1) throw new Error(`one row of probe ${e.probe} encodes to ${whole.byteLength} bytes, more than the ${maxBytes}-byte message limit`);
  // Halve the rows: each half keeps its lists in order, so the core applies them in the same order.
  let left = Math.floor(total / 2);
  const a: Record<string, unknown> = { v: e.v, probe: e.probe, at: e.at };
  const b: Record<string, unknown> = { v: e.v, probe: e.probe, at: e.at };
  for (const k of parts) {
    const list = e[k]!;
    const take = Math.min(left, list.length);
    left -= take;
    if (take > 0) a[k] = list.slice(0, take);
    if (take < list.length) b[k] = list.slice(take);
  }
  return [...splitEnvelope(a as unknown as Envelope, maxBytes), ...splitEnvelope(b as unknown as Envelope, maxBytes)];
}

/**
 * What the other cores need of an applied message (fanout.ts): the statuses, events and readings
 * for their live parts, without the rows only the store wanted. Same codec, so decodeEnvelope
 * checks it on arrival like any envelope.
 */
export function appliedEnvelope(env: DecodedEnvelope): Envelope {
  return {
    v: WIRE_VERSION,
    probe: env.probe,
    at: env.at,
    ...(env.events.length > 0 ? { events: env.events } : {}),
    ...(env.states.length > 0 ? { states: env.states } : {}),
    ...(env.readings.length > 0 ? { readings: env.readings } : {}),
  };
}
