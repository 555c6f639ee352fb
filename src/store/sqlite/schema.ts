// The SQLite schema as an ordered list of migrations, versioned by `PRAGMA user_version`.
// Later issues append migrations to MIGRATIONS (never edit a shipped one); a database written by a
// newer Wardwatch is refused rather than silently misread.

import type Database from 'better-sqlite3';

export interface Migration {
  /** The user_version the database has after this migration; 1, 2, 3... in order. */
  readonly version: number;
  readonly name: string;
  /** SQL run in one transaction together with the user_version bump. */
  readonly sql: string;
}

/** Tables named by resolution; raw values are keyed by (series, ts), rollups by (series, bucket). */
export const VALUE_TABLES = { raw: 'value_raw', '1m': 'value_1m', '1h': 'value_1h', '1d': 'value_1d' } as const;
export const CHECK_TABLES = { raw: 'check_raw', '1m': 'check_1m', '1h': 'check_1h', '1d': 'check_1d' } as const;

function valueRollup(table: string): string {
  // min/max/sum/count per bucket: avg is sum/count, and UPSERTs can merge late rows in any order.
  return `CREATE TABLE ${table} (
    series_id INTEGER NOT NULL, bucket INTEGER NOT NULL,
    vmin REAL NOT NULL, vmax REAL NOT NULL, vsum REAL NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (series_id, bucket)) WITHOUT ROWID;`;
}

/** The start of the bucket holding `ts` (correct for negative times too, unlike ts - ts % size). */
function bucket(ts: string, size: number): string {
  return `${ts} - ((${ts} % ${size}) + ${size}) % ${size}`;
}

/**
 * Rollups are kept by triggers, in the inserting transaction: a raw row that INSERT OR IGNORE
 * skipped as already stored fires nothing, so a re-sent batch never counts twice, and late rows
 * merge into their buckets in any order. Doing this inside SQLite halves a batch's cost compared
 * with computing the rollups in JavaScript.
 */
function rollupTriggers(): string {
  const sizes = { '1m': 60_000, '1h': 3_600_000, '1d': 86_400_000 } as const;
  const values = Object.entries(sizes).map(
    ([r, size]) => `INSERT INTO value_${r} (series_id, bucket, vmin, vmax, vsum, n)
      VALUES (NEW.series_id, ${bucket('NEW.ts', size)}, NEW.value, NEW.value, NEW.value, 1)
      ON CONFLICT (series_id, bucket) DO UPDATE SET
        vmin = min(vmin, excluded.vmin), vmax = max(vmax, excluded.vmax), vsum = vsum + excluded.vsum, n = n + 1;`,
  );
  const checks = Object.entries(sizes).map(
    ([r, size]) => `INSERT INTO check_${r} (sensor_ref, bucket, ok, total)
      VALUES (NEW.sensor_ref, ${bucket('NEW.ts', size)}, NEW.ok, 1)
      ON CONFLICT (sensor_ref, bucket) DO UPDATE SET ok = ok + excluded.ok, total = total + 1;`,
  );
  return `CREATE TRIGGER value_raw_rollup AFTER INSERT ON value_raw BEGIN ${values.join('\n')} END;
CREATE TRIGGER check_raw_rollup AFTER INSERT ON check_raw BEGIN ${checks.join('\n')} END;`;
}

function checkRollup(table: string): string {
  return `CREATE TABLE ${table} (
    sensor_ref INTEGER NOT NULL, bucket INTEGER NOT NULL, ok INTEGER NOT NULL, total INTEGER NOT NULL,
    PRIMARY KEY (sensor_ref, bucket)) WITHOUT ROWID;`;
}

// The hot tables carry no FOREIGN KEY clauses: their ids come from `series`/`sensor` rows created in
// the same transaction, and an FK lookup per inserted row would cost write throughput for nothing.
const V1 = `
CREATE TABLE sensor (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE series (
  id INTEGER PRIMARY KEY,
  sensor_ref INTEGER NOT NULL REFERENCES sensor (id),
  channel TEXT NOT NULL,
  UNIQUE (sensor_ref, channel));
CREATE TABLE value_raw (
  series_id INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL,
  PRIMARY KEY (series_id, ts)) WITHOUT ROWID;
${valueRollup('value_1m')}
${valueRollup('value_1h')}
${valueRollup('value_1d')}
CREATE TABLE check_raw (
  sensor_ref INTEGER NOT NULL, ts INTEGER NOT NULL, ok INTEGER NOT NULL,
  PRIMARY KEY (sensor_ref, ts)) WITHOUT ROWID;
${checkRollup('check_1m')}
${checkRollup('check_1h')}
${checkRollup('check_1d')}
${rollupTriggers()}
CREATE TABLE sensor_state (
  sensor_id TEXT PRIMARY KEY, state TEXT NOT NULL, pause_reason TEXT, since INTEGER NOT NULL,
  failures INTEGER NOT NULL, message TEXT, error TEXT, last_check INTEGER,
  ack_by TEXT, ack_at INTEGER, ack_note TEXT, last_values TEXT);
CREATE TABLE state_event (
  id INTEGER PRIMARY KEY AUTOINCREMENT, sensor_id TEXT NOT NULL, ts INTEGER NOT NULL,
  from_state TEXT NOT NULL, to_state TEXT NOT NULL, pause_reason TEXT, reason TEXT NOT NULL, message TEXT);
CREATE INDEX state_event_sensor ON state_event (sensor_id, id);
CREATE INDEX state_event_ts ON state_event (ts);
CREATE TABLE config_version (
  version INTEGER PRIMARY KEY AUTOINCREMENT, saved_at INTEGER NOT NULL, source TEXT NOT NULL, document TEXT NOT NULL);
`;

// Messages that arrive on their own (syslog, SNMP traps, ATNA audit records). text_lc is the
// lower-cased text plus the data JSON, so that case-insensitive search is a plain LIKE over one column.
const V2 = `
CREATE TABLE message (
  id INTEGER PRIMARY KEY AUTOINCREMENT, ts INTEGER NOT NULL, receiver TEXT NOT NULL, source TEXT NOT NULL,
  device_id TEXT, severity TEXT NOT NULL, text TEXT NOT NULL, data TEXT, text_lc TEXT NOT NULL);
CREATE INDEX message_device_ts ON message (device_id, ts);
CREATE INDEX message_receiver_ts ON message (receiver, ts);
CREATE INDEX message_ts ON message (ts);
`;

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'values, rollups, checks, states, events, config', sql: V1 },
  { version: 2, name: 'received messages (syslog, traps)', sql: V2 },
];

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings the database up to the last migration, each step in its own transaction so that a crash
 * between steps leaves a consistent, resumable version. Returns the version the database ends at.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[], label: string): number {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration list out of order: entry ${i} has version ${m.version}, expected ${i + 1}`);
  });
  const latest = migrations.length;
  const current = schemaVersion(db);
  if (current > latest) {
    throw new Error(
      `${label}: database schema version ${current} is newer than this Wardwatch supports (${latest}); ` +
        'it was written by a newer release: upgrade Wardwatch or point it at another data directory',
    );
  }
  for (const m of migrations.slice(current)) {
    db.transaction(() => {
      db.exec(m.sql);
      // user_version lives in the file header and is written inside the transaction.
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  return latest;
}
