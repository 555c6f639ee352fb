// Fault test: the NATS server goes away for 30 s while a probe checks. The probe keeps checking into its
// file outbox, and after the server is back every reading reaches the store, none of them twice.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startClusterCore, type ClusterCore } from '../../src/cluster/core.ts';
import { startProbe } from '../../src/cluster/probe.ts';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/index.ts';
import { startNats, type NatsPeer } from '../peers/nats.ts';
import { clusterTree, collectLog, sensorIds, waitFor } from './fixture.ts';

let nats: NatsPeer;
let dir: string;
let store: SqliteStore;
let core: ClusterCore;
const tree = clusterTree([{ name: 'SITE-B', sensors: 5 }]);
const events: string[] = [];
const OUTAGE_MS = 30_000;

beforeAll(async () => {
  nats = await startNats({ probes: ['SITE-B'] });
  dir = mkdtempSync(join(tmpdir(), 'ww-outage-'));
  store = openSqliteStore({ path: join(dir, 'core.db') });
  core = await startClusterCore({ link: { url: nats.url, user: nats.core.user, password: nats.core.password }, store, tree: () => tree, log: () => undefined, onStateChange: (e) => events.push(`${e.sensorId} ${e.to}`) });
  await core.registry.seen('SITE-B', Date.now());
  await core.approve('SITE-B', 'test');
});

afterAll(async () => {
  await core?.close();
  await store?.close();
  await nats?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

it('delivers every reading taken while NATS was down, in order, none twice', async () => {
  const log = collectLog();
  const probe = await startProbe({ name: 'SITE-B', dataDir: join(dir, 'probe'), log: log.log, link: { url: nats.url, nkeyFile: nats.seedFiles.get('SITE-B')! }, flushIntervalMs: 100, reconnectMs: 100 });
  const ids = sensorIds(tree);
  try {
    await waitFor('the first readings stored', () => core.ingestStats().values >= ids.length);

    await nats.stop();
    await waitFor('the probe to notice the link is down', () => !probe.connected());
    const checksAtStop = probe.engine.totals().checks;
    // The fault: the server stays away for 30 s (its length is what is tested here, not a
    // wait for something), and at least two more rounds of every sensor wait in the outbox.
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    await waitFor('checks to go on while NATS is down', () => probe.engine.totals().checks >= checksAtStop + 2 * ids.length && probe.queue.depth >= 3);
    const waiting = probe.queue.depth;
    expect(probe.queue.depth).toBeGreaterThan(0);
    expect(log.lines.join('\n')).toContain('lost the link to NATS');

    await nats.restart();
    await waitFor('the outbox to drain after NATS is back', () => probe.connected() && probe.queue.depth === 0, 20_000);
    expect(waiting).toBeGreaterThan(0);
  } finally {
    await probe.close();
  }
  const written = probe.engine.totals().valuesWritten;
  await waitFor('the core to store everything the probe wrote', () => core.ingestStats().values >= written, 20_000);
  // Exactly once: no row applied twice by the core, and history holds one point per check.
  expect(core.ingestStats().values).toBe(written);
  let points = 0;
  for (const id of ids) {
    const h = await store.history({ sensorId: id, channel: 'value', from: 0, to: Date.now() + 60_000, resolution: 'raw' });
    const ts = h.points.map((p) => p.ts);
    expect(new Set(ts).size).toBe(ts.length);
    expect([...ts].sort((a, b) => a - b)).toEqual(ts);
    points += ts.length;
  }
  expect(points).toBe(written);
  // State events stored once each: the first Unknown → Up of every sensor.
  const stored = await store.events({ limit: 1000 });
  expect(stored.filter((e) => e.to === 'up').length).toBe(ids.length);
}, 90_000);

it('restarts without NATS on its last configuration and keeps its undelivered readings', async () => {
  const data = join(dir, 'probe-restart');
  const link = { url: nats.url, nkeyFile: nats.seedFiles.get('SITE-B')! };
  const start0 = core.ingestStats().values;
  const first = await startProbe({ name: 'SITE-B', dataDir: data, log: () => undefined, link, flushIntervalMs: 100, reconnectMs: 100 });
  await waitFor('the configuration from the core', () => first.engine.statuses().size === 5);
  await nats.stop();
  await waitFor('the link to go down', () => !first.connected());
  await first.close();
  const waitingAfterFirst = first.queue.depth;

  // The core's NATS is away: the probe starts on what it last received and keeps checking.
  const log = collectLog();
  const second = await startProbe({ name: 'SITE-B', dataDir: data, log: log.log, link, flushIntervalMs: 100, reconnectMs: 100 });
  try {
    expect(second.engine.statuses().size).toBe(5);
    expect(log.lines.join('\n')).toContain('starting with the configuration last received from the core (5 sensors)');
    expect(log.lines.join('\n')).toMatch(/NATS at nats:\/\/127\.0\.0\.1:\d+ is unreachable/);
    expect(second.queue.depth).toBe(waitingAfterFirst);
    await waitFor('checks without NATS', () => second.engine.totals().checks >= 10);
    await nats.restart();
    await waitFor('delivery after NATS is back', () => second.connected() && second.queue.depth === 0, 20_000);
  } finally {
    await second.close();
  }
  const written = first.engine.totals().valuesWritten + second.engine.totals().valuesWritten;
  await waitFor('the core to store both runs\' readings', () => core.ingestStats().values - start0 >= written, 20_000);
  expect(core.ingestStats().values - start0).toBe(written);
}, 60_000);
