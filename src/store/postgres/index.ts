// The PostgreSQL store (pg, one Pool): the same Store roles and contract as the embedded SQLite
// store, for deployments where several core processes share one history (horizontal ingest).
// Everything lives in one schema of its own, brought up to date by ordered migrations.

import pg from 'pg';
import type { Clock } from '../../core/clock.ts';
import type { StateEvent } from '../../core/model.ts';
import { systemClock } from '../../shared/clock.ts';
import type { CheckRow, EventQuery, HistoryQuery, MessageQuery, ReceivedMessage, Retention, SaveStatesOptions, Store, StoredSensorState, ValueRow } from '../store.ts';
import { DEFAULT_RETENTION } from '../store.ts';
import { PgSeriesIds } from './ids.ts';
import { DEFAULT_MESSAGE_RETENTION_DAYS, PgMessageLog } from './messages.ts';
import { Partitions } from './partitions.ts';
import { PgQueries } from './queries.ts';
import { PgRetention } from './retention.ts';
import type { PgMigration } from './schema.ts';
import { PG_MIGRATIONS, checkSchemaName, migratePg, pgSchemaVersion } from './schema.ts';
import { PgStateStore } from './state.ts';
import { PgWriter } from './writer.ts';

export { PG_MIGRATIONS, migratePg, pgSchemaVersion } from './schema.ts';
export type { PgMigration } from './schema.ts';

export interface PostgresStoreOptions {
  /** e.g. postgres://wardwatch@db.example:5432/wardwatch */
  readonly connectionString: string;
  /** The schema holding every table (created when missing); default "wardwatch". */
  readonly schema?: string;
  readonly retention?: Retention;
  readonly clock?: Pick<Clock, 'now'>;
  /** Connections in the pool (default 4). */
  readonly poolSize?: number;
  /** Shown in pg_stat_activity (default "wardwatch"). */
  readonly applicationName?: string;
  /** Days received messages are kept (default 90). */
  readonly messageRetentionDays?: number;
  /** Batches with at least this many rows are written by COPY into staging tables (default 2,000). */
  readonly copyThreshold?: number;
  /** The schema to migrate to; the built-in PG_MIGRATIONS unless a test says otherwise. */
  readonly migrations?: readonly PgMigration[];
}

export interface PostgresStore extends Store {
  readonly dialect: 'postgres';
  readonly schema: string;
  /** The migration version the schema is at. */
  schemaVersion(): Promise<number>;
  /**
   * The pool (search_path set to `schema`), for the parts that keep tables of their own (alerting,
   * users and audit, security); they migrate them with migratePgModule. Nothing else uses it.
   */
  readonly connection: pg.Pool;
}

export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const schema = checkSchemaName(options.schema ?? 'wardwatch');
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize ?? 4,
    application_name: options.applicationName ?? 'wardwatch',
    // Unqualified table names resolve in the store's schema on every connection.
    options: `-c search_path=${schema}`,
  });
  // An idle connection the server closed (restart, pg_terminate_backend) emits here; the pool has
  // already discarded it and opens a new one on demand, so there is nothing else to do. Without a
  // listener the error would crash the process.
  pool.on('error', () => undefined);
  // The same for a connection that breaks while checked out between two queries: the next query on
  // it rejects (and the caller releases it as broken), but the client's own 'error' event would
  // otherwise be an uncaught exception that stops the process.
  pool.on('connect', (client) => client.on('error', () => undefined));
  try {
    await migratePg(pool, schema, options.migrations ?? PG_MIGRATIONS);
  } catch (err) {
    await pool.end();
    throw err;
  }
  const retention = options.retention ?? DEFAULT_RETENTION;
  const clock = options.clock ?? systemClock;
  const ids = new PgSeriesIds(pool);
  const partitions = new Partitions(pool, schema);
  const writer = new PgWriter(pool, ids, partitions, options.copyThreshold);
  const queries = new PgQueries(pool, ids, () => clock.now(), retention);
  const state = new PgStateStore(pool);
  const sweeper = new PgRetention(pool, partitions);
  const messages = new PgMessageLog(pool);
  const messageDays = options.messageRetentionDays ?? DEFAULT_MESSAGE_RETENTION_DAYS;
  let closed = false;

  return {
    dialect: 'postgres',
    schema,
    schemaVersion: async () => pgSchemaVersion(pool, schema),
    connection: pool,
    writeBatch: async (values: readonly ValueRow[], checks: readonly CheckRow[]) => {
      await writer.writeBatch(values, checks);
    },
    history: async (q: HistoryQuery) => queries.history(q),
    availability: async (sensorId: string, from: number, to: number) => queries.availability(sensorId, from, to),
    channelsOf: async (sensorId: string) => queries.channelsOf(sensorId),
    saveStates: async (states: readonly StoredSensorState[], options?: SaveStatesOptions) => state.saveStates(states, options),
    loadStates: async () => state.loadStates(),
    appendEvents: async (events: readonly StateEvent[]) => state.appendEvents(events),
    events: async (q: EventQuery) => state.events(q),
    saveConfig: async (document: unknown, source: string, at: number) => state.saveConfig(document, source, at),
    latestConfig: async () => state.latestConfig(),
    applyRetention: async (now: number, r?: Retention) => sweeper.apply(now, r ?? retention, messageDays),
    appendMessages: async (list: readonly ReceivedMessage[]) => messages.append(list),
    messages: async (q: MessageQuery) => messages.query(q),
    close: async () => {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
