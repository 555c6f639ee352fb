// Remote probes through the whole application: the core (startApp with NATS) keeps a new probe
// pending, runs only its own probe's sensors once the remote one is approved, and serves the remote
// sensors' states and history through the same API as its local ones.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerFor, createTestUser } from '../src/api/auth/testing.ts';
import type { App } from '../src/app.ts';
import { startCoreApp, type CoreApp } from './cluster/app-fixture.ts';

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const REMOTE = 'site-b/site-b/devices/scanner/value';
const LOCAL = 'main/local/devices/counter/value';

describe('remote probes in the running application', () => {
  let c: CoreApp;
  let app: App;

  beforeAll(async () => {
    c = await startCoreApp('ww-cluster-app-', `defaults: { interval: 1s }
sites:
  - name: Main
    probes:
      - name: Local
        groups:
          - { name: Devices, system: other, devices: [{ name: Counter, host: 127.0.0.1, sensors: [{ name: value, kind: synthetic, base: 1 }] }] }
  - name: SITE-B
    probes:
      - name: SITE-B
        groups:
          - { name: Devices, system: modality, devices: [{ name: Scanner, host: 127.0.0.1, sensors: [{ name: value, kind: synthetic, base: 42 }] }] }
`);
    app = c.app;
  });

  afterAll(async () => c?.close());

  it('runs the remote subtree on the approved probe and serves it through the API', async () => {
    const cluster = app.cluster!;
    expect(cluster).toBeDefined();
    const probe = await c.startSiteB();
    await until('the probe pending', async () => ((await cluster.registry.get('SITE-B'))?.approval === 'pending' ? true : undefined));
    // Until approved, the core runs everything itself: the remote probe has no work.
    expect(probe.engine.statuses().size).toBe(0);

    // An administrator sees it pending in the API and approves it there.
    const { user: admin } = await createTestUser(app.auth, { roles: ['administrator'] });
    const adminHeaders = (await bearerFor(app.auth, admin)).headers;
    const listed = (await (await fetch(`${app.url}api/probes`, { headers: adminHeaders })).json()) as { enabled: boolean; probes: { name: string; state: string }[] };
    expect(listed.enabled).toBe(true);
    expect(listed.probes).toEqual([expect.objectContaining({ name: 'SITE-B', state: 'pending' })]);
    const approved = await fetch(`${app.url}api/probes/SITE-B/approve`, { method: 'POST', headers: adminHeaders });
    expect(approved.status).toBe(200);
    await until('the remote sensor on the probe', () => (probe.engine.status(REMOTE)?.state === 'up' ? true : undefined));
    // The core's own engine no longer runs the remote subtree, but still its own.
    await until('the core to hand the subtree over', () => (app.engine.status(REMOTE) === undefined ? true : undefined));
    expect(app.engine.status(LOCAL)).toBeDefined();

    const { user } = await createTestUser(app.auth, { roles: ['read-only'] });
    const headers = (await bearerFor(app.auth, user)).headers;
    const sensor = await until('the remote sensor Up through the API', async () => {
      const r = await fetch(`${app.url}api/sensors/${encodeURIComponent(REMOTE)}`, { headers });
      const body = (await r.json()) as { status?: { state?: string } };
      return body.status?.state === 'up' ? body : undefined;
    });
    expect(sensor.status?.state).toBe('up');
    // Its readings travelled over JetStream into the core's store.
    const points = await until('remote history in the core store', async () => {
      const h = await app.store.history({ sensorId: REMOTE, channel: 'value', from: Date.now() - 600_000, to: Date.now() + 1000, resolution: 'raw' });
      return h.points.length >= 2 ? h.points : undefined;
    });
    expect(points.length).toBeGreaterThanOrEqual(2);
  });
});
