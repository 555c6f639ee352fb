// The auth, credentials and audit store modules on the real PostgreSQL server: the shared
// contracts, each test in a fresh schema of its own, all dropped afterwards.

import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTestAuthApp, createTestAuthServices } from '../../api/auth/testing.ts';
import { ManualClock } from '../../shared/clock.ts';
import { runAuditContract } from '../testing/contract-audit.ts';
import { runAuthContract } from '../testing/contract-auth.ts';
import { openPgAuditStore } from './audit.ts';
import { openPgAuthStore } from './auth.ts';
import { openPgCredentialStore } from './credentials.ts';
import { openPostgresStore, type PostgresStore } from './index.ts';

const URL = 'postgres://postgres@127.0.0.1:5432/test';
const schemas: string[] = [];

async function fresh(): Promise<PostgresStore> {
  const schema = `ww_auth_test_${process.pid}_${schemas.length + 1}`;
  schemas.push(schema);
  try {
    return await openPostgresStore({ connectionString: URL, schema });
  } catch (err) {
    throw new Error(`PostgreSQL is not reachable at ${URL} (${String(err)}); start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`);
  }
}

afterAll(async () => {
  if (schemas.length === 0) return;
  const c = new pg.Client({ connectionString: URL });
  await c.connect();
  try {
    for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  } finally {
    await c.end();
  }
});

runAuthContract('postgres', async () => {
  const store = await fresh();
  return {
    auth: await openPgAuthStore(store.connection, store.schema),
    credentials: await openPgCredentialStore(store.connection, store.schema),
    close: () => store.close(),
  };
});

runAuditContract('postgres', async () => {
  const store = await fresh();
  const pool = store.connection;
  return {
    audit: await openPgAuditStore(pool, store.schema),
    exec: async (sql) => void (await pool.query(sql)),
    tamper: async (sql) => {
      await pool.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change');
      await pool.query(sql);
    },
    close: () => store.close(),
  };
});

describe('auth services on PostgreSQL', () => {
  it('sets up, logs in through the routes, seals credentials and chains the audit trail', async () => {
    const clock = new ManualClock();
    const store = await fresh();
    const svc = await createTestAuthServices({ store, clock });
    const { app } = await buildTestAuthApp(svc);
    try {
      const setup = await app.inject({ method: 'POST', url: '/api/auth/setup', payload: { token: svc.setupToken, login: 'admin', password: 'correct horse battery', name: 'Admin' } });
      expect(setup.statusCode).toBe(201);
      const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { login: 'ADMIN', password: 'correct horse battery' } });
      expect(login.statusCode).toBe(200);
      const headers = { cookie: String(login.headers['set-cookie']).split(';')[0] ?? '', 'x-csrf-token': login.json<{ csrfToken: string }>().csrfToken };
      const value = 'smtp-relay-password-0815';
      expect((await app.inject({ method: 'PUT', url: '/api/credentials/smtp', headers, payload: { kind: 'smtp-password', value } })).statusCode).toBe(201);
      const dump = JSON.stringify((await store.connection.query('SELECT * FROM credentials')).rows);
      expect(dump).not.toContain(value);
      expect(await svc.credentials.reveal('smtp')).toBe(value);
      const verify = await app.inject({ url: '/api/audit/verify', headers });
      expect(verify.json()).toMatchObject({ ok: true, rows: 4 });
      await store.connection.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change');
      await store.connection.query("UPDATE audit_log SET ip = '203.0.113.7' WHERE seq = 2");
      expect((await app.inject({ url: '/api/audit/verify', headers })).json()).toEqual({ ok: false, rows: 2, brokenAt: 2, reason: 'row 2 was altered after it was written: its content does not match its hash' });
    } finally {
      await app.close();
      await store.close();
    }
  });
});
