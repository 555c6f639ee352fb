// Sensor states (so a restart resumes where it stopped), the state-change event log with its
// reasons, and every accepted configuration version. Low-volume tables: clarity over speed here.

import type Database from 'better-sqlite3';
import type { StateEvent } from '../../core/model.ts';
import type { ConfigVersion, EventQuery, SaveStatesOptions, StoredEvent, StoredSensorState } from '../store.ts';
import { eventLimit, fromEventRow, fromStateRow, KEEP_NEWER, toStateRow, type EventRow, type StateRow } from '../rows.ts';

interface ConfigRow {
  version: number;
  saved_at: number;
  source: string;
  document: string;
}

export class SqliteStateStore {
  readonly #db: Database.Database;
  readonly #saveStates: Database.Transaction<(states: readonly StoredSensorState[], keepNewer: boolean) => void>;
  readonly #appendEvents: Database.Transaction<(events: readonly StateEvent[]) => void>;
  readonly #loadStates: Database.Statement<[], StateRow>;
  readonly #insertConfig: Database.Statement<[number, string, string]>;
  readonly #latestConfig: Database.Statement<[], ConfigRow>;
  /** One prepared statement per combination of filters used, built on first use. */
  readonly #eventQueries = new Map<string, Database.Statement<unknown[], EventRow>>();

  constructor(db: Database.Database) {
    this.#db = db;
    const upsertSql = `INSERT INTO sensor_state (sensor_id, state, pause_reason, since, failures, message, error, last_check, ack_by, ack_at, ack_note, last_values)
       VALUES (@sensor_id, @state, @pause_reason, @since, @failures, @message, @error, @last_check, @ack_by, @ack_at, @ack_note, @last_values)
       ON CONFLICT (sensor_id) DO UPDATE SET state = excluded.state, pause_reason = excluded.pause_reason, since = excluded.since,
         failures = excluded.failures, message = excluded.message, error = excluded.error, last_check = excluded.last_check,
         ack_by = excluded.ack_by, ack_at = excluded.ack_at, ack_note = excluded.ack_note, last_values = excluded.last_values`;
    const upsert = db.prepare(upsertSql);
    const upsertIfNewer = db.prepare(`${upsertSql}\n       WHERE ${KEEP_NEWER}`);
    this.#saveStates = db.transaction((states: readonly StoredSensorState[], keepNewer: boolean) => {
      const stmt = keepNewer ? upsertIfNewer : upsert;
      for (const s of states) stmt.run(toStateRow(s));
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

  saveStates(states: readonly StoredSensorState[], options: SaveStatesOptions = {}): void {
    this.#saveStates.immediate(states, options.keepNewer === true);
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
