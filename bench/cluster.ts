// Cluster benchmark: 100,000 synthetic sensors at 60 s spread over 4 remote probe processes, their
// readings through JetStream into the store, once into PostgreSQL and once into SQLite. For each
// store: (1) the probes run while no core ingests, so JetStream holds a backlog; (2) the probes stop
// and a core drains the backlog alone: ingest capacity in readings/s from JetStream to committed;
// (3) steady state with the probes running again: readings/s and the lag from check start to
// stored (committed), p50/p99/max. The machine's load average is printed with the figures. Needs nats-server and PostgreSQL at 127.0.0.1:5432 (db test).
// Run: node --import tsx bench/cluster.ts [backlogS] [steadyS]   (or via npm run bench)

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { connect } from 'nats';
import { startClusterCore, type ClusterCore } from '../src/cluster/core.ts';
import { startProbe } from '../src/cluster/probe.ts';
import { openClusterTables } from '../src/cluster/registry.ts';
import { INGEST_CONSUMER, READINGS_STREAM } from '../src/cluster/subjects.ts';
import type { Tree, TreeNode } from '../src/core/tree.ts';
import type { AnyStore } from '../src/store/open.ts';
import { openPostgresStore } from '../src/store/postgres/index.ts';
import { openSqliteStore } from '../src/store/sqlite/index.ts';
import { startNats, type NatsPeer } from '../test/peers/nats.ts';

const PROBES = ['SITE-A', 'SITE-B', 'SITE-C', 'SITE-D'];
const SENSORS = 100_000;
const INTERVAL_S = 60;
const PER_DEVICE = 100;
const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

function buildTree(): Tree {
  const nodes = new Map<string, TreeNode>();
  const add = (n: TreeNode) => nodes.set(n.id, n);
  const per = SENSORS / PROBES.length;
  const kindSettings = { base: 50, amplitude: 10, periodS: 600, failEvery: 0, unit: 'value' };
  const roots: string[] = [];
  for (const p of PROBES) {
    const site = `site-${p}`;
    roots.push(site);
    add({ type: 'site', id: site, name: site, timezone: 'UTC', settings: { intervalS: INTERVAL_S, timeoutS: 10, retries: 1 }, children: [p] });
    const devices: string[] = [];
    for (let d = 0; d * PER_DEVICE < per; d++) {
      const dev = `${p}/dev${d}`;
      const sensors: string[] = [];
      for (let i = d * PER_DEVICE; i < Math.min(per, (d + 1) * PER_DEVICE); i++) {
        const id = `${p}/s${i}`;
        sensors.push(id);
        add({ type: 'sensor', id, name: id, parentId: dev, kind: 'synthetic', kindSettings, channels: {}, settings: {}, children: [] });
      }
      devices.push(dev);
      add({ type: 'device', id: dev, name: dev, parentId: `${p}/g`, host: '127.0.0.1', settings: {}, children: sensors });
    }
    add({ type: 'group', id: `${p}/g`, name: 'devices', parentId: p, system: 'other', settings: {}, children: devices });
    add({ type: 'probe', id: p, name: p, parentId: site, settings: {}, children: [`${p}/g`] });
  }
  return { nodes, roots, maintenance: new Map(), credentials: new Map(), defaults: {} };
}

interface ProbeChild {
  readonly proc: ChildProcess;
  sensors: number;
  depth: number;
}

function spawnProbe(name: string, nats: NatsPeer, dataDir: string): ProbeChild {
  const proc = spawn(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--probe', name, nats.url, nats.seedFiles.get(name)!, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const child: ProbeChild = { proc, sensors: 0, depth: 0 };
  let buf = '';
  proc.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split('\n');
    buf = lines.pop()!;
    for (const l of lines) {
      const m = /^sensors (\d+) depth (\d+)$/.exec(l);
      if (m) {
        child.sensors = Number(m[1]);
        child.depth = Number(m[2]);
      }
    }
  });
  return child;
}

/** The child side: one probe process. */
async function probeMain(name: string, url: string, seed: string, dataDir: string): Promise<void> {
  const probe = await startProbe({ name, dataDir, link: { url, nkeyFile: seed }, log: (l) => process.stderr.write(`[${name}] ${l}\n`), helloRetryMs: 1000 });
  const t = setInterval(() => process.stdout.write(`sensors ${probe.engine.statuses().size} depth ${probe.queue.depth}\n`), 250);
  process.once('SIGTERM', () => {
    clearInterval(t);
    void probe.close().then(() => process.exit(0));
  });
}

async function stopProbes(probes: readonly ProbeChild[]): Promise<void> {
  for (const p of probes) if (p.proc.exitCode === null) p.proc.kill('SIGTERM');
  await Promise.all(probes.map((p) => new Promise((r) => (p.proc.exitCode !== null ? r(null) : p.proc.once('exit', r)))));
}

