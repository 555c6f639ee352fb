// A remote probe: the same Engine and sensor kinds as the core, fed with the subtree the core
// assigns to it over NATS, writing into an on-disk outbox that a Sender delivers to JetStream.
// It starts with the last configuration it received, so it keeps monitoring while the core or the
// NATS server is away, and it gets no work before an administrator approved it on the core.
// Masters outside its subtree (on the core, on other probes) are known from the statuses the core sends.

import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Events, type NatsConnection, type Subscription } from 'nats';
import type { Clock, TimerHandle } from '../core/clock.ts';
import { emptyTree } from '../core/tree.ts';
import { Engine } from '../engine/engine.ts';
import { createInbox } from '../receivers/inbox.ts';
import { sensorKind } from '../sensors/registry.ts';
import type { AnySensorKind, Credential } from '../sensors/sensor.ts';
import { systemClock } from '../shared/clock.ts';
import { connectionOptions, connectOnce, NatsRefusedError, type NatsLinkOptions } from './connect.ts';
import { FileQueue } from './file-queue.ts';
import { Outbox } from './outbox.ts';
import { fetchConfig } from './config-transfer.ts';
import { MasterStatuses } from './master-statuses.ts';
import { asHelloAnswer, asMastersMessage, asProbeConfig, parseJson, type Hello, type HelloAnswer, type ProbeHeartbeat } from './protocol.ts';
import { Sender } from './sender.ts';
import { ProbeReceivers } from './probe-receivers.ts';
import type { ReceiversConfig } from '../receivers/config.ts';
import { checkProbeName, subjects } from './subjects.ts';
import { treeFromJson, type ProbeConfig } from './tree-wire.ts';

export interface ProbeOptions {
  readonly name: string;
  readonly link: NatsLinkOptions;
  readonly dataDir: string;
  readonly log: (line: string) => void;
  readonly clock?: Clock;
  readonly kindOf?: (kind: string) => AnySensorKind | undefined;
  /** Heartbeat with health figures to the core (default 10 s). */
  readonly healthIntervalMs?: number;
  /**
   * How long a master's status sent by the core counts (default 5 heartbeat intervals; the core
   * resends them every heartbeat): older, it is unknown, so a stale Down stops suppressing alerts.
   */
  readonly masterMaxAgeMs?: number;
  /** Hello again while pending or while the core does not answer (default 15 s). */
  readonly helloRetryMs?: number;
  /** Wait between attempts while the NATS server is unreachable (default 2 s). */
  readonly reconnectMs?: number;
  readonly outbox?: { readonly maxBytes?: number; readonly fsync?: 'always' | 'never'; readonly maxMessageBytes?: number };
  readonly flushIntervalMs?: number;
  readonly version?: string;
  /** Where this probe's receivers listen (syslog, SNMP traps), started for the sensors that need them. */
  readonly receivers?: ReceiversConfig;
  /** Where push sensors' devices POST/GET /api/push/<token> on this probe. */
  readonly push?: { readonly host: string; readonly port: number };
}

export type ProbeApprovalSeen = 'unknown' | 'pending' | 'approved' | 'rejected';

export interface RunningProbe {
  readonly engine: Engine;
  readonly queue: FileQueue;
  readonly sender: Sender;
  connected(): boolean;
  approval(): ProbeApprovalSeen;
  config(): ProbeConfig | undefined;
  /** Where the probe's receivers listen now. */
  receiverAddresses(): readonly string[];
  close(): Promise<void>;
}

