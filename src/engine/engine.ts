// The monitoring engine: takes a Tree, keeps every sensor on its interval, runs checks through the
// runner, turns readings into states (confirm-before-down, pauses by user, maintenance and
// dependency, also on masters run elsewhere), and hands values, events and states to the store in batches.

import type { Clock, TimerHandle } from '../core/clock.ts';
import type { SensorStatus, TimedReading } from '../core/model.ts';
import { acknowledge, applyOutcome, applyPause, initialStatus, outcomeOf } from '../core/state.ts';
import { sensorsOf, type SensorNode, type Tree } from '../core/tree.ts';
import type { AnySensorKind, Credential, ProbeStats } from '../sensors/sensor.ts';
import type { StoredSensorState, ValueRow } from '../store/store.ts';
import { newEntry, planSensor, type SensorEntry } from './entries.ts';
import { CheckHandle } from './handle.ts';
import { Listeners, type TimedMessage } from './listeners.ts';
import type { EngineOptions } from './options.ts';
import { Persistence } from './persistence.ts';
import { PausePlanner, type ExternalStatus, type Pause } from './pauses.ts';
import { KindQueue } from './queue.ts';
import { Runner, stopReason, type CheckRequest } from './runner.ts';
import { Scheduler } from './scheduler.ts';
import { StatsCollector } from './stats.ts';
import { StateTracker, fromStored } from './tracker.ts';

export type { EngineOptions } from './options.ts';
export type { TimedMessage } from './listeners.ts';
export type { ExternalStatus } from './pauses.ts';

interface Job {
  readonly entry: SensorEntry;
  readonly due: number;
}

/** Longest single wait for a maintenance boundary; then re-evaluate (keeps timers in range and the clock honest). */
const MAX_BOUNDARY_WAIT_MS = 6 * 3_600_000;

export class Engine {
  readonly #o: EngineOptions;
  readonly #clock: Clock;
  readonly #entries = new Map<string, SensorEntry>();
  readonly #queues = new Map<string, KindQueue<Job>>();
  readonly #inflight = new Set<Promise<void>>();
  readonly #tracker: StateTracker;
  readonly #scheduler: Scheduler;
  readonly #runner: Runner;
  readonly #stats: StatsCollector;
  readonly #persist: Persistence;
  readonly #planner: PausePlanner;
  readonly #listeners: Listeners;
  #saved = new Map<string, StoredSensorState>();
  #external: ((id: string) => ExternalStatus | undefined) | undefined;
  #applying: Promise<void> = Promise.resolve();
  #boundaryTimer: TimerHandle | undefined;
  #started = false;
  #stopping = false;

