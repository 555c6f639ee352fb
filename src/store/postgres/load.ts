// Writes what `wardwatch migrate` reads from a SQLite file into the PostgreSQL store: each chunk and
// the record of how far the migration got are committed in one transaction, so an interrupted
// migration resumes exactly where it stopped, with nothing lost or written twice.

import type { Pool, PoolClient } from 'pg';
import { copyIn, copyText } from './copy.ts';
import { PgSeriesIds } from './ids.ts';
import { PARTITIONED, Partitions } from './partitions.ts';

export type LoadCell = string | number | bigint | boolean | Buffer | null;

export interface PgColumn {
  readonly name: string;
  /** information_schema data_type: 'bigint', 'boolean', 'text', 'jsonb', 'timestamp with time zone'... */
  readonly type: string;
  readonly identity: boolean;
}

export interface ItemProgress {
  readonly lastKey: unknown;
  readonly rows: number;
  readonly done: boolean;
}

const PROGRESS_DDL = `CREATE TABLE IF NOT EXISTS migration_progress (
  source text NOT NULL, item text NOT NULL, last_key text, rows bigint NOT NULL DEFAULT 0, done boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (source, item))`;

export class PgLoad {
  readonly #pool: Pool;
  readonly #schema: string;
  readonly #partitions: Partitions;
  readonly ids: PgSeriesIds;

  constructor(pool: Pool, schema: string) {
    this.#pool = pool;
    this.#schema = schema;
    this.#partitions = new Partitions(pool, schema);
    this.ids = new PgSeriesIds(pool);
  }

  async progress(source: string): Promise<Map<string, ItemProgress>> {
    await this.#pool.query(PROGRESS_DDL);
    const res = await this.#pool.query<{ item: string; last_key: string | null; rows: string; done: boolean }>(
      'SELECT item, last_key, rows::text AS rows, done FROM migration_progress WHERE source = $1',
      [source],
    );
    return new Map(res.rows.map((r) => [r.item, { lastKey: r.last_key === null ? undefined : (JSON.parse(r.last_key) as unknown), rows: Number(r.rows), done: r.done }]));
  }

  async columns(table: string): Promise<PgColumn[] | undefined> {
    const res = await this.#pool.query<{ name: string; type: string; identity: string }>(
      `SELECT a.attname AS name, format_type(a.atttypid, NULL) AS type, a.attidentity AS identity
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
      [this.#schema, table],
    );
    if (res.rows.length === 0) return undefined;
    return res.rows.map((r) => ({ name: r.name, type: r.type, identity: r.identity !== '' }));
  }

  async hasRows(table: string): Promise<boolean> {
    const res = await this.#pool.query(`SELECT 1 FROM ${this.#schema}."${table}" LIMIT 1`);
    return (res.rowCount ?? 0) > 0;
  }

  /**
   * Inserts one chunk (rows already in `columns` order) and records the progress, in one
   * transaction. Rows already present are left as they are (ON CONFLICT DO NOTHING).
   */
  async writeChunk(source: string, table: string, columns: readonly PgColumn[], rows: readonly (readonly LoadCell[])[], progress: ItemProgress): Promise<void> {
    const part = PARTITIONED.find((p) => p.table === table);
    if (part !== undefined && rows.length > 0) {
      const at = columns.findIndex((c) => c.name === 'ts' || c.name === 'bucket');
      await this.#partitions.ensure(rows.map((r) => Number(r[at])));
    }
    await this.#transaction(async (client) => {
      if (rows.length > 0) {
        const list = columns.map((c) => `"${c.name}"`).join(', ');
        await client.query(`CREATE TEMP TABLE ww_migrate_stage (LIKE ${this.#schema}."${table}") ON COMMIT DROP`);
        await copyIn(client, `COPY ww_migrate_stage (${list}) FROM STDIN`, rows.length, (i) => `${(rows[i] as readonly LoadCell[]).map((v, j) => cell(v, (columns[j] as PgColumn).type)).join('\t')}\n`);
        const overriding = columns.some((c) => c.identity) ? 'OVERRIDING SYSTEM VALUE' : '';
        await client.query(`INSERT INTO ${this.#schema}."${table}" (${list}) ${overriding} SELECT ${list} FROM ww_migrate_stage ON CONFLICT DO NOTHING`);
      }
      await client.query(
        `INSERT INTO migration_progress (source, item, last_key, rows, done) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (source, item) DO UPDATE SET last_key = excluded.last_key, rows = excluded.rows, done = excluded.done, updated_at = now()`,
        [source, table, progress.lastKey === undefined ? null : JSON.stringify(progress.lastKey), progress.rows, progress.done],
      );
    });
  }

  /** After rows came in with their ids: identity columns continue after the highest id. */
  async resetIdentities(table: string, columns: readonly PgColumn[]): Promise<void> {
    for (const c of columns.filter((x) => x.identity)) {
      await this.#pool.query(
        `SELECT setval(pg_get_serial_sequence($1, $2), COALESCE((SELECT max("${c.name}") FROM ${this.#schema}."${table}"), 0) + 1, false)`,
        [`${this.#schema}."${table}"`, c.name],
      );
    }
  }

  async #transaction(fn: (client: PoolClient) => Promise<void>): Promise<void> {
    const client = await this.#pool.connect();
    let failed: Error | undefined;
    try {
      await client.query('BEGIN');
      await fn(client);
      await client.query('COMMIT');
    } catch (err) {
      failed = err instanceof Error ? err : new Error(String(err));
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release(failed);
    }
  }
}

/** A SQLite value in COPY text for a column of the given PostgreSQL type. */
function cell(v: LoadCell, type: string): string {
  if (v === null) return '\\N';
  if (type === 'boolean') return v === true || v === 1 || v === 1n || v === '1' || v === 't' || v === 'true' ? 't' : 'f';
  if (type.startsWith('timestamp') && (typeof v === 'number' || typeof v === 'bigint')) return new Date(Number(v)).toISOString();
  if (Buffer.isBuffer(v)) return copyText(`\\x${v.toString('hex')}`);
  if (typeof v === 'bigint') return v.toString();
  return copyText(v);
}
