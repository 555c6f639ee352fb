// Scheduler benchmark: 100,000 in-process `synthetic` sensors plus 2,000 real `tcp` checks against
// a local listener (in a child process), all at 60 s, writing to SQLite, for 3 minutes by default.
// Reports checks/s, how late checks started (p50/p99/max), CPU %, peak RSS and values/s written.
// Run: node --import tsx bench/scheduler.ts [durationS]   (or call run() from the bench runner)

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Tree, TreeNode } from '../src/core/tree.ts';
import { Engine } from '../src/engine/engine.ts';
import { sensorKind } from '../src/sensors/registry.ts';
import type { AnySensorKind, Inbox, ProbeStats } from '../src/sensors/sensor.ts';
import { systemClock } from '../src/shared/clock.ts';
import { openSqliteStore } from '../src/store/sqlite/index.ts';

const SYNTHETIC = 100_000;
const TCP = 2_000;
const PER_DEVICE = 100;
const INTERVAL_S = 60;

function kindOrFail(name: string): AnySensorKind {
  const k = sensorKind(name);
  if (!k) throw new Error(`bench/scheduler needs the "${name}" sensor kind, but it is not in src/sensors/registry.ts yet`);
  return k;
}

/** A TCP peer in its own process (so that its accept work is not charged to the engine). */
async function startListener(): Promise<{ port: number; child: ChildProcess }> {
  const code = `const s=require('net').createServer(c=>{c.on('error',()=>{});c.end()});s.maxConnections=100000;s.listen(0,'127.0.0.1',()=>process.stdout.write(String(s.address().port)+'\\n'));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
  return { port: Number(chunk.toString().trim()), child };
}

function buildTree(tcpPort: number, synthetic: AnySensorKind, tcp: AnySensorKind): Tree {
  const nodes = new Map<string, TreeNode>();
  const add = (n: TreeNode) => nodes.set(n.id, n);
  const groups = ['synthetic', 'tcp'];
  add({ type: 'site', id: 'site', name: 'Bench hospital', timezone: 'Europe/Berlin', settings: { intervalS: INTERVAL_S, timeoutS: 10, retries: 1 }, children: ['probe'] });
  add({ type: 'probe', id: 'probe', name: 'Local probe', parentId: 'site', settings: {}, children: groups });
  const fill = (group: string, count: number, kind: AnySensorKind, kindSettings: Record<string, unknown>) => {
    const devices: string[] = [];
    for (let d = 0; d * PER_DEVICE < count; d++) {
      const deviceId = `${group}-dev${d}`;
      const sensors: string[] = [];
      for (let i = d * PER_DEVICE; i < Math.min(count, (d + 1) * PER_DEVICE); i++) {
        const id = `${group}-${i}`;
        sensors.push(id);
        add({ type: 'sensor', id, name: id, parentId: deviceId, kind: kind.kind, kindSettings, channels: {}, settings: {}, children: [] });
      }
      devices.push(deviceId);
      add({ type: 'device', id: deviceId, name: deviceId, parentId: group, host: '127.0.0.1', settings: {}, children: sensors });
    }
    add({ type: 'group', id: group, name: group, parentId: 'probe', system: 'other', settings: {}, children: devices });
  };
  // One parsed settings object shared by all sensors of a kind, as the loader would produce per sensor.
  fill('synthetic', SYNTHETIC, synthetic, synthetic.settings.parse({ base: 50, amplitude: 10 }) as Record<string, unknown>);
  fill('tcp', TCP, tcp, tcp.settings.parse({ host: '127.0.0.1', port: tcpPort }) as Record<string, unknown>);
  return { nodes, roots: ['site'], maintenance: new Map(), credentials: new Map(), defaults: {} };
}

const noInbox: Inbox = { subscribe: () => () => undefined, publish: () => 0 };
const mb = (b: number) => Math.round(b / 1024 / 1024);

export async function run(opts: { durationS?: number } = {}): Promise<Record<string, number | string>> {
  const durationS = opts.durationS ?? 180;
  const synthetic = kindOrFail('synthetic');
  const tcp = kindOrFail('tcp');
  const dir = mkdtempSync(join(tmpdir(), 'ww-bench-sched-'));
  const store = openSqliteStore({ path: join(dir, 'bench.db') });
  const { port, child } = await startListener();
  const byName = new Map([synthetic, tcp].map((k) => [k.kind, k]));
  let downs = 0;
  const errors: string[] = [];
  // Time spent inside the store: better-sqlite3 is synchronous, so this is time the event loop is blocked.
  const storeMs = { writeBatch: 0, saveStates: 0, appendEvents: 0, longest: 0 };
  const timed = <A extends unknown[]>(name: 'writeBatch' | 'saveStates' | 'appendEvents', fn: (...a: A) => Promise<void>) =>
    async (...a: A): Promise<void> => {
      const t = performance.now();
      try {
        await fn(...a);
      } finally {
        const d = performance.now() - t;
        storeMs[name] += d;
        storeMs.longest = Math.max(storeMs.longest, d);
      }
    };
  const writer = { writeBatch: timed('writeBatch', store.writeBatch) };
  const states = { ...store, saveStates: timed('saveStates', store.saveStates), appendEvents: timed('appendEvents', store.appendEvents) };
  const engine = new Engine({
    clock: systemClock,
    kindOf: (k) => byName.get(k),
    writer,
    states,
    inbox: noInbox,
    statsWindowS: 60,
    onStateChange: (e) => {
      if (e.to === 'down') downs++;
    },
    onError: (err, what) => errors.push(`${what}: ${String(err)}`),
  });
  let rssMax = 0;
  const sampler = setInterval(() => (rssMax = Math.max(rssMax, process.memoryUsage().rss)), 1000);
  try {
    const tree = buildTree(port, synthetic, tcp);
    const applyStart = performance.now();
    await engine.apply(tree);
    await engine.start();
    const applyMs = performance.now() - applyStart;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    // The engine's stats cover a sliding minute: sample one per minute (the first includes start-up).
    const minutes: ProbeStats[] = [];
    for (let left = durationS; left > 0; left -= 60) {
      await new Promise((r) => setTimeout(r, Math.min(60, left) * 1000));
      minutes.push(engine.stats());
    }
    const wallS = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const stats = minutes.at(-1)!;
    const steady = minutes.length > 1 ? minutes.slice(1) : minutes;
    const worst = (xs: readonly ProbeStats[], f: (s: ProbeStats) => number) => Math.max(...xs.map(f));
    const totals = engine.totals();
    await engine.stop();
    const written = engine.totals().valuesWritten;
    const statuses = [...engine.statuses().values()];
    return {
      sensors: stats.sensors,
      durationS: Math.round(wallS),
      applyAndStartMs: Math.round(applyMs),
      checksPerS: Math.round(totals.checks / wallS),
      expectedChecksPerS: Math.round((SYNTHETIC + TCP) / INTERVAL_S),
      latenessP50MsPerMinute: minutes.map((m) => m.latenessMs.p50).join(' / '),
      latenessP99MsPerMinute: minutes.map((m) => m.latenessMs.p99).join(' / '),
      latenessMaxMsPerMinute: minutes.map((m) => m.latenessMs.max).join(' / '),
      latenessP99MsWorstMinute: worst(minutes, (m) => m.latenessMs.p99),
      latenessP99MsAfterFirstMinute: worst(steady, (m) => m.latenessMs.p99),
      latenessMaxMs: worst(minutes, (m) => m.latenessMs.max),
      skippedOverlaps: totals.skipped,
      eventLoopLagP99MsPerMinute: minutes.map((m) => m.eventLoopLagMs).join(' / '),
      cpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / (wallS * 1000)) * 1000) / 10,
      rssMaxMB: mb(rssMax),
      heapUsedMB: mb(stats.heapUsedBytes),
      valuesWrittenPerS: Math.round(written / wallS),
      writeErrors: totals.writeErrors,
      storeWriteBatchMsPerS: Math.round(storeMs.writeBatch / wallS),
      storeSaveStatesMsTotal: Math.round(storeMs.saveStates),
      storeAppendEventsMsTotal: Math.round(storeMs.appendEvents),
      storeLongestCallMs: Math.round(storeMs.longest),
      loadAverage1m: os.loadavg()[0]!.toFixed(1),
      tcpUp: statuses.filter((s, i) => i >= SYNTHETIC && s.state === 'up').length,
      downEvents: downs,
      errors: errors.length === 0 ? 'none' : errors.slice(0, 3).join(' | '),
    };
  } finally {
    clearInterval(sampler);
    await engine.stop();
    child.kill();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = Number(process.argv[2]);
  const result = await run(Number.isFinite(arg) && arg > 0 ? { durationS: arg } : {});
  for (const [k, v] of Object.entries(result)) console.log(`${k.padEnd(32)} ${v}`);
}
