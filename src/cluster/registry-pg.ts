// The cluster tables on the PostgreSQL store (see registry.ts); the pool's search_path is the store's schema.

import type pg from 'pg';
import { probeFromRow, UnknownProbeError, type ClusterTables, type ProbeRecord, type ProbeRow } from './registry.ts';

export class PgClusterTables implements ClusterTables {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async list(): Promise<ProbeRecord[]> {
    return (await this.#pool.query<ProbeRow>('SELECT * FROM cluster_probe ORDER BY name')).rows.map(probeFromRow);
  }

  async get(name: string): Promise<ProbeRecord | undefined> {
    const r = (await this.#pool.query<ProbeRow>('SELECT * FROM cluster_probe WHERE name = $1', [name])).rows[0];
    return r ? probeFromRow(r) : undefined;
  }

  async seen(name: string, at: number): Promise<ProbeRecord> {
    const res = await this.#pool.query<ProbeRow>(
      "INSERT INTO cluster_probe (name, approval, first_seen, last_seen) VALUES ($1, 'pending', $2, $2) ON CONFLICT (name) DO UPDATE SET last_seen = GREATEST(cluster_probe.last_seen, excluded.last_seen) RETURNING *",
      [name, at],
    );
    return probeFromRow(res.rows[0]!);
  }

  async decide(name: string, approval: 'approved' | 'rejected', by: string, at: number): Promise<ProbeRecord> {
    const r = (await this.#pool.query<ProbeRow>('UPDATE cluster_probe SET approval = $1, decided_by = $2, decided_at = $3 WHERE name = $4 RETURNING *', [approval, by, at, name])).rows[0];
    if (!r) throw new UnknownProbeError(`probe "${name}" is not known: it appears once it has connected to the core's NATS`);
    return probeFromRow(r);
  }

  async remove(name: string): Promise<boolean> {
    return ((await this.#pool.query('DELETE FROM cluster_probe WHERE name = $1', [name])).rowCount ?? 0) > 0;
  }

  async applied(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const res = await this.#pool.query<{ msg_id: string }>('SELECT msg_id FROM cluster_applied WHERE msg_id = ANY($1::text[])', [ids]);
    return new Set(res.rows.map((r) => r.msg_id));
  }

  async markApplied(ids: readonly string[], at: number): Promise<void> {
    if (ids.length === 0) return;
    await this.#pool.query('INSERT INTO cluster_applied (msg_id, applied_at) SELECT unnest($1::text[]), $2 ON CONFLICT (msg_id) DO NOTHING', [ids, at]);
  }

  async prune(before: number): Promise<number> {
    return (await this.#pool.query('DELETE FROM cluster_applied WHERE applied_at < $1', [before])).rowCount ?? 0;
  }
}
