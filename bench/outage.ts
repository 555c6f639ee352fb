// Outage benchmark, end to end: a switch fails and the 2,000 sensors behind it go Down. A real
// Engine (scripted sensor kind, no I/O) feeds the real alerting engine, whose notifications go
// through the real durable queue (SQLite) and are delivered over real SMTP (aiosmtpd) and a real
// webhook. Reports the time from the first failed check to the first notification DELIVERED (the
// grouping window is part of it and printed apart), how many notifications were delivered (target:
// one grouped notification per recipient per channel), and queue throughput for a burst.
// Run: node --import tsx bench/outage.ts   (or `npm run bench -- outage`)

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { alertingSchema } from '../src/alerting/config.ts';
import { startDelivery } from '../src/alerting/delivery/index.ts';
import { hospitalTree, TEST_CONTACTS, type DeviceSpec } from '../src/alerting/engine/testing.ts';
import type { Notification } from '../src/alerting/notification.ts';
import { startAlerting, type Alerting } from '../src/alerting/start.ts';
import type { SensorStatus } from '../src/core/model.ts';
import { Engine } from '../src/engine/engine.ts';
import { MemoryInbox, scriptedKind } from '../src/engine/testing/fakes.ts';
import { systemClock } from '../src/shared/clock.ts';
import { openSqliteAlertStore } from '../src/store/sqlite/alerting.ts';
import { openSqliteStore } from '../src/store/sqlite/index.ts';
import { startSmtpSink } from '../test/peers/smtp.ts';
import { startWebhookReceiver } from '../test/peers/webhook.ts';

const DEVICES = 100;
const SENSORS_PER_DEVICE = 20;
const GROUPING_WINDOW_S = 5;
const BURST = 2_000;

async function until(what: string, ms: number, pred: () => boolean): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`bench/outage: ${what} did not happen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function devices(): Record<string, DeviceSpec> {
  const out: Record<string, DeviceSpec> = { 'sw-1': { sensors: ['ping'] } };
  for (let d = 1; d <= DEVICES; d++) out[`pc-${d}`] = { sensors: Array.from({ length: SENSORS_PER_DEVICE }, (_, i) => `s${i + 1}`) };
  return out;
}

export async function run(): Promise<Record<string, number | string>> {
  const tree = hospitalTree({ groups: { 'ward-3': devices() } });
  const ward = [...tree.nodes.values()].filter((n) => n.type === 'sensor' && n.id.startsWith('main/core/ward-3/')).map((n) => n.id);
  const smtp = await startSmtpSink();
  let firstDelivered: number | undefined;
  const hook = await startWebhookReceiver(() => {
    firstDelivered ??= performance.now();
    return { status: 200, body: '{"ok":true}' };
  });
  const dir = mkdtempSync(join(tmpdir(), 'ww-bench-outage-'));
  const store = openSqliteStore({ path: join(dir, 'bench.db') });
  const kind = scriptedKind('ping');
  const statuses = new Map<string, SensorStatus>();
  let ups = 0;
  let downs = 0;
  let firstFail: number | undefined;
  let alerting: Alerting | undefined;
  const channels = [
    { name: 'mail', kind: 'email', host: '127.0.0.1', port: smtp.port, security: 'none', from: 'wardwatch@hospital.example' },
    { name: 'hook', kind: 'webhook', url: hook.url },
  ];
  const config = alertingSchema.parse({
    channels,
    contacts: TEST_CONTACTS,
    grouping: { window: GROUPING_WINDOW_S },
    rules: [{ name: 'down', trigger: { state: { to: ['down'] } }, to: ['alice', 'bob'], channels: ['mail', 'hook'] }],
  });
  const delivery = await startDelivery({ store, channels: config.channels, clock: systemClock, concurrency: 16 });
  const engine = new Engine({
    clock: systemClock,
    kindOf: (k) => (k === 'ping' ? kind.kind : undefined),
    writer: store,
    states: store,
    inbox: new MemoryInbox(),
    measureEventLoop: false,
    onStateChange: (e, s) => {
      statuses.set(e.sensorId, s);
      if (e.to === 'up') ups++;
      if (e.to === 'down') downs++;
      alerting?.onStateChange(e, s);
    },
    onReading: (r) => {
      if (r.error !== undefined) firstFail ??= performance.now();
      alerting?.onReading(r);
    },
  });
  try {
    alerting = await startAlerting({ clock: systemClock, tree, config, store: openSqliteAlertStore(store.connection), queue: delivery, statusOf: (id) => statuses.get(id), consoleUrl: 'https://wardwatch.hospital.example', ackKey: 'bench-key-0123456789abcdef' });
    await engine.apply(tree);
    await engine.start();
    for (const n of tree.nodes.values()) if (n.type === 'sensor') engine.checkNow(n.id);
    await until('every sensor Up', 60_000, () => ups >= ward.length);

    // The switch fails: every sensor behind it times out.
    for (const id of ward) kind.script(id, { channels: [], error: 'TIMEOUT' });
    for (const id of ward) engine.checkNow(id);
    await until('every ward sensor Down', 60_000, () => downs >= ward.length);
    // 2 recipients by email + 1 webhook = 3 grouped notifications expected.
    await until('the grouped notifications delivered', (GROUPING_WINDOW_S + 60) * 1000, () => smtp.messages().length >= 2 && hook.delivered().length >= 1);
    // Anything else that was going to be sent has been sent by now (the queue is idle).
    await alerting.idle();
    await delivery.idle();
    const mails = smtp.messages();
    const hooks = hook.delivered();
    const latency = (firstDelivered ?? Number.NaN) - (firstFail ?? Number.NaN);
    const counts = await delivery.counts();

    // Queue throughput: a burst of notifications to the webhook (the escalation of a large outage).
    const t0 = performance.now();
    const burst: Notification[] = Array.from({ length: BURST }, (_, i) => ({
      key: `burst-${i}`,
      alertId: `burst-${i}`,
      ruleName: 'down',
      kind: 'alert',
      channel: 'hook',
      recipient: { name: 'hook' },
      createdAt: Date.now(),
      vars: { title: `sensor ${i}`, state: 'down' },
    }));
    await delivery.enqueue(burst);
    await until('the burst delivered', 120_000, () => hook.delivered().length >= hooks.length + BURST);
    const burstS = (performance.now() - t0) / 1000;
    return {
      'sensors behind the switch': ward.length,
      'sensors Down': downs,
      'grouping window ms': GROUPING_WINDOW_S * 1000,
      'first failed check → first delivered ms': Math.round(latency),
      'of which: the grouping window ms': GROUPING_WINDOW_S * 1000,
      'notifications delivered (email)': mails.length,
      'notifications delivered (webhook)': hooks.length,
      'queue: delivered / failed / pending': `${counts.delivered} / ${counts.failed} / ${counts.pending}`,
      'members in the grouped webhook': (JSON.parse(hooks[0]?.body ?? '{}') as { members?: unknown[] }).members?.length ?? 0,
      'queue burst notifications': BURST,
      'queue burst delivered notifications/s': Math.round(BURST / burstS),
    };
  } finally {
    await alerting?.close();
    await engine.stop();
    await delivery.close();
    await store.close();
    await smtp.stop();
    await hook.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await run();
  for (const [k, v] of Object.entries(r)) console.log(`${k.padEnd(44)} ${v}`);
}
