// DICOM benchmark: dicom-echo checks per second against the simulator (in this process) and
// against DCMTK storescp, CPU per C-ECHO compared in the same run with spawning DCMTK echoscu per
// check (what Nagios-style plugins do), and a 100,000-case fuzz run of the PDU receive path.
// `npx tsx bench/dicom.ts` or `npm run bench dicom`.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { dicomEchoKind } from '../src/sensors/dicom-echo/index.ts';
import { checkContext } from '../src/sensors/dicom-echo/testing.ts';
import { startDicomSimulator } from '../src/sim/dicom/index.ts';
import { runFuzz } from '../src/protocols/dicom/testing/fuzz.ts';
import { startStorescp } from '../test/peers/dicom.ts';

const exec = promisify(execFile);
const CONCURRENCY = 50;

/** CPU ms of this process's waited-for children (utime + stime from /proc, 100 ticks/s). */
function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the comm field: state is index 0, so cutime/cstime (fields 16/17 in proc(5)) are 13/14.
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

function ownCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function pool(total: number, concurrency: number, task: () => Promise<boolean>): Promise<{ ok: number; failed: number }> {
  let next = 0;
  let ok = 0;
  let failed = 0;
  const worker = async () => {
    while (next < total) {
      next++;
      if (await task()) ok++;
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { ok, failed };
}

async function echoRun(port: number, calledAe: string, total: number, concurrency: number) {
  const s = dicomEchoKind.settings.parse({ host: '127.0.0.1', port, calledAe });
  let firstError = '';
  const task = async () => {
    const r = await dicomEchoKind.check(s, checkContext(30_000));
    if (r.error && !firstError) firstError = `${r.error}: ${r.message ?? ''}`;
    return !r.error;
  };
  await pool(Math.min(100, total), concurrency, task); // warm-up (JIT, connection paths)
  const cpu0 = ownCpuMs();
  const t0 = performance.now();
  const { ok, failed } = await pool(total, concurrency, task);
  const wallMs = performance.now() - t0;
  return { perS: (ok / wallMs) * 1000, cpuMsPer: (ownCpuMs() - cpu0) / total, failed, firstError };
}

async function echoscuRun(port: number, calledAe: string, total: number, concurrency: number) {
  const cpu0 = ownCpuMs();
  const child0 = childrenCpuMs();
  const t0 = performance.now();
  const { ok, failed } = await pool(total, concurrency, async () => {
    try {
      await exec('echoscu', ['-aec', calledAe, '127.0.0.1', String(port)], { env: { ...process.env, TCP_NODELAY: '1' } });
      return true;
    } catch {
      return false;
    }
  });
  const wallMs = performance.now() - t0;
  const parentMs = ownCpuMs() - cpu0;
  const childMs = childrenCpuMs() - child0;
  return { perS: (ok / wallMs) * 1000, cpuMsPer: (parentMs + childMs) / total, failed };
}

/** The simulator in its own Node.js process, as a PACS would be: the probe's CPU is then the sensor's alone. */
async function simulatorProcess(): Promise<{ port: number; child: ChildProcess }> {
  const url = new URL('../src/sim/dicom/index.ts', import.meta.url).href;
  const code = `import(${JSON.stringify(url)}).then((m) => m.startDicomSimulator()).then((s) => console.log('PORT ' + s.port))`;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  let text = '';
  for await (const chunk of child.stdout) {
    text += String(chunk);
    const m = /PORT (\d+)/.exec(text);
    if (m) return { port: Number(m[1]), child };
  }
  throw new Error(`simulator process ended without a port: ${text}`);
}

export async function run(): Promise<Record<string, number | string>> {
  const out: Record<string, number | string> = {};

  const remote = await simulatorProcess();
  try {
    const r = await echoRun(remote.port, 'ANY-SCP', 5000, CONCURRENCY);
    out['echo vs simulator process (checks/s)'] = r.perS;
    out['echo vs simulator process CPU ms/check (sensor)'] = r.cpuMsPer;
    out['echo vs simulator process failures'] = r.failed;
    if (r.firstError) out['echo vs simulator process first error'] = r.firstError;
  } finally {
    const gone = once(remote.child, 'exit');
    remote.child.kill('SIGTERM');
    await gone;
  }

  const sim = await startDicomSimulator();
  try {
    const r = await echoRun(sim.port, 'ANY-SCP', 5000, CONCURRENCY);
    out['echo vs in-process simulator (checks/s)'] = r.perS;
    out['echo vs in-process simulator CPU ms/check (both sides)'] = r.cpuMsPer;
    out['echo vs in-process simulator failures'] = r.failed;
    if (r.firstError) out['echo vs in-process simulator first error'] = r.firstError;
  } finally {
    await sim.close();
  }

  const peer = await startStorescp();
  try {
    const r = await echoRun(peer.port, peer.aet, 2000, CONCURRENCY);
    out['echo vs storescp (checks/s)'] = r.perS;
    out['echo vs storescp CPU ms/check (sensor)'] = r.cpuMsPer;
    out['echo vs storescp failures'] = r.failed;
    if (r.firstError) out['echo vs storescp first error'] = r.firstError;
    const e = await echoscuRun(peer.port, peer.aet, 200, 4);
    out['spawned echoscu vs storescp (checks/s)'] = e.perS;
    out['spawned echoscu CPU ms/check (node + echoscu)'] = e.cpuMsPer;
    out['spawned echoscu failures'] = e.failed;
    out['CPU ratio echoscu / sensor'] = e.cpuMsPer / r.cpuMsPer;
  } finally {
    await peer.stop();
  }

  out['target: 20,000 sensors / 60 s (checks/s)'] = 20_000 / 60;

  const f0 = performance.now();
  const fuzz = runFuzz(100_000);
  out['fuzz cases (no uncatalogued error)'] = fuzz.runs;
  out['fuzz cases rejected with DICOM_PDU_INVALID/DATA_INVALID'] = fuzz.rejected;
  out['fuzz cases valid'] = fuzz.ok;
  out['fuzz run (s)'] = (performance.now() - f0) / 1000;
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await run();
  for (const [k, v] of Object.entries(result)) console.log(`${k.padEnd(56)} ${typeof v === 'number' ? (Number.isInteger(v) ? v : v.toFixed(3)) : v}`);
}
