// The embedded default store: one SQLite file (WAL) holding values, rollups, checks, states,
// events and configuration versions. better-sqlite3 is synchronous; the Store roles are async so
// that the PostgreSQL store fits the same interfaces.

import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Clock } from '../../core/clock.ts';
import type { StateEvent } from '../../core/model.ts';
import { systemClock } from '../../shared/clock.ts';
import type { CheckRow, EventQuery, HistoryQuery, MessageQuery, ReceivedMessage, Retention, SaveStatesOptions, Store, StoredSensorState, ValueRow } from '../store.ts';
import { DEFAULT_RETENTION } from '../store.ts';
import { SeriesIds } from './ids.ts';
import { DEFAULT_MESSAGE_RETENTION_DAYS, SqliteMessageLog } from './messages.ts';
import { SqliteQueries } from './queries.ts';
import type { RetentionChunking } from './retention.ts';
import { DEFAULT_CHUNKING, SqliteRetention } from './retention.ts';
import type { Migration } from './schema.ts';
import { MIGRATIONS, migrate, schemaVersion } from './schema.ts';
import { SqliteStateStore } from './state.ts';
import { SqliteWriter } from './writer.ts';

export { MIGRATIONS, migrate, schemaVersion } from './schema.ts';
export type { Migration } from './schema.ts';

export interface SqliteStoreOptions {
  /** The database file (parent folders are created), or ':memory:'. */
  readonly path: string;
  /** Retention per resolution; it also bounds which resolutions history() may pick. */
  readonly retention?: Retention;
  /** Gives "now" to resolution picking; the system clock when not given. */
  readonly clock?: Pick<Clock, 'now'>;
  /** How long a writer waits for another connection's lock, ms (default 5000). */
  readonly busyTimeoutMs?: number;
  /** SQLite page cache, MiB (default 64): the tails of every series stay in memory between batches. */
  readonly cacheSizeMiB?: number;
  /** Rows and keys per retention transaction (default 5000 rows, 2000 series). */
  readonly retentionChunking?: RetentionChunking;
  /** The schema to bring the file to; the built-in MIGRATIONS unless a test says otherwise. */
  readonly migrations?: readonly Migration[];
  /** Days received messages (syslog, traps) are kept; applyRetention deletes older ones (default 90). */
  readonly messageRetentionDays?: number;
}

export interface SqliteStore extends Store {
  readonly dialect: 'sqlite';
  /** The file's absolute path, or ':memory:'. */
  readonly path: string;
  /** The schema version (PRAGMA user_version) the file is at. */
  schemaVersion(): number;
  /**
   * The open connection, for the parts that keep tables of their own in the same file (alerting,
   * users and audit, security); they migrate them with migrateSqliteModule. Nothing else uses it.
   */
  readonly connection: Database.Database;
}

export function openSqliteStore(options: SqliteStoreOptions): SqliteStore {
  const memory = options.path === ':memory:';
  const path = memory ? options.path : resolve(options.path);
  if (!memory) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    configure(db, options.busyTimeoutMs ?? 5_000, options.cacheSizeMiB ?? 64);
    migrate(db, options.migrations ?? MIGRATIONS, path);
  } catch (err) {
    db.close();
    throw err;
  }
  const retention = options.retention ?? DEFAULT_RETENTION;
  const clock = options.clock ?? systemClock;
  const ids = new SeriesIds(db);
  const writer = new SqliteWriter(db, ids);
  const queries = new SqliteQueries(db, ids, () => clock.now(), retention);
  const state = new SqliteStateStore(db);
  const sweeper = new SqliteRetention(db, options.retentionChunking ?? DEFAULT_CHUNKING);
  const messages = new SqliteMessageLog(db);
  const messageDays = options.messageRetentionDays ?? DEFAULT_MESSAGE_RETENTION_DAYS;

  return {
    dialect: 'sqlite',
    path,
    schemaVersion: () => schemaVersion(db),
    connection: db,
    writeBatch: async (values: readonly ValueRow[], checks: readonly CheckRow[]) => writer.writeBatch(values, checks),
    history: async (q: HistoryQuery) => queries.history(q),
    availability: async (sensorId: string, from: number, to: number) => queries.availability(sensorId, from, to),
    channelsOf: async (sensorId: string) => queries.channelsOf(sensorId),
    saveStates: async (states: readonly StoredSensorState[], options?: SaveStatesOptions) => state.saveStates(states, options),
    loadStates: async () => state.loadStates(),
    appendEvents: async (events: readonly StateEvent[]) => state.appendEvents(events),
    events: async (q: EventQuery) => state.events(q),
    saveConfig: async (document: unknown, source: string, at: number) => state.saveConfig(document, source, at),
    latestConfig: async () => state.latestConfig(),
    applyRetention: async (now: number, r?: Retention) => (await sweeper.apply(now, r ?? retention)) + (await messages.sweep(now, messageDays)),
    appendMessages: async (list: readonly ReceivedMessage[]) => messages.append(list),
    messages: async (q: MessageQuery) => messages.query(q),
    close: async () => {
      if (!db.open) return;
      // Folds the WAL back into the main file so that the data directory is one file at rest.
      if (!memory) db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
    },
  };
}

function configure(db: Database.Database, busyTimeoutMs: number, cacheSizeMiB: number): void {
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
  // Negative cache_size is in KiB. Every batch touches the newest page of each series in four
  // tables; with the 2 MiB default those pages fall out of cache and are read back each time.
  db.pragma(`cache_size = ${-Math.max(1, Math.floor(cacheSizeMiB * 1024))}`);
  // WAL + NORMAL: a committed batch survives a process crash (kill -9); only an OS crash or power
  // loss can drop the last transactions, and the file never corrupts in either case.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
}
