// The audit routes: paged reading with filters, CSV and JSON export (itself audited), and
// /api/audit/verify finding a row edited with SQL behind the application's back.

import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { ManualClock } from '../../shared/clock.ts';
import { openSqliteStore, type SqliteStore } from '../../store/sqlite/index.ts';
import { csvCell } from '../routes/audit.ts';
import type { AuthServices } from './services.ts';
import { buildTestAuthApp, createTestAuthServices, createTestUser, sessionFor, type TestSession } from './testing.ts';

/** The fields the tests read from answers (problem documents, login results). */
type J = { code: string; detail: string; csrfToken: string };

interface Ctx {
  app: FastifyInstance;
  svc: AuthServices;
  clock: ManualClock;
  store: SqliteStore;
  admin: TestSession;
}

const open: Ctx[] = [];

async function setup(): Promise<Ctx> {
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 8));
  const store = openSqliteStore({ path: ':memory:', clock });
  const svc = await createTestAuthServices({ store, clock });
  const { app } = await buildTestAuthApp(svc);
  const { user } = await createTestUser(svc, { login: 'admin', roles: ['administrator'] });
  const ctx = { app, svc, clock, store, admin: await sessionFor(svc, user) };
  open.push(ctx);
  for (let i = 1; i <= 5; i++) {
    await svc.audit.record({ actor: i % 2 ? 'alice' : 'bob', action: i % 2 ? 'sensor.update' : 'alert.acknowledge', target: `node-${i}`, ip: '10.0.0.9', outcome: 'ok', before: { v: i - 1 }, after: { v: i } });
    await clock.advance(60_000);
  }
  return ctx;
}

afterEach(async () => {
  for (const c of open.splice(0)) {
    await c.app.close();
    await c.store.close();
  }
});

describe('audit routes', () => {
  it('pages newest first with filters', async () => {
    const c = await setup();
    const h = c.admin.headers;
    const p1 = (await c.app.inject({ url: '/api/audit?limit=2', headers: h })).json<{ entries: { seq: number; after: unknown; time: string }[]; next: number }>();
    expect(p1.entries.map((e) => e.seq)).toEqual([5, 4]);
    expect(p1.entries[0]).toMatchObject({ actor: 'alice', action: 'sensor.update', after: { v: 5 }, time: '2026-01-05T08:04:00.000Z' });
    const p2 = (await c.app.inject({ url: `/api/audit?limit=2&before=${p1.next}`, headers: h })).json<{ entries: { seq: number }[] }>();
    expect(p2.entries.map((e) => e.seq)).toEqual([3, 2]);
    const bob = (await c.app.inject({ url: '/api/audit?actor=bob', headers: h })).json<{ entries: { seq: number }[]; next?: number }>();
    expect(bob.entries.map((e) => e.seq)).toEqual([4, 2]);
    expect(bob.next).toBeUndefined();
    const range = (await c.app.inject({ url: '/api/audit?from=2026-01-05T08:01:00Z&to=2026-01-05T08:03:00Z&action=sensor.', headers: h })).json<{ entries: { seq: number }[] }>();
    expect(range.entries.map((e) => e.seq)).toEqual([3]);
    const bad = await c.app.inject({ url: '/api/audit?limit=0', headers: h });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<J>().detail).toMatch(/^query\.limit: /);
  });

  it('exports CSV and JSON as attachments, and audits the export', async () => {
    const c = await setup();
    const h = c.admin.headers;
    const csv = await c.app.inject({ url: '/api/audit?format=csv&actor=alice', headers: h });
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe('attachment; filename="wardwatch-audit-2026-01-05T08-05-00.000Z.csv"');
    const lines = csv.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe('seq,time,actor,actorId,action,target,ip,outcome,before,after,detail,prevHash,hash');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/^1,2026-01-05T08:00:00\.000Z,alice,,sensor\.update,node-1,10\.0\.0\.9,ok,"\{""v"":0\}","\{""v"":1\}",,0{64},[0-9a-f]{64}$/);
    const json = await c.app.inject({ url: '/api/audit?format=json', headers: h });
    expect(json.json<{ seq: number }[]>().map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    await c.svc.audit.flush();
    const exports = await c.svc.audit.query({ action: 'audit.export' });
    expect(exports.map((r) => [r.actor, r.detail])).toEqual([
      ['admin', '6 rows as json; filter {}'],
      ['admin', '3 rows as csv; filter {"actor":"alice"}'],
    ]);
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
  });

  it('verify reports an intact chain, then the row edited with SQL', async () => {
    const c = await setup();
    const h = c.admin.headers;
    expect((await c.app.inject({ url: '/api/audit/verify', headers: h })).json()).toMatchObject({ ok: true, rows: 5, lastSeq: 5 });
    const db = c.store.connection;
    db.exec('DROP TRIGGER audit_log_no_update');
    db.prepare("UPDATE audit_log SET actor = 'mallory' WHERE seq = 4").run();
    expect((await c.app.inject({ url: '/api/audit/verify', headers: h })).json()).toEqual({ ok: false, rows: 4, brokenAt: 4, reason: 'row 4 was altered after it was written: its content does not match its hash' });
  });
});
