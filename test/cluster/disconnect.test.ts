// "Probe disconnected" through the real link: heartbeats stop, and on the core's (manual) clock the
// probe's health sensor turns Down and its other sensors are paused by dependency, with events that
// alerting receives and the store keeps; a heartbeat brings the reported states back.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startClusterCore, type ClusterCore } from '../../src/cluster/core.ts';
import { startProbe } from '../../src/cluster/probe.ts';
import type { StateEvent } from '../../src/core/model.ts';
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

beforeAll(async () => {
  nats = await startNats({ probes: ['SITE-B'] });
  dir = mkdtempSync(join(tmpdir(), 'ww-disc-'));
  store = openSqliteStore({ path: join(dir, 'core.db') });
  core = await startClusterCore({ link: { url: nats.url, user: nats.core.user, password: nats.core.password }, store, tree: () => tree, clock, heartbeatMs: 1000, log: () => undefined, onStateChange: (e) => events.push(e) });
  await core.registry.seen('SITE-B', clock.now());
  await core.approve('SITE-B', 'test');
});

afterAll(async () => {
  await core?.close();
  await store?.close();
  await nats?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

it('turns a silent probe into Down (its health sensor) and paused-by-dependency (the rest)', async () => {
  const link = { url: nats.url, nkeyFile: nats.seedFiles.get('SITE-B')! };
  const probe = await startProbe({ name: 'SITE-B', dataDir: join(dir, 'probe'), log: () => undefined, link, flushIntervalMs: 50, healthIntervalMs: 50 });
  const [s1] = sensorIds(tree);
  const [health] = sensorIds(tree, 'probe-health');
  try {
    await waitFor('the sensors to report Up on the core', () => core.statusOf(s1!)?.state === 'up');
  } finally {
    await probe.close();
  }
  await clock.advance(4000);
  expect(core.health('SITE-B')?.connected).toBe(false);
  expect(core.statusOf(s1!)).toMatchObject({ state: 'paused', pauseReason: 'dependency' });
  expect(core.statusOf(health!)).toMatchObject({ state: 'down', error: 'PROBE_DISCONNECTED' });
  expect(events.filter((e) => e.reason === 'probe SITE-B disconnected').map((e) => e.sensorId).sort()).toEqual([s1, sensorIds(tree)[1], health].sort());
  await waitFor('the disconnect events in the store', async () => (await store.events({ limit: 100 })).filter((e) => e.reason === 'probe SITE-B disconnected').length === 3);

  // Back: the first heartbeat restores what the probe last reported.
  const again = await startProbe({ name: 'SITE-B', dataDir: join(dir, 'probe'), log: () => undefined, link, flushIntervalMs: 50, healthIntervalMs: 50 });
  try {
    await waitFor('the probe to count as connected again', () => core.health('SITE-B')?.connected === true);
    expect(core.statusOf(s1!)?.state).toBe('up');
    expect(events.some((e) => e.sensorId === s1 && e.reason === 'probe SITE-B reconnected' && e.to === 'up')).toBe(true);
  } finally {
    await again.close();
  }
}, 60_000);