async function until(what: string, cond: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`bench/cluster: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))] ?? Number.NaN;
};

async function runStore(label: string, nats: NatsPeer, open: () => Promise<AnyStore>, backlogS: number, steadyS: number): Promise<Record<string, number>> {
  const tree = buildTree();
  const dir = mkdtempSync(join(tmpdir(), `ww-bench-cluster-${label}-`));
  const store = await open();
  const tables = await openClusterTables(store);
  for (const p of PROBES) {
    await tables.seen(p, Date.now());
    await tables.decide(p, 'approved', 'bench', Date.now());
  }
  const coreOpts = (onReading?: (ts: number) => void) => ({
    link: { url: nats.url, user: nats.core.user, password: nats.core.password },
    store,
    tree: () => tree,
    log: (l: string) => process.stderr.write(`[core] ${l}\n`),
    ingestBatch: 64,
    ...(onReading ? { onReading: (r: { ts: number }) => onReading(r.ts) } : {}),
  });
  let core: ClusterCore | undefined = await startClusterCore(coreOpts());
  let probes = PROBES.map((p) => spawnProbe(p, nats, join(dir, p)));
  const nc = await connect({ servers: nats.url, user: nats.core.user, pass: nats.core.password });
  const jsm = await nc.jetstreamManager();
  try {
    await until('the probes to receive their configuration', () => probes.every((p) => p.sensors === SENSORS / PROBES.length), 300_000);
    // (1) No core: readings pile up in JetStream while the probes check.
    await core.close();
    core = undefined;
    await new Promise((r) => setTimeout(r, backlogS * 1000));
    await stopProbes(probes);
    const backlog = (await jsm.streams.info(READINGS_STREAM)).state;
    // (2) A core alone drains the backlog: the ingest capacity, end to end from JetStream to committed.
    core = await startClusterCore(coreOpts());
    const drained = core;
    // Timed from the first message applied: the core's start-up (connect, loading 100,000 states) is not ingest.
    await until('the first message applied', () => drained.ingestStats().messages > 0, 120_000);
    const t0 = Date.now();
    const v0 = drained.ingestStats().values;
    await until('the backlog to drain', async () => {
      const ci = await jsm.consumers.info(READINGS_STREAM, INGEST_CONSUMER);
      return ci.num_pending === 0 && ci.num_ack_pending === 0 && drained.ingestStats().messages >= backlog.messages;
    }, 900_000);
    const drainS = (Date.now() - t0) / 1000;
    const drainValues = drained.ingestStats().values - v0;
    await core.close();
    // (3) Steady state with the probes running again (on their saved configuration): lag from check start to committed.
    const lags: number[] = [];
    core = await startClusterCore(coreOpts((ts) => lags.push(Date.now() - ts)));
    probes = PROBES.map((p) => spawnProbe(p, nats, join(dir, p)));
    await until('the probes to restart', () => probes.every((p) => p.sensors === SENSORS / PROBES.length), 300_000);
    const s0 = core.ingestStats().values;
    lags.length = 0;
    const steadyStart = Date.now();
    await new Promise((r) => setTimeout(r, steadyS * 1000));
    const steadyValues = core.ingestStats().values - s0;
    const steadyRate = steadyValues / ((Date.now() - steadyStart) / 1000);
    return {
      [`${label} backlog messages`]: backlog.messages,
      [`${label} backlog MB`]: Math.round(backlog.bytes / 1e5) / 10,
      [`${label} drain readings`]: drainValues,
      [`${label} drain readings/s (capacity)`]: Math.round(drainValues / drainS),
      [`${label} steady readings/s`]: Math.round(steadyRate),
      [`${label} lag check→stored p50 ms`]: Math.round(pct(lags, 50)),
      [`${label} lag check→stored p99 ms`]: Math.round(pct(lags, 99)),
      [`${label} lag check→stored max ms`]: Math.round(pct(lags, 100)),
      [`${label} outbox depth at end (max)`]: Math.max(...probes.map((p) => p.depth)),
      [`${label} load average (1 min)`]: Math.round(loadavg()[0]! * 10) / 10,
    };
  } finally {
    await stopProbes(probes);
    await core?.close();
    // Leave the stream empty for the next store.
    await jsm.streams.purge(READINGS_STREAM).catch(() => undefined);
    await nc.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(opts: { backlogS?: number; steadyS?: number } = {}): Promise<Record<string, number | string>> {
  const backlogS = opts.backlogS ?? 60;
  const steadyS = opts.steadyS ?? 60;
  const nats = await startNats({ probes: PROBES });
  const schema = `ww_bench_cluster_${process.pid}`;
  try {
    const pgResult = await runStore('postgres', nats, () => openPostgresStore({ connectionString: PG_URL, schema }), backlogS, steadyS);
    const dir = mkdtempSync(join(tmpdir(), 'ww-bench-cluster-sqlite-'));
    try {
      const sqliteResult = await runStore('sqlite', nats, () => Promise.resolve(openSqliteStore({ path: join(dir, 'core.db') })), backlogS, steadyS);
      return { sensors: SENSORS, probes: PROBES.length, 'interval s': INTERVAL_S, 'demand readings/s': Math.round(SENSORS / INTERVAL_S), ...pgResult, ...sqliteResult };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    await nats.dispose();
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  if (args[0] === '--probe') {
    const [, name, url, seed, dataDir] = args as [string, string, string, string, string];
    await probeMain(name, url, seed, dataDir);
  } else {
    const result = await run({ ...(args[0] ? { backlogS: Number(args[0]) } : {}), ...(args[1] ? { steadyS: Number(args[1]) } : {}) });
    for (const [k, v] of Object.entries(result)) console.log(`${k.padEnd(40)} ${v}`);
  }
}
