// Alerting benchmark: an outage of a switch behind which 2,000 sensors go Down. A real Engine (with
// a scripted sensor kind: no I/O) feeds the real alerting engine, which keeps its alerts in SQLite.
// Reports the time from the first failed check to the first notification enqueued (the grouping
// window is most of it, and is printed apart), how many notifications were enqueued (target: one
// grouped notification per recipient per channel), and decisions/s inside alerting.
// Run: node --import tsx bench/alerting.ts   (or `npm run bench -- alerting`)

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { SensorStatus } from '../src/core/model.ts';
import { alertingSchema, type AlertingConfig } from '../src/alerting/config.ts';
import type { Tree } from '../src/core/tree.ts';
import type { DeliveryQueue, Notification } from '../src/alerting/notification.ts';
import { startAlerting, type Alerting } from '../src/alerting/start.ts';
import { hospitalTree, States, TEST_CHANNELS, TEST_CONTACTS, type DeviceSpec } from '../src/alerting/engine/testing.ts';
import { Engine } from '../src/engine/engine.ts';
import { MemoryInbox, scriptedKind } from '../src/engine/testing/fakes.ts';
import { ManualClock, systemClock } from '../src/shared/clock.ts';
import { openSqliteAlertStore } from '../src/store/sqlite/alerting.ts';
import { openSqliteStore } from '../src/store/sqlite/index.ts';

const DEVICES = 100;
const SENSORS_PER_DEVICE = 20;
const GROUPING_WINDOW_S = 2;

function devices(count: number, perDevice: number): Record<string, DeviceSpec> {
  const out: Record<string, DeviceSpec> = { 'sw-1': { sensors: ['ping'] } };
  for (let d = 1; d <= count; d++) out[`pc-${d}`] = { sensors: Array.from({ length: perDevice }, (_, i) => `s${i + 1}`) };
  return out;
}

/** Resolves when `pred` holds after one of the notifications; rejects after `ms` (the bench must end). */
function until(what: string, ms: number, subscribe: (fn: () => void) => void, pred: () => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`bench/alerting: ${what} did not happen within ${ms} ms`)), ms);
    const check = () => {
      if (pred()) {
        clearTimeout(t);
        resolve();
      }
    };
    subscribe(check);
    check();
  });
}

/**
 * Decisions/s of alerting alone: the outage's state changes replayed straight into a fresh alerting
 * instance on a manual clock (no engine work in between), Down for all, the window, then Up for all.
 */
async function replayDecisions(tree: Tree, config: AlertingConfig, ids: readonly string[]): Promise<number> {
  const clock = new ManualClock();
  const db = openSqliteStore({ path: ':memory:' });
  const states = new States();
  const queue: DeliveryQueue = { enqueue: async (list) => list.length };
  const a = await startAlerting({ clock, tree, config, store: openSqliteAlertStore(db.connection), queue, statusOf: states.statusOf });
  try {
    for (const id of ids) states.change(id, 'up', clock.now());
    const t0 = performance.now();
    for (const id of ids) a.onStateChange(states.change(id, 'down', clock.now()), states.statusOf(id)!);
    await a.idle();
    await clock.advance(config.grouping.window * 1000);
    await a.idle();
    for (const id of ids) a.onStateChange(states.change(id, 'up', clock.now()), states.statusOf(id)!);
    await a.idle();
    const ms = performance.now() - t0;
    return Math.round((a.stats().decisions / ms) * 1000);
  } finally {
    await a.close();
    await db.close();
  }
}

