// Row shapes of the state and event tables and their mapping to the store's types, shared by the
// SQLite and PostgreSQL stores (the dialects differ in SQL, not in what a row holds).

import type { PauseReason, State } from '../core/model.ts';
import type { MessageQuery, ReceivedMessage, StoredEvent, StoredMessage, StoredSensorState } from './store.ts';

export const DEFAULT_EVENT_LIMIT = 100;
export const MAX_EVENT_LIMIT = 1000;

export interface StateRow {
  sensor_id: string;
  state: State;
  pause_reason: PauseReason | null;
  since: number;
  failures: number;
  message: string | null;
  error: string | null;
  last_check: number | null;
  ack_by: string | null;
  ack_at: number | null;
  ack_note: string | null;
  last_values: string | null;
}

export interface EventRow {
  id: number;
  sensor_id: string;
  ts: number;
  from_state: State;
  to_state: State;
  pause_reason: PauseReason | null;
  reason: string;
  message: string | null;
}

export function eventLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_EVENT_LIMIT;
  return Math.min(MAX_EVENT_LIMIT, Math.max(1, Math.floor(limit)));
}

/** The upsert condition of saveStates({ keepNewer }), the same in both dialects: a state from an older check never replaces a newer one. */
export const KEEP_NEWER = 'excluded.last_check IS NULL OR sensor_state.last_check IS NULL OR excluded.last_check >= sensor_state.last_check';

export function toStateRow(s: StoredSensorState): StateRow {
  return {
    sensor_id: s.sensorId,
    state: s.state,
    pause_reason: s.pauseReason ?? null,
    since: s.since,
    failures: s.failures,
    message: s.message ?? null,
    error: s.error ?? null,
    last_check: s.lastCheck ?? null,
    ack_by: s.acknowledgedBy ?? null,
    ack_at: s.acknowledgedAt ?? null,
    ack_note: s.acknowledgedNote ?? null,
    last_values: s.lastValues === undefined ? null : JSON.stringify(s.lastValues),
  };
}

/** Absent fields stay absent (not null), so a loaded state equals the one saved. */
export function fromStateRow(r: StateRow): StoredSensorState {
  return {
    sensorId: r.sensor_id,
    state: r.state,
    since: r.since,
    failures: r.failures,
    ...(r.pause_reason !== null && { pauseReason: r.pause_reason }),
    ...(r.message !== null && { message: r.message }),
    ...(r.error !== null && { error: r.error }),
    ...(r.last_check !== null && { lastCheck: r.last_check }),
    ...(r.ack_by !== null && { acknowledgedBy: r.ack_by }),
    ...(r.ack_at !== null && { acknowledgedAt: r.ack_at }),
    ...(r.ack_note !== null && { acknowledgedNote: r.ack_note }),
    ...(r.last_values !== null && { lastValues: JSON.parse(r.last_values) as Record<string, number> }),
  };
}

export function fromEventRow(r: EventRow): StoredEvent {
  return {
    id: r.id,
    sensorId: r.sensor_id,
    ts: r.ts,
    from: r.from_state,
    to: r.to_state,
    reason: r.reason,
    ...(r.pause_reason !== null && { pauseReason: r.pause_reason }),
    ...(r.message !== null && { message: r.message }),
  };
}

/** Messages are kept this many days unless the store is told otherwise. */
export const DEFAULT_MESSAGE_RETENTION_DAYS = 90;
const MAX_MESSAGE_LIMIT = 10_000;

export function messageLimit(q: MessageQuery): number {
  return Math.max(1, Math.min(MAX_MESSAGE_LIMIT, Math.floor(q.limit ?? 100)));
}

export interface MessageRow {
  readonly id: number;
  readonly ts: number;
  readonly receiver: string;
  readonly source: string;
  readonly device_id: string | null;
  readonly severity: ReceivedMessage['severity'];
  readonly text: string;
  readonly data: string | null;
}

export /** What search runs over: the text and the data, lower-cased (JS lower-casing covers non-ASCII, SQLite's LIKE does not). */
function searchableText(m: ReceivedMessage, data: string | null): string {
  return (data === null ? m.text : `${m.text}\n${data}`).toLowerCase();
}

export function fromMessageRow(r: MessageRow): StoredMessage {
  return {
    id: r.id,
    receiver: r.receiver,
    ts: r.ts,
    source: r.source,
    ...(r.device_id === null ? {} : { deviceId: r.device_id }),
    severity: r.severity,
    text: r.text,
    ...(r.data === null ? {} : { data: JSON.parse(r.data) as Record<string, unknown> }),
  };
}
