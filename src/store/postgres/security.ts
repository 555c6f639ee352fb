// The security module's tables in PostgreSQL (same shape as ../sqlite/security.ts): feed imports
// run in one transaction in batches of unnest() upserts that only replace older records.

import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { KevEntry } from '../../security/feeds/kev/kev.ts';
import type { DeviceInventory, ModelInventory } from '../../security/inventory/model.ts';
import type { FindingQuery, SecurityStore, StoredFinding, VulnSource } from '../../security/store.ts';
import { SECURITY_MODULE, dedupeVulns } from '../../security/store.ts';
import type { ModuleMigration } from './modules.ts';
import { migratePgModule } from './modules.ts';

export const PG_SECURITY_MIGRATIONS: readonly ModuleMigration[] = [
  {
    version: 1,
    name: 'feeds, inventory, findings',
    sql: `
      CREATE TABLE sec_vuln (source text NOT NULL, id text NOT NULL, modified text NOT NULL, doc text NOT NULL, PRIMARY KEY (source, id));
      CREATE TABLE sec_kev (cve_id text PRIMARY KEY, doc text NOT NULL);
      CREATE TABLE sec_model (name text PRIMARY KEY, doc text NOT NULL);
      CREATE TABLE sec_device (device_id text PRIMARY KEY, doc text NOT NULL);
      CREATE TABLE sec_finding (id text PRIMARY KEY, subject text NOT NULL, open boolean NOT NULL, doc text NOT NULL);
      CREATE INDEX sec_finding_subject ON sec_finding (subject, open);
      CREATE TABLE sec_meta (key text PRIMARY KEY, value text NOT NULL);
    `,
  },
];

const BATCH = 2000;
type Row = { doc: string };
const parse = <T>(rows: readonly Row[]): T[] => rows.map((r) => JSON.parse(r.doc) as T);

async function inTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  let failed: Error | undefined;
  try {
    await c.query('BEGIN');
    const r = await fn(c);
    await c.query('COMMIT');
    return r;
  } catch (err) {
    failed = err instanceof Error ? err : new Error(String(err));
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release(failed);
  }
}

