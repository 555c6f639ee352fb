// The alerting part as the composition root starts it: give it the clock, the tree, the `alerting`
// config section, its store, the delivery queue and a way to read sensor states; plug its handlers
// into the Engine (onStateChange, onReading); hand its service to the API and the security part.
// Of several core processes on one PostgreSQL database only the holder of the store's leader lease
// decides and sends; the others stand by (serving acknowledgements) and try again every few seconds.

import { performance } from 'node:perf_hooks';
import type { Clock, TimerHandle } from '../core/clock.ts';
import type { SensorStatus, StateEvent, TimedReading } from '../core/model.ts';
import type { Tree } from '../core/tree.ts';
import type { AlertingConfig } from './config.ts';
import type { DeliveryQueue } from './notification.ts';
import { observeAlertStore } from './changes.ts';
import type { AlertChange, AlertQuery, AlertingService, AlertSummary, SecurityFindingNotice } from './service.ts';
import type { AlertStore, StoredAlert } from './engine/alert-store.ts';
import { Decisions } from './engine/engine.ts';
import { Episodes } from './engine/episodes.ts';
import { RuleIndex } from './engine/rules.ts';
import { signAckToken, verifyAckToken } from './engine/tokens.ts';
import { Topology } from './engine/topology.ts';
import type { UsualHistory } from './engine/unusual.ts';

export interface AlertingOptions {
  readonly clock: Clock;
  readonly tree: Tree;
  readonly config: AlertingConfig;
  readonly store: AlertStore;
  readonly queue: DeliveryQueue;
  readonly statusOf: (sensorId: string) => SensorStatus | undefined;
  /** Base URL of the console ("https://wardwatch.hospital.example"), or a getter when it is known only once the API listens. */
  readonly consoleUrl?: string | (() => string | undefined);
  /** Key of the signed acknowledgement links (at least 16 bytes, e.g. read from a key file); no links without it. */
  readonly ackKey?: Buffer | string;
  /** Builds the acknowledgement link from a token (default: consoleUrl + "/api/alerts/ack?token=..."). */
  readonly ackLink?: (token: string) => string | undefined;
  /** Builds the console link of a node (default: consoleUrl + "/sensors/<id>"). */
  readonly nodeLink?: (nodeId: string) => string | undefined;
  /** Acknowledges a sensor's Down state in the monitoring engine (wired to engine.acknowledge). */
  readonly onAcknowledge?: (sensorId: string, by: string, note: string | undefined) => void;
  readonly log?: (level: 'info' | 'warn' | 'error', msg: string) => void;
  /** Skip deciding about sensors already Down at start (default: decide them, see Decisions.reconcile). */
  readonly reconcile?: boolean;
  /** The store's history (its HistoryReader): unusual triggers learn their usual ranges from the 1h rollups. */
  readonly history?: UsualHistory;
  /** How often a standby process tries for the leader lease (PostgreSQL; default 5000 ms). */
  readonly leaseRetryMs?: number;
  /** Told when this process becomes the leader (true) or loses the lease (false). */
  readonly onLeadership?: (leading: boolean) => void;
  /** Resolved alerts are kept this many days, then deleted (checked at start and daily; default 365). */
  readonly keepResolvedDays?: number;
  /**
   * Told of each alert this process saves (opened, acknowledged, escalated, resolved...), once it is
   * stored: the API's live stream. A standby tells only of the acknowledgements it records.
   */
  readonly onChange?: (c: AlertChange) => void;
}

const DAY_MS = 86_400_000;

export interface Alerting {
  readonly service: AlertingService;
  /** Plug into EngineOptions.onStateChange. */
  readonly onStateChange: (e: StateEvent, status: SensorStatus) => void;
  /** Plug into EngineOptions.onReading. */
  readonly onReading: (r: TimedReading) => void;
  /** A new tree (config reload, API change). */
  updateTree(tree: Tree): void;
  /** A new `alerting` section (config reload). */
  updateConfig(config: AlertingConfig): void;
  /** Resolves when everything handed in so far has been decided and saved. */
  idle(): Promise<void>;
  /** Whether this process holds the leader lease (always, on SQLite). */
  leading(): boolean;
  /** Decisions taken so far (events and readings checked against rules) and the time spent deciding. */
  stats(): { readonly decisions: number; readonly busyMs: number };
  close(): Promise<void>;
}

