// Notifications of the durable delivery queue through the API, over the real SQLite delivery store:
// lists with filters and a cursor, one notification with its attempts, counts, and who sees what
// (read on the alert's object; delivery-failed notices only for administrators).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failureNotice } from '../../src/alerting/delivery/failure.ts';
import type { DeliveryStore } from '../../src/alerting/delivery/types.ts';
import type { Notification } from '../../src/alerting/notification.ts';
import { SqliteDeliveryStore } from '../../src/store/sqlite/delivery.ts';
import { alert, MemoryAlerting } from './memory-alerting.ts';
import { enc, startHarness, type Harness } from './harness.ts';

const IN = 'site-a/p1/icu/monitor-1/ping';
const OUT = 'site-b/p1/lab/analyzer/hl7';

function note(alertId: string, channel: string, recipient: string, sensorId: string): Notification {
  return { key: `${alertId}:alert:0:${recipient}:${channel}`, alertId, ruleName: 'down', kind: 'alert', channel, fallbackChannel: 'pager', recipient: { name: recipient, address: `${recipient}@hospital.example` }, createdAt: 1, vars: { title: `${sensorId} is Down`, sensorId } };
}

describe('notifications API', () => {
  let h: Harness;
  let ds: DeliveryStore;
  const alerting = new MemoryAlerting();
  const inMail = note('a-in', 'mail', 'nurse', IN);
  const inHook = note('a-in', 'hook', 'ward', IN);
  const outMail = note('a-out', 'mail', 'lab', OUT);

  beforeAll(async () => {
    alerting.list.push(alert('a-in', IN), alert('a-out', OUT));
    h = await startHarness({ alerting, notifications: { list: (q) => ds.list(q), get: (k) => ds.get(k), counts: () => ds.counts() } });
    ds = new SqliteDeliveryStore(h.store.connection);
    const now = h.clock.now();
    await ds.enqueue([inMail, inHook, outMail], now);
    // inMail: delivered at the second attempt; outMail: finally failed, with its notice for the fallback channel.
    const owner = 'test:1';
    const claimed = await ds.claim(owner, now, 60_000, 10);
    const id = (key: string) => claimed.find((c) => c.notification.key === key)!.id;
    await ds.finish(id(inMail.key), owner, { attempt: 1, owner, startedAt: now, durationMs: 31.5, ok: false, retryable: true, status: '421', response: '421 busy', error: 'SMTP 421 service not available' }, { next: 'retry', dueAt: now });
    await ds.finish(id(outMail.key), owner, { attempt: 1, owner, startedAt: now, durationMs: 12, ok: false, retryable: false, status: '550', error: 'mailbox unavailable' }, { next: 'failed' }, [
      failureNotice(outMail, 'pager', 1, { attempt: 1, owner, startedAt: now, durationMs: 12, ok: false, status: '550', error: 'mailbox unavailable' }, now),
    ]);
    await ds.finish(id(inHook.key), owner, { attempt: 1, owner, startedAt: now, durationMs: 5, ok: false, retryable: true, status: 'ECONNREFUSED', error: 'connect ECONNREFUSED' }, { next: 'retry', dueAt: now + 60_000 });
    const again = await ds.claim(owner, now, 60_000, 10);
    const mail = again.find((c) => c.notification.key === inMail.key)!;
    await ds.finish(mail.id, owner, { attempt: 2, owner, startedAt: now + 1, durationMs: 40, ok: true, status: '250', response: '250 2.0.0 queued as 7' }, { next: 'delivered' });
  });
  afterAll(async () => h?.close());

  type Item = { key: string; status: string; kind: string; nodeId: string | null; channel: string };
  const keys = (body: { items: Item[] }) => body.items.map((i) => i.key).sort();

  it('lists every notification for an administrator, delivery-failed notice included', async () => {
    const r = await h.call('administrator', 'GET', '/api/notifications');
    expect(r.statusCode).toBe(200);
    const body = r.json<{ items: Item[]; next: number | null }>();
    expect(keys(body)).toEqual([inHook.key, inMail.key, `${outMail.key}>delivery-failed`, outMail.key].sort());
    expect(body.next).toBeNull();
    expect(body.items.find((i) => i.key === inMail.key)).toMatchObject({ status: 'delivered', nodeId: IN, channel: 'mail', kind: 'alert' });
  });

  it('filters by status, alert and channel, and pages by cursor without skipping', async () => {
    const failed = (await h.call('administrator', 'GET', '/api/notifications?status=failed')).json<{ items: Item[] }>();
    expect(keys(failed)).toEqual([outMail.key]);
    const ofAlert = (await h.call('administrator', 'GET', '/api/notifications?alert=a-in')).json<{ items: Item[] }>();
    expect(keys(ofAlert)).toEqual([inHook.key, inMail.key].sort());
    const hook = (await h.call('administrator', 'GET', '/api/notifications?channel=hook')).json<{ items: Item[] }>();
    expect(keys(hook)).toEqual([inHook.key]);
    const seen: string[] = [];
    let url = '/api/notifications?limit=1';
    for (let i = 0; i < 10; i++) {
      const page = (await h.call('administrator', 'GET', url)).json<{ items: Item[]; next: number | null }>();
      seen.push(...page.items.map((x) => x.key));
      if (page.next === null) break;
      url = `/api/notifications?limit=1&before=${page.next}`;
    }
    expect(seen.sort()).toEqual([inHook.key, inMail.key, `${outMail.key}>delivery-failed`, outMail.key].sort());
    const bad = await h.call('administrator', 'GET', '/api/notifications?status=lost&limit=0');
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ detail: string }>().detail).toMatch(/query\.status: .*query\.limit: /);
  });

  it('shows one notification with every attempt: status, response, error, duration', async () => {
    const r = await h.call('operator', 'GET', `/api/notifications/${enc(inMail.key)}`);
    expect(r.statusCode).toBe(200);
    const n = r.json<{ status: string; attempts: number; address: string; attemptLog: unknown[] }>();
    expect(n).toMatchObject({ status: 'delivered', attempts: 2, address: 'nurse@hospital.example' });
    expect(n.attemptLog).toEqual([
      { attempt: 1, startedAt: h.clock.now(), durationMs: 31.5, ok: false, status: '421', response: '421 busy', error: 'SMTP 421 service not available', retryable: true, owner: 'test:1' },
      { attempt: 2, startedAt: h.clock.now() + 1, durationMs: 40, ok: true, status: '250', response: '250 2.0.0 queued as 7', error: null, retryable: null, owner: 'test:1' },
    ]);
  });

  it('shows a restricted user only the notifications of objects they may read, and no delivery-failed notice', async () => {
    const list = (await h.call('ward', 'GET', '/api/notifications')).json<{ items: Item[] }>();
    expect(keys(list)).toEqual([inHook.key, inMail.key].sort());
    const viewer = (await h.call('read-only', 'GET', '/api/notifications')).json<{ items: Item[] }>();
    expect(keys(viewer)).toEqual([inHook.key, inMail.key, outMail.key].sort());
    // Outside the subtree and unknown look the same: 404 with the same wording.
    const outside = await h.call('ward', 'GET', `/api/notifications/${enc(outMail.key)}`);
    const unknown = await h.call('ward', 'GET', `/api/notifications/${enc('no-such-key')}`);
    expect([outside.statusCode, unknown.statusCode]).toEqual([404, 404]);
    expect(outside.json<{ detail: string }>().detail.replace(outMail.key, 'K')).toBe(unknown.json<{ detail: string }>().detail.replace('no-such-key', 'K'));
    expect((await h.call('read-only', 'GET', `/api/notifications/${enc(`${outMail.key}>delivery-failed`)}`)).statusCode).toBe(404);
    expect((await h.call('administrator', 'GET', `/api/notifications/${enc(`${outMail.key}>delivery-failed`)}`)).json()).toMatchObject({ kind: 'delivery-failed', channel: 'pager', status: 'pending' });
    expect((await h.call('anonymous', 'GET', '/api/notifications')).statusCode).toBe(401);
  });

  it('counts by status: all for an administrator, the visible ones for others', async () => {
    expect((await h.call('administrator', 'GET', '/api/notifications/counts')).json()).toEqual({ pending: 2, sending: 0, delivered: 1, failed: 1, partial: false });
    expect((await h.call('ward', 'GET', '/api/notifications/counts')).json()).toEqual({ pending: 1, sending: 0, delivered: 1, failed: 0, partial: false });
  });
});

describe('notifications API without delivery', () => {
  it('answers 503 naming the missing part', async () => {
    const h = await startHarness();
    try {
      const r = await h.call('administrator', 'GET', '/api/notifications');
      expect(r.statusCode).toBe(503);
      expect(r.json<{ detail: string }>().detail).toBe('notification delivery is not running in this Wardwatch');
    } finally {
      await h.close();
    }
  });
});
