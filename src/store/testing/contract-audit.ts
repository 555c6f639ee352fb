// The contract of the 'audit' store module, run against SQLite and PostgreSQL: appends form an
// unbroken hash chain (also under concurrent appends), queries filter and page newest first, the
// table refuses UPDATE/DELETE, and an edit or deletion made around that (raw SQL) is found by verify,
// also a cut-off tail when the chain head is anchored outside the database.

import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ANCHOR_FILE, fileAnchor } from '../../audit/anchor.ts';
import { rowHash } from '../../audit/chain.ts';
import { createAuditTrail } from '../../audit/trail.ts';
import type { AuditStore } from '../../audit/types.ts';
import { ManualClock } from '../../shared/clock.ts';

export interface AuditContractSubject {
  readonly audit: AuditStore;
  /** Runs SQL as the application's connection would (triggers in force). */
  readonly exec: (sql: string) => Promise<void>;
  /** Runs SQL with the append-only triggers switched off, as an intruder with database access could. */
  readonly tamper: (sql: string) => Promise<void>;
  readonly close: () => Promise<void>;
}

const T0 = Date.UTC(2026, 2, 1, 7);

export function runAuditContract(name: string, open: () => Promise<AuditContractSubject>): void {
  const withStore = (fn: (s: AuditContractSubject) => Promise<void>) => async () => {
    const s = await open();
    try {
      await fn(s);
    } finally {
      await s.close();
    }
  };

  describe(`audit store contract (${name})`, () => {
    it(
      'chains appends, filters and pages newest first',
      withStore(async ({ audit }) => {
        const clock = new ManualClock(T0);
        const trail = createAuditTrail(audit, clock);
        await trail.record({ actor: 'admin', actorId: 'u1', action: 'login', ip: '10.0.0.1', outcome: 'ok' });
        await clock.advance(1000);
        await trail.record({ actor: 'admin', actorId: 'u1', action: 'user.create', target: 'user:u2', outcome: 'ok', after: { z: 1, a: [1, { y: 2, b: 'ä' }] } });
        await clock.advance(1000);
        await trail.record({ actor: 'eve', action: 'login.failed', ip: '10.6.6.6', outcome: 'failed', detail: 'wrong password' });
        await trail.record({ actor: 'admin', actorId: 'u1', action: 'user.update', target: 'user:u2', outcome: 'ok', before: { n: 1 }, after: { n: 2 } });
        const all = await trail.query({});
        expect(all.map((r) => r.seq)).toEqual([4, 3, 2, 1]);
        expect(all[3]?.prevHash).toBe('0'.repeat(64));
        expect(all[2]).toMatchObject({ seq: 2, at: T0 + 1000, actor: 'admin', actorId: 'u1', action: 'user.create', target: 'user:u2', outcome: 'ok', after: '{"a":[1,{"b":"ä","y":2}],"z":1}', prevHash: all[3]?.hash });
        expect(all[1]).toEqual({ seq: 3, at: T0 + 2000, actor: 'eve', action: 'login.failed', ip: '10.6.6.6', outcome: 'failed', detail: 'wrong password', prevHash: all[2]?.hash, hash: all[1]?.hash });
        expect(all[1]?.hash).toMatch(/^[0-9a-f]{64}$/);
        expect((await trail.query({ actor: 'admin' })).map((r) => r.seq)).toEqual([4, 2, 1]);
        expect((await trail.query({ action: 'user.' })).map((r) => r.seq)).toEqual([4, 2]);
        expect((await trail.query({ action: 'login*' })).map((r) => r.seq)).toEqual([3, 1]);
        expect((await trail.query({ action: 'login' })).map((r) => r.seq)).toEqual([1]);
        expect((await trail.query({ from: T0 + 1000, to: T0 + 2000 })).map((r) => r.seq)).toEqual([2]);
        expect((await trail.query({ limit: 2 })).map((r) => r.seq)).toEqual([4, 3]);
        expect((await trail.query({ limit: 2, before: 3 })).map((r) => r.seq)).toEqual([2, 1]);
        expect((await trail.scan(1, 2)).map((r) => r.seq)).toEqual([2, 3]);
        expect(await trail.verify()).toEqual({ ok: true, rows: 4, lastSeq: 4, lastHash: all[0]?.hash });
      }),
    );

    it(
      'keeps one chain when many appends race (two trails, as two processes)',
      withStore(async ({ audit }) => {
        const a = createAuditTrail(audit, new ManualClock(T0));
        const b = createAuditTrail(audit, new ManualClock(T0));
        await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).record({ actor: `u${i}`, action: 'x', outcome: 'ok' })));
        expect(await a.verify()).toMatchObject({ ok: true, rows: 40, lastSeq: 40 });
      }),
    );

    it(
      'refuses UPDATE and DELETE, and verify finds an edited or deleted row made around that',
      withStore(async ({ audit, exec, tamper }) => {
        const trail = createAuditTrail(audit, new ManualClock(T0));
        for (let i = 1; i <= 5; i++) await trail.record({ actor: 'admin', action: 'user.update', target: `user:u${i}`, outcome: 'ok', after: { i } });
        await expect(exec("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")).rejects.toThrow(/append-only/);
        await expect(exec('DELETE FROM audit_log WHERE seq = 2')).rejects.toThrow(/append-only/);
        expect((await trail.verify()).ok).toBe(true);

        await tamper(`UPDATE audit_log SET after_json = '{"i":99}' WHERE seq = 3`);
        expect(await trail.verify()).toEqual({ ok: false, rows: 3, brokenAt: 3, reason: 'row 3 was altered after it was written: its content does not match its hash' });
      }),
    );

    it(
      'verify finds a deleted row and a row whose hashes were recomputed',
      withStore(async ({ audit, tamper }) => {
        const trail = createAuditTrail(audit, new ManualClock(T0));
        for (let i = 1; i <= 5; i++) await trail.record({ actor: 'admin', action: 'x', outcome: 'ok', detail: String(i) });
        await tamper('DELETE FROM audit_log WHERE seq = 2');
        expect(await trail.verify()).toEqual({ ok: false, rows: 2, brokenAt: 3, reason: 'rows 2…2 are missing (deleted)' });
      }),
    );

    it(
      'with an anchor outside the database, verify finds the newest rows deleted and a rewritten tail',
      withStore(async ({ audit, tamper }) => {
        const clock = new ManualClock(T0);
        const file = join(mkdtempSync(join(tmpdir(), 'ww-anchor-')), ANCHOR_FILE);
        const lines: string[] = [];
        const trail = createAuditTrail(audit, clock, (l) => lines.push(l), { anchor: { store: fileAnchor(file) } });
        for (let i = 1; i <= 5; i++) await trail.record({ actor: 'admin', action: 'x', outcome: 'ok', detail: String(i) });
        const [head] = await trail.query({ limit: 1 });
        expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ seq: 5, hash: head?.hash, at: T0 });
        expect(statSync(file).mode & 0o777).toBe(0o600);
        expect(await trail.verify()).toEqual({ ok: true, rows: 5, lastSeq: 5, lastHash: head?.hash, anchoredSeq: 5 });

        // Without the anchor, cutting off the tail leaves a valid chain; with it, verify says what is gone.
        await tamper('DELETE FROM audit_log WHERE seq > 3');
        expect(await createAuditTrail(audit, clock).verify()).toMatchObject({ ok: true, lastSeq: 3 });
        expect(await trail.verify()).toEqual({ ok: false, rows: 3, brokenAt: 4, reason: 'rows after id 3 are missing (anchor at id 5)' });
        expect(await trail.checkAnchor()).toBe('rows after id 3 are missing (anchor at id 5)');

        // New rows refill ids 4 and 5 but cannot match the anchored hash; the anchor stays put as evidence.
        await trail.record({ actor: 'admin', action: 'x', outcome: 'ok', detail: 'new 4' });
        await trail.record({ actor: 'admin', action: 'x', outcome: 'ok', detail: 'new 5' });
        await trail.record({ actor: 'admin', action: 'x', outcome: 'ok', detail: 'new 6' });
        expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ seq: 5, hash: head?.hash });
        expect(await trail.verify()).toEqual({ ok: false, rows: 6, brokenAt: 5, reason: `row 5 does not match the anchor written at ${new Date(T0).toISOString()}: the rows up to it were rewritten` });
        expect(lines.some((l) => l.startsWith('audit: rows after id 3 are missing (anchor at id 5); the anchor ') && l.endsWith('re-anchor (POST /api/audit/anchor)'))).toBe(true);

        const reset = await trail.reanchor();
        expect(reset).toMatchObject({ previous: { seq: 5, hash: head?.hash }, anchor: { seq: 6 } });
        expect(await trail.verify()).toMatchObject({ ok: true, rows: 6, anchoredSeq: 6 });
        await trail.record({ actor: 'admin', action: 'x', outcome: 'ok' });
        expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ seq: 7 });
      }),
    );

    it(
      'verify notices a rewritten row even when the intruder recomputed its own hash',
      withStore(async ({ audit, tamper }) => {
        const trail = createAuditTrail(audit, new ManualClock(T0));
        for (let i = 1; i <= 3; i++) await trail.record({ actor: 'admin', action: 'x', outcome: 'ok', detail: String(i) });
        const [row2] = await trail.scan(1, 1);
        if (!row2) throw new Error('row 2 missing');
        const forged = rowHash(2, row2.prevHash, { ...row2, detail: 'forged' });
        await tamper(`UPDATE audit_log SET detail = 'forged', hash = '${forged}' WHERE seq = 2`);
        // Row 2 is consistent in itself now, but row 3 still names the original hash.
        expect(await trail.verify()).toEqual({ ok: false, rows: 3, brokenAt: 3, reason: 'row 3 does not chain to row 2: its previous-hash field was altered or a row before it was replaced' });
      }),
    );
  });
}
