// The security module's tables in the SQLite file: feed records, KEV, inventories and findings,
// each row a JSON document with the columns queries filter on.

import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { KevEntry } from '../../security/feeds/kev/kev.ts';
import type { DeviceInventory, ModelInventory } from '../../security/inventory/model.ts';
import type { FindingQuery, SecurityStore, StoredFinding, StoredVuln, UpsertCounts, VulnSource } from '../../security/store.ts';
import { SECURITY_MODULE, dedupeVulns } from '../../security/store.ts';
import type { ModuleMigration } from './modules.ts';
import { migrateSqliteModule } from './modules.ts';

export const SQLITE_SECURITY_MIGRATIONS: readonly ModuleMigration[] = [
  {
    version: 1,
    name: 'feeds, inventory, findings',
    sql: `
      CREATE TABLE sec_vuln (source TEXT NOT NULL, id TEXT NOT NULL, modified TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (source, id));
      CREATE TABLE sec_kev (cve_id TEXT PRIMARY KEY, doc TEXT NOT NULL);
      CREATE TABLE sec_model (name TEXT PRIMARY KEY, doc TEXT NOT NULL);
      CREATE TABLE sec_device (device_id TEXT PRIMARY KEY, doc TEXT NOT NULL);
      CREATE TABLE sec_finding (id TEXT PRIMARY KEY, subject TEXT NOT NULL, open INTEGER NOT NULL, doc TEXT NOT NULL);
      CREATE INDEX sec_finding_subject ON sec_finding (subject, open);
      CREATE TABLE sec_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `,
  },
];

type Row = { doc: string };
const parse = <T>(rows: readonly Row[]): T[] => rows.map((r) => JSON.parse(r.doc) as T);

export function openSqliteSecurityStore(db: Database.Database): SecurityStore {
  migrateSqliteModule(db, SECURITY_MODULE, SQLITE_SECURITY_MIGRATIONS);
  const getVuln = db.prepare<[string, string], { modified: string }>('SELECT modified FROM sec_vuln WHERE source = ? AND id = ?');
  const putVuln = db.prepare('INSERT INTO sec_vuln (source, id, modified, doc) VALUES (?, ?, ?, ?) ON CONFLICT (source, id) DO UPDATE SET modified = excluded.modified, doc = excluded.doc');
  const getKev = db.prepare<[string], Row>('SELECT doc FROM sec_kev WHERE cve_id = ?');
  const putKev = db.prepare('INSERT INTO sec_kev (cve_id, doc) VALUES (?, ?) ON CONFLICT (cve_id) DO UPDATE SET doc = excluded.doc');
  const bump = db.prepare("INSERT INTO sec_meta (key, value) VALUES ('feeds', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  const putFinding = db.prepare('INSERT INTO sec_finding (id, subject, open, doc) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET subject = excluded.subject, open = excluded.open, doc = excluded.doc');

  const upsert = db.transaction((vulns: readonly StoredVuln[], kev: readonly KevEntry[], progress?: (n: number) => void) => {
    let inserted = 0;
    let updated = 0;
    let unchanged = 0;
    let written = 0;
    for (const v of dedupeVulns(vulns)) {
      const prev = getVuln.get(v.source, v.id);
      if (prev !== undefined && prev.modified >= v.modified) unchanged++;
      else {
        putVuln.run(v.source, v.id, v.modified, JSON.stringify(v.doc));
        if (prev === undefined) inserted++;
        else updated++;
      }
      if (++written % 5000 === 0) progress?.(written);
    }
    const k = { inserted: 0, updated: 0, unchanged: 0 };
    for (const e of kev) {
      const doc = JSON.stringify(e);
      const prev = getKev.get(e.cveId);
      if (prev?.doc === doc) k.unchanged++;
      else {
        putKev.run(e.cveId, doc);
        if (prev === undefined) k.inserted++;
        else k.updated++;
      }
    }
    progress?.(written);
    if (inserted + updated + k.inserted + k.updated > 0) bump.run(randomUUID());
    return { vulns: { inserted, updated, unchanged } satisfies UpsertCounts, kev: k };
  });
  const saveAll = db.transaction((list: readonly StoredFinding[]) => {
    for (const f of list) putFinding.run(f.id, f.subject, f.open ? 1 : 0, JSON.stringify(f));
  });

  return {
    async upsertFeeds(vulns, kev, progress) {
      return upsert.immediate(vulns, kev, progress);
    },
    async vulns(source?: VulnSource) {
      const rows = source === undefined
        ? db.prepare<[], StoredVuln & { doc: string }>('SELECT source, id, modified, doc FROM sec_vuln ORDER BY source, id').all()
        : db.prepare<[string], StoredVuln & { doc: string }>('SELECT source, id, modified, doc FROM sec_vuln WHERE source = ? ORDER BY id').all(source);
      return rows.map((r) => ({ source: r.source, id: r.id, modified: r.modified, doc: JSON.parse(r.doc) as unknown }));
    },
    async kev() {
      return parse<KevEntry>(db.prepare<[], Row>('SELECT doc FROM sec_kev ORDER BY cve_id').all());
    },
    async feedsVersion() {
      return db.prepare<[], { value: string }>("SELECT value FROM sec_meta WHERE key = 'feeds'").get()?.value;
    },
    async putDevice(inv) {
      db.prepare('INSERT INTO sec_device (device_id, doc) VALUES (?, ?) ON CONFLICT (device_id) DO UPDATE SET doc = excluded.doc').run(inv.deviceId, JSON.stringify(inv));
    },
    async device(id) {
      return parse<DeviceInventory>(db.prepare<[string], Row>('SELECT doc FROM sec_device WHERE device_id = ?').all(id))[0];
    },
    async devices() {
      return parse<DeviceInventory>(db.prepare<[], Row>('SELECT doc FROM sec_device ORDER BY device_id').all());
    },
    async deleteDevice(id) {
      return db.prepare('DELETE FROM sec_device WHERE device_id = ?').run(id).changes > 0;
    },
    async putModel(m) {
      db.prepare('INSERT INTO sec_model (name, doc) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET doc = excluded.doc').run(m.name, JSON.stringify(m));
    },
    async model(name) {
      return parse<ModelInventory>(db.prepare<[string], Row>('SELECT doc FROM sec_model WHERE name = ?').all(name))[0];
    },
    async models() {
      return parse<ModelInventory>(db.prepare<[], Row>('SELECT doc FROM sec_model ORDER BY name').all());
    },
    async saveFindings(list) {
      saveAll.immediate(list);
    },
    async findings(q: FindingQuery = {}) {
      const where: string[] = [];
      const args: Array<string | number> = [];
      if (q.subject !== undefined) {
        where.push('subject = ?');
        args.push(q.subject);
      }
      if (q.open !== undefined) {
        where.push('open = ?');
        args.push(q.open ? 1 : 0);
      }
      const sql = `SELECT doc FROM sec_finding ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`;
      return parse<StoredFinding>(db.prepare<Array<string | number>, Row>(sql).all(...args));
    },
    async finding(id) {
      return parse<StoredFinding>(db.prepare<[string], Row>('SELECT doc FROM sec_finding WHERE id = ?').all(id))[0];
    },
  };
}
