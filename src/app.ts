// The composition root: reads the configuration (or builds the demo hospital), opens the store,
// builds the engine and the API, wires them, and starts. Only this file knows every part.

import { mkdir } from 'node:fs/promises';
import { stringify } from 'yaml';
import type { Clock } from './core/clock.ts';
import type { Tree } from './core/tree.ts';
import { formatConfigError, loadConfigFile, parseConfig, type ConfigResult } from './config/load.ts';
import { loadSecrets } from './config/secrets.ts';
import { Engine } from './engine/engine.ts';
import { buildApi } from './api/server.ts';
import { createInbox } from './receivers/inbox.ts';
import { receiversSchema } from './receivers/config.ts';
import { startReceivers, type RunningReceivers } from './receivers/start.ts';
import { sensorKind } from './sensors/registry.ts';
import type { Credential } from './sensors/sensor.ts';
import { systemClock } from './shared/clock.ts';
import { startDemoHospital, type DemoHospital } from './sim/demo.ts';
import { openStore, type AnyStore } from './store/open.ts';

export const VERSION = '0.1.0';
const RETENTION_EVERY_MS = 3_600_000;

export interface AppOptions {
  /** YAML file of the tree; without one Wardwatch monitors the built-in demo hospital. */
  readonly configPath?: string;
  /** Secrets of the credential sets named in the config. */
  readonly secretsPath?: string;
  readonly dataDir: string;
  /** postgres://… to keep everything in PostgreSQL; the SQLite file in dataDir otherwise. */
  readonly storeUrl?: string;
  readonly host: string;
  readonly port: number;
  readonly clock?: Clock;
  readonly log: (line: string) => void;
}

export interface ReloadResult {
  readonly ok: boolean;
  readonly messages: readonly string[];
}

export interface App {
  readonly url: string;
  readonly engine: Engine;
  readonly store: AnyStore;
  tree(): Tree;
  /** Re-reads the config file; an invalid file never replaces the running configuration. */
  reload(): Promise<ReloadResult>;
  close(): Promise<void>;
}

