// Survives kill -9: a dispatcher in a child process is killed with SIGKILL while a webhook receiver
// holds its third request unanswered; a fresh dispatcher on the same SQLite file, once the dead
// one's lease has run out, delivers everything left, each notification exactly once.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.ts';
import { SqliteDeliveryStore } from '../../store/sqlite/delivery.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../../test/peers/webhook.ts';
import { channelInstanceSchema, type ChannelInstance } from '../channels/registry.ts';
import { startDelivery } from './index.ts';
import { queuedNote } from './testing/notes.ts';

const CHILD = fileURLToPath(new URL('./testing/dispatch-child.ts', import.meta.url));
const COUNT = 6;

let rx: WebhookReceiver | undefined;
afterEach(async () => {
  await rx?.close();
});

it('delivers after a kill -9 mid-dispatch, exactly once to each recipient', async () => {
  let answering = true;
  rx = await startWebhookReceiver((_req, i) => (answering && i === 2 ? new Promise(() => undefined) : { status: 200 }));
  const file = join(mkdtempSync(join(tmpdir(), 'ww-delivery-')), 'wardwatch.db');
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, file, rx.url, String(COUNT)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = once(child, 'exit');
  try {
    await rx.waitFor(3, 30_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}; child output:\n${output}`);
  }
  // The child is now inside attempt 1 of the third notification: no answer will ever come.
  child.kill('SIGKILL');
  const [, signal] = (await exited) as [number | null, string | null];
  expect(signal).toBe('SIGKILL');

  const db = new Database(file);
  const store = new SqliteDeliveryStore(db);
  expect(await store.counts()).toEqual({ pending: COUNT - 3, sending: 1, delivered: 2, failed: 0 });

  answering = false;
  // Child's lease: 30 s default timeout + 30 s margin, counted from the real clock.
  const clock = new ManualClock(Date.now() + 61_000);
  const hook = channelInstanceSchema.parse({ name: 'hook', kind: 'webhook', url: rx.url }) as ChannelInstance;
  const delivery = await startDelivery({ store, channels: [hook], clock, owner: 'fresh' });
  await delivery.idle();
  await delivery.close();

  expect(await store.counts()).toEqual({ pending: 0, sending: 0, delivered: COUNT, failed: 0 });
  const keys = rx.delivered().map((r) => (JSON.parse(r.body) as { key: string }).key);
  expect(keys.sort()).toEqual(Array.from({ length: COUNT }, (_, i) => queuedNote(i, 'hook').key).sort());
  // Seven requests in all: the one the child never heard back about, and each notification answered once.
  expect(rx.requests).toHaveLength(COUNT + 1);
  const third = await store.get(queuedNote(2, 'hook').key);
  expect(third?.attemptLog.map((a) => [a.attempt, a.owner, a.status])).toEqual([
    [1, 'child', 'lease expired'],
    [2, 'fresh', 'HTTP 200'],
  ]);
  db.close();
}, 60_000);
