// Sensor states, the state-change event log and configuration versions in PostgreSQL. Each call
// is one statement (so one transaction) over unnest() arrays; rows read back equal those written.

import type { Pool } from 'pg';
import type { StateEvent } from '../../core/model.ts';
import type { ConfigVersion, EventQuery, SaveStatesOptions, StoredEvent, StoredSensorState } from '../store.ts';
import { eventLimit, fromEventRow, fromStateRow, KEEP_NEWER, type EventRow, type StateRow } from '../rows.ts';

const STATE_COLUMNS = 'sensor_id, state, pause_reason, since, failures, message, error, last_check, ack_by, ack_at, ack_note, last_values';

export class PgStateStore {
  readonly #pool: Pool;

  constructor(pool: Pool) {
    this.#pool = pool;
  }

  async saveStates(states: readonly StoredSensorState[], options: SaveStatesOptions = {}): Promise<void> {
    const keepNewer = options.keepNewer === true;
    // The last state given for a sensor wins (with keepNewer: the one of the latest check); ON
    // CONFLICT DO UPDATE may not touch a row twice.
    const latest = new Map<string, StoredSensorState>();
    for (const s of states) {
      const had = latest.get(s.sensorId);
      if (keepNewer && had?.lastCheck !== undefined && s.lastCheck !== undefined && s.lastCheck < had.lastCheck) continue;
      latest.set(s.sensorId, s);
    }
    if (latest.size === 0) return;
    const list = [...latest.values()];
    const col = <T>(f: (s: StoredSensorState) => T): T[] => list.map(f);
    await this.#pool.query(
      `INSERT INTO sensor_state (${STATE_COLUMNS})
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::int[], $6::text[], $7::text[], $8::bigint[],
         $9::text[], $10::bigint[], $11::text[], $12::text[])
       ON CONFLICT (sensor_id) DO UPDATE SET state = excluded.state, pause_reason = excluded.pause_reason, since = excluded.since,
         failures = excluded.failures, message = excluded.message, error = excluded.error, last_check = excluded.last_check,
         ack_by = excluded.ack_by, ack_at = excluded.ack_at, ack_note = excluded.ack_note, last_values = excluded.last_values
${keepNewer ? `\n       WHERE ${KEEP_NEWER}` : ''}`,
      [
        col((s) => s.sensorId),
        col((s) => s.state),
        col((s) => s.pauseReason ?? null),
        col((s) => s.since),
        col((s) => s.failures),
        col((s) => s.message ?? null),
        col((s) => s.error ?? null),
        col((s) => s.lastCheck ?? null),
        col((s) => s.acknowledgedBy ?? null),
        col((s) => s.acknowledgedAt ?? null),
        col((s) => s.acknowledgedNote ?? null),
        col((s) => (s.lastValues === undefined ? null : JSON.stringify(s.lastValues))),
      ],
    );
  }

  async loadStates(): Promise<StoredSensorState[]> {
    const res = await this.#pool.query<StateRow>(
      `SELECT sensor_id, state, pause_reason, since::float8 AS since, failures, message, error, last_check::float8 AS last_check,
         ack_by, ack_at::float8 AS ack_at, ack_note, last_values FROM sensor_state ORDER BY sensor_id COLLATE "C"`,
    );
    return res.rows.map(fromStateRow);
  }

  async appendEvents(events: readonly StateEvent[]): Promise<void> {
    if (events.length === 0) return;
    const col = <T>(f: (e: StateEvent) => T): T[] => events.map(f);
    // ORDER BY o: ids are handed out in the order the events were given.
    await this.#pool.query(
      `INSERT INTO state_event (sensor_id, ts, from_state, to_state, pause_reason, reason, message)
       SELECT s, t, f, k, p, r, m FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
         WITH ORDINALITY AS u(s, t, f, k, p, r, m, o) ORDER BY o`,
      [
        col((e) => e.sensorId),
        col((e) => e.ts),
        col((e) => e.from),
        col((e) => e.to),
        col((e) => e.pauseReason ?? null),
        col((e) => e.reason),
        col((e) => e.message ?? null),
      ],
    );
  }

  /** Newest first (by id, the order they were appended); `beforeId` pages further back. */
  async events(q: EventQuery): Promise<StoredEvent[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    const filter = (clause: string, value: unknown): void => {
      args.push(value);
      where.push(clause.replace('?', `$${args.length}`));
    };
    if (q.sensorId !== undefined) filter('sensor_id = ?', q.sensorId);
    if (q.from !== undefined) filter('ts >= ?', q.from);
    if (q.to !== undefined) filter('ts <= ?', q.to);
    if (q.beforeId !== undefined) filter('id < ?', q.beforeId);
    args.push(eventLimit(q.limit));
    const res = await this.#pool.query<EventRow>(
      `SELECT id::float8 AS id, sensor_id, ts::float8 AS ts, from_state, to_state, pause_reason, reason, message FROM state_event
       ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${args.length}`,
      args,
    );
    return res.rows.map(fromEventRow);
  }

  async saveConfig(document: unknown, source: string, at: number): Promise<number> {
    const json = JSON.stringify(document);
    if (typeof json !== 'string') throw new TypeError('saveConfig: the configuration document is not JSON-compatible data');
    const res = await this.#pool.query<{ version: number }>(
      'INSERT INTO config_version (saved_at, source, document) VALUES ($1, $2, $3) RETURNING version',
      [at, source, json],
    );
    return res.rows[0]?.version as number;
  }

  async latestConfig(): Promise<ConfigVersion | undefined> {
    const res = await this.#pool.query<{ version: number; saved_at: number; source: string; document: string }>(
      'SELECT version, saved_at::float8 AS saved_at, source, document FROM config_version ORDER BY version DESC LIMIT 1',
    );
    const row = res.rows[0];
    if (row === undefined) return undefined;
    return { version: row.version, savedAt: row.saved_at, source: row.source, document: JSON.parse(row.document) as unknown };
  }
}
