// The audit anchor outside the database on SQLite: batched writes driven by the clock's timers, the
// syslog-style sink, the file next to the key file, unreadable anchors named with their path, and
// the admin route that re-anchors after a reported truncation (itself audited).

import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTestAuthApp, createTestAuthServices, createTestUser, sessionFor } from '../api/auth/testing.ts';
import { ManualClock } from '../shared/clock.ts';
import { openSqliteAuditStore } from '../store/sqlite/audit.ts';
import { openSqliteStore, type SqliteStore } from '../store/sqlite/index.ts';
import { ANCHOR_FILE, fileAnchor, type AuditAnchorRecord } from './anchor.ts';
import { createAuditTrail } from './trail.ts';

const T0 = Date.UTC(2026, 2, 1, 7);
const stores: SqliteStore[] = [];

function sqlite(): SqliteStore {
  const s = openSqliteStore({ path: ':memory:' });
  stores.push(s);
  return s;
}

afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

const dir = (): string => mkdtempSync(join(tmpdir(), 'ww-anchor-'));

describe('audit anchor', () => {
  it('batched: writes at most once per interval, the last head by the clock timer, and feeds the sink', async () => {
    const clock = new ManualClock(T0);
    const file = join(dir(), ANCHOR_FILE);
    const sent: AuditAnchorRecord[] = [];
    const trail = createAuditTrail(openSqliteAuditStore(sqlite().connection), clock, () => undefined, { anchor: { store: fileAnchor(file), everyMs: 10_000, sink: (a) => sent.push(a) } });
    await trail.record({ actor: 'a', action: 'x', outcome: 'ok' });
    expect(sent.map((a) => a.seq)).toEqual([1]);
    await clock.advance(1000);
    await trail.record({ actor: 'a', action: 'x', outcome: 'ok' });
    await trail.record({ actor: 'a', action: 'x', outcome: 'ok' });
    expect(sent.map((a) => a.seq)).toEqual([1]);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ seq: 1 });
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(8999);
    expect(sent.map((a) => a.seq)).toEqual([1]);
    await clock.advance(1);
    expect(sent.map((a) => a.seq)).toEqual([1, 3]);
    expect(sent[1]).toEqual({ seq: 3, hash: (await trail.query({ limit: 1 }))[0]?.hash, at: T0 + 10_000 });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(sent[1]);
    // flush() writes a pending head at once; no temporary files are left behind.
    await trail.record({ actor: 'a', action: 'x', outcome: 'ok' });
    await trail.flush();
    expect(sent.map((a) => a.seq)).toEqual([1, 3, 4]);
    expect(clock.pendingTimers).toBe(0);
    expect(readdirSync(join(file, '..'))).toEqual([ANCHOR_FILE]);
  });

  it('two processes on one trail and one anchor file: rows of the other are checked, the anchor never moves back', async () => {
    const clock = new ManualClock(T0);
    const file = join(dir(), ANCHOR_FILE);
    const audit = openSqliteAuditStore(sqlite().connection);
    const a = createAuditTrail(audit, clock, () => undefined, { anchor: { store: fileAnchor(file) } });
    const b = createAuditTrail(audit, clock, () => undefined, { anchor: { store: fileAnchor(file) } });
    const plain = createAuditTrail(audit, clock); // a process without the anchor file (another host)
    const seqInFile = (): number => (JSON.parse(readFileSync(file, 'utf8')) as AuditAnchorRecord).seq;
    for (let i = 0; i < 3; i++) await a.record({ actor: 'a', action: 'x', outcome: 'ok' });
    await b.record({ actor: 'b', action: 'x', outcome: 'ok' });
    expect(seqInFile()).toBe(4);
    await plain.record({ actor: 'c', action: 'x', outcome: 'ok' });
    await plain.record({ actor: 'c', action: 'x', outcome: 'ok' });
    // A's new row does not follow the anchor directly: the row at the anchored id is looked up, and agrees.
    await a.record({ actor: 'a', action: 'x', outcome: 'ok' });
    expect(seqInFile()).toBe(7);
    expect(await b.verify()).toMatchObject({ ok: true, rows: 7, anchoredSeq: 7 });
    expect(await a.checkAnchor()).toBeUndefined();
  });

  it('names the file and the field of an unreadable anchor', async () => {
    const file = join(dir(), ANCHOR_FILE);
    const trail = createAuditTrail(openSqliteAuditStore(sqlite().connection), new ManualClock(T0), () => undefined, { anchor: { store: fileAnchor(file) } });
    writeFileSync(file, '{"seq": 3, "hash": "xyz", "at": 1}');
    expect(await trail.verify()).toEqual({ ok: false, rows: 0, brokenAt: 0, reason: `audit anchor ${file}: "hash" must be 64 hexadecimal digits` });
    writeFileSync(file, '{"seq": 3,');
    expect(() => fileAnchor(file).read()).toThrow(new RegExp(`^audit anchor ${file}: not JSON \\(`));
    writeFileSync(file, '{"seq": 0, "hash": "' + 'a'.repeat(64) + '", "at": 1}');
    expect(() => fileAnchor(file).read()).toThrow(`audit anchor ${file}: "seq" must be a row id (a positive integer)`);
  });

  it('the auth services keep it next to the key file, report a cut-off tail at start, and an admin re-anchors', async () => {
    const clock = new ManualClock(T0);
    const store = sqlite();
    const folder = dir();
    const keyFile = join(folder, 'wardwatch.key');
    const svc = await createTestAuthServices({ store, clock, keyFile });
    const { user } = await createTestUser(svc, { login: 'admin', roles: ['administrator'] });
    for (let i = 0; i < 4; i++) await svc.audit.record({ actor: 'admin', action: 'x', outcome: 'ok' });
    expect(JSON.parse(readFileSync(join(folder, ANCHOR_FILE), 'utf8'))).toMatchObject({ seq: 4 });

    store.connection.exec('DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq >= 3');
    // A restart: the new services read the anchor and say at once what is missing.
    const lines: string[] = [];
    const again = await createTestAuthServices({ store, clock, keyFile, log: (l) => lines.push(l) });
    expect(lines.filter((l) => l.startsWith('audit: rows after id 2 are missing (anchor at id 4)'))).toHaveLength(1);
    const { app } = await buildTestAuthApp(again);
    try {
      const h = (await sessionFor(again, user)).headers;
      expect((await app.inject({ url: '/api/audit/verify', headers: h })).json()).toEqual({ ok: false, rows: 2, brokenAt: 3, reason: 'rows after id 2 are missing (anchor at id 4)' });
      const op = await createTestUser(again, { roles: ['operator'] });
      expect((await app.inject({ method: 'POST', url: '/api/audit/anchor', headers: (await sessionFor(again, op.user)).headers })).statusCode).toBe(403);
      const res = await app.inject({ method: 'POST', url: '/api/audit/anchor', headers: h });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ previous: { seq: 4 }, anchor: { seq: 4 } });
      const [row] = await again.audit.query({ action: 'audit.reanchor' });
      expect(row).toMatchObject({ seq: 4, actor: 'admin', detail: 'rows after id 2 are missing (anchor at id 4)' });
      // The refused operator's access.denied row became id 3 in between.
      expect(JSON.parse(row?.before ?? '{}')).toEqual({ ok: false, rows: 3, brokenAt: 4, reason: 'rows after id 3 are missing (anchor at id 4)' });
      expect((await app.inject({ url: '/api/audit/verify', headers: h })).json()).toMatchObject({ ok: true, lastSeq: 4, anchoredSeq: 4 });
    } finally {
      await app.close();
    }
  });
});
