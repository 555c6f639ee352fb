// The core's end of the cluster link, for app.ts: makes sure the streams and the shared consumer
// exist (streams.ts), answers probes' hellos (pending until approved, then their subtree of the tree),
// pushes configuration changes, ingests readings into the store, and tracks probe health so that
// alerting and the live API see remote sensors like local ones. Dependencies that cross the
// boundary go through master-feed.ts. Without NATS configured, app.ts does not call this.

import type { Subscription } from 'nats';
import type { Clock } from '../core/clock.ts';
import type { SensorStatus, StateEvent, TimedReading } from '../core/model.ts';
import type { Tree } from '../core/tree.ts';
import type { Credential } from '../sensors/sensor.ts';
import { systemClock } from '../shared/clock.ts';
import type { AnyStore } from '../store/open.ts';
import { fromStored } from '../engine/tracker.ts';
import type { Engine } from '../engine/engine.ts';
import { MasterFeed } from './master-feed.ts';
import { connectOnce, type NatsLinkOptions } from './connect.ts';
import { Ingest, type IngestStats } from './ingest.ts';
import { AppliedFeed, publishApplied, type AppliedFeedStats } from './fanout.ts';
import { Assignments } from './assignments.ts';
import { ensureStreams } from './streams.ts';
import { answerChunk } from './config-transfer.ts';
import { asChunkRequest, asHeartbeat, parseJson, type HelloAnswer } from './protocol.ts';
import { openClusterTables, type ProbeRecord, type ProbeRegistry } from './registry.ts';
import { probeOfSubject, subjects } from './subjects.ts';
import { findProbeNode, withoutProbes } from './tree-wire.ts';
import { ProbeWatch, type ProbeHealth } from './watch.ts';
import { ProbeHealthWriter } from './health-readings.ts';
import { encodeEnvelope } from './wire.ts';

export interface ClusterCoreOptions {
  readonly link: NatsLinkOptions;
  readonly store: AnyStore;
  readonly tree: () => Tree;
  readonly log: (line: string) => void;
  readonly clock?: Clock;
  /** Secrets of credential sets, sent to the probe whose sensors name them. */
  readonly credentialOf?: (name: string) => Credential | undefined;
  readonly onStateChange?: (e: StateEvent, status: SensorStatus) => void;
  /**
   * The core's own engine (running localTree()): its statuses go to the probes whose sensors depend
   * on them (call localStateChanged on its state changes), and remote masters' statuses come to it.
   */
  readonly engine?: Pick<Engine, 'status' | 'setExternalStatuses' | 'externalChanged'>;
  readonly onReading?: (r: TimedReading) => void;
  /** Which probe nodes run remotely changed (a probe approved or rejected): re-apply localTree() to the core's engine. */
  readonly onAssignmentsChanged?: () => void;
  /** Heartbeat interval the probes use (default 10 s); disconnected after 3 missed. */
  readonly heartbeatMs?: number;
  /** How long JetStream keeps readings no core has taken yet (default 7 days). */
  readonly streamMaxAgeMs?: number;
  /** Window within which a probe's resend is recognised and dropped by JetStream (default 1 h). */
  readonly duplicateWindowMs?: number;
  readonly ingestBatch?: number;
  /**
   * How long JetStream waits for a core's acknowledgement before it redelivers to another (default
   * 60 s): how soon readings a crashed core had taken are ingested by the others.
   */
  readonly ackWaitMs?: number;
  /** How long JetStream keeps what the cores applied: how long a core may be cut off and still catch up (default 1 h). */
  readonly appliedMaxAgeMs?: number;
  /** Take readings from the shared consumer (default true); false: this core only follows what the others apply. */
  readonly ingest?: boolean;
}

