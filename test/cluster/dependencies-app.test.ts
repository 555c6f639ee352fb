// Dependencies across the core/probe boundary through the whole application (app.ts's wiring): a
// core sensor whose master runs on a remote probe, and a remote sensor whose master runs on the core,
// both paused by dependency while their master is Down (real synthetic kinds that always fail).

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/app.ts';
import { startProbe, type RunningProbe } from '../../src/cluster/probe.ts';
import { startNats, type NatsPeer } from '../peers/nats.ts';
import { waitFor } from './fixture.ts';

const GATEWAY = 'main/local/network/gateway/value';
const PACS = 'main/local/network/pacs/value';
const ROUTER = 'site-b/site-b/devices/router/value';
const MODALITY = 'site-b/site-b/devices/modality/value';

describe('dependencies across the core/probe boundary in the running application', () => {
  let dir: string;
  let nats: NatsPeer;
  let app: App;
  let probe: RunningProbe | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ww-deps-app-'));
    nats = await startNats({ probes: ['SITE-B'] });
    // failEvery: 1 fails every run: the gateway (core) and the router (probe) are Down from their first check.
    await writeFile(
      join(dir, 'hospital.yaml'),
      `defaults: { interval: 1s, retries: 0 }
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
`,
    );
    app = await startApp({
      configPath: join(dir, 'hospital.yaml'),
      dataDir: join(dir, 'core'),
      host: '127.0.0.1',
      port: 0,
      log: () => undefined,
      insecureHttp: true,
      nats: { url: nats.url, user: nats.core.user, password: nats.core.password },
    });
  });

  afterAll(async () => {
    await probe?.close();
    await app?.close();
    await nats?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('pauses each side\'s dependents while the master on the other side is Down', async () => {
    const cluster = app.cluster!;
    await cluster.registry.seen('SITE-B', Date.now());
    await cluster.approve('SITE-B', 'alice');
    probe = await startProbe({ name: 'SITE-B', dataDir: join(dir, 'probe'), log: () => undefined, link: { url: nats.url, nkeyFile: nats.seedFiles.get('SITE-B')! }, flushIntervalMs: 100, healthIntervalMs: 200 });
    await waitFor('the router Down on the core', () => cluster.statusOf(ROUTER)?.state === 'down', 30_000);
    await waitFor('PACS paused by the remote router', () => app.engine.status(PACS)?.pauseReason === 'dependency', 30_000);
    expect(app.engine.status(PACS)).toMatchObject({ state: 'paused', message: `Paused by dependency: master sensor ${ROUTER} is Down` });
    await waitFor('the modality paused on its probe by the core gateway', () => probe!.engine.status(MODALITY)?.pauseReason === 'dependency', 30_000);
    expect(app.engine.status(GATEWAY)?.state).toBe('down');
    expect(probe.engine.status(MODALITY)).toMatchObject({ state: 'paused', message: `Paused by dependency: master sensor ${GATEWAY} is Down` });
    // The core shows the probe's pause like any remote status.
    await waitFor('the modality paused on the core', () => cluster.statusOf(MODALITY)?.pauseReason === 'dependency', 30_000);
  });
});
