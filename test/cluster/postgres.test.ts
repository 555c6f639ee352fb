// Horizontal ingest into PostgreSQL: two core processes share the durable consumer and the same
// schema; every reading of the probe is stored exactly once, whichever core took it.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startClusterCore, type ClusterCore } from '../../src/cluster/core.ts';
import { startProbe } from '../../src/cluster/probe.ts';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres/index.ts';
import { startNats, type NatsPeer } from '../peers/nats.ts';
import { clusterTree, sensorIds, waitFor } from './fixture.ts';

const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
const schema = `ww_cluster_ingest_${process.pid}`;
let nats: NatsPeer;
let dir: string;
const stores: PostgresStore[] = [];
const cores: ClusterCore[] = [];
const tree = clusterTree([{ name: 'SITE-B', sensors: 100, health: true }]);

beforeAll(async () => {
  nats = await startNats({ probes: ['SITE-B'] });
  dir = mkdtempSync(join(tmpdir(), 'ww-pg-cluster-'));
  for (let i = 0; i < 2; i++) {
    const store = await openPostgresStore({ connectionString: PG_URL, schema });
    stores.push(store);
    cores.push(await startClusterCore({ link: { url: nats.url, user: nats.core.user, password: nats.core.password }, store, tree: () => tree, log: () => undefined, ingestBatch: 4 }));
  }
  await cores[0]!.registry.seen('SITE-B', Date.now());
  await cores[0]!.approve('SITE-B', 'test');
});

afterAll(async () => {
  for (const c of cores) await c.close();
  for (const s of stores) await s.close();
  await nats?.dispose();
  rmSync(dir, { recursive: true, force: true });
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await c.end();
});

it('stores every reading once when two cores ingest from the same consumer', async () => {
  const probe = await startProbe({ name: 'SITE-B', dataDir: join(dir, 'probe'), log: () => undefined, link: { url: nats.url, nkeyFile: nats.seedFiles.get('SITE-B')! }, flushIntervalMs: 50, healthIntervalMs: 50, outbox: { fsync: 'never' } });
  const [health] = sensorIds(tree, 'probe-health');
  try {
    await waitFor('both cores to ingest', () => cores.every((c) => c.ingestStats().messages > 0), 40_000);
    // Both cores hear every heartbeat and publish a health reading per interval: JetStream keeps one.
    await waitFor('the probe health Up', async () => (await stores[0]!.events({ sensorId: health!, limit: 10 })).some((e) => e.to === 'up'), 20_000);
    await waitFor('three intervals of probe health', async () => (await stores[0]!.history({ sensorId: health!, channel: 'connected', from: 0, to: Date.now() + 60_000, resolution: 'raw' })).points.length >= 3, 20_000);
  } finally {
    await probe.close();
  }
  const written = probe.engine.totals().valuesWritten;
  const ingested = () => cores.reduce((n, c) => n + c.ingestStats().values, 0);
  // The health sensor's values are the cores' own (from heartbeats), on top of what the probe wrote.
  const healthValues = async () => {
    let n = 0;
    for (const ch of await stores[0]!.channelsOf(health!)) n += (await stores[0]!.history({ sensorId: health!, channel: ch, from: 0, to: Date.now() + 60_000, resolution: 'raw' })).points.length;
    return n;
  };
  await waitFor('the cores to store everything', async () => ingested() >= written + (await healthValues()), 40_000);
  expect(ingested()).toBe(written + (await healthValues()));
  // The core that did not answer the probe's hello learnt of its approval from the store: it dropped nothing.
  expect(cores.map((c) => c.ingestStats().foreignRows)).toEqual([0, 0]);
  let points = 0;
  for (const id of sensorIds(tree)) points += (await stores[0]!.history({ sensorId: id, channel: 'value', from: 0, to: Date.now() + 60_000, resolution: 'raw' })).points.length;
  expect(points).toBe(written);
  // One health reading per interval (1 s) although both cores publish one for every interval.
  const connected = (await stores[0]!.history({ sensorId: health!, channel: 'connected', from: 0, to: Date.now() + 60_000, resolution: 'raw' })).points;
  expect(connected.length).toBeGreaterThan(0);
  expect(new Set(connected.map((p) => Math.floor(p.ts / 1000))).size).toBe(connected.length);
}, 100_000);
