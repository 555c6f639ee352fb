// Fault test: the core is killed with SIGKILL in the middle of ingesting. Readings it had not
// acknowledged are redelivered by JetStream to the next core process: nothing is lost, nothing is
// stored twice.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect } from 'nats';
import { openClusterTables } from '../../src/cluster/registry.ts';
import { startProbe } from '../../src/cluster/probe.ts';
import { INGEST_CONSUMER, READINGS_STREAM } from '../../src/cluster/subjects.ts';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';
import { startNats, type NatsPeer } from '../peers/nats.ts';
import { clusterTree, sensorIds, waitFor, type ProbeSpec } from './fixture.ts';

let nats: NatsPeer;
let dir: string;
const spec: ProbeSpec[] = [{ name: 'SITE-B', sensors: 200 }];
const tree = clusterTree(spec);

beforeAll(async () => {
  nats = await startNats({ probes: ['SITE-B'] });
  dir = mkdtempSync(join(tmpdir(), 'ww-crash-'));
  // Approve the probe in the core's database before any core runs.
  const store = openSqliteStore({ path: join(dir, 'core.db') });
  const tables = await openClusterTables(store);
  await tables.seen('SITE-B', Date.now());
  await tables.decide('SITE-B', 'approved', 'test', Date.now());
  await store.close();
});

afterAll(async () => {
  await nats?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

interface Child {
  readonly proc: ChildProcess;
  values(): number;
  output(): string;
}

async function startCore(): Promise<Child> {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'core-child.ts'), nats.url, nats.core.user, nats.core.password, join(dir, 'core.db'), JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let values = 0;
  proc.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    const m = /values (\d+)\n[^\n]*$/.exec(out.slice(-200));
    if (m) values = Number(m[1]);
  });
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  await waitFor(`the core child to start (${err})`, () => out.includes('ready') || proc.exitCode !== null, 30_000);
  if (proc.exitCode !== null) throw new Error(`core child exited: ${err}`);
  return { proc, values: () => values, output: () => err };
}

it('loses no reading when the core is killed with SIGKILL during ingest', async () => {
  const probe = await startProbe({ name: 'SITE-B', dataDir: join(dir, 'probe'), log: () => undefined, link: { url: nats.url, nkeyFile: nats.seedFiles.get('SITE-B')! }, flushIntervalMs: 50, outbox: { fsync: 'never' } });
  let first: Child | undefined;
  try {
    first = await startCore();
    await waitFor('the probe to be approved and running', () => probe.engine.statuses().size === 200);
    await waitFor('the first core to ingest', () => first!.values() >= 400);
    first.proc.kill('SIGKILL');
    await new Promise((r) => first!.proc.once('exit', r));
    // The probe goes on meanwhile; then it stops and everything it wrote reaches JetStream.
    const at = probe.engine.totals().checks;
    await waitFor('more checks while no core runs', () => probe.engine.totals().checks >= at + 200);
  } finally {
    await probe.close();
  }
  expect(probe.queue.depth).toBe(0);
  const written = probe.engine.totals().valuesWritten;

  const second = await startCore();
  const nc = await connect({ servers: nats.url, user: nats.core.user, pass: nats.core.password });
  try {
    const jsm = await nc.jetstreamManager();
    await waitFor('the second core to take every message', async () => {
      const ci = await jsm.consumers.info(READINGS_STREAM, INGEST_CONSUMER);
      return ci.num_pending === 0 && ci.num_ack_pending === 0;
    }, 30_000);
  } finally {
    await nc.close();
    second.proc.kill('SIGTERM');
    await new Promise((r) => second.proc.once('exit', r));
  }

  const store = openSqliteStore({ path: join(dir, 'core.db') });
  try {
    let points = 0;
    for (const id of sensorIds(tree)) points += (await store.history({ sensorId: id, channel: 'value', from: 0, to: Date.now() + 60_000, resolution: 'raw' })).points.length;
    expect(points).toBe(written);
    const ups = (await store.events({ limit: 10_000 })).filter((e) => e.to === 'up');
    expect(ups.length).toBe(200);
  } finally {
    await store.close();
  }
}, 90_000);
