// The DeliveryStore contract: what the dispatcher relies on, run against SQLite and PostgreSQL alike.
// Idempotent enqueue by key, claim/lease exclusivity, reclaiming a dead owner's rows with a trace,
// attempts logged in order, outcomes applied only by the lease holder, queries, counts and purge.

import { expect, it } from 'vitest';
import type { Notification } from '../../alerting/notification.ts';
import type { AttemptRecord, DeliveryStore } from '../../alerting/delivery/types.ts';

const T0 = Date.UTC(2026, 5, 1, 8);

export function note(i: number, extra: Partial<Notification> = {}): Notification {
  return {
    key: `alert-${i}:alert:0:oncall:mail`,
    alertId: `alert-${i}`,
    ruleName: 'pacs down',
    kind: 'alert',
    channel: 'mail',
    recipient: { name: 'oncall', address: 'oncall@hospital.example' },
    createdAt: T0,
    vars: { title: `PACS ${i} — "Röntgen" <ward 3>`, state: 'Down', members: [{ sensorId: 's/1', name: 'echo', state: 'Down' }] },
    ...extra,
  };
}

function attempt(n: number, owner: string, ok: boolean, extra: Partial<AttemptRecord> = {}): AttemptRecord {
  return { attempt: n, owner, startedAt: T0 + n, durationMs: 12.5, ok, status: ok ? '250' : 'ECONNREFUSED', ...(ok ? { response: '250 OK' } : { error: 'connect ECONNREFUSED', retryable: true }), ...extra };
}

