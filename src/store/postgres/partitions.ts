// Time partitions: raw values and checks and their 1m rollups in daily partitions, the 1h rollups in
// 30-day ones, created on demand before a batch is inserted and dropped whole by retention. A row's
// 1m and 1h buckets always fall in the same day as the row, so one day list serves every table.

import type { Pool, PoolClient } from 'pg';

const DAY_MS = 86_400_000;

export interface PartitionedTable {
  readonly table: string;
  /** Width of one partition, ms (whole days, epoch-aligned). */
  readonly span: number;
  /** The time step of the table's rows: 1 ms for raw rows, the bucket size for rollups. */
  readonly step: number;
}

export const PARTITIONED: readonly PartitionedTable[] = [
  { table: 'value_raw', span: DAY_MS, step: 1 },
  { table: 'check_raw', span: DAY_MS, step: 1 },
  { table: 'value_1m', span: DAY_MS, step: 60_000 },
  { table: 'check_1m', span: DAY_MS, step: 60_000 },
  { table: 'value_1h', span: 30 * DAY_MS, step: 3_600_000 },
  { table: 'check_1h', span: 30 * DAY_MS, step: 3_600_000 },
];

/** The partition's name: the table and the index of its span ("m" for spans before 1970). */
export function partitionName(table: string, index: number): string {
  return `${table}_p${index < 0 ? `m${-index}` : index}`;
}

export function partitionIndex(name: string, table: string): number | undefined {
  const m = new RegExp(`^${table}_p(m?)(\\d+)$`).exec(name);
  if (m === null) return undefined;
  return (m[1] === 'm' ? -1 : 1) * Number(m[2]);
}

export class Partitions {
  readonly #pool: Pool;
  readonly #schema: string;
  /** Partitions this process knows exist, per table, by span index. */
  readonly #known = new Map<string, Set<number>>();

  constructor(pool: Pool, schema: string) {
    this.#pool = pool;
    this.#schema = schema;
    for (const t of PARTITIONED) this.#known.set(t.table, new Set());
  }

  /** Makes sure every partition that rows at these times go to exists. */
  async ensure(times: Iterable<number>): Promise<void> {
    const days = new Set<number>();
    for (const ts of times) days.add(Math.floor(ts / DAY_MS));
    const missing: [PartitionedTable, number][] = [];
    for (const t of PARTITIONED) {
      const known = this.#known.get(t.table) as Set<number>;
      const wanted = new Set<number>();
      for (const d of days) wanted.add(Math.floor((d * DAY_MS) / t.span));
      for (const i of wanted) if (!known.has(i)) missing.push([t, i]);
    }
    if (missing.length === 0) return;
    await this.#transaction(async (client) => {
      // One creator at a time per schema: CREATE TABLE IF NOT EXISTS alone still races on the catalog.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`wardwatch:partitions:${this.#schema}`]);
      for (const [t, i] of missing) {
        const from = i * t.span;
        // Rollup rows are updated in place by every batch: free room on each page lets PostgreSQL
        // make those HOT updates (no new index entries).
        const storage = t.step > 1 ? ' WITH (fillfactor = 70)' : '';
        await client.query(
          `CREATE TABLE IF NOT EXISTS ${this.#schema}.${partitionName(t.table, i)} PARTITION OF ${this.#schema}.${t.table} FOR VALUES FROM (${from}) TO (${from + t.span})${storage}`,
        );
      }
    });
    for (const [t, i] of missing) this.#known.get(t.table)?.add(i);
  }

  /** Forgets what it knew: another process's retention may have dropped partitions since. */
  forget(): void {
    for (const set of this.#known.values()) set.clear();
  }

  /**
   * Drops the partitions whose every row is older than `limit` (counting their rows) and deletes
   * rows older than `limit` from the one it cuts through. Returns the rows removed.
   */
  async expire(t: PartitionedTable, time: string, limit: number): Promise<number> {
    const res = await this.#pool.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1::regclass`,
      [`${this.#schema}.${t.table}`],
    );
    const drop: string[] = [];
    const cut: string[] = [];
    for (const { name } of res.rows) {
      const i = partitionIndex(name, t.table);
      if (i === undefined) continue;
      const lower = i * t.span;
      if (lower + t.span - t.step < limit) drop.push(name);
      else if (lower < limit) cut.push(name);
    }
    let removed = 0;
    for (const name of cut) removed += (await this.#pool.query(`DELETE FROM ${this.#schema}.${name} WHERE ${time} < $1`, [limit])).rowCount ?? 0;
    if (drop.length === 0) return removed;
    await this.#transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`wardwatch:partitions:${this.#schema}`]);
      // The parent first: dropping a partition locks it anyway, and taking it up front keeps the
      // lock order of concurrent inserts (parent, then partition), so the two cannot deadlock.
      await client.query(`LOCK TABLE ${this.#schema}.${t.table} IN ACCESS EXCLUSIVE MODE`);
      for (const name of drop) {
        const n = await client.query<{ n: number }>(`SELECT count(*)::float8 AS n FROM ${this.#schema}.${name}`);
        removed += n.rows[0]?.n ?? 0;
        await client.query(`DROP TABLE ${this.#schema}.${name}`);
      }
    });
    const known = this.#known.get(t.table);
    for (const name of drop) {
      const i = partitionIndex(name, t.table);
      if (i !== undefined) known?.delete(i);
    }
    return removed;
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