export async function run(): Promise<Record<string, number | string>> {
  const tree = hospitalTree({ groups: { 'ward-3': devices(DEVICES, SENSORS_PER_DEVICE), lab: devices(10, 5) } });
  const ward = [...tree.nodes.values()].filter((n) => n.type === 'sensor' && n.id.startsWith('main/core/ward-3/')).map((n) => n.id);
  const kind = scriptedKind('ping');
  const dir = mkdtempSync(join(tmpdir(), 'ww-bench-alerting-'));
  const store = openSqliteStore({ path: join(dir, 'bench.db') });
  const listeners: (() => void)[] = [];
  const notify = () => listeners.forEach((f) => f());
  const sent: Notification[] = [];
  let firstEnqueue: number | undefined;
  let firstDown: number | undefined;
  const queue: DeliveryQueue = {
    async enqueue(list) {
      firstEnqueue ??= performance.now();
      sent.push(...list);
      notify();
      return list.length;
    },
  };
  const statuses = new Map<string, SensorStatus>();
  let ups = 0;
  let downs = 0;
  let alerting: Alerting | undefined;
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
      if (e.to === 'down') {
        downs++;
        firstDown ??= performance.now();
      }
      alerting?.onStateChange(e, s);
      notify();
    },
    onReading: (r) => alerting?.onReading(r),
  });
  const config = alertingSchema.parse({
    channels: TEST_CHANNELS,
    contacts: TEST_CONTACTS,
    grouping: { window: GROUPING_WINDOW_S },
    rules: [{ name: 'down', trigger: { state: { to: ['down'] } }, to: ['alice', 'bob'], channels: ['mail', 'hook'], escalation: [{ after: '10m', to: ['lead'] }] }],
  });
  try {
    alerting = await startAlerting({ clock: systemClock, tree, config, store: openSqliteAlertStore(store.connection), queue, statusOf: (id) => statuses.get(id), consoleUrl: 'https://wardwatch.hospital.example', ackKey: 'bench-key-0123456789abcdef' });
    await engine.apply(tree);
    await engine.start();
    const sensors = ward.length + 50;
    // First checks are spread over the interval; check them all now instead of waiting a minute.
    for (const n of tree.nodes.values()) if (n.type === 'sensor') engine.checkNow(n.id);
    await until('every sensor Up', 60_000, (f) => listeners.push(f), () => ups >= sensors);

    // The switch fails: it and every sensor behind it time out.
    let firstFail: number | undefined;
    const check = kind.kind.check.bind(kind.kind);
    (kind.kind as { check: typeof check }).check = async (settings, ctx) => {
      const r = await check(settings, ctx);
      if (r.error !== undefined) firstFail ??= performance.now();
      return r;
    };
    for (const id of ward) kind.script(id, { channels: [], error: 'TIMEOUT' });
    const before = alerting.stats();
    for (const id of ward) engine.checkNow(id);
    await until('every ward sensor Down', 60_000, (f) => listeners.push(f), () => downs >= ward.length);
    await until('the grouped notifications', (GROUPING_WINDOW_S + 30) * 1000, (f) => listeners.push(f), () => sent.length >= 3);
    await alerting.idle();
    const after = alerting.stats();
    const latency = (firstEnqueue ?? Number.NaN) - (firstFail ?? Number.NaN);
    const decisions = after.decisions - before.decisions;
    const busy = after.busyMs - before.busyMs;
    const grouped = sent.filter((n) => n.kind === 'grouped');
    const replay = await replayDecisions(tree, config, ward);
    return {
      'sensors behind the switch': ward.length,
      'sensors Down': downs,
      'grouping window ms': GROUPING_WINDOW_S * 1000,
      'first failed check → first enqueued ms': latency,
      'of which: first failed check → first Down ms': (firstDown ?? Number.NaN) - (firstFail ?? Number.NaN),
      'of which: first Down → enqueued, beyond the window ms': (firstEnqueue ?? Number.NaN) - (firstDown ?? Number.NaN) - GROUPING_WINDOW_S * 1000,
      'notifications enqueued': sent.length,
      'grouped (recipients × channels = 3)': grouped.length,
      'members in the grouped notification': grouped[0]?.vars.members?.length ?? 0,
      'decisions during the outage': decisions,
      'alerting task time ms (with engine work interleaved)': busy,
      'decisions/s (replay: Down + Up of every sensor, grouped)': replay,
    };
  } finally {
    await alerting?.close();
    await engine.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await run();
  for (const [k, v] of Object.entries(r)) console.log(`${k.padEnd(44)} ${typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(2) : v}`);
}
