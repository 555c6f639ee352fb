// Probe health as channels, over the real link: the core writes a remote probe's heartbeat figures
// (connected, buffer depth, dropped, interval delay, checks/s, CPU, memory) as readings of that
// probe's probe-health sensor through the readings stream and the ingest, so they are in history;
// a silent probe records connected 0 and turns Down, and comes back Up with values.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startClusterCore, type ClusterCore } from '../../src/cluster/core.ts';
import { startProbe } from '../../src/cluster/probe.ts';
import type { StateEvent, TimedReading } from '../../src/core/model.ts';
import { ManualClock } from '../../src/shared/clock.ts';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/index.ts';
import { startNats, type NatsPeer } from '../peers/nats.ts';
import { clusterTree, sensorIds, waitFor } from './fixture.ts';

let nats: NatsPeer;
let dir: string;
let store: SqliteStore;
let core: ClusterCore;
const clock = new ManualClock(Date.now());
const tree = clusterTree([{ name: 'SITE-B', sensors: 2, health: true }]);
const events: StateEvent[] = [];
const readings: TimedReading[] = [];
const [health] = sensorIds(tree, 'probe-health');

beforeAll(async () => {
  nats = await startNats({ probes: ['SITE-B'] });
  dir = mkdtempSync(join(tmpdir(), 'ww-health-'));
  store = openSqliteStore({ path: join(dir, 'core.db') });
  core = await startClusterCore({
    link: { url: nats.url, user: nats.core.user, password: nats.core.password },
    store,
    tree: () => tree,
    clock,
    heartbeatMs: 1000,
    log: () => undefined,
    onStateChange: (e) => events.push(e),
    onReading: (r) => readings.push(r),
  });
  await core.registry.seen('SITE-B', clock.now());
  await core.approve('SITE-B', 'test');
});

afterAll(async () => {
  await core?.close();
  await store?.close();
  await nats?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const points = async (channel: string) => (await store.history({ sensorId: health!, channel, from: 0, to: Date.now() + 3_600_000, resolution: 'raw' })).points;

it('stores the heartbeat figures as channels of the probe-health sensor, and connected 0 while silent', async () => {
  const link = { url: nats.url, nkeyFile: nats.seedFiles.get('SITE-B')! };
  const probe = await startProbe({ name: 'SITE-B', dataDir: join(dir, 'probe'), log: () => undefined, link, flushIntervalMs: 50, healthIntervalMs: 50 });
  try {
    await waitFor('the probe to run its sensors', () => probe.engine.statuses().size === 2);
    // The probe does not run its health sensor: the core writes it.
    expect(probe.engine.statuses().has(health!)).toBe(false);
    await waitFor('the health channels in the core store', async () => (await points('connected')).length >= 2);
    for (const ch of ['bufferDepth', 'bufferDropped', 'intervalDelayP99Ms', 'checksPerS', 'cpuPct', 'memoryMB']) {
      const p = await points(ch);
      expect(p.length, ch).toBeGreaterThan(0);
      expect(Number.isFinite(p[0]!.avg), ch).toBe(true);
    }
    expect((await points('connected')).every((p) => p.avg === 1)).toBe(true);
    expect((await points('memoryMB'))[0]!.avg).toBeGreaterThan(1);
    await waitFor('the health sensor Up on the core', () => core.statusOf(health!)?.state === 'up');
    expect(core.statusOf(health!)?.lastValues?.connected).toBe(1);
    expect(events.some((e) => e.sensorId === health && e.to === 'up')).toBe(true);
    expect(readings.some((r) => r.sensorId === health && r.channels.some((c) => c.key === 'bufferDepth'))).toBe(true);
    // One reading per interval of the sensor (1 s), not one per heartbeat (50 ms).
    const n = (await points('connected')).length;
    const seconds = (Date.now() - (await points('connected'))[0]!.ts) / 1000;
    expect(n).toBeLessThanOrEqual(Math.ceil(seconds) + 2);
  } finally {
    await probe.close();
  }

  await clock.advance(4000);
  expect(core.statusOf(health!)).toMatchObject({ state: 'down', error: 'PROBE_DISCONNECTED' });
  await waitFor('connected 0 in history', async () => (await points('connected')).some((p) => p.avg === 0));
  expect(readings.some((r) => r.sensorId === health && r.error === 'PROBE_DISCONNECTED')).toBe(true);
  const upBefore = (await points('connected')).filter((p) => p.avg === 1).length;

  // Back: Up again with fresh values after the gap.
  const again = await startProbe({ name: 'SITE-B', dataDir: join(dir, 'probe'), log: () => undefined, link, flushIntervalMs: 50, healthIntervalMs: 50 });
  try {
    await waitFor('connected 1 after the gap', async () => (await points('connected')).filter((p) => p.avg === 1).length > upBefore);
    await waitFor('the health sensor Up again', () => core.statusOf(health!)?.state === 'up');
    expect(events.some((e) => e.sensorId === health && e.from === 'down' && e.to === 'up')).toBe(true);
  } finally {
    await again.close();
  }
}, 60_000);
