// The core application (startApp with NATS) on a configuration text, with a private nats-server that
// knows probe SITE-B: the one setup of the app-level cluster tests.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, type App } from '../../src/app.ts';
import { startProbe, type RunningProbe } from '../../src/cluster/probe.ts';
import { startNats, type NatsPeer } from '../peers/nats.ts';

export interface CoreApp {
  readonly dir: string;
  readonly nats: NatsPeer;
  readonly app: App;
  /** Starts the remote probe SITE-B against this core's NATS (stopped by close()). */
  startSiteB(): Promise<RunningProbe>;
  close(): Promise<void>;
}

export async function startCoreApp(prefix: string, yaml: string): Promise<CoreApp> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const nats = await startNats({ probes: ['SITE-B'] });
  let probe: RunningProbe | undefined;
  let app: App | undefined;
  const close = async () => {
    await probe?.close();
    await app?.close();
    await nats.dispose();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await writeFile(join(dir, 'hospital.yaml'), yaml);
    app = await startApp({
      configPath: join(dir, 'hospital.yaml'),
      dataDir: join(dir, 'core'),
      host: '127.0.0.1',
      port: 0,
      log: () => undefined,
      insecureHttp: true,
      nats: { url: nats.url, user: nats.core.user, password: nats.core.password },
    });
  } catch (e) {
    await close();
    throw e;
  }
  return {
    dir,
    nats,
    app,
    async startSiteB() {
      probe = await startProbe({ name: 'SITE-B', dataDir: join(dir, 'probe'), log: () => undefined, link: { url: nats.url, nkeyFile: nats.seedFiles.get('SITE-B')! }, flushIntervalMs: 100, healthIntervalMs: 200 });
      return probe;
    },
    close,
  };
}