  constructor(opts: EngineOptions) {
    this.#o = opts;
    this.#clock = opts.clock;
    this.#tracker = new StateTracker({ onEvent: (e, s) => this.#safely('onStateChange', () => opts.onStateChange?.(e, s)) });
    this.#scheduler = new Scheduler({ clock: opts.clock, onDue: (id, due) => this.#onDue(id, due) });
    this.#runner = new Runner({ clock: opts.clock, probe: { stats: () => this.stats() } });
    this.#stats = new StatsCollector({ clock: opts.clock, windowS: opts.statsWindowS ?? 60, eventLoop: opts.measureEventLoop ?? true });
    this.#persist = new Persistence({
      clock: opts.clock,
      writer: opts.writer,
      states: opts.states,
      tracker: this.#tracker,
      flushIntervalMs: opts.flushIntervalMs ?? 1000,
      maxBatchRows: opts.maxBatchRows ?? 5000,
      ...(opts.maxBufferedRows !== undefined ? { maxBufferedRows: opts.maxBufferedRows } : {}),
      saveIntervalMs: opts.saveIntervalMs ?? 10_000,
      ...(opts.onError ? { onError: opts.onError } : {}),
    });
    this.#planner = new PausePlanner({ settingsOf: (id) => this.#entries.get(id)?.settings, statusOf: (id) => this.#tracker.get(id), externalOf: (id) => this.#external?.(id) });
    this.#listeners = new Listeners({
      clock: opts.clock,
      inbox: opts.inbox,
      ...(opts.messageRingSize !== undefined ? { ringSize: opts.messageRingSize } : {}),
      ...(opts.onMessage ? { onMessage: opts.onMessage } : {}),
      ...(opts.onError ? { onError: opts.onError } : {}),
      checkNow: (id) => void this.checkNow(id),
    });
  }

  get probeId(): string | undefined {
    return this.#o.probeId;
  }

  /** Takes a new tree: adds, removes and updates sensors; unchanged ones keep state, memory and schedule. */
  apply(tree: Tree): Promise<void> {
    // Applies run one after the other, so that a listener is closed before its successor opens.
    const run = this.#applying.then(() => this.#apply(tree));
    this.#applying = run.catch(() => undefined);
    return run;
  }

  async #apply(tree: Tree): Promise<void> {
    const nodes = sensorsOf(tree);
    const next = new Map(nodes.map((n) => [n.id, n]));
    const plans = new Map(nodes.map((n) => [n.id, planSensor(tree, n, this.#o.kindOf)]));
    // First close what goes away or changes, then change the entries in one synchronous step.
    const closing: Promise<void>[] = [];
    for (const [id, e] of this.#entries) {
      const plan = plans.get(id);
      if (!plan || plan.kind !== e.kind) closing.push(this.#listeners.close(id, true));
      else if (plan.fingerprint !== e.fingerprint) closing.push(this.#listeners.close(id, false));
    }
    await Promise.all(closing);
    if (this.#stopping) return;
    for (const [id, e] of [...this.#entries]) {
      const plan = plans.get(id);
      if (!plan || plan.kind !== e.kind) this.#remove(e);
    }
    for (const [id, node] of next) {
      const plan = plans.get(id)!;
      const e = this.#entries.get(id);
      if (!e) {
        this.#add(node, plan);
        continue;
      }
      const intervalChanged = e.settings.intervalS !== plan.settings.intervalS;
      const checkChanged = e.fingerprint !== plan.fingerprint;
      e.node = node;
      e.settings = plan.settings;
      e.specs = plan.specs;
      if (checkChanged) {
        e.fingerprint = plan.fingerprint;
        e.memory = new Map();
        if (this.#started) this.#listen(e);
      }
      if (intervalChanged && e.kind) this.#scheduler.schedule(id, e.settings.intervalS * 1000);
    }
    this.#planner.setTree(tree.maintenance, this.#entries.keys());
    if (this.#started) this.#evaluateAll();
  }

  /**
   * Where the statuses of masters this engine does not run come from (remote probes' sensors on the
   * core, the core's and other probes' on a probe). Local statuses always win; unknown is not Down.
   */
  setExternalStatuses(lookup: ((id: string) => ExternalStatus | undefined) | undefined): void {
    this.#external = lookup;
    if (this.#started && !this.#stopping) this.#decide(this.#planner.externalDependents());
  }

  /** An external master's status changed: re-decides its dependents' pauses as a local master's change does. */
  externalChanged(id: string): void {
    if (!this.#started || this.#stopping || this.#entries.has(id)) return;
    if (this.#planner.hasDependents(id)) this.#decide(this.#planner.dependentsOf(id));
  }

  /** Loads stored states, then starts scheduling, listening and writing. */
  async start(): Promise<void> {
    if (this.#started || this.#stopping) return;
    try {
      for (const s of await this.#o.states.loadStates()) this.#saved.set(s.sensorId, s);
    } catch (err) {
      this.#o.onError?.(err, 'loadStates');
    }
    // Sensors applied before start resume from what was stored.
    for (const id of this.#entries.keys()) this.#restore(id);
    this.#started = true;
    this.#stats.start();
    this.#persist.start();
    for (const e of this.#entries.values()) this.#listen(e);
    this.#evaluateAll();
    // Last, so that phases are counted from after the (possibly long) work above.
    this.#scheduler.start();
  }

  /** Aborts in-flight checks, closes listeners, flushes the write batch and saves states. */
  async stop(): Promise<void> {
    if (!this.#started || this.#stopping) return;
    this.#stopping = true;
    await this.#applying;
    this.#scheduler.stop();
    if (this.#boundaryTimer !== undefined) this.#clock.clearTimeout(this.#boundaryTimer);
    for (const q of this.#queues.values()) for (const job of q.close()) job.entry.busy = false;
    for (const e of this.#entries.values()) e.controller?.abort(stopReason());
    await Promise.all([...this.#inflight]);
    await this.#listeners.closeAll();
    this.#stats.stop();
    await this.#persist.stop();
  }

  status(id: string): SensorStatus | undefined {
    return this.#tracker.get(id);
  }

  /** Every sensor's status: a live read-only view (statuses are immutable objects). */
  statuses(): ReadonlyMap<string, SensorStatus> {
    return this.#tracker.all();
  }

  /** Next due time of a sensor's regular run. */
  nextDue(id: string): number | undefined {
    return this.#scheduler.dueOf(id);
  }

  /** Runs a sensor's check as soon as a slot is free. False when unknown, paused, not started or already running. */
  checkNow(id: string): boolean {
    const e = this.#entries.get(id);
    if (!e || !e.kind || !this.#started || this.#stopping || e.busy) return false;
    if (this.#tracker.get(id)?.state === 'paused') return false;
    this.#dispatch(e, this.#clock.now());
    return true;
  }

  /** Acknowledges a Down sensor; undefined when it is unknown or not Down. */
  acknowledge(id: string, by: string, note?: string): SensorStatus | undefined {
    const prev = this.#tracker.get(id);
    if (!prev) return undefined;
    const now = this.#clock.now();
    const next = acknowledge(prev, by, now, note);
    if (!next) return undefined;
    this.#tracker.set(id, next);
    this.#tracker.note({ sensorId: id, ts: now, from: 'down', to: 'down', reason: `acknowledged by ${by}`, ...(note !== undefined ? { message: note } : {}) });
    return next;
  }

  /** What the listener of a sensor recorded, oldest first (bounded). */
  messages(id: string): readonly TimedMessage[] {
    return this.#listeners.messages(id);
  }

  stats(): ProbeStats {
    let queueLength = 0;
    let inFlight = 0;
    for (const q of this.#queues.values()) {
      queueLength += q.queued;
      inFlight += q.inFlight;
    }
    return this.#stats.snapshot({ queueLength, inFlight, sensors: this.#entries.size });
  }

  /** Totals since start, for benchmarks: checks started, runs skipped, values written, write errors. */
  totals(): { readonly checks: number; readonly skipped: number; readonly valuesWritten: number; readonly writeErrors: number; readonly rowsDropped: number } {
    return { checks: this.#stats.totalStarts, skipped: this.#stats.totalSkipped, valuesWritten: this.#persist.valuesWritten, writeErrors: this.#persist.writeErrors, rowsDropped: this.#persist.rowsDropped };
  }

  /** Writes pending values and events now (tests, shutdown hooks). */
  flush(): Promise<void> {
    return this.#persist.flush();
  }

  // --- sensors coming and going ------------------------------------------------------------

  #add(node: SensorNode, plan: ReturnType<typeof planSensor>): void {
    const e = newEntry(node, plan);
    this.#entries.set(e.id, e);
    const now = this.#clock.now();
    if (!e.kind) {
      this.#tracker.init(e.id, { ...initialStatus(now), error: 'BAD_SETTINGS', message: `Unknown sensor kind "${node.kind}"` });
      return;
    }
    this.#tracker.init(e.id, initialStatus(now));
    if (this.#started) this.#restore(e.id);
    this.#scheduler.schedule(e.id, e.settings.intervalS * 1000);
    if (this.#started) this.#listen(e);
  }

  #remove(e: SensorEntry): void {
    this.#entries.delete(e.id);
    this.#scheduler.unschedule(e.id);
    e.controller?.abort(stopReason());
    this.#tracker.remove(e.id);
    this.#planner.forget(e.id);
  }

  #restore(id: string): void {
    const s = this.#saved.get(id);
    if (!s) return;
    this.#saved.delete(id);
    this.#tracker.init(id, fromStored(s));
  }

  #listen(e: SensorEntry): void {
    if (!e.kind?.listen) return;
    const credential = this.#credential(e);
    this.#listeners.open({ sensorId: e.id, kind: e.kind, settings: e.node.kindSettings, memory: e.memory, ...(credential ? { credential } : {}) });
  }

  #credential(e: SensorEntry): Credential | undefined {
    const name = e.settings.credentials;
    return name === undefined ? undefined : this.#o.credentialOf?.(name);
  }

  // --- running checks ----------------------------------------------------------------------

  #onDue(id: string, due: number): void {
    const e = this.#entries.get(id);
    if (!e || !e.kind) return;
    if (this.#tracker.get(id)?.state === 'paused') return;
    if (e.busy) {
      this.#stats.recordSkip();
      return;
    }
    this.#dispatch(e, due);
  }

  #dispatch(e: SensorEntry, due: number): void {
    const kind = e.kind!;
    let q = this.#queues.get(kind.kind);
    if (!q) {
      q = new KindQueue<Job>({ clock: this.#clock, concurrency: kind.concurrency, ...(kind.batch ? { batch: kind.batch } : {}), run: (jobs) => this.#runUnit(kind, jobs) });
      this.#queues.set(kind.kind, q);
    }
    e.busy = true;
    q.push({ entry: e, due });
  }

  #runUnit(kind: AnySensorKind, jobs: readonly Job[]): Promise<void> {
    const now = this.#clock.now();
    const live: Job[] = [];
    for (const j of jobs) {
      // A sensor removed or paused while it waited is released without running.
      if (this.#stopping || this.#entries.get(j.entry.id) !== j.entry || this.#tracker.get(j.entry.id)?.state === 'paused') j.entry.busy = false;
      else live.push(j);
    }
    if (live.length === 0) return Promise.resolve();
    const reqs: CheckRequest[] = live.map((j) => {
      this.#stats.recordStart(now - j.due);
      const controller = new CheckHandle();
      j.entry.controller = controller;
      const credential = this.#credential(j.entry);
      return { sensorId: j.entry.id, settings: j.entry.node.kindSettings, timeoutMs: j.entry.settings.timeoutS * 1000, memory: j.entry.memory, controller, ...(credential ? { credential } : {}) };
    });
    const work = (kind.batch ? this.#runner.runBatch(kind, reqs) : this.#runner.run(kind, reqs[0]!).then((r) => [r]))
      .then((readings) => readings.forEach((r, i) => this.#complete(live[i]!.entry, r)))
      .catch((err: unknown) => {
        for (const j of live) j.entry.busy = false;
        this.#o.onError?.(err, `running ${kind.kind} checks`);
      })
      .finally(() => this.#inflight.delete(work));
    this.#inflight.add(work);
    return work;
  }

  #complete(e: SensorEntry, reading: TimedReading): void {
    e.busy = false;
    e.controller = undefined;
    if (this.#stopping || this.#entries.get(e.id) !== e) return;
    const prev = this.#tracker.get(e.id);
    // Paused while the check ran: the result belongs to no state.
    if (!prev || prev.state === 'paused') return;
    const outcome = outcomeOf(reading, e.specs);
    const values: Record<string, number> = {};
    const rows: ValueRow[] = [];
    for (const c of reading.channels) {
      if (!Number.isFinite(c.value)) continue;
      values[c.key] = c.value;
      rows.push({ sensorId: e.id, channel: c.key, ts: reading.ts, value: c.value });
    }
    const t = applyOutcome(e.id, prev, outcome, this.#clock.now(), e.settings.retries, rows.length > 0 ? values : undefined);
    const event = this.#tracker.apply(e.id, t);
    const state = t.status.state;
    this.#persist.add(rows, state === 'unknown' ? undefined : { sensorId: e.id, ts: reading.ts, ok: state !== 'down' });
    this.#safely('onReading', () => this.#o.onReading?.(reading));
    // Confirm-before-down: an unconfirmed failure is re-checked at once.
    if (t.recheck) this.#dispatch(e, this.#clock.now());
    if (event && this.#planner.hasDependents(e.id)) this.#decide(this.#planner.dependentsOf(e.id));
  }

  // --- pauses ------------------------------------------------------------------------------

  /** Re-evaluates every sensor's pause (tree change, start, maintenance boundary) and re-arms the boundary timer. */
  #evaluateAll(): void {
    const now = this.#clock.now();
    const ids = [...this.#entries.keys()];
    this.#planner.refreshHigh(ids, now);
    this.#decide(ids);
    if (this.#boundaryTimer !== undefined) this.#clock.clearTimeout(this.#boundaryTimer);
    this.#boundaryTimer = undefined;
    const next = this.#planner.nextBoundary(ids, now);
    if (next !== undefined && !this.#stopping) {
      this.#boundaryTimer = this.#clock.setTimeout(() => {
        this.#boundaryTimer = undefined;
        this.#evaluateAll();
      }, Math.min(Math.max(0, next - now), MAX_BOUNDARY_WAIT_MS));
    }
  }

  #decide(ids: readonly string[]): void {
    for (const d of this.#planner.decide(ids)) this.#applyPause(d.id, d.pause);
  }

  #applyPause(id: string, pause: Pause | null): void {
    const prev = this.#tracker.get(id);
    const e = this.#entries.get(id);
    if (!prev || !e) return;
    const now = this.#clock.now();
    if (pause === null) {
      if (prev.state !== 'paused') return;
      this.#tracker.apply(id, applyPause(id, prev, null, now, `${prev.pauseReason ?? 'pause'} ended`));
      // Resumed sensors are checked at once rather than waiting up to a whole interval in Unknown.
      this.checkNow(id);
      return;
    }
    this.#tracker.apply(id, applyPause(id, prev, pause.reason, now, pause.detail));
  }

  #safely(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#o.onError?.(err, what);
    }
  }
}