/** Starts a probe; rejects with NatsRefusedError when the server refuses its credentials. */
export async function startProbe(opts: ProbeOptions): Promise<RunningProbe> {
  const name = checkProbeName(opts.name);
  // Bad files or URLs are the operator's to fix: refuse to start rather than retry for ever.
  connectionOptions(opts.link, {});
  const clock = opts.clock ?? systemClock;
  mkdirSync(opts.dataDir, { recursive: true });
  const configFile = join(opts.dataDir, 'config.json');
  const queue = new FileQueue({
    dir: join(opts.dataDir, 'outbox'),
    ...(opts.outbox?.maxBytes !== undefined ? { maxBytes: opts.outbox.maxBytes } : {}),
    ...(opts.outbox?.fsync !== undefined ? { fsync: opts.outbox.fsync } : {}),
    onDrop: (n, bytes) => opts.log(`outbox full: dropped the ${n} oldest undelivered messages (${bytes} bytes) to stay within its bound`),
  });
  const sender = new Sender({ probe: name, queue, onError: (e) => opts.log(`delivery to JetStream failed, will retry: ${(e as Error).message}`) });
  const outbox = new Outbox({ probe: name, queue, clock, dataDir: opts.dataDir, onAppend: () => sender.kick(), ...(opts.outbox?.maxMessageBytes !== undefined ? { maxMessageBytes: opts.outbox.maxMessageBytes } : {}) });
  let credentials = new Map<string, Credential>();
  const inbox = createInbox((topic, e) => opts.log(`inbox: a subscriber of ${topic} failed: ${String(e)}`));
  const receivers = new ProbeReceivers({ config: opts.receivers, messages: outbox, inbox, log: opts.log, now: () => clock.now(), ...(opts.push ? { push: opts.push } : {}) });
  const engine: Engine = new Engine({
    clock,
    kindOf: opts.kindOf ?? sensorKind,
    writer: outbox,
    states: outbox,
    inbox,
    credentialOf: (n) => credentials.get(n),
    onStateChange: (e, s) => outbox.noteEvent(e, s),
    onReading: (r) => outbox.noteReading(r, engine.status(r.sensorId)),
    onError: (err, what) => opts.log(`engine: ${what}: ${err instanceof Error ? err.message : String(err)}`),
    probeId: name,
    ...(opts.flushIntervalMs !== undefined ? { flushIntervalMs: opts.flushIntervalMs } : {}),
  });

  const masterMaxAgeMs = opts.masterMaxAgeMs ?? 5 * (opts.healthIntervalMs ?? 10_000);
  const masters = new MasterStatuses({
    clock,
    maxAgeMs: masterMaxAgeMs,
    onChanged: (id) => engine.externalChanged(id),
    onAged: (ids) => opts.log(`no news from the core for ${masterMaxAgeMs / 1000} s of ${ids.length} master sensor(s) outside this probe (${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ', ...' : ''}): their status counts as unknown, so they pause nothing`),
  });
  engine.setExternalStatuses((id) => masters.statusOf(id));

  let current: ProbeConfig | undefined;
  let approval: ProbeApprovalSeen = 'unknown';
  const apply = async (cfg: ProbeConfig | undefined, persist: boolean) => {
    if (cfg?.fingerprint === current?.fingerprint && cfg !== undefined) return;
    if (persist) {
      if (cfg) {
        const tmp = `${configFile}.tmp`;
        writeFileSync(tmp, JSON.stringify(cfg), { mode: 0o600 });
        renameSync(tmp, configFile);
      } else rmSync(configFile, { force: true });
    }
    current = cfg;
    credentials = new Map((cfg?.credentials ?? []).map((c) => [c.name, c]));
    const tree = cfg ? treeFromJson(cfg.tree) : emptyTree();
    await engine.apply(tree);
    await receivers.apply(tree);
  };

  // The last configuration received: monitoring starts before (and without) the core.
  if (existsSync(configFile)) {
    try {
      const saved = asProbeConfig(JSON.parse(readFileSync(configFile, 'utf8')) as unknown, configFile);
      await apply(saved, false);
      approval = 'approved';
      opts.log(`starting with the configuration last received from the core (${engine.statuses().size} sensors)`);
    } catch (err) {
      opts.log(`${configFile} is unreadable (${(err as Error).message}): waiting for the core's configuration`);
    }
  }
  await engine.start();

  let nc: NatsConnection | undefined;
  let linkUp = false;
  let closing = false;
  let helloTimer: TimerHandle | undefined;
  let healthTimer: TimerHandle | undefined;
  let lastCpu = process.cpuUsage();
  let lastCpuAt = clock.monotonic();

  const onAnswer = async (a: HelloAnswer) => {
    const before = approval;
    approval = a.approval;
    if (a.approval === 'approved') {
      if (a.problem) opts.log(`core: ${a.problem}`);
      if (a.config && a.config.fingerprint !== current?.fingerprint && nc) {
        try {
          await apply(await fetchConfig(nc, name, a.config), true);
        } catch (err) {
          opts.log(`fetching the configuration failed (${(err as Error).message}): running the one before, asking again`);
          approval = before === 'approved' ? 'approved' : 'unknown';
          retryHello();
          return;
        }
      }
      if (before !== 'approved') opts.log(`approved by the core: running ${engine.statuses().size} sensors`);
    } else if (a.approval === 'rejected') {
      if (before !== 'rejected') opts.log(`the core rejected probe ${name}: no sensors run until an administrator approves it`);
      await apply(undefined, true);
    } else if (before !== 'pending') {
      opts.log(`probe ${name} is pending approval on the core: it gets no sensors until an administrator approves it`);
    }
  };

  const retryHello = () => {
    if (closing || helloTimer !== undefined) return;
    helloTimer = clock.setTimeout(() => void hello(), opts.helloRetryMs ?? 15_000);
  };

  const hello = async () => {
    if (helloTimer !== undefined) clock.clearTimeout(helloTimer);
    helloTimer = undefined;
    const conn = nc;
    if (!conn || closing) return;
    const body: Hello = { version: opts.version ?? 'dev', at: clock.now() };
    try {
      const reply = await conn.request(subjects.hello(name), JSON.stringify(body), { timeout: 5000 });
      await onAnswer(asHelloAnswer(parseJson(reply.data, 'hello answer'), 'hello answer'));
    } catch (err) {
      opts.log(`the core did not answer (${(err as Error).message}): running the last configuration and asking again`);
      retryHello();
      return;
    }
    if (approval !== 'approved') retryHello();
  };

  const heartbeat = () => {
    healthTimer = undefined;
    if (closing) return;
    const conn = nc;
    if (conn && !conn.isClosed()) {
      const cpu = process.cpuUsage(lastCpu);
      const now = clock.monotonic();
      const cpuPct = now > lastCpuAt ? Math.round(((cpu.user + cpu.system) / 1000 / (now - lastCpuAt)) * 1000) / 10 : 0;
      lastCpu = process.cpuUsage();
      lastCpuAt = now;
      const hb: ProbeHeartbeat = {
        at: clock.now(),
        bufferDepth: queue.depth,
        bufferBytes: queue.bytes,
        bufferDropped: queue.dropped,
        cpuPct,
        stats: engine.stats(),
        ...(current ? { configFingerprint: current.fingerprint } : {}),
      };
      try {
        conn.publish(subjects.health(name), JSON.stringify(hb));
      } catch {
        // Disconnected right now: the next heartbeat goes when the link is back.
      }
    }
    healthTimer = clock.setTimeout(heartbeat, opts.healthIntervalMs ?? 10_000);
  };

  let configSub: Subscription | undefined;
  const onConnected = (conn: NatsConnection) => {
    nc = conn;
    linkUp = true;
    sender.attach(conn.jetstream());
    configSub = conn.subscribe(subjects.config(name), {
      callback: (err, msg) => {
        if (err) return;
        try {
          const what = `message on ${msg.subject}`;
          const v = parseJson(msg.data, what);
          const m = asMastersMessage(v, what);
          if (m) masters.receive(m.masters);
          else void onAnswer(asHelloAnswer(v, what));
        } catch (e) {
          opts.log(`ignored a bad configuration message: ${(e as Error).message}`);
        }
      },
    });
    void hello();
    if (healthTimer === undefined) heartbeat();
    void (async () => {
      for await (const s of conn.status()) {
        if (s.type === Events.Disconnect) {
          linkUp = false;
          sender.detach();
          opts.log(`lost the link to NATS: checks go on, readings wait in the outbox`);
        } else if (s.type === Events.Reconnect) {
          linkUp = true;
          sender.attach(conn.jetstream());
          opts.log(`link to NATS back: delivering ${queue.depth} waiting messages`);
          void hello();
        }
      }
    })();
  };

  const extra = { name: `wardwatch-probe-${name}`, inboxPrefix: subjects.inboxPrefix(name), reconnectTimeWait: opts.reconnectMs ?? 2000, pingInterval: 10_000 };
  let connecting: Promise<void> | undefined;
  let stopWaiting = () => undefined as void;
  try {
    onConnected(await connectOnce(opts.link, `probe ${name}`, extra));
  } catch (err) {
    if (err instanceof NatsRefusedError) {
      masters.stop();
      await receivers.close();
      await engine.stop();
      queue.close();
      throw err;
    }
    opts.log(`NATS at ${opts.link.url} is unreachable (${(err as Error).message}): monitoring with the last configuration, readings wait in the outbox`);
    connecting = (async () => {
      while (!closing && !nc) {
        await new Promise<void>((r) => {
          const t = setTimeout(r, opts.reconnectMs ?? 2000);
          stopWaiting = () => {
            clearTimeout(t);
            r();
          };
        });
        if (closing) return;
        try {
          onConnected(await connectOnce(opts.link, `probe ${name}`, extra));
          opts.log(`connected to NATS at ${opts.link.url}: delivering ${queue.depth} waiting messages`);
        } catch (e) {
          opts.log(e instanceof NatsRefusedError ? e.message : `NATS at ${opts.link.url} still unreachable: ${(e as Error).message}`);
        }
      }
    })();
  }

  return {
    engine,
    queue,
    sender,
    connected: () => linkUp && nc !== undefined && !nc.isClosed(),
    approval: () => approval,
    config: () => current,
    receiverAddresses: () => receivers.addresses(),
    async close() {
      closing = true;
      stopWaiting();
      if (helloTimer !== undefined) clock.clearTimeout(helloTimer);
      if (healthTimer !== undefined) clock.clearTimeout(healthTimer);
      masters.stop();
      // Receivers first: what they took in last goes into the outbox with the engine's last flush.
      await receivers.close();
      await engine.stop();
      // Give what the engine wrote last a chance to go out before the connection closes.
      if (nc && !nc.isClosed()) await drainOutbox(queue, sender, 3000);
      await sender.stop();
      configSub?.unsubscribe();
      await nc?.close().catch(() => undefined);
      await connecting;
      queue.close();
    },
  };
}

/** Waits until the outbox is empty or the time is up (shutdown only). */
async function drainOutbox(queue: FileQueue, sender: Sender, ms: number): Promise<void> {
  const until = Date.now() + ms;
  sender.kick();
  while (queue.depth > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
}
