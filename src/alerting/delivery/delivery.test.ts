// The durable queue end to end on SQLite with real peers: delivery and dedupe, retries with backoff
// while a peer is down (webhook 503, SMTP server stopped), final failure within retryFor with the
// hook called and the fallback used (never looping), and a graceful close handing rows back.

import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.ts';
import { SqliteDeliveryStore } from '../../store/sqlite/delivery.ts';
import { openSqliteStore } from '../../store/sqlite/index.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../../test/peers/webhook.ts';
import { startSmtpSink, type SmtpSink } from '../../../test/peers/smtp.ts';
import { freePort } from '../../../test/peers/harness.ts';
import { channelInstanceSchema, type ChannelInstance } from '../channels/registry.ts';
import { deliveryFailedMessage, startDelivery, type Delivery, type DeliveryOptions, type FailedDelivery } from './index.ts';
import { queuedNote } from './testing/notes.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function channel(raw: Record<string, unknown>): ChannelInstance {
  return channelInstanceSchema.parse(raw);
}

async function receiver(...args: Parameters<typeof startWebhookReceiver>): Promise<WebhookReceiver> {
  const r = await startWebhookReceiver(...args);
  cleanups.push(() => r.close());
  return r;
}

interface Setup {
  readonly delivery: Delivery;
  readonly clock: ManualClock;
  readonly failures: FailedDelivery[];
  readonly log: string[];
}

async function setup(channels: ChannelInstance[], extra: Partial<DeliveryOptions> = {}): Promise<Setup> {
  const clock = new ManualClock();
  const failures: FailedDelivery[] = [];
  const log: string[] = [];
  const delivery = await startDelivery({
    store: new SqliteDeliveryStore(new Database(':memory:')),
    channels,
    clock,
    random: () => 0.5, // no jitter: delays are exactly 5 s, 10 s, 20 s...
    onDeliveryFailed: (f) => {
      failures.push(f);
    },
    log: (l) => log.push(l),
    ...extra,
  });
  cleanups.push(() => delivery.close());
  return { delivery, clock, failures, log };
}