export function runDeliveryContract(open: () => Promise<DeliveryStore>): void {
  it('enqueues idempotently by key, in the batch and across batches, and round-trips the notification', async () => {
    const s = await open();
    expect(await s.enqueue([note(1), note(2), note(1)], T0)).toBe(2);
    expect(await s.enqueue([note(2), note(3)], T0)).toBe(1);
    expect(await s.enqueue([], T0)).toBe(0);
    const got = await s.get(note(1).key);
    expect(got?.notification).toEqual(note(1));
    expect(got).toMatchObject({ status: 'pending', attempts: 0, enqueuedAt: T0, dueAt: T0, attemptLog: [] });
    expect(await s.get('nope')).toBeUndefined();
    expect(await s.counts()).toEqual({ pending: 3, sending: 0, delivered: 0, failed: 0 });
  });

  it('claims due rows once, oldest due first; a second owner gets the rest', async () => {
    const s = await open();
    await s.enqueue([note(1)], T0);
    await s.enqueue([note(2)], T0 + 10);
    await s.enqueue([note(3)], T0 + 20);
    expect(await s.claim('a', T0 - 1, 60_000, 10)).toEqual([]);
    const a = await s.claim('a', T0 + 15, 60_000, 10);
    expect(a.map((r) => r.notification.alertId)).toEqual(['alert-1', 'alert-2']);
    expect(a[0]).toMatchObject({ status: 'sending', attempts: 1, leaseOwner: 'a', dueAt: T0 + 15 + 60_000 });
    const b = await s.claim('b', T0 + 100, 60_000, 10);
    expect(b.map((r) => r.notification.alertId)).toEqual(['alert-3']);
    expect(await s.claim('c', T0 + 100, 60_000, 10)).toEqual([]);
    expect(await s.nextDue()).toBe(T0 + 15 + 60_000);
  });

  it('logs attempts in order and applies retry, delivered and failed outcomes', async () => {
    const s = await open();
    await s.enqueue([note(1), note(2)], T0);
    const [r1, r2] = await s.claim('a', T0, 60_000, 10);
    expect(await s.finish(r1!.id, 'a', attempt(1, 'a', false), { next: 'retry', dueAt: T0 + 5000 })).toBe(true);
    expect(await s.finish(r2!.id, 'a', attempt(1, 'a', false, { retryable: false, status: '550', error: 'no such user' }), { next: 'failed' })).toBe(true);
    expect(await s.nextDue()).toBe(T0 + 5000);
    expect(await s.claim('a', T0 + 4999, 60_000, 10)).toEqual([]);
    const [again] = await s.claim('a', T0 + 5000, 60_000, 10);
    expect(again?.attempts).toBe(2);
    expect(await s.finish(again!.id, 'a', attempt(2, 'a', true), { next: 'delivered' })).toBe(true);
    const done = await s.get(note(1).key);
    expect(done).toMatchObject({ status: 'delivered', attempts: 2, deliveredAt: T0 + 2 + 13, lastStatus: '250' });
    expect(done?.lastError).toBeUndefined();
    expect(done?.attemptLog).toEqual([attempt(1, 'a', false), attempt(2, 'a', true)]);
    const failed = await s.get(note(2).key);
    expect(failed).toMatchObject({ status: 'failed', lastStatus: '550', lastError: 'no such user', failedAt: T0 + 1 + 13 });
    expect(await s.counts()).toEqual({ pending: 0, sending: 0, delivered: 1, failed: 1 });
    expect(await s.nextDue()).toBeUndefined();
  });

  it('reclaims rows whose owner died after the lease, logs the abandoned attempt, and ignores the dead owner\'s late result', async () => {
    const s = await open();
    await s.enqueue([note(1)], T0);
    const [dead] = await s.claim('dead', T0, 1000, 10);
    expect(await s.claim('alive', T0 + 999, 1000, 10)).toEqual([]);
    const [taken] = await s.claim('alive', T0 + 1000, 1000, 10);
    expect(taken).toMatchObject({ id: dead!.id, attempts: 2, leaseOwner: 'alive' });
    expect(await s.finish(dead!.id, 'dead', attempt(1, 'dead', true), { next: 'delivered' })).toBe(false);
    expect(await s.finish(taken!.id, 'alive', attempt(2, 'alive', true), { next: 'delivered' })).toBe(true);
    const got = await s.get(note(1).key);
    expect(got?.status).toBe('delivered');
    expect(got?.attemptLog.map((a) => [a.attempt, a.owner, a.status])).toEqual([[1, 'dead', 'lease expired'], [1, 'dead', '250'], [2, 'alive', '250']]);
    expect(got?.attemptLog[0]?.error).toMatch(/^dispatcher dead stopped during attempt 1 .*taken over by alive/);
  });

  it('enqueues follow-ups with the outcome, and only when the lease was still held', async () => {
    const s = await open();
    await s.enqueue([note(1)], T0);
    const [dead] = await s.claim('dead', T0, 1000, 10);
    const [alive] = await s.claim('alive', T0 + 1000, 1000, 10);
    const notice = note(1, { key: 'k:delivery-failed', kind: 'delivery-failed', channel: 'hook' });
    expect(await s.finish(dead!.id, 'dead', attempt(1, 'dead', false), { next: 'failed' }, [notice])).toBe(false);
    expect(await s.get(notice.key)).toBeUndefined();
    expect(await s.finish(alive!.id, 'alive', attempt(2, 'alive', false), { next: 'failed' }, [notice])).toBe(true);
    expect(await s.get(notice.key)).toMatchObject({ status: 'pending', notification: notice });
  });

  it('release gives an owner\'s unfinished rows back without counting an attempt', async () => {
    const s = await open();
    await s.enqueue([note(1), note(2)], T0);
    await s.claim('a', T0, 60_000, 1);
    expect(await s.release('b', T0 + 5)).toBe(0);
    expect(await s.release('a', T0 + 5)).toBe(1);
    expect(await s.get(note(1).key)).toMatchObject({ status: 'pending', attempts: 0, dueAt: T0 + 5 });
    expect((await s.get(note(1).key))?.leaseOwner).toBeUndefined();
  });

  it('lists newest first with attempts, filters by status, alert and channel, pages, and counts', async () => {
    const s = await open();
    await s.enqueue([note(1), note(2, { channel: 'hook' }), note(3), note(4)], T0);
    const [first] = await s.claim('a', T0, 60_000, 1);
    await s.finish(first!.id, 'a', attempt(1, 'a', true), { next: 'delivered' });
    const all = await s.list({});
    expect(all.map((r) => r.notification.alertId)).toEqual(['alert-4', 'alert-3', 'alert-2', 'alert-1']);
    expect(all[3]?.attemptLog).toHaveLength(1);
    expect((await s.list({ status: 'delivered' })).map((r) => r.notification.alertId)).toEqual(['alert-1']);
    expect((await s.list({ channel: 'hook' })).map((r) => r.notification.alertId)).toEqual(['alert-2']);
    expect((await s.list({ alertId: 'alert-3' })).map((r) => r.notification.alertId)).toEqual(['alert-3']);
    const page = await s.list({ limit: 2 });
    expect((await s.list({ beforeId: page[1]!.id, limit: 2 })).map((r) => r.notification.alertId)).toEqual(['alert-2', 'alert-1']);
    expect(await s.counts()).toEqual({ pending: 3, sending: 0, delivered: 1, failed: 0 });
  });

  it('purges finished notifications and their attempts, never pending ones', async () => {
    const s = await open();
    await s.enqueue([note(1), note(2)], T0);
    const [r] = await s.claim('a', T0, 60_000, 1);
    await s.finish(r!.id, 'a', attempt(1, 'a', true), { next: 'delivered' });
    expect(await s.purge(T0)).toBe(0);
    expect(await s.purge(T0 + 1000)).toBe(1);
    expect(await s.get(note(1).key)).toBeUndefined();
    expect(await s.counts()).toEqual({ pending: 1, sending: 0, delivered: 0, failed: 0 });
    // The purged key can be enqueued again: dedupe covers what the queue still remembers.
    expect(await s.enqueue([note(1)], T0 + 2000)).toBe(1);
  });
}
