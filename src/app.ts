// The composition root: reads the configuration (or builds the demo hospital), opens the store,
// builds the engine and the API, wires them, and starts. Only this file knows every part.

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Clock } from './core/clock.ts';
import type { Tree } from './core/tree.ts';
import { formatConfigError, loadConfigFile, parseConfig, type ConfigResult } from './config/load.ts';
import { loadSecrets } from './config/secrets.ts';
import { Engine } from './engine/engine.ts';
import { buildApi } from './api/server.ts';
import { createAuthServices, type AuthServices } from './api/auth/index.ts';
import { LiveHub } from './api/services.ts';
import { setupHttps } from './api/tls.ts';
import { createConfigService } from './config/edit/service.ts';
import { alertingSchema, type AlertingConfig } from './alerting/config.ts';
import { feedSourcesOf } from './security/config.ts';
import { deliveryFailedMessage, startDelivery, type Delivery } from './alerting/delivery/index.ts';
import { startAlerting, type Alerting } from './alerting/start.ts';
import { loadOrCreateAckKey, openAlertStore } from './alerting/store.ts';
import { SecurityPart } from './security/part.ts';
import type { NatsLinkOptions } from './cluster/connect.ts';
import { startClusterCore, type ClusterCore } from './cluster/core.ts';
import type { SensorStatus, StateEvent, TimedReading } from './core/model.ts';
import { createInbox } from './receivers/inbox.ts';
import { receiversSchema } from './receivers/config.ts';
import { startReceivers, type RunningReceivers } from './receivers/start.ts';
import { sensorKind } from './sensors/registry.ts';
import type { Credential } from './sensors/sensor.ts';
import { systemClock } from './shared/clock.ts';
import { startDemoHospital, type DemoHospital } from './sim/demo.ts';
import { openStore, type AnyStore } from './store/open.ts';
import { openPauseStore } from './store/pauses.ts';
import { probeRoutes } from './api/routes/probes.ts';

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
  /** The console's address as users reach it (behind a reverse proxy), for links in notifications. */
  readonly publicUrl?: string;
  /** Reverse proxies (addresses, CIDR ranges, "loopback") whose X-Forwarded-For is believed. */
  readonly trustProxy?: readonly string[];
  /** Remote probes: the NATS server (and credentials) the core's ingest and the probes use; none runs without it. */
  readonly nats?: NatsLinkOptions;
  /** Environment given to notification command hooks (PATH, LANG...); the CLI passes what it allows. */
  readonly hookEnv?: Readonly<Record<string, string>>;
  /** Plain HTTP, for running behind a TLS-terminating proxy; HTTPS (self-signed unless configured) otherwise. */
  readonly insecureHttp?: boolean;
  /** A configured certificate and key (PEM); without them a self-signed one is generated in dataDir/tls. */
  readonly tlsCertFile?: string;
  readonly tlsKeyFile?: string;
}

export interface ReloadResult {
  readonly ok: boolean;
  readonly messages: readonly string[];
}