describe('delivery queue', () => {
  it('delivers, logs the attempt, and never sends the same key twice', async () => {
    const r = await receiver();
    const { delivery } = await setup([channel({ name: 'hook', kind: 'webhook', url: r.url })]);
    expect(await delivery.enqueue([queuedNote(1, 'hook'), queuedNote(2, 'hook')])).toBe(2);
    await delivery.idle();
    expect(await delivery.enqueue([queuedNote(1, 'hook'), queuedNote(2, 'hook')])).toBe(0);
    await delivery.idle();
    expect(r.requests.map((q) => (JSON.parse(q.body) as { key: string }).key).sort()).toEqual([queuedNote(1, 'hook').key, queuedNote(2, 'hook').key]);
    const one = await delivery.get(queuedNote(1, 'hook').key);
    expect(one).toMatchObject({ status: 'delivered', attempts: 1, lastStatus: 'HTTP 200' });
    expect(one?.attemptLog).toEqual([expect.objectContaining({ attempt: 1, ok: true, status: 'HTTP 200', response: '{"ok":true}', owner: delivery.owner })]);
    expect(await delivery.counts()).toEqual({ pending: 0, sending: 0, delivered: 2, failed: 0 });
  });

  it('retries a failing webhook with exponential backoff and delivers once it answers', async () => {
    const r = await receiver((_q, i) => (i < 2 ? { status: 503, body: 'maintenance' } : { status: 200 }));
    const { delivery, clock } = await setup([channel({ name: 'hook', kind: 'webhook', url: r.url })]);
    const t0 = clock.now();
    await delivery.enqueue([queuedNote(1, 'hook')]);
    await delivery.idle();
    expect(await delivery.get(queuedNote(1, 'hook').key)).toMatchObject({ status: 'pending', attempts: 1, dueAt: t0 + 5000, lastError: 'the server answered HTTP 503' });
    await clock.advance(4999);
    await delivery.idle();
    expect(r.requests).toHaveLength(1);
    await clock.advance(1);
    await delivery.idle();
    expect(await delivery.get(queuedNote(1, 'hook').key)).toMatchObject({ status: 'pending', attempts: 2, dueAt: t0 + 5000 + 10_000 });
    await clock.advance(10_000);
    await delivery.idle();
    const done = await delivery.get(queuedNote(1, 'hook').key);
    expect(done).toMatchObject({ status: 'delivered', attempts: 3 });
    expect(done?.attemptLog.map((a) => [a.attempt, a.status, a.retryable ?? null, a.response ?? null])).toEqual([
      [1, 'HTTP 503', true, 'maintenance'],
      [2, 'HTTP 503', true, 'maintenance'],
      [3, 'HTTP 200', null, null],
    ]);
    expect(r.delivered()).toHaveLength(1);
  });

  it('SMTP server down for a while: retried and delivered when it comes back', async () => {
    const port = await freePort();
    const mail = channel({ name: 'mail', kind: 'email', host: '127.0.0.1', port, security: 'none', from: 'ww@hospital.example' });
    const { delivery, clock } = await setup([mail]);
    await delivery.enqueue([queuedNote(1, 'mail')]);
    await delivery.idle();
    await clock.advance(5000);
    await delivery.idle();
    const waiting = await delivery.get(queuedNote(1, 'mail').key);
    expect(waiting).toMatchObject({ status: 'pending', attempts: 2, lastStatus: 'ESOCKET' });
    const sink: SmtpSink = await startSmtpSink({ port });
    cleanups.push(() => sink.stop());
    await clock.advance(10_000);
    await delivery.idle();
    expect(await delivery.get(queuedNote(1, 'mail').key)).toMatchObject({ status: 'delivered', attempts: 3, lastStatus: '250' });
    const [m] = await sink.waitFor(1);
    expect(m!.to).toEqual(['person-1@hospital.example']);
    expect(sink.messages()).toHaveLength(1);
  });

  it('gives up after retryFor (last attempt at the deadline), calls the hook and sends the notice through the fallback', async () => {
    const down = await receiver(() => ({ status: 502 }));
    const pager = await receiver();
    const { delivery, clock, failures } = await setup([
      channel({ name: 'hook', kind: 'webhook', url: down.url, retryFor: '30s', fallback: 'pager' }),
      channel({ name: 'pager', kind: 'webhook', url: pager.url }),
    ]);
    const t0 = clock.now();
    await delivery.enqueue([queuedNote(1, 'hook')]);
    await delivery.idle();
    for (const step of [5000, 10_000, 15_000]) {
      await clock.advance(step);
      await delivery.idle();
    }
    const failed = await delivery.get(queuedNote(1, 'hook').key);
    // Attempts at 0 s, 5 s, 15 s and at the 30 s deadline (the 35 s backoff is cut to the deadline).
    expect(failed?.attemptLog.map((a) => a.startedAt - t0)).toEqual([0, 5000, 15_000, 30_000]);
    expect(failed).toMatchObject({ status: 'failed', failedAt: t0 + 30_000, lastError: 'the server answered HTTP 502' });
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ attempts: 4, fallback: { channel: 'pager' }, notification: { key: queuedNote(1, 'hook').key } });
    const notice = JSON.parse(pager.requests[0]!.body) as Record<string, unknown>;
    expect(notice).toMatchObject({
      kind: 'delivery-failed',
      alertId: 'alert-1',
      key: `${queuedNote(1, 'hook').key}>delivery-failed`,
      title: 'Could not deliver "PACS 1" to person-1 through hook',
      message: '4 attempts failed; the last one: the server answered HTTP 502',
      severity: 'critical',
    });
    expect(await delivery.counts()).toEqual({ pending: 0, sending: 0, delivered: 1, failed: 1 });
  });

  it('a permanent refusal fails at once; a failing fallback is reported but never passed on again', async () => {
    const gone = await receiver(() => ({ status: 410 }));
    const alsoGone = await receiver(() => ({ status: 404 }));
    const { delivery, failures, log } = await setup([
      channel({ name: 'a', kind: 'webhook', url: gone.url, fallback: 'b' }),
      channel({ name: 'b', kind: 'webhook', url: alsoGone.url, fallback: 'c' }),
      channel({ name: 'c', kind: 'webhook', url: gone.url }),
    ]);
    await delivery.enqueue([queuedNote(1, 'a')]);
    await delivery.idle();
    await delivery.idle();
    expect(gone.requests).toHaveLength(1);
    expect(alsoGone.requests).toHaveLength(1);
    expect(failures.map((f) => [f.notification.kind, f.notification.channel, f.fallback])).toEqual([
      ['alert', 'a', { channel: 'b' }],
      ['delivery-failed', 'b', { none: 'a delivery-failed notice is never passed on again' }],
    ]);
    expect(await delivery.counts()).toEqual({ pending: 0, sending: 0, delivered: 0, failed: 2 });
    expect(log.some((l) => l.includes('FAILED after 1 attempt (the server refused the message with HTTP 410); notice queued for fallback "b"'))).toBe(true);
    expect(deliveryFailedMessage(failures[0]!, 123)).toMatchObject({
      receiver: 'alerting',
      ts: 123,
      source: 'a',
      severity: 'error',
      text: 'delivery failed: alert "PACS 1" to person-1 through a after 1 attempt: the server refused the message with HTTP 410; notice sent through "b"',
    });
    expect(deliveryFailedMessage(failures[1]!, 123)).toMatchObject({ severity: 'critical', text: expect.stringMatching(/; a delivery-failed notice is never passed on again$/) as string });
  });

  it('runs on the deployment store (the delivery module migrates next to the core tables)', async () => {
    const r = await receiver();
    const store = openSqliteStore({ path: ':memory:' });
    cleanups.push(() => store.close());
    const { delivery } = await setup([channel({ name: 'hook', kind: 'webhook', url: r.url })], { store });
    await delivery.enqueue([queuedNote(1, 'hook')]);
    await delivery.idle();
    expect(await delivery.counts()).toMatchObject({ delivered: 1 });
    expect(store.connection.prepare("SELECT version FROM module_schema WHERE module = 'delivery'").get()).toEqual({ version: 1 });
  });

  it('refuses channel settings that the kind rejects, naming the channel, and takes new channels on reload', async () => {
    const bad = { ...channel({ name: 'hook', kind: 'webhook', url: 'http://127.0.0.1/' }), url: 'ftp://nope' };
    await expect(setup([bad])).rejects.toThrow('alerting.channels: channel "hook": url: expected an http:// or https:// URL, got "ftp://nope"');
    const r = await receiver();
    const { delivery } = await setup([]);
    delivery.setChannels([channel({ name: 'late', kind: 'webhook', url: r.url })]);
    await delivery.enqueue([queuedNote(1, 'late')]);
    await delivery.idle();
    expect(r.delivered()).toHaveLength(1);
  });

  it('a notification for a channel that is no longer configured fails visibly', async () => {
    const { delivery, failures } = await setup([]);
    await delivery.enqueue([queuedNote(1, 'removed')]);
    await delivery.idle();
    expect(await delivery.get(queuedNote(1, 'removed').key)).toMatchObject({ status: 'failed', lastStatus: 'config', lastError: 'channel "removed" is not configured' });
    expect(failures[0]?.fallback).toEqual({ none: 'channel "removed" has no fallback' });
  });

  it('a recipient without an address on an addressed channel fails permanently, with its own fallback', async () => {
    const pager = await receiver();
    const { delivery } = await setup([
      channel({ name: 'mail', kind: 'email', host: '127.0.0.1', from: 'ww@hospital.example' }),
      channel({ name: 'pager', kind: 'webhook', url: pager.url }),
    ]);
    await delivery.enqueue([queuedNote(1, 'mail', { recipient: { name: 'ward-3' }, fallbackChannel: 'pager' })]);
    await delivery.idle();
    await delivery.idle();
    expect(await delivery.get(queuedNote(1, 'mail').key)).toMatchObject({ status: 'failed', lastError: 'recipient ward-3 has no address for email channel "mail"' });
    expect(pager.delivered()).toHaveLength(1);
  });

  it('close() aborts an attempt in flight and hands the row back for the next start', async () => {
    const r = await receiver(() => new Promise(() => undefined));
    const { delivery } = await setup([channel({ name: 'hook', kind: 'webhook', url: r.url })]);
    await delivery.enqueue([queuedNote(1, 'hook')]);
    await r.waitFor(1);
    const store = delivery.store;
    await delivery.close();
    expect(await store.get(queuedNote(1, 'hook').key)).toMatchObject({ status: 'pending', attempts: 0, attemptLog: [] });
  });

  it('sends in parallel up to the concurrency', async () => {
    const releases: (() => void)[] = [];
    const r = await receiver(() => new Promise((resolve) => releases.push(() => resolve({ status: 200 }))));
    const { delivery } = await setup([channel({ name: 'hook', kind: 'webhook', url: r.url })], { concurrency: 3 });
    await delivery.enqueue([1, 2, 3, 4, 5].map((i) => queuedNote(i, 'hook')));
    await r.waitFor(3);
    expect(r.requests).toHaveLength(3);
    expect((await delivery.counts()).sending).toBe(3);
    releases.splice(0).forEach((f) => f());
    await r.waitFor(5);
    releases.splice(0).forEach((f) => f());
    await delivery.idle();
    expect(await delivery.counts()).toMatchObject({ delivered: 5 });
  });
});
