// Sensor states (so a restart resumes where it stopped), the state-change event log with its
// reasons, and every accepted configuration version. Low-volume tables: clarity over speed here.

import type Database from 'better-sqlite3';
import type { PauseReason, State, StateEvent } from '../../core/model.ts';
import type { ConfigVersion, EventQuery, StoredEvent, StoredSensorState } from '../store.ts';

export const DEFAULT_EVENT_LIMIT = 100;
export const MAX_EVENT_LIMIT = 1000;

interface StateRow {
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

interface EventRow {
  id: number;
  sensor_id: string;
  ts: number;
  from_state: State;
  to_state: State;
  pause_reason: PauseReason | null;
  reason: string;
  message: string | null;
}

interface ConfigRow {
  version: number;
  saved_at: number;
  source: string;
  document: string;
}

export class SqliteStateStore {
  readonly #db: Database.Database;
  readonly #saveStates: Database.Transaction<(states: readonly StoredSensorState[]) => void>;
  readonly #appendEvents: Database.Transaction<(events: readonly StateEvent[]) => void>;
  readonly #loadStates: Database.Statement<[], StateRow>;
  readonly #insertConfig: Database.Statement<[number, string, string]>;
  readonly #latestConfig: Database.Statement<[], ConfigRow>;
  /** One prepared statement per combination of filters used, built on first use. */
  readonly #eventQueries = new Map<string, Database.Statement<unknown[], EventRow>>();

  constructor(db: Database.Database) {
    this.#db = db;
    const upsert = db.prepare(
      `INSERT INTO sensor_state (sensor_id, state, pause_reason, since, failures, message, error, last_check, ack_by, ack_at, ack_note, last_values)
       VALUES (@sensor_id, @state, @pause_reason, @since, @failures, @message, @error, @last_check, @ack_by, @ack_at, @ack_note, @last_values)
       ON CONFLICT (sensor_id) DO UPDATE SET state = excluded.state, pause_reason = excluded.pause_reason, since = excluded.since,
         failures = excluded.failures, message = excluded.message, error = excluded.error, last_check = excluded.last_check,
         ack_by = excluded.ack_by, ack_at = excluded.ack_at, ack_note = excluded.ack_note, last_values = excluded.last_values`,
    );
    this.#saveStates = db.transaction((states: readonly StoredSensorState[]) => {
      for (const s of states) upsert.run(toStateRow(s));
    });
    const insertEvent = db.prepare(
      'INSERT INTO state_event (sensor_id, ts, from_state, to_state, pause_reason, reason, message) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.#appendEvents = db.transaction((events: readonly StateEvent[]) => {
      for (const e of events) insertEvent.run(e.sensorId, e.ts, e.from, e.to, e.pauseReason ?? null, e.reason, e.message ?? null);
    });
    this.#loadStates = db.prepare<[], StateRow>('SELECT * FROM sensor_state ORDER BY sensor_id');
    this.#insertConfig = db.prepare('INSERT INTO config_version (saved_at, source, document) VALUES (?, ?, ?)');
    this.#latestConfig = db.prepare<[], ConfigRow>('SELECT * FROM config_version ORDER BY version DESC LIMIT 1');
  }

  saveStates(states: readonly StoredSensorState[]): void {
    this.#saveStates.immediate(states);
  }

  loadStates(): StoredSensorState[] {
    return this.#loadStates.all().map(fromStateRow);
  }

  appendEvents(events: readonly StateEvent[]): void {
    this.#appendEvents.immediate(events);
  }

  /** Newest first (by id, the order they were appended); `beforeId` pages further back. */
  events(q: EventQuery): StoredEvent[] {
    const where: string[] = [];
    const args: unknown[] = [];
    const filter = (clause: string, value: unknown): void => {
      where.push(clause);
      args.push(value);
    };
    if (q.sensorId !== undefined) filter('sensor_id = ?', q.sensorId);
    if (q.from !== undefined) filter('ts >= ?', q.from);
    if (q.to !== undefined) filter('ts <= ?', q.to);
    if (q.beforeId !== undefined) filter('id < ?', q.beforeId);
    const key = where.join(' AND ');
    let stmt = this.#eventQueries.get(key);
    if (stmt === undefined) {
      stmt = this.#db.prepare<unknown[], EventRow>(`SELECT * FROM state_event ${key ? `WHERE ${key}` : ''} ORDER BY id DESC LIMIT ?`);
      this.#eventQueries.set(key, stmt);
    }
    return stmt.all(...args, eventLimit(q.limit)).map(fromEventRow);
  }

  saveConfig(document: unknown, source: string, at: number): number {
    const json = JSON.stringify(document);
    // JSON.stringify answers undefined (not a string) for undefined, functions and symbols.
    if (typeof json !== 'string') throw new TypeError('saveConfig: the configuration document is not JSON-compatible data');
    return Number(this.#insertConfig.run(at, source, json).lastInsertRowid);
  }

  latestConfig(): ConfigVersion | undefined {
    const row = this.#latestConfig.get();
    if (row === undefined) return undefined;
    return { version: row.version, savedAt: row.saved_at, source: row.source, document: JSON.parse(row.document) as unknown };
  }
}

export function eventLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_EVENT_LIMIT;
  return Math.min(MAX_EVENT_LIMIT, Math.max(1, Math.floor(limit)));
}

function toStateRow(s: StoredSensorState): StateRow {
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
function fromStateRow(r: StateRow): StoredSensorState {
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

function fromEventRow(r: EventRow): StoredEvent {
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