export interface App {
  readonly url: string;
  readonly engine: Engine;
  readonly store: AnyStore;
  /** Users, tokens and the audit trail (tests make tokens with src/api/auth/testing.ts). */
  readonly auth: AuthServices;
  /** The remote-probe link (approval, health), when NATS is configured. */
  readonly cluster: ClusterCore | undefined;
  /** The one-time first-administrator link while no user exists. */
  readonly setupUrl: string | undefined;
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
    const initialVersion = await store.saveConfig(initial.document, opts.configPath ?? 'demo', clock.now());
    const inbox = createInbox((topic, e) => opts.log(`inbox: a subscriber of ${topic} failed: ${String(e)}`));
    // The live stream of the API (SSE) is fed from the engine's state changes and readings, and from alerting's alert changes.
    const live = new LiveHub();
    // Alerting and the security part hear every state change; they start after the engine.
    const late: { alerting?: Alerting; security?: SecurityPart; consoleUrl?: string } = {};
    const engine = new Engine({
      clock,
      kindOf: sensorKind,
      writer: store,
      states: store,
      inbox,
      credentialOf: (name) => credentials.get(name),
      onError: (err, what) => opts.log(`engine: ${what}: ${err instanceof Error ? err.message : String(err)}`),
      onStateChange: (event, status) => {
        stateChanged(event, status);
        // Probes whose sensors depend on a sensor of the core hear of its change.
        cluster?.localStateChanged(event.sensorId);
      },
      onReading: (reading) => readingArrived(reading),
    });
    // Local and remote sensors (readings from remote probes come in over NATS) go the same way.
    function stateChanged(event: StateEvent, status: SensorStatus): void {
      live.publish({ type: 'state', event, status });
      late.alerting?.onStateChange(event, status);
      late.security?.onStateChange(event);
    }
    function readingArrived(reading: TimedReading): void {
      live.publish({ type: 'reading', reading });
      late.alerting?.onReading(reading);
    }
    // With NATS configured, approved remote probes run their subtrees; the core's engine runs the rest.
    let cluster: ClusterCore | undefined;
    if (opts.nats) {
      cluster = await startClusterCore({
        link: opts.nats,
        store,
        tree: () => tree,
        log: opts.log,
        clock,
        credentialOf: (n) => credentials.get(n),
        onStateChange: stateChanged,
        // Dependencies across the core/probe boundary: remote masters' statuses reach the engine.
        engine,
        onReading: readingArrived,
        onAssignmentsChanged: () => void engine.apply(cluster ? cluster.localTree(tree) : tree).catch((e: unknown) => opts.log(`cluster: re-applying the local tree failed: ${String(e)}`)),
      });
      const c = cluster;
      closers.unshift(() => c.close());
    }
    const statusOf = (id: string): SensorStatus | undefined => engine.status(id) ?? cluster?.statusOf(id);
    const allStatuses = (): ReadonlyMap<string, SensorStatus> => {
      const local = engine.statuses();
      if (!cluster) return local;
      const all = new Map(local);
      for (const n of tree.nodes.values()) {
        if (n.type !== 'sensor' || all.has(n.id)) continue;
        const st = cluster.statusOf(n.id);
        if (st) all.set(n.id, st);
      }
      return all;
    };
    await engine.apply(cluster ? cluster.localTree(tree) : tree);
    await engine.start();
    closers.unshift(() => engine.stop());

    const tls = opts.insecureHttp
      ? undefined
      : await setupHttps({ dir: join(opts.dataDir, 'tls'), ...(opts.tlsCertFile !== undefined ? { certFile: opts.tlsCertFile } : {}), ...(opts.tlsKeyFile !== undefined ? { keyFile: opts.tlsKeyFile } : {}), now: () => clock.now() });
    if (tls?.generated) opts.log(`generated a self-signed certificate ${tls.certFile} (SHA-256 ${tls.fingerprint256}, valid to ${tls.validTo}): browsers will ask to trust it; configure your own with --tls-cert/--tls-key`);
    // Links in notifications point at the console: the public URL when given (behind a proxy), else
    // the listen address, known before listening unless the port is chosen by the system.
    const shownHost = opts.host === '0.0.0.0' || opts.host === '::' ? 'localhost' : opts.host.includes(':') ? `[${opts.host}]` : opts.host;
    const scheme = tls ? 'https' : 'http';
    if (opts.publicUrl !== undefined) late.consoleUrl = opts.publicUrl.replace(/\/+$/, '');
    else if (opts.port !== 0) late.consoleUrl = `${scheme}://${shownHost}:${opts.port}`;

