// Dependencies across the core/probe boundary through the whole application (app.ts's wiring): a
// core sensor whose master runs on a remote probe, and a remote sensor whose master runs on the core,
// both paused by dependency while their master is Down (real synthetic kinds that always fail).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { startCoreApp, type CoreApp } from './app-fixture.ts';
import { waitFor } from './fixture.ts';

const GATEWAY = 'main/local/network/gateway/value';
const PACS = 'main/local/network/pacs/value';
const ROUTER = 'site-b/site-b/devices/router/value';
const MODALITY = 'site-b/site-b/devices/modality/value';

describe('dependencies across the core/probe boundary in the running application', () => {
  let c: CoreApp;
  let app: App;

  beforeAll(async () => {
    // failEvery: 1 fails every run: the gateway (core) and the router (probe) are Down from their first check.
    c = await startCoreApp('ww-deps-app-', `defaults: { interval: 1s, retries: 0 }
sites:
  - name: Main
    probes:
      - name: Local
        groups:
          - name: Network
            system: network
            devices:
              - { name: Gateway, host: 127.0.0.1, sensors: [{ name: value, kind: synthetic, failEvery: 1 }] }
              - { name: Pacs, host: 127.0.0.1, sensors: [{ name: value, kind: synthetic, dependsOn: ${ROUTER} }] }
  - name: SITE-B
    probes:
      - name: SITE-B
        groups:
          - name: Devices
            system: other
            devices:
              - { name: Router, host: 127.0.0.1, sensors: [{ name: value, kind: synthetic, failEvery: 1 }] }
              - { name: Modality, host: 127.0.0.1, sensors: [{ name: value, kind: synthetic, dependsOn: ${GATEWAY} }] }
`);
    app = c.app;
  });

  afterAll(async () => c?.close());

  it('pauses each side\'s dependents while the master on the other side is Down', async () => {
    const cluster = app.cluster!;
    await cluster.registry.seen('SITE-B', Date.now());
    await cluster.approve('SITE-B', 'alice');
    const probe = await c.startSiteB();
    await waitFor('the router Down on the core', () => cluster.statusOf(ROUTER)?.state === 'down', 30_000);
    await waitFor('PACS paused by the remote router', () => app.engine.status(PACS)?.pauseReason === 'dependency', 30_000);
    expect(app.engine.status(PACS)).toMatchObject({ state: 'paused', message: `Paused by dependency: master sensor ${ROUTER} is Down` });
    await waitFor('the modality paused on its probe by the core gateway', () => probe.engine.status(MODALITY)?.pauseReason === 'dependency', 30_000);
    expect(app.engine.status(GATEWAY)?.state).toBe('down');
    expect(probe.engine.status(MODALITY)).toMatchObject({ state: 'paused', message: `Paused by dependency: master sensor ${GATEWAY} is Down` });
    // The core shows the probe's pause like any remote status.
    await waitFor('the modality paused on the core', () => cluster.statusOf(MODALITY)?.pauseReason === 'dependency', 30_000);
  });
});
