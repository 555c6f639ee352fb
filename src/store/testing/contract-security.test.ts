// The security module's store contract on both dialects: SQLite in memory, and the real
// PostgreSQL on this machine in a schema of its own (dropped afterwards). Plus all-or-nothing imports.

import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SecurityStore } from '../../security/store.ts';
import { openPgSecurityStore } from '../postgres/security.ts';
import { openSqliteSecurityStore } from '../sqlite/security.ts';
import { runSecurityContract } from './contract-security.ts';

const URL = 'postgres://postgres@127.0.0.1:5432/test';

describe('security store on SQLite', () => {
  let db: Database.Database;
  let store: SecurityStore;
  beforeEach(() => {
    db = new Database(':memory:');
    store = openSqliteSecurityStore(db);
  });
  afterEach(() => db.close());
  runSecurityContract(() => store);
  it('migrates once and refuses tables from a newer release', () => {
    openSqliteSecurityStore(db);
    db.prepare("UPDATE module_schema SET version = 9 WHERE module = 'security'").run();
    expect(() => openSqliteSecurityStore(db)).toThrow('the security tables are at schema version 9, newer than this Wardwatch supports (1): upgrade Wardwatch');
  });
  it('leaves everything as it was when an import fails half way', async () => {
    await store.upsertFeeds([{ source: 'nvd', id: 'CVE-1', modified: '2024', doc: { a: 1 } }], []);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(store.upsertFeeds([{ source: 'nvd', id: 'CVE-2', modified: '2024', doc: {} }, { source: 'nvd', id: 'CVE-3', modified: '2024', doc: cyclic }], [])).rejects.toThrow(/circular/);
    expect((await store.vulns()).map((v) => v.id)).toEqual(['CVE-1']);
  });
});

describe('security store on PostgreSQL', () => {
  const pool = new pg.Pool({ connectionString: URL, max: 2 });
  const schemas: string[] = [];
  let store: SecurityStore;
  let n = 0;
  beforeEach(async () => {
    const schema = `ww_sec_test_${process.pid}_${++n}`;
    schemas.push(schema);
    try {
      await pool.query(`CREATE SCHEMA ${schema}`);
    } catch (err) {
      throw new Error(`PostgreSQL is not reachable at ${URL} (${String(err)}); start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`);
    }
    const scoped = new pg.Pool({ connectionString: URL, max: 2, options: `-c search_path=${schema}` });
    pools.push(scoped);
    store = await openPgSecurityStore(scoped, schema);
  });
  const pools: pg.Pool[] = [];
  afterAll(async () => {
    for (const p of pools) await p.end();
    for (const s of schemas) await pool.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    await pool.end();
  });
  runSecurityContract(() => store);
  it('leaves everything as it was when an import fails half way', async () => {
    await store.upsertFeeds([{ source: 'nvd', id: 'CVE-1', modified: '2024', doc: { a: 1 } }], []);
    const many = Array.from({ length: 2500 }, (_, i) => ({ source: 'nvd' as const, id: `CVE-X-${i}`, modified: '2024', doc: {} }));
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    // The second batch fails after the first was written: the transaction takes both back.
    await expect(store.upsertFeeds([...many, { source: 'nvd', id: 'CVE-Z', modified: '2024', doc: cyclic }], [])).rejects.toThrow(/circular/);
    expect((await store.vulns()).map((v) => v.id)).toEqual(['CVE-1']);
  });
});