function summary(a: StoredAlert): AlertSummary {
  return {
    id: a.id,
    ruleName: a.ruleName,
    nodeId: a.nodeId,
    title: a.title,
    state: a.state,
    severity: a.severity,
    openedAt: a.openedAt,
    ...(a.resolvedAt !== undefined ? { resolvedAt: a.resolvedAt } : {}),
    ...(a.acknowledged ? { acknowledged: a.acknowledged } : {}),
    sensorIds: a.sensorIds,
    affectedDependents: a.affectedDependents,
    escalationStep: a.escalationStep,
  };
}

/** A rule that cannot work with these options (an unusual trigger without the store's history). */
function optionProblem(config: AlertingConfig, o: Pick<AlertingOptions, 'history'>): string | undefined {
  const rule = o.history ? undefined : config.rules.find((r) => r.trigger.unusual !== undefined);
  return rule ? `alerting: rule "${rule.name}" has an unusual trigger, which learns from the store's history: start alerting with the store as AlertingOptions.history` : undefined;
}

export async function startAlerting(opts: AlertingOptions): Promise<Alerting> {
  const problem = optionProblem(opts.config, opts);
  if (problem !== undefined) throw new Error(problem);
  const log = opts.log ?? (() => undefined);
  // Changes are told of where every path that changes an alert ends: the store's save (./changes.ts).
  const o: AlertingOptions = opts.onChange ? { ...opts, store: observeAlertStore(opts.store, { summary, onChange: opts.onChange, log }) } : opts;
  let index = new RuleIndex(o.config, new Topology(o.tree));
  let readings = index.wantsReadings;
  let chain: Promise<void> = Promise.resolve();
  let closed = false;
  // Wall time spent deciding (for the benchmark's decisions/s), not used for any timing decision.
  let busyMs = 0;
  /** Every decision runs after the previous one; a failure is logged and the next one runs. */
  const schedule = (what: string, fn: () => Promise<void>): Promise<void> => {
    const run = chain.then(async () => {
      if (closed) return;
      const t0 = performance.now();
      try {
        await fn();
      } catch (err) {
        log('error', `alerting: ${what} failed: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        busyMs += performance.now() - t0;
      }
    });
    chain = run;
    return run;
  };
  const base = (): string | undefined => (typeof o.consoleUrl === 'function' ? o.consoleUrl() : o.consoleUrl)?.replace(/\/+$/, '');
  const ackLink = o.ackLink ?? ((t: string) => {
    const b = base();
    return b === undefined ? undefined : `${b}/api/alerts/ack?token=${t}`;
  });
  const nodeLink = o.nodeLink ?? ((id: string) => {
    const b = base();
    return b === undefined ? undefined : `${b}/sensors/${encodeURIComponent(id)}`;
  });
  const makeEpisodes = (): Episodes => new Episodes({
    clock: o.clock,
    store: o.store,
    queue: o.queue,
    index: () => index,
    ackUrl: (alertId, recipient) => {
      if (o.ackKey === undefined) return undefined;
      return ackLink(signAckToken({ alertId, recipient, expiresAt: o.clock.now() + index.config.ackLinkValidity * 1000 }, o.ackKey));
    },
    schedule: (what, fn) => void schedule(what, fn),
    ...(o.onAcknowledge ? { onAcknowledge: o.onAcknowledge } : {}),
    log,
  });
  const makeDecisions = (episodes: Episodes): Decisions => new Decisions({
    clock: o.clock,
    episodes,
    index: () => index,
    statusOf: o.statusOf,
    schedule: (what, fn) => void schedule(what, fn),
    consoleLink: nodeLink,
    store: o.store,
    ...(o.history ? { history: o.history } : {}),
  });
  // Replaced wholesale when this process becomes the leader, so that nothing of a previous term
  // (timers, alerts in memory) outlives it; a standby's episodes only record acknowledgements.
  let episodes = makeEpisodes();
  let decisions = makeDecisions(episodes);
  let decided = 0;

  // Of several core processes on one database only the holder of the lease decides and sends.
  const lease = o.store.lease();
  const retryMs = o.leaseRetryMs ?? 5000;
  let leading = false;
  let leaseTimer: TimerHandle | undefined;
  const retire = (): void => {
    decided += decisions.decisions;
    decisions.stop();
    episodes.stopAll();
    episodes = makeEpisodes();
    decisions = makeDecisions(episodes);
  };
  const lead = async (): Promise<void> => {
    retire();
    leading = true;
    const loaded = await episodes.load();
    if (loaded > 0) log('info', `alerting: carried on ${loaded} open or acknowledged alert${loaded === 1 ? '' : 's'}`);
    await decisions.load();
    if (o.reconcile !== false) await decisions.reconcile();
    decisions.armSchedules();
    o.onLeadership?.(true);
  };
  const retry = (): void => {
    leaseTimer = o.clock.setTimeout(() => {
      leaseTimer = undefined;
      void schedule('trying for the leader lease', tryLead);
    }, retryMs);
  };
  const tryLead = async (): Promise<void> => {
    if (leading) return;
    if (await lease.acquire()) {
      log('info', 'alerting: leading (deciding and sending for this database)');
      await lead();
    } else retry();
  };
  lease.onLost((reason) => {
    void schedule('standing down', async () => {
      if (!leading) return;
      leading = false;
      retire();
      log('warn', `alerting: lost the leader lease (${reason}): standing by, another process takes over`);
      o.onLeadership?.(false);
      retry();
    });
  });
  const keepMs = (o.keepResolvedDays ?? 365) * DAY_MS;
  let purgeTimer: TimerHandle | undefined;
  const purge = (): void => {
    void schedule('deleting old resolved alerts', async () => {
      const n = await o.store.deleteResolvedBefore(o.clock.now() - keepMs);
      if (n > 0) log('info', `alerting: deleted ${n} alert${n === 1 ? '' : 's'} resolved more than ${o.keepResolvedDays ?? 365} days ago`);
    });
    purgeTimer = o.clock.setTimeout(purge, DAY_MS);
  };
  purge();
  await schedule('trying for the leader lease', tryLead);
  /** Work that only the leader does, run in order; dropped on a standby (the leader sees the same). */
  const leaderOnly = (what: string, fn: () => Promise<void>): void => {
    if (leading) void schedule(what, async () => (leading ? fn() : undefined));
  };

  const service: AlertingService = {
    async alerts(q: AlertQuery) {
      await chain;
      return (await o.store.alerts(q)).map(summary);
    },
    async alert(id) {
      await chain;
      const a = await o.store.alert(id);
      return a ? summary(a) : undefined;
    },
    async acknowledge(alertId, by, note, via) {
      let out: StoredAlert | undefined;
      let failure: unknown;
      await schedule(`acknowledging ${alertId}`, async () => {
        try {
          out = await episodes.acknowledge(alertId, by, note, via);
        } catch (err) {
          failure = err;
        }
      });
      if (!out) throw failure instanceof Error ? failure : new Error(`alert "${alertId}" could not be acknowledged`);
      return summary(out);
    },
    verifyAckToken(token) {
      if (o.ackKey === undefined) return { ok: false, reason: 'acknowledgement links are not enabled (no key configured)' };
      return verifyAckToken(token, o.ackKey, o.clock.now());
    },
    async securityFinding(f: SecurityFindingNotice) {
      if (!leading) return;
      await schedule(`security finding ${f.findingId}`, async () => (leading ? decisions.securityFinding(f) : undefined));
    },
  };

  return {
    service,
    onStateChange: (e) => leaderOnly(`state change of ${e.sensorId}`, () => decisions.stateChange(e)),
    onReading: (r) => {
      // Most deployments alert on states only: then a reading costs nothing here.
      if (readings) leaderOnly(`reading of ${r.sensorId}`, () => decisions.reading(r));
    },
    leading: () => leading,
    updateTree(tree) {
      void schedule('applying a new tree', async () => {
        index = new RuleIndex(index.config, new Topology(tree));
        if (!leading) return;
        decisions.armSchedules();
        // Alerts whose sensors are all gone from the tree end without a notice.
        for (const a of [...episodes.active()]) {
          if (a.sensorIds.length > 0 && a.sensorIds.every((s) => !tree.nodes.has(s))) await episodes.resolve(a, false);
        }
      });
    },
    updateConfig(config) {
      const bad = optionProblem(config, o);
      if (bad !== undefined) {
        log('error', `${bad}; the new alerting config is not applied`);
        return;
      }
      void schedule('applying a new alerting config', async () => {
        index = new RuleIndex(config, index.topology);
        readings = index.wantsReadings;
        decisions.reconfigure();
        if (leading) decisions.armSchedules();
      });
    },
    idle: async () => {
      // Work scheduled while waiting joins the chain: wait until it stops growing.
      let seen: Promise<void> | undefined;
      while (seen !== chain) {
        seen = chain;
        await seen;
      }
    },
    stats: () => ({ decisions: decided + decisions.decisions, busyMs }),
    async close() {
      await chain;
      if (leading) await decisions.flush().catch((err: unknown) => log('error', `alerting: saving flapping history at close failed: ${err instanceof Error ? err.message : String(err)}`));
      closed = true;
      if (purgeTimer !== undefined) o.clock.clearTimeout(purgeTimer);
      if (leaseTimer !== undefined) o.clock.clearTimeout(leaseTimer);
      decisions.stop();
      episodes.stopAll();
      await lease.release();
    },
  };
}