export interface ClusterCore {
  readonly registry: ProbeRegistry;
  /** Status of a remote sensor (with the disconnected overlay); undefined for sensors not run remotely. */
  statusOf(sensorId: string): SensorStatus | undefined;
  /** The tree without the subtrees run by approved remote probes: what the core's own engine runs. */
  localTree(tree: Tree): Tree;
  /** Probe node ids run by approved remote probes. */
  remoteProbeNodes(): string[];
  health(name: string): ProbeHealth | undefined;
  /** Approves (or rejects) a probe and pushes its configuration (or an empty one) at once. */
  approve(name: string, by: string): Promise<ProbeRecord>;
  reject(name: string, by: string): Promise<ProbeRecord>;
  /** The tree changed: send every approved probe its new subtree. */
  configChanged(): Promise<void>;
  /** A sensor of the core's own engine changed state: tell the probes whose sensors depend on it. */
  localStateChanged(sensorId: string): void;
  ingestStats(): IngestStats;
  /** Check-to-stored lag samples of ingested values, ms. */
  lagSamples(): readonly number[];
  /** What this core has read of the applied stream (every core's applies, its own included). */
  appliedStats(): AppliedFeedStats;
  close(): Promise<void>;
}

export async function startClusterCore(opts: ClusterCoreOptions): Promise<ClusterCore> {
  const clock = opts.clock ?? systemClock;
  const tables = await openClusterTables(opts.store);
  const nc = await connectOnce(opts.link, 'the Wardwatch core', { name: 'wardwatch-core', reconnectTimeWait: 1000 });
  const subs: Subscription[] = [];
  let ingest: Ingest | undefined;
  let following: AppliedFeed | undefined;
  let watch: ProbeWatch | undefined;
  try {
    const appliedFrom = await ensureStreams(nc, opts);

    // Approved probes, cached: the hot path (every readings row) asks whether a sensor is the probe's.
    const approved = new Set((await tables.list()).filter((p) => p.approval === 'approved').map((p) => p.name));
    const assignments = new Assignments(opts.tree, opts.credentialOf);
    const assignment = (probe: string) => assignments.of(probe);
    const configFor = (probe: string) => assignments.configFor(probe);

    // A remote sensor's status for its dependents: unknown (never Down) while its probe is
    // disconnected, except the probe-health sensors, whose Down the core itself decides.
    const remoteStatus = (id: string): SensorStatus | undefined => {
      for (const p of approved) {
        const a = assignment(p);
        if (!a.sensors.has(id)) continue;
        return watch?.health(p)?.connected === false && !a.healthSensors.has(id) ? undefined : watch?.statusOf(id);
      }
      return undefined;
    };
    const runs = (probe: string): ReadonlySet<string> => {
      const a = assignment(probe);
      return a.healthSensors.size === 0 ? a.sensors : new Set([...a.sensors].filter((id) => !a.healthSensors.has(id)));
    };
    const feed = new MasterFeed({
      clock,
      tree: opts.tree,
      probes: () => approved,
      runs,
      statusOf: (id) => opts.engine?.status(id) ?? remoteStatus(id),
      send: (probe, m) => nc.publish(subjects.config(probe), JSON.stringify(m)),
      refreshMs: opts.heartbeatMs ?? 10_000,
    });

    const onStateChange = (e: StateEvent, s: SensorStatus) => {
      try {
        opts.onStateChange?.(e, s);
      } catch (err) {
        opts.log(`cluster: onStateChange failed: ${(err as Error).message}`);
      }
      // A remote master changed: the core's dependents and the probes' hear of it.
      opts.engine?.externalChanged(e.sensorId);
      feed.changed(e.sensorId);
    };
    // The probes' health sensors are written by the core from heartbeats, through the readings stream.
    const js = nc.jetstream();
    const writer = new ProbeHealthWriter({
      clock,
      sensorsOf: (probe) => assignment(probe).health,
      statusOf: (id) => watch?.statusOf(id),
      publish: async (probe, msgID, env) => {
        await js.publish(subjects.readings(probe), encodeEnvelope(env), { msgID });
      },
      loadStatuses: async (ids) => {
        const want = new Set(ids);
        return new Map((await opts.store.loadStates()).filter((x) => want.has(x.sensorId)).map((x) => [x.sensorId, fromStored(x)]));
      },
      log: opts.log,
    });
    const w = new ProbeWatch({
      clock,
      onDisconnect: (probe, since) => writer.disconnected(probe, since),
      heartbeatMs: opts.heartbeatMs ?? 10_000,
      sensorsOf: (probe) => {
        const a = assignment(probe);
        return { sensors: a.sensors, healthSensors: a.healthSensors };
      },
      onEvents: (list) => {
        // Made up by the core (disconnect / reconnect): stored like any state change, in one write.
        opts.store.appendEvents(list.map((x) => x.e)).catch((err: unknown) => opts.log(`cluster: storing "${list[0]?.e.reason}" for ${list.length} sensors failed: ${(err as Error).message}`));
        for (const { e, s } of list) onStateChange(e, s);
      },
    });
    watch = w;
    opts.engine?.setExternalStatuses((id) => feed.resolve(id));
    // Every approved probe is given the benefit of the doubt at start: silent for three heartbeats, it
    // counts as disconnected. Statuses the store kept from before a restart show remote sensors at once.
    for (const s of await opts.store.loadStates()) {
      for (const probe of approved) if (assignment(probe).sensors.has(s.sensorId)) w.report(probe, s.sensorId, fromStored(s));
    }
    for (const probe of approved) w.alive(probe);

    const reply = (probe: string, answer: HelloAnswer, to?: string) => {
      const data = JSON.stringify(answer);
      if (to) nc.publish(to, data);
      else nc.publish(subjects.config(probe), data);
    };

    /** Approved through another core (or `wardwatch probes approve`) since this one looked: follow the table. */
    const followTable = async (probe: string): Promise<boolean> => {
      if (approved.has(probe)) return true;
      if ((await tables.get(probe))?.approval !== 'approved') return false;
      if (!approved.has(probe)) {
        approved.add(probe);
        opts.onAssignmentsChanged?.();
      }
      return true;
    };

    // One core answers each hello (queue group); every core tracks heartbeats for its own statusOf.
    subs.push(
      nc.subscribe(subjects.helloWildcard, {
        queue: 'wardwatch-core',
        callback: (err, msg) => {
          if (err) return;
          const probe = probeOfSubject(msg.subject);
          if (!probe || !msg.reply) return;
          const to = msg.reply;
          void (async () => {
            try {
              const rec = await tables.seen(probe, clock.now());
              // Decided elsewhere meanwhile (`wardwatch probes approve`, another core): follow the table.
              if ((rec.approval === 'approved') !== approved.has(probe)) {
                if (rec.approval === 'approved') approved.add(probe);
                else approved.delete(probe);
                opts.onAssignmentsChanged?.();
              }
              if (rec.approval === 'approved') w.alive(probe);
              if (rec.approval === 'pending' && rec.firstSeen === rec.lastSeen) opts.log(`new probe "${probe}" is waiting for approval`);
              reply(probe, rec.approval === 'approved' ? configFor(probe).answer : { approval: rec.approval }, to);
              if (rec.approval === 'approved') feed.sendAll(probe);
            } catch (e) {
              opts.log(`cluster: answering the hello of probe ${probe} failed: ${(e as Error).message}`);
            }
          })();
        },
      }),
    );
    subs.push(
      nc.subscribe(subjects.configChunkWildcard, {
        queue: 'wardwatch-core',
        callback: (err, msg) => {
          if (err || !msg.reply) return;
          const probe = probeOfSubject(msg.subject);
          if (!probe) return;
          void (async () => {
            try {
              const req = asChunkRequest(parseJson(msg.data, `configuration request of probe ${probe}`), `configuration request of probe ${probe}`);
              // The hello may have been answered by another core that saw the approval first.
              answerChunk(msg, (await followTable(probe)) ? configFor(probe).config : undefined, req.index, req.fingerprint);
            } catch (e) {
              opts.log(`cluster: ${(e as Error).message}`);
            }
          })();
        },
      }),
    );
    subs.push(
      nc.subscribe(subjects.healthWildcard, {
        callback: (err, msg) => {
          if (err) return;
          const probe = probeOfSubject(msg.subject);
          if (!probe || !approved.has(probe)) return;
          try {
            const hb = asHeartbeat(parseJson(msg.data, `heartbeat of probe ${probe}`), `heartbeat of probe ${probe}`);
            w.alive(probe, hb);
            writer.heartbeat(probe, hb);
          } catch (e) {
            opts.log(`cluster: ignored a heartbeat: ${(e as Error).message}`);
          }
        },
      }),
    );
    w.start();

    ingest = new Ingest({
      nc,
      store: opts.store,
      applied: tables,
      clock,
      owns: (probe, id) => approved.has(probe) && assignment(probe).sensors.has(id),
      ownsDevice: (probe, id) => approved.has(probe) && assignment(probe).devices.has(id),
      refreshProbes: async (probes) => {
        for (const p of probes) await followTable(p);
      },
      log: opts.log,
      ...(opts.ingestBatch !== undefined ? { batch: opts.ingestBatch } : {}),
      // Every core's live parts (this one's too) hear of what was applied through WW_APPLIED.
      publish: (items) => publishApplied(items, { js, maxBytes: nc.info?.max_payload ?? 1024 * 1024 }),
    });
    const lookingUp = new Set<string>();
    following = new AppliedFeed({
      nc,
      from: appliedFrom,
      log: opts.log,
      onApplied: (env) => {
        // Applied by a core that knew of an approval this one has not seen yet: follow the table
        // (one look at a time per probe, however many of its messages arrive meanwhile).
        if (!approved.has(env.probe) && !lookingUp.has(env.probe)) {
          const probe = env.probe;
          lookingUp.add(probe);
          void followTable(probe)
            .catch((err: unknown) => opts.log(`cluster: reading the approval of probe ${probe} failed: ${(err as Error).message}`))
            .finally(() => lookingUp.delete(probe));
        }
        w.alive(env.probe);
        for (const s of env.states) w.report(env.probe, s.sensorId, fromStored(s));
        for (const { r, s } of env.readings) {
          if (s) w.report(env.probe, r.sensorId, s);
          try {
            opts.onReading?.(r);
          } catch (err) {
            opts.log(`cluster: onReading failed: ${(err as Error).message}`);
          }
        }
        for (const { e, s } of env.events) {
          if (s) w.report(env.probe, e.sensorId, s);
          onStateChange(e, s ?? w.statusOf(e.sensorId) ?? { state: e.to, failures: 0, since: e.ts });
        }
      },
    });
    await following.start();
    if (opts.ingest !== false) await ingest.start();

    // Redeliveries come within minutes; the applied log keeps a day.
    const pruneTimer = setInterval(() => void tables.prune(clock.now() - 86_400_000).catch(() => undefined), 3_600_000);
    pruneTimer.unref();

    const decide = async (name: string, approval: 'approved' | 'rejected', by: string) => {
      const rec = await tables.decide(name, approval, by, clock.now());
      const was = approved.has(name);
      if (approval === 'approved') approved.add(name);
      else approved.delete(name);
      reply(name, approval === 'approved' ? configFor(name).answer : { approval });
      if (approval === 'approved') feed.sendAll(name);
      opts.log(`probe "${name}" ${approval} by ${by}`);
      if (was !== approved.has(name)) opts.onAssignmentsChanged?.();
      return rec;
    };

    feed.start();
    // A core (re)starting tells every approved probe what it should run: the tree may have changed while it was away.
    for (const p of approved) {
      reply(p, configFor(p).answer);
      feed.sendAll(p);
    }

    const running = ingest;
    const feedOfApplied = following;
    return {
      registry: tables,
      statusOf: (id) => w.statusOf(id),
      localTree: (tree) => withoutProbes(tree, [...approved].map((p) => findProbeNode(tree, p).node?.id).filter((x): x is string => x !== undefined)),
      remoteProbeNodes: () => [...approved].map((p) => assignment(p).nodeId).filter((x): x is string => x !== undefined),
      health: (name) => w.health(name),
      approve: (name, by) => decide(name, 'approved', by),
      reject: (name, by) => decide(name, 'rejected', by),
      configChanged: () => {
        for (const p of approved) {
          reply(p, configFor(p).answer);
          feed.sendAll(p);
        }
        return nc.flush();
      },
      localStateChanged: (id) => feed.changed(id),
      ingestStats: () => running.stats,
      lagSamples: () => running.lags,
      appliedStats: () => feedOfApplied.stats,
      async close() {
        clearInterval(pruneTimer);
        w.stop();
        feed.stop();
        await running.stop();
        await feedOfApplied.stop();
        for (const s of subs) s.unsubscribe();
        await nc.drain().catch(() => undefined);
      },
    };
  } catch (err) {
    watch?.stop();
    await ingest?.stop().catch(() => undefined);
    await following?.stop().catch(() => undefined);
    await nc.close().catch(() => undefined);
    throw err;
  }
}
