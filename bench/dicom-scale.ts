// Scale benchmark for issue 3's target: 20,000 `dicom-echo` sensors at a 60 s interval on one probe
// (100× PRTG's cap), scheduled by the real engine, against the DICOM simulator running in its own
// process (so its work is not charged to the probe). Reports checks/s, lateness, CPU and failures.
// Run: node --import tsx bench/dicom-scale.ts [durationS] [sensors]   (or run() from the bench runner)

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Tree, TreeNode } from '../src/core/tree.ts';
import { Engine } from '../src/engine/engine.ts';
import { sensorKind } from '../src/sensors/registry.ts';
import type { Inbox, ProbeStats } from '../src/sensors/sensor.ts';
import { systemClock } from '../src/shared/clock.ts';
import { openSqliteStore } from '../src/store/sqlite/index.ts';

const INTERVAL_S = 60;
const PER_DEVICE = 50;

async function startSimulatorProcess(): Promise<{ port: number; child: ChildProcess }> {
  const code = `const { startDicomSimulator } = await import(${JSON.stringify(pathToFileURL(join(import.meta.dirname, '../src/sim/dicom/index.ts')).href)});
const sim = await startDicomSimulator({ policy: 'accept-any' });
process.stdout.write(String(sim.port) + '\\n');`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
  return { port: Number(chunk.toString().trim()), child };
}

function buildTree(sensors: number, port: number): Tree {
  const kind = sensorKind('dicom-echo');
  if (!kind) throw new Error('bench/dicom-scale needs the dicom-echo kind in the registry');
  const settings = kind.settings.parse({ host: '127.0.0.1', port, calledAe: 'PACS' }) as Record<string, unknown>;
  const nodes = new Map<string, TreeNode>();
  const add = (n: TreeNode) => nodes.set(n.id, n);
  const devices: string[] = [];
  for (let d = 0; d * PER_DEVICE < sensors; d++) {
    const deviceId = `modality-${d}`;
    const ids: string[] = [];
    for (let i = d * PER_DEVICE; i < Math.min(sensors, (d + 1) * PER_DEVICE); i++) {
      const id = `${deviceId}/echo-${i}`;
      ids.push(id);
      add({ type: 'sensor', id, name: id, parentId: deviceId, kind: 'dicom-echo', kindSettings: settings, channels: {}, settings: {}, children: [] });
    }
    devices.push(deviceId);
    add({ type: 'device', id: deviceId, name: deviceId, parentId: 'modalities', host: '127.0.0.1', settings: {}, children: ids });
  }
  add({ type: 'site', id: 'site', name: 'Bench hospital', timezone: 'UTC', settings: { intervalS: INTERVAL_S, timeoutS: 10, retries: 1 }, children: ['probe'] });
  add({ type: 'probe', id: 'probe', name: 'Probe', parentId: 'site', settings: {}, children: ['modalities'] });
  add({ type: 'group', id: 'modalities', name: 'Modalities', parentId: 'probe', system: 'modality', settings: {}, children: devices });
  return { nodes, roots: ['site'], maintenance: new Map(), credentials: new Map(), defaults: {} };
}

const noInbox: Inbox = { subscribe: () => () => undefined, publish: () => 0 };

export async function run(opts: { durationS?: number; sensors?: number } = {}): Promise<Record<string, number | string>> {
  const durationS = opts.durationS ?? 150;
  const sensors = opts.sensors ?? 20_000;
  const dir = mkdtempSync(join(tmpdir(), 'ww-bench-dicom-'));
  const store = openSqliteStore({ path: join(dir, 'bench.db') });
  const { port, child } = await startSimulatorProcess();
  const errors = new Map<string, number>();
  const engine = new Engine({ clock: systemClock, kindOf: sensorKind, writer: store, states: store, inbox: noInbox, onError: (e, what) => errors.set(what, (errors.get(what) ?? 0) + 1) });
  let rssMax = 0;
  const sampler = setInterval(() => (rssMax = Math.max(rssMax, process.memoryUsage().rss)), 1000);
  try {
    await engine.apply(buildTree(sensors, port));
    await engine.start();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const minutes: ProbeStats[] = [];
    for (let left = durationS; left > 0; left -= 60) {
      await new Promise((r) => setTimeout(r, Math.min(60, left) * 1000));
      minutes.push(engine.stats());
    }
    const wallS = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const totals = engine.totals();
    const statuses = [...engine.statuses().values()];
    const failing = statuses.filter((s) => s.state === 'down' || s.state === 'warning');
    return {
      sensors,
      durationS: Math.round(wallS),
      checksPerS: Math.round(totals.checks / wallS),
      neededChecksPerS: Math.round(sensors / INTERVAL_S),
      latenessP50MsPerWindow: minutes.map((m) => m.latenessMs.p50).join(' / '),
      latenessP99MsPerWindow: minutes.map((m) => m.latenessMs.p99).join(' / '),
      latenessMaxMsPerWindow: minutes.map((m) => m.latenessMs.max).join(' / '),
      skippedOverlaps: totals.skipped,
      probeCpuPercentOfOneCore: Math.round(((cpu.user + cpu.system) / 1000 / (wallS * 1000)) * 1000) / 10,
      probeCpuMsPerCheck: Math.round(((cpu.user + cpu.system) / 1000 / Math.max(1, totals.checks)) * 1000) / 1000,
      rssMaxMB: Math.round(rssMax / 1024 / 1024),
      sensorsUp: statuses.filter((s) => s.state === 'up').length,
      sensorsFailing: failing.length,
      firstFailure: failing[0]?.message ?? 'none',
      loadAverage1m: os.loadavg()[0]!.toFixed(1),
      engineErrors: errors.size === 0 ? 'none' : [...errors].map(([k, v]) => `${k}×${v}`).join(', '),
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
  const d = Number(process.argv[2]);
  const n = Number(process.argv[3]);
  const result = await run({ ...(Number.isFinite(d) && d > 0 ? { durationS: d } : {}), ...(Number.isFinite(n) && n > 0 ? { sensors: n } : {}) });
  for (const [k, v] of Object.entries(result)) console.log(`${k.padEnd(32)} ${v}`);
}
