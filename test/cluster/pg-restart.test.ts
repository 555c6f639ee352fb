// Fault test: PostgreSQL (a private server) is stopped crash-like and started again while a core
// ingests a remote probe's readings into it and the probe keeps sending. The core's failed batches
// are left unacknowledged (JetStream redelivers them) and every reading ends up stored exactly once,
// in raw history and in the rollups, within a bounded time.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startClusterCore, type ClusterCore } from '../../src/cluster/core.ts';
import { startProbe, type RunningProbe } from '../../src/cluster/probe.ts';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres/index.ts';
import { startNats, type NatsPeer } from '../peers/nats.ts';
import { startPrivatePostgres, type PrivatePostgres } from '../peers/postgres.ts';
import { clusterTree, collectLog, sensorIds, waitFor } from './fixture.ts';

let nats: NatsPeer;
let pgServer: PrivatePostgres;
let dir: string;
let store: PostgresStore | undefined;
let core: ClusterCore | undefined;
const tree = clusterTree([{ name: 'SITE-B', sensors: 20 }]);
const coreLog = collectLog();

beforeAll(async () => {
  [nats, pgServer] = await Promise.all([startNats({ probes: ['SITE-B'] }), startPrivatePostgres()]);
  dir = mkdtempSync(join(tmpdir(), 'ww-pg-restart-'));
  store = await openPostgresStore({ connectionString: pgServer.url, schema: 'cluster_restart', poolSize: 2 });
  core = await startClusterCore({ link: { url: nats.url, user: nats.core.user, password: nats.core.password }, store, tree: () => tree, log: coreLog.log, ingestBatch: 16 });
  await core.registry.seen('SITE-B', Date.now());
  await core.approve('SITE-B', 'test');
}, 60_000);

afterAll(async () => {
  await core?.close();
  await store?.close();
  await nats?.dispose();
  await pgServer?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

it('stores every reading exactly once when PostgreSQL restarts during ingest', async () => {
  const c = core!;
  const s = store!;
  const probe: RunningProbe = await startProbe({ name: 'SITE-B', dataDir: join(dir, 'probe'), log: () => undefined, link: { url: nats.url, nkeyFile: nats.seedFiles.get('SITE-B')! }, flushIntervalMs: 50, outbox: { fsync: 'never' } });
  let closed = false;
  try {
    await waitFor('readings ingested before the restart', () => c.ingestStats().values >= 100, 30_000);

    await pgServer.stop('immediate');
    const writtenAtStop = probe.engine.totals().valuesWritten;
    // The probe goes on checking and sending; the core's writes fail and nothing is acknowledged.
    await waitFor('a failed store write', () => c.ingestStats().storeErrors > 0, 20_000);
    await waitFor('the probe to keep sending while the database is down', () => probe.engine.totals().valuesWritten >= writtenAtStop + 100, 20_000);
    const storedWhileDown = c.ingestStats().values;

    await pgServer.start();
    await waitFor('ingest to resume after the restart', () => c.ingestStats().values > storedWhileDown, 30_000);
    await probe.close();
    closed = true;
  } finally {
    if (!closed) await probe.close();
  }

  const written = probe.engine.totals().valuesWritten;
  const to = Date.now() + 3_600_000;
  const rawCount = async () => {
    let n = 0;
    for (const id of sensorIds(tree)) n += (await s.history({ sensorId: id, channel: 'value', from: 0, to, resolution: 'raw' })).points.length;
    return n;
  };
  await waitFor('every reading stored', async () => (await rawCount()) >= written, 30_000);
  expect(coreLog.lines.join('\n')).toMatch(/store write of \d+ readings messages failed, JetStream redelivers them/);

  // Raw rows: exactly the readings written, none twice. Rollups: each counted once, with the same sum.
  let raw = 0;
  let rawSum = 0;
  let rolled = 0;
  let rolledSum = 0;
  for (const id of sensorIds(tree)) {
    const h = await s.history({ sensorId: id, channel: 'value', from: 0, to, resolution: 'raw' });
    raw += h.points.length;
    rawSum += h.points.reduce((a, p) => a + p.avg, 0);
    const r = await s.history({ sensorId: id, channel: 'value', from: 0, to, resolution: '1h' });
    rolled += r.points.reduce((a, p) => a + p.count, 0);
    rolledSum += r.points.reduce((a, p) => a + p.avg * p.count, 0);
  }
  expect(raw).toBe(written);
  expect(rolled).toBe(written);
  expect(rolledSum).toBeCloseTo(rawSum, 3);
}, 150_000);
