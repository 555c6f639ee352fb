// Notifications per second through the durable delivery queue (SQLite file, WAL) to a local webhook
// receiver running in a child process: 10,000 notifications enqueued in one batch, each claimed,
// POSTed, and its attempt logged. `npx tsx bench/delivery.ts` or `npm run bench delivery`.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { systemClock } from '../src/shared/clock.ts';
import { openSqliteStore } from '../src/store/sqlite/index.ts';
import { channelInstanceSchema, type ChannelInstance } from '../src/alerting/channels/registry.ts';
import { startDelivery } from '../src/alerting/delivery/index.ts';
import type { Notification } from '../src/alerting/notification.ts';

const N = 10_000;
const CONCURRENCY = 16;

// Answers every POST with 200 after reading the body; prints its port, then the count on SIGTERM.
const RECEIVER = `
const http = require('node:http'); let n = 0;
const srv = http.createServer((req, res) => { req.resume(); req.on('end', () => { n++; res.end('{"ok":true}'); }); });
srv.keepAliveTimeout = 5000;
srv.listen(0, '127.0.0.1', () => console.log(srv.address().port));
process.on('SIGTERM', () => { console.log('received ' + n); process.exit(0); });`;

function startReceiver(): Promise<{ port: number; stop: () => Promise<string> }> {
  const p = spawn(process.execPath, ['-e', RECEIVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  return new Promise((resolve) => {
    p.stdout.on('data', (d: Buffer) => {
      const first = out === '';
      out += d.toString();
      if (first) resolve({ port: Number(out.trim()), stop: () => new Promise((r) => { p.on('exit', () => r(out.split('\n')[1] ?? '')); p.kill('SIGTERM'); }) });
    });
  });
}

function note(i: number): Notification {
  return {
    key: `bench-${i}:alert:0:oncall:hook`,
    alertId: `bench-${i}`,
    ruleName: 'bench',
    kind: 'alert',
    channel: 'hook',
    recipient: { name: 'oncall' },
    createdAt: Date.now(),
    vars: { title: `Sensor ${i}`, state: 'Down', device: 'switch-1', sensor: `port ${i}`, message: 'no answer', severity: 'critical' },
  };
}

export async function run(): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(join(tmpdir(), 'ww-bench-delivery-'));
  const receiver = await startReceiver();
  const store = openSqliteStore({ path: join(dir, 'wardwatch.db') });
  try {
    const hook = channelInstanceSchema.parse({ name: 'hook', kind: 'webhook', url: `http://127.0.0.1:${receiver.port}/hook`, signingSecret: 'bench' }) as ChannelInstance;
    const delivery = await startDelivery({ store, channels: [hook], secret: () => 'bench-key', clock: systemClock, concurrency: CONCURRENCY });
    const list = Array.from({ length: N }, (_, i) => note(i));
    const t0 = performance.now();
    const added = await delivery.enqueue(list);
    const tEnq = performance.now();
    await delivery.idle();
    const t1 = performance.now();
    const counts = await delivery.counts();
    await delivery.close();
    const received = await receiver.stop();
    return {
      notifications: added,
      concurrency: CONCURRENCY,
      'enqueue (one batch) ms': tEnq - t0,
      'enqueue notifications/s': N / ((tEnq - t0) / 1000),
      'enqueue → all delivered s': (t1 - t0) / 1000,
      'delivered notifications/s': counts.delivered / ((t1 - t0) / 1000),
      delivered: counts.delivered,
      failed: counts.failed,
      'receiver says': received,
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const [k, v] of Object.entries(await run())) console.log(`${k.padEnd(36)} ${typeof v === 'number' ? (Number.isInteger(v) ? v : v.toFixed(2)) : v}`);
}
