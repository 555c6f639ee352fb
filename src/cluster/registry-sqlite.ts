// The cluster tables on the embedded SQLite store (see registry.ts).

import type Database from 'better-sqlite3';
import { probeFromRow, UnknownProbeError, type ClusterTables, type ProbeRecord, type ProbeRow } from './registry.ts';

export class SqliteClusterTables implements ClusterTables {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  list(): Promise<ProbeRecord[]> {
    return Promise.resolve(this.#db.prepare<[], ProbeRow>('SELECT * FROM cluster_probe ORDER BY name').all().map(probeFromRow));
  }

  get(name: string): Promise<ProbeRecord | undefined> {
    const r = this.#db.prepare<[string], ProbeRow>('SELECT * FROM cluster_probe WHERE name = ?').get(name);
    return Promise.resolve(r ? probeFromRow(r) : undefined);
  }

  seen(name: string, at: number): Promise<ProbeRecord> {
    const r = this.#db
      .prepare<[string, number, number], ProbeRow>(
        "INSERT INTO cluster_probe (name, approval, first_seen, last_seen) VALUES (?, 'pending', ?, ?) ON CONFLICT (name) DO UPDATE SET last_seen = MAX(last_seen, excluded.last_seen) RETURNING *",
      )
      .get(name, at, at)!;
    return Promise.resolve(probeFromRow(r));
  }

  decide(name: string, approval: 'approved' | 'rejected', by: string, at: number): Promise<ProbeRecord> {
    const r = this.#db.prepare<[string, string, number, string], ProbeRow>('UPDATE cluster_probe SET approval = ?, decided_by = ?, decided_at = ? WHERE name = ? RETURNING *').get(approval, by, at, name);
    if (!r) return Promise.reject(new UnknownProbeError(`probe "${name}" is not known: it appears once it has connected to the core's NATS`));
    return Promise.resolve(probeFromRow(r));
  }

  remove(name: string): Promise<boolean> {
    return Promise.resolve(this.#db.prepare('DELETE FROM cluster_probe WHERE name = ?').run(name).changes > 0);
  }

  applied(ids: readonly string[]): Promise<Set<string>> {
    const out = new Set<string>();
    const stmt = this.#db.prepare<[string], { msg_id: string }>('SELECT msg_id FROM cluster_applied WHERE msg_id = ?');
    for (const id of ids) if (stmt.get(id)) out.add(id);
    return Promise.resolve(out);
  }

  markApplied(ids: readonly string[], at: number): Promise<void> {
    const stmt = this.#db.prepare('INSERT OR IGNORE INTO cluster_applied (msg_id, applied_at) VALUES (?, ?)');
    this.#db.transaction(() => {
      for (const id of ids) stmt.run(id, at);
    })();
    return Promise.resolve();
  }

  prune(before: number): Promise<number> {
    return Promise.resolve(this.#db.prepare('DELETE FROM cluster_applied WHERE applied_at < ?').run(before).changes);
  }
}