    // Notifications: decided by alerting, kept in the durable queue of the store, sent by delivery.
    // A notification that finally fails becomes a visible message (receiver "alerting").
    let alertingConfig = alertingOf(initial.document);
    const delivery: Delivery = await startDelivery({
      store,
      channels: alertingConfig.channels,
      secret: (name) => credentials.get(name)?.values.value,
      clock,
      log: opts.log,
      ...(opts.hookEnv ? { hookEnv: opts.hookEnv } : {}),
      onDeliveryFailed: (f) => store.appendMessages([deliveryFailedMessage(f, clock.now())]),
    });
    closers.unshift(() => delivery.close());
    const running: Alerting = await startAlerting({
      clock,
      tree,
      config: alertingConfig,
      store: await openAlertStore(store),
      queue: delivery,
      // The "unusual" trigger learns each channel's usual range from the hourly rollups.
      history: store,
      statusOf,
      consoleUrl: () => late.consoleUrl,
      ackKey: await loadOrCreateAckKey(join(opts.dataDir, 'alerting-ack.key')),
      onAcknowledge: (id, by, note) => void engine.acknowledge(id, by, note),
      onChange: (c) => live.publish({ type: 'alert', ...c }),
      log: (_level, m) => opts.log(`alerting: ${m}`),
    });
    late.alerting = running;
    closers.unshift(() => running.close());

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
      // Delivered notifications and their attempts are kept 90 days; expired sessions go at once.
      Promise.all([store.applyRetention(clock.now()), delivery.store.purge(clock.now() - 90 * 86_400_000), auth.purgeExpiredSessions()])
        .then(([n]) => n > 0 && opts.log(`retention: removed ${n} rows past their retention`))
        .catch((e: unknown) => opts.log(`retention failed: ${e instanceof Error ? e.message : String(e)}`))
        .finally(() => {
          if (!closing) retentionTimer = clock.setTimeout(retention, RETENTION_EVERY_MS);
        });
    }, 60_000);
    closers.unshift(async () => {
      closing = true;
      clock.clearTimeout(retentionTimer);
    });

    // The API: one configuration model (API edits, imports and reloads go through the config
    // service, which writes the file back), auth with a one-time setup link, HTTPS by default.
    const config = createConfigService({
      initial: { version: initialVersion, document: initial.document, tree, source: opts.configPath ?? 'demo' },
      store,
      apply: async (next, document) => {
        await readSecrets(next);
        await engine.apply(cluster ? cluster.localTree(next) : next);
        tree = next;
        devicesByHost = hostIndex(next);
        running.updateTree(next);
        await cluster?.configChanged();
        alertingConfig = alertingOf(document);
        running.updateConfig(alertingConfig);
        delivery.setChannels(alertingConfig.channels);
      },
      ...(opts.configPath ? { filePath: opts.configPath } : {}),
      now: () => clock.now(),
      log: opts.log,
    });
    const auth = await createAuthServices({
      store,
      keyFile: join(opts.dataDir, 'wardwatch.key'),
      clock,
      secureCookie: tls !== undefined,
      log: opts.log,
      trustProxy: opts.trustProxy ?? [],
      // The audit chain's head, also in the log: a copy outside the data directory for tamper evidence.
      auditAnchor: { sink: (a) => opts.log(`audit anchor: row ${a.seq} ${a.hash}`) },
    });
    // Security posture: inventory, feeds, findings; new KEV/critical findings go through alerting.
    const securityPart = await SecurityPart.open({
      store,
      clock,
      tree: () => tree,
      status: statusOf,
      audit: auth.audit,
      notify: (n) => running.service.securityFinding(n),
      // Feeds from URLs on a schedule (the `security:` section); files can always be imported.
      feeds: feedSourcesOf(initial.document),
      log: opts.log,
    });
    late.security = securityPart;
    closers.unshift(() => securityPart.close());
    const api = await buildApi(
      {
        version: VERSION,
        clock,
        history: store,
        events: store,
        messages: store,
        inbox,
        config,
        auth,
        live,
        alerting: running.service,
        notifications: delivery,
        pauses: await openPauseStore(store),
        monitor: {
          tree: () => tree,
          status: statusOf,
          statuses: () => allStatuses(),
          kindOf: sensorKind,
          health: () => ({ ...engine.stats(), receivers: receivers.stats() }),
          checkNow: (id) => engine.checkNow(id),
          acknowledge: (id, by, note) => engine.acknowledge(id, by, note),
        },
      },
      { ...(tls ? { https: tls.https } : {}), extraRoutes: [(_app, routes) => securityPart.routes(routes), (_app, routes) => probeRoutes(routes, { cluster, auth })] },
    );
    await api.listen({ host: opts.host, port: opts.port });
    closers.unshift(() => api.close());
    const addr = api.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : opts.port;
    const url = `${scheme}://${shownHost}:${port}/`;
    late.consoleUrl ??= url.replace(/\/$/, '');
    const setupUrl = auth.setupToken !== undefined ? `${url}setup?token=${auth.setupToken}` : undefined;
    if (setupUrl !== undefined) opts.log(`no user exists yet: create the first administrator at ${setupUrl} (one-time link)`);

    return {
      url,
      engine,
      store,
      auth,
      cluster,
      setupUrl,
      tree: () => tree,
      async reload() {
        if (!opts.configPath) return { ok: false, messages: ['no configuration file to reload (running the demo hospital)'] };
        const next = await config.reload();
        if (!next.ok) {
          const messages = [...next.errors.map(formatConfigError), `${opts.configPath} is invalid: the running configuration stays in force`];
          for (const m of messages) opts.log(m);
          return { ok: false, messages };
        }
        if (JSON.stringify(receiversOf(next.config.document)) !== JSON.stringify(receiversOf(initial.document))) opts.log('receivers: listener changes take effect at the next start');
        if (JSON.stringify(feedSourcesOf(next.config.document)) !== JSON.stringify(feedSourcesOf(initial.document))) opts.log('security: feed URL changes take effect at the next start');
        const messages = [...next.warnings.map((w) => `config: ${w}`), `${opts.configPath}: configuration v${next.config.version} applied`];
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

/** The validated document's alerting section (the loader has checked it against the same schema); empty when absent. */
function alertingOf(document: unknown): AlertingConfig {
  return alertingSchema.parse((document as { alerting?: unknown } | null)?.alerting ?? {});
}