export async function startApp(opts: AppOptions): Promise<App> {
  const clock = opts.clock ?? systemClock;
  await mkdir(opts.dataDir, { recursive: true });
  const store = await openStore({ dataDir: opts.dataDir, ...(opts.storeUrl ? { url: opts.storeUrl } : {}), clock });
  let demo: DemoHospital | undefined;
  const closers: (() => Promise<void>)[] = [];
  try {
    let initial: ConfigResult & { ok: true };
    if (opts.configPath) {
      const loaded = await loadConfigFile(opts.configPath);
      if (loaded.ok) initial = loaded;
      else {
        for (const e of loaded.errors) opts.log(formatConfigError(e));
        const stored = await store.latestConfig();
        const fallback = stored ? parseConfig(stringify(stored.document), `stored configuration v${stored.version}`) : undefined;
        if (!fallback?.ok) throw new Error(`${opts.configPath} is invalid (errors above) and no earlier valid configuration is stored`);
        opts.log(`${opts.configPath} is invalid: monitoring continues with the last valid configuration (v${stored!.version} from ${new Date(stored!.savedAt).toISOString()})`);
        initial = fallback;
      }
    } else {
      demo = await startDemoHospital();
      closers.push(() => demo!.close());
      const parsed = parseConfig(demo.yaml, 'demo-hospital.yaml');
      if (!parsed.ok) throw new Error(`the built-in demo hospital is invalid (a bug):\n${parsed.errors.map(formatConfigError).join('\n')}`);
      initial = parsed;
    }
    for (const w of initial.warnings) opts.log(`config: ${w}`);

    let credentials: ReadonlyMap<string, Credential> = new Map();
    const readSecrets = async (tree: Tree) => {
      if (!opts.secretsPath) return;
      const s = await loadSecrets(opts.secretsPath, tree);
      for (const w of s.warnings) opts.log(`secrets: ${w}`);
      credentials = s.credentials;
    };
    await readSecrets(initial.tree);

    let tree = initial.tree;
    await store.saveConfig(initial.document, opts.configPath ?? 'demo', clock.now());
    const inbox = createInbox((topic, e) => opts.log(`inbox: a subscriber of ${topic} failed: ${String(e)}`));
    const engine = new Engine({
      clock,
      kindOf: sensorKind,
      writer: store,
      states: store,
      inbox,
      credentialOf: (name) => credentials.get(name),
      onError: (err, what) => opts.log(`engine: ${what}: ${err instanceof Error ? err.message : String(err)}`),
    });
    await engine.apply(tree);
    await engine.start();
    closers.unshift(() => engine.stop());

    // Receivers map a sender to the device whose host it is (the first one, when several share a host).
    let devicesByHost = hostIndex(tree);
    const receivers: RunningReceivers = await startReceivers(receiversOf(initial.document), {
      deviceOf: (address) => devicesByHost.get(address),
      messages: store,
      inbox,
      log: opts.log,
    });
    closers.unshift(() => receivers.close());
    for (const a of receivers.addresses) opts.log(`receiver listening: ${a}`);

    // Retention runs an hour apart (first a minute after start, off the start-up path); a failure is
    // logged and retried at the next run, never fatal to monitoring.
    let closing = false;
    let retentionTimer = clock.setTimeout(function retention() {
      store
        .applyRetention(clock.now())
        .then((n) => n > 0 && opts.log(`retention: removed ${n} rows past their retention`))
        .catch((e: unknown) => opts.log(`retention failed: ${e instanceof Error ? e.message : String(e)}`))
        .finally(() => {
          if (!closing) retentionTimer = clock.setTimeout(retention, RETENTION_EVERY_MS);
        });
    }, 60_000);
    closers.unshift(async () => {
      closing = true;
      clock.clearTimeout(retentionTimer);
    });

    const api = await buildApi({
      version: VERSION,
      clock,
      history: store,
      events: store,
      messages: store,
      inbox,
      monitor: { tree: () => tree, status: (id) => engine.status(id), kindOf: sensorKind, health: () => ({ ...engine.stats(), receivers: receivers.stats() }) },
    });
    await api.listen({ host: opts.host, port: opts.port });
    closers.unshift(() => api.close());
    const addr = api.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : opts.port;
    const shownHost = opts.host === '0.0.0.0' || opts.host === '::' ? 'localhost' : opts.host.includes(':') ? `[${opts.host}]` : opts.host;

    return {
      url: `http://${shownHost}:${port}/`,
      engine,
      store,
      tree: () => tree,
      async reload() {
        if (!opts.configPath) return { ok: false, messages: ['no configuration file to reload (running the demo hospital)'] };
        const next = await loadConfigFile(opts.configPath);
        if (!next.ok) {
          const messages = [...next.errors.map(formatConfigError), `${opts.configPath} is invalid: the running configuration stays in force`];
          for (const m of messages) opts.log(m);
          return { ok: false, messages };
        }
        await readSecrets(next.tree);
        await engine.apply(next.tree);
        tree = next.tree;
        devicesByHost = hostIndex(tree);
        if (JSON.stringify(receiversOf(next.document)) !== JSON.stringify(receiversOf(initial.document))) opts.log('receivers: listener changes take effect at the next start');
        const version = await store.saveConfig(next.document, opts.configPath, clock.now());
        const messages = [...next.warnings.map((w) => `config: ${w}`), `${opts.configPath}: configuration v${version} applied`];
        for (const m of messages) opts.log(m);
        return { ok: true, messages };
      },
      async close() {
        for (const c of closers) await c();
        await store.close();
      },
    };
  } catch (e) {
    for (const c of closers) await c().catch(() => undefined);
    await store.close();
    throw e;
  }
}

function hostIndex(tree: Tree): Map<string, string> {
  const m = new Map<string, string>();
  for (const n of tree.nodes.values()) if (n.type === 'device' && !m.has(n.host)) m.set(n.host, n.id);
  return m;
}

/** The validated document's receivers section (the loader has checked it against the same schema). */
function receiversOf(document: unknown) {
  const section = (document as { receivers?: unknown } | null)?.receivers;
  return section === undefined ? undefined : receiversSchema.parse(section);
}
