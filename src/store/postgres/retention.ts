// Retention in PostgreSQL: whole partitions past a resolution's retention are dropped (their rows
// counted first), the partition the cutoff cuts through is trimmed with a DELETE, and the
// unpartitioned daily rollups and received messages are deleted by time.

import type { Pool } from 'pg';
import type { Resolution, Retention } from '../store.ts';
import { RESOLUTION_MS, RESOLUTIONS } from '../store.ts';
import type { Partitions } from './partitions.ts';
import { PARTITIONED } from './partitions.ts';

const DAY_MS = 86_400_000;

/** Rows whose time is below this are past retention (a rollup bucket straddling the cutoff is kept). */
function timeLimit(cutoff: number, r: Resolution): number {
  return r === 'raw' ? cutoff : cutoff - RESOLUTION_MS[r] + 1;
}

export class PgRetention {
  readonly #pool: Pool;
  readonly #partitions: Partitions;

  constructor(pool: Pool, partitions: Partitions) {
    this.#pool = pool;
    this.#partitions = partitions;
  }

  async apply(now: number, retention: Retention, messageDays: number): Promise<number> {
    let removed = 0;
    for (const r of RESOLUTIONS) {
      const days = retention[r];
      if (days === null) continue;
      const limit = timeLimit(now - days * DAY_MS, r);
      for (const table of [`value_${r}`, `check_${r}`]) {
        const time = r === 'raw' ? 'ts' : 'bucket';
        const partitioned = PARTITIONED.find((t) => t.table === table);
        if (partitioned !== undefined) removed += await this.#partitions.expire(partitioned, time, limit);
        else removed += (await this.#pool.query(`DELETE FROM ${table} WHERE ${time} < $1`, [limit])).rowCount ?? 0;
      }
    }
    removed += (await this.#pool.query('DELETE FROM message WHERE ts < $1', [now - messageDays * DAY_MS])).rowCount ?? 0;
    return removed;
  }
}