export async function openPgSecurityStore(pool: pg.Pool, schema: string): Promise<SecurityStore> {
  await migratePgModule(pool, schema, SECURITY_MODULE, PG_SECURITY_MIGRATIONS);
  return {
    async upsertFeeds(vulns, kev, progress) {
      return inTransaction(pool, async (c) => {
        const list = dedupeVulns(vulns);
        let inserted = 0;
        let updated = 0;
        for (let i = 0; i < list.length; i += BATCH) {
          const b = list.slice(i, i + BATCH);
          const r = await c.query<{ inserted: boolean }>(
            `INSERT INTO sec_vuln (source, id, modified, doc) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
             ON CONFLICT (source, id) DO UPDATE SET modified = excluded.modified, doc = excluded.doc WHERE sec_vuln.modified < excluded.modified
             RETURNING (xmax = 0) AS inserted`,
            [b.map((v) => v.source), b.map((v) => v.id), b.map((v) => v.modified), b.map((v) => JSON.stringify(v.doc))],
          );
          for (const row of r.rows) if (row.inserted) inserted++; else updated++;
          progress?.(Math.min(i + BATCH, list.length));
        }
        if (list.length === 0) progress?.(0);
        const k = { inserted: 0, updated: 0, unchanged: 0 };
        for (let i = 0; i < kev.length; i += BATCH) {
          const b = kev.slice(i, i + BATCH);
          const r = await c.query<{ inserted: boolean }>(
            `INSERT INTO sec_kev (cve_id, doc) SELECT * FROM unnest($1::text[], $2::text[])
             ON CONFLICT (cve_id) DO UPDATE SET doc = excluded.doc WHERE sec_kev.doc <> excluded.doc RETURNING (xmax = 0) AS inserted`,
            [b.map((e) => e.cveId), b.map((e) => JSON.stringify(e))],
          );
          for (const row of r.rows) if (row.inserted) k.inserted++; else k.updated++;
        }
        k.unchanged = kev.length - k.inserted - k.updated;
        if (inserted + updated + k.inserted + k.updated > 0) {
          await c.query("INSERT INTO sec_meta (key, value) VALUES ('feeds', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [randomUUID()]);
        }
        return { vulns: { inserted, updated, unchanged: list.length - inserted - updated }, kev: k };
      });
    },
    async vulns(source?: VulnSource) {
      const r = source === undefined
        ? await pool.query<{ source: VulnSource; id: string; modified: string; doc: string }>('SELECT source, id, modified, doc FROM sec_vuln ORDER BY source, id')
        : await pool.query<{ source: VulnSource; id: string; modified: string; doc: string }>('SELECT source, id, modified, doc FROM sec_vuln WHERE source = $1 ORDER BY id', [source]);
      return r.rows.map((x) => ({ source: x.source, id: x.id, modified: x.modified, doc: JSON.parse(x.doc) as unknown }));
    },
    async kev() {
      return parse<KevEntry>((await pool.query<Row>('SELECT doc FROM sec_kev ORDER BY cve_id')).rows);
    },
    async feedsVersion() {
      return (await pool.query<{ value: string }>("SELECT value FROM sec_meta WHERE key = 'feeds'")).rows[0]?.value;
    },
    async putDevice(inv) {
      await pool.query('INSERT INTO sec_device (device_id, doc) VALUES ($1, $2) ON CONFLICT (device_id) DO UPDATE SET doc = excluded.doc', [inv.deviceId, JSON.stringify(inv)]);
    },
    async device(id) {
      return parse<DeviceInventory>((await pool.query<Row>('SELECT doc FROM sec_device WHERE device_id = $1', [id])).rows)[0];
    },
    async devices() {
      return parse<DeviceInventory>((await pool.query<Row>('SELECT doc FROM sec_device ORDER BY device_id')).rows);
    },
    async deleteDevice(id) {
      return ((await pool.query('DELETE FROM sec_device WHERE device_id = $1', [id])).rowCount ?? 0) > 0;
    },
    async putModel(m) {
      await pool.query('INSERT INTO sec_model (name, doc) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET doc = excluded.doc', [m.name, JSON.stringify(m)]);
    },
    async model(name) {
      return parse<ModelInventory>((await pool.query<Row>('SELECT doc FROM sec_model WHERE name = $1', [name])).rows)[0];
    },
    async models() {
      return parse<ModelInventory>((await pool.query<Row>('SELECT doc FROM sec_model ORDER BY name')).rows);
    },
    async saveFindings(list) {
      await inTransaction(pool, async (c) => {
        for (let i = 0; i < list.length; i += BATCH) {
          const b = list.slice(i, i + BATCH);
          await c.query(
            `INSERT INTO sec_finding (id, subject, open, doc) SELECT * FROM unnest($1::text[], $2::text[], $3::boolean[], $4::text[])
             ON CONFLICT (id) DO UPDATE SET subject = excluded.subject, open = excluded.open, doc = excluded.doc`,
            [b.map((f) => f.id), b.map((f) => f.subject), b.map((f) => f.open), b.map((f) => JSON.stringify(f))],
          );
        }
      });
    },
    async findings(q: FindingQuery = {}) {
      const where: string[] = [];
      const args: unknown[] = [];
      if (q.subject !== undefined) where.push(`subject = $${args.push(q.subject)}`);
      if (q.open !== undefined) where.push(`open = $${args.push(q.open)}`);
      const sql = `SELECT doc FROM sec_finding ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`;
      return parse<StoredFinding>((await pool.query<Row>(sql, args)).rows);
    },
    async finding(id) {
      return parse<StoredFinding>((await pool.query<Row>('SELECT doc FROM sec_finding WHERE id = $1', [id])).rows)[0];
    },
  };
}
