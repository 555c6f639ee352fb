// The deciding side of alerting: state changes, readings and security findings come in; rules
// decide what is an alert; Down sensors are gathered for a short window and grouped behind their
// common parent; flapping sensors are held back; the Episodes keep and escalate what was opened.
// Everything runs one step at a time in arrival order, so decisions never interleave.

import type { Clock, TimerHandle } from '../../core/clock.ts';
import type { SensorStatus, StateEvent, TimedReading } from '../../core/model.ts';
import type { SecurityFindingNotice } from '../service.ts';
import type { AlertRule } from '../config.ts';
import type { AlertStore } from './alert-store.ts';
import type { Episodes } from './episodes.ts';
import type { FlapOptions } from './flapping.ts';
import type { RuleIndex } from './rules.ts';
import { decideFinding } from './security.ts';
import { describeChanges, describeState, heldTitle, thresholdTitle } from './titles.ts';
import { Opener } from './opener.ts';
import { inHours, nextHoursChange } from './hours.ts';
import { KeyedTimers } from './timers.ts';
import { Tracked } from './tracked.ts';
import { decideUnusual, UsualRanges, type UsualHistory } from './unusual.ts';

export interface DecisionOptions {
  readonly clock: Clock;
  readonly episodes: Episodes;
  readonly index: () => RuleIndex;
  readonly statusOf: (sensorId: string) => SensorStatus | undefined;
  readonly schedule: (what: string, fn: () => Promise<void>) => void;
  readonly consoleLink: (nodeId: string) => string | undefined;
  /** Where threshold starts and flapping history are kept across restarts. */
  readonly store: AlertStore;
  /** The store's history, for the usual ranges of unusual triggers. */
  readonly history?: UsualHistory;
}

interface Buffer {
  readonly members: Map<string, number>;
  readonly timer: TimerHandle;
}


export class Decisions {
  readonly #o: DecisionOptions;
  readonly #tracked: Tracked;
  /** Down sensors gathered per rule during the grouping window. */
  readonly #buffers = new Map<string, Buffer>();
  /** rule + sensor → timer of a held state or a held threshold. */
  readonly #holds: KeyedTimers;
  /** sensor → when a flapping sensor settles. */
  readonly #settleTimers: KeyedTimers;
  /** rule + zone → the next start or end of the rule's active hours. */
  readonly #scheduleTimers: KeyedTimers;
  readonly #last = new Map<string, { message?: string; values: Map<string, number> }>();
  /** Decisions taken (events and readings looked at against each applicable rule). */
  decisions = 0;

  readonly #opener: Opener;
  #flushTimer: TimerHandle | undefined;
  readonly #usual: UsualRanges | undefined;

  constructor(o: DecisionOptions) {
    this.#o = o;
    this.#opener = new Opener(o);
    this.#usual = o.history ? new UsualRanges(o.history) : undefined;
    this.#tracked = new Tracked(o.store, this.#flapOptions());
    this.#holds = new KeyedTimers(o.clock, o.schedule);
    this.#settleTimers = new KeyedTimers(o.clock, o.schedule);
    this.#scheduleTimers = new KeyedTimers(o.clock, o.schedule);
  }

  #flapOptions(): FlapOptions {
    const f = this.#o.index().config.flapping;
    return { changes: f.changes, windowMs: f.window * 1000, settleMs: f.settle * 1000 };
  }

  /** Config reload: flapping thresholds may have changed (the history so far is kept). */
  reconfigure(): void {
    this.#tracked.reconfigure(this.#flapOptions(), this.#o.clock.now());
  }

  /**
   * Takes up the conditions kept before a restart: threshold breaches re-arm their timers from the
   * stored start, flapping sensors their settle timers. Run after the episodes are loaded.
   */
  async load(): Promise<void> {
    const r = await this.#tracked.load(this.#o.clock.now());
    const idx = this.#o.index();
    for (const b of r.breaches) {
      const rule = idx.rule(b.rule);
      if (!rule?.trigger.threshold || !idx.topology.isSensor(b.sensorId)) {
        await this.#tracked.dropBreach(b.rule, b.sensorId);
        continue;
      }
      if (!this.#o.episodes.covering(rule.name, b.sensorId)) this.#armThreshold(rule, b.sensorId, b.breach.start);
    }
    for (const [id, at] of r.flapping) this.#armSettle(id, at);
  }

  /** Flapping history is saved a second after it changes, in one write for all sensors that changed. */
  #saveSoon(): void {
    if (this.#flushTimer !== undefined) return;
    this.#flushTimer = this.#o.clock.setTimeout(() => {
      this.#flushTimer = undefined;
      this.#o.schedule('saving flapping history', () => this.#tracked.flush());
    }, 1000);
  }

  /** Saves what waits to be saved (at close). */
  async flush(): Promise<void> {
    await this.#tracked.flush();
  }

  stop(): void {
    if (this.#flushTimer !== undefined) this.#o.clock.clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    const clock = this.#o.clock;
    for (const b of this.#buffers.values()) clock.clearTimeout(b.timer);
    this.#buffers.clear();
    this.#holds.clear();
    this.#settleTimers.clear();
    this.#scheduleTimers.clear();
  }

  #active(rule: AlertRule, nodeId: string, now: number): boolean {
    return this.#o.index().activeAt(rule, nodeId, now);
  }

  async stateChange(e: StateEvent): Promise<void> {
    const idx = this.#o.index();
    const id = e.sensorId;
    if (!idx.topology.isSensor(id)) return;
    const rules = idx.rulesFor(id);
    if (e.to !== 'paused' && e.from !== 'paused') await this.#flapUpdate(id, e, rules);
    if (e.to === 'paused') {
      // Paused (by a user, a maintenance window or a Down master): never an alert of its own.
      for (const r of rules) await this.#forget(r.name, id);
      return;
    }
    for (const rule of rules) {
      this.decisions++;
      const t = rule.trigger;
      if (t.state) {
        // Leaving a pause passes through Unknown until the next check: that is not news.
        const resumed = e.from === 'paused' && e.to === 'unknown';
        const matches = !resumed && t.state.to.includes(e.to) && (t.state.from === undefined || t.state.from.includes(e.from));
        if (matches && !this.#tracked.flap.isFlapping(id) && this.#active(rule, id, e.ts)) {
          if (e.to === 'up') await this.#opener.openSingle(rule, id, e, 'state', { oneShot: true });
          else {
            const open = this.#o.episodes.covering(rule.name, id);
            if (!open) await this.#candidate(rule, id, e);
            else if (e.to === 'down') this.#opener.downMembers.get(open.id)?.add(id);
          }
        }
      }
      if (t.held) {
        this.#cancelHold(rule.name, id);
        if (e.to === t.held.state) this.#armHeld(rule, id, e.ts);
      }
      if (e.to === 'up' && (t.state || t.held)) {
        this.#dropFromBuffer(rule.name, id);
        await this.#opener.recovered(rule.name, id);
      }
    }
  }

  async reading(r: TimedReading): Promise<void> {
    const idx = this.#o.index();
    const id = r.sensorId;
    if (!idx.topology.isSensor(id) || this.#o.statusOf(id)?.state === 'paused') return;
    const rules = idx.rulesFor(id);
    let wantsLast = false;
    for (const rule of rules) {
      const t = rule.trigger;
      if (t.threshold) {
        this.decisions++;
        const v = r.channels.find((c) => c.key === t.threshold!.channel)?.value;
        if (v === undefined) continue;
        const breach = (t.threshold.above !== undefined && v > t.threshold.above) || (t.threshold.below !== undefined && v < t.threshold.below);
        const known = this.#tracked.breach(rule.name, id);
        if (breach) {
          await this.#tracked.setBreach(rule.name, id, { start: known?.start ?? r.ts, value: v });
          if (!known && !this.#o.episodes.covering(rule.name, id)) this.#armThreshold(rule, id, r.ts);
        } else {
          if (known) {
            await this.#tracked.dropBreach(rule.name, id);
            this.#cancelHold(rule.name, id);
          }
          // Also an alert carried over a restart, whose breach this process never saw begin.
          if (this.#o.episodes.covering(rule.name, id)) await this.#opener.recovered(rule.name, id);
        }
      }
      if (t.unusual) {
        this.decisions++;
        if (!this.#usual) throw new Error(`rule "${rule.name}" has an unusual trigger but alerting was started without the store's history (AlertingOptions.history)`);
        await decideUnusual(rule, r, { ranges: this.#usual, episodes: this.#o.episodes, opener: this.#opener, statusOf: this.#o.statusOf, active: (at) => this.#active(rule, r.sensorId, at) });
      }
      if (t.change) {
        this.decisions++;
        wantsLast = true;
        const prev = this.#last.get(id);
        if (!prev || !this.#active(rule, id, r.ts)) continue;
        const changes = describeChanges(prev, r, t.change);
        if (changes.length > 0) {
          const title = `${this.#opener.label(id)}: ${changes.join('; ')}`;
          await this.#opener.openSingle(rule, id, { ts: r.ts, to: this.#o.statusOf(id)?.state ?? 'up', message: r.message }, 'change', { oneShot: true, title, discriminator: `${r.ts}` });
        }
      }
    }
    if (wantsLast) this.#last.set(id, { ...(r.message !== undefined ? { message: r.message } : {}), values: new Map(r.channels.map((c) => [c.key, c.value])) });
  }

  async securityFinding(f: SecurityFindingNotice): Promise<void> {
    this.decisions += await decideFinding(f, { index: this.#o.index(), episodes: this.#o.episodes, now: this.#o.clock.now(), link: (id) => this.#opener.link(id) });
  }

  /**
   * After a restart, or when alerting starts after monitoring: sensors already in a triggering
   * state without an alert are decided as if they had just changed (the ids are the same as the
   * first time, so nothing told before is told again), and held-state timers restart from `since`.
   */
  async reconcile(): Promise<void> {
    await this.#standing('state at start', () => true);
  }

  /**
   * Rules with active hours are looked at again whenever their hours begin: a sensor still in the
   * rule's trigger state (or a threshold still breached) without an alert of the rule is decided
   * then, so that the night rule takes up an outage that began in the day ("page by night").
   */
  armSchedules(): void {
    this.#scheduleTimers.clear();
    const idx = this.#o.index();
    const now = this.#o.clock.now();
    for (const rule of idx.config.rules) {
      if (!rule.schedule) continue;
      for (const zone of rule.schedule.timezone !== undefined ? [rule.schedule.timezone] : idx.topology.zones()) this.#armSchedule(rule.name, zone, now);
    }
  }

  #armSchedule(ruleName: string, zone: string, from: number): void {
    const hours = this.#o.index().rule(ruleName)?.schedule?.hours;
    const at = hours ? nextHoursChange(hours, from, zone) : undefined;
    if (!hours || at === undefined) return;
    this.#scheduleTimers.arm(`${ruleName}\u0000${zone}`, at, `active hours of rule ${ruleName} (${zone})`, async () => {
      const now = this.#o.clock.now();
      const idx = this.#o.index();
      const rule = idx.rule(ruleName);
      if (rule && inHours(hours, now, zone)) {
        const mine = (r: AlertRule, id: string) => r.name === ruleName && idx.scheduleZone(r, id) === zone;
        await this.#standing('active hours began', mine);
        for (const b of this.#tracked.breachesOf(ruleName)) {
          if (idx.topology.isSensor(b.sensorId) && mine(rule, b.sensorId) && idx.rulesFor(b.sensorId).includes(rule) && !this.#o.episodes.covering(ruleName, b.sensorId)) this.#armThreshold(rule, b.sensorId, b.breach.start);
        }
      }
      this.#armSchedule(ruleName, zone, now);
    });
  }

  /**
   * Sensors already in a triggering state without an alert are decided as if they had just changed
   * (the ids are the same as the first time, so nothing told before is told again), and held-state
   * timers restart from `since`.
   */
  async #standing(reason: string, applies: (rule: AlertRule, sensorId: string) => boolean): Promise<void> {
    const topo = this.#o.index().topology;
    for (const n of topo.tree.nodes.values()) {
      if (n.type !== 'sensor') continue;
      const s = this.#o.statusOf(n.id);
      // Unknown is where every sensor starts ("not checked yet"): deciding it at start would be noise.
      if (!s || s.state === 'paused' || s.state === 'up' || s.state === 'unknown') continue;
      const e: StateEvent = { sensorId: n.id, ts: s.since, from: 'unknown', to: s.state, reason, ...(s.message !== undefined ? { message: s.message } : {}) };
      for (const rule of this.#o.index().rulesFor(n.id)) {
        if (!applies(rule, n.id)) continue;
        const t = rule.trigger;
        // A flapping sensor's state is held back until it settles, across a restart too.
        if (t.state?.to.includes(s.state) && !this.#tracked.flap.isFlapping(n.id) && !this.#o.episodes.covering(rule.name, n.id) && this.#active(rule, n.id, this.#o.clock.now())) await this.#candidate(rule, n.id, e);
        if (t.held?.state === s.state && !this.#holds.has(`${rule.name}\u0000${n.id}`) && !this.#o.episodes.covering(rule.name, n.id)) this.#armHeld(rule, n.id, s.since);
      }
    }
  }

  async #flapUpdate(id: string, e: StateEvent, rules: readonly AlertRule[]): Promise<void> {
    const u = this.#tracked.flapChange(id, e.ts);
    this.#saveSoon();
    if (u.kind === 'steady') return;
    this.#armSettle(id, u.settleAt);
    if (u.kind !== 'started') return;
    const f = this.#o.index().config.flapping;
    for (const rule of rules) {
      if (!rule.trigger.state && !rule.trigger.held) continue;
      const title = `${this.#opener.label(id)} is flapping (${u.changes} state changes in ${Math.round(f.window / 60)} min)`;
      await this.#opener.openSingle(rule, id, e, 'flapping', { title, kind: 'flapping', discriminator: `flap:${e.ts}` });
    }
  }

  #armSettle(id: string, at: number): void {
    this.#settleTimers.arm(id, at, `settling ${id}`, () => this.#settled(id));
  }

  async #settled(id: string): Promise<void> {
    if (!(await this.#tracked.flapSettle(id, this.#o.clock.now()))) return;
    const status = this.#o.statusOf(id);
    const state = status?.state ?? 'unknown';
    for (const a of [...this.#o.episodes.active()]) {
      if (a.data.trigger !== 'flapping' || !a.sensorIds.includes(id)) continue;
      await this.#o.episodes.resolve(a, { kind: 'flapping', title: `${this.#opener.label(id)} has settled: now ${describeState(state)}`, state });
    }
    // Settled in a state that alerts: decide it now, as a fresh change.
    if (status && state !== 'up' && state !== 'paused') {
      const e: StateEvent = { sensorId: id, ts: this.#o.clock.now(), from: 'unknown', to: state, reason: 'settled after flapping', ...(status.message !== undefined ? { message: status.message } : {}) };
      for (const rule of this.#o.index().rulesFor(id)) {
        if (rule.trigger.state?.to.includes(state) && !this.#o.episodes.covering(rule.name, id)) await this.#candidate(rule, id, e);
      }
    }
  }

  async #candidate(rule: AlertRule, id: string, e: Pick<StateEvent, 'ts' | 'to' | 'from' | 'message'>): Promise<void> {
    if (e.to !== 'down' || !rule.grouping) {
      await this.#opener.openSingle(rule, id, e, 'state', {});
      return;
    }
    const topo = this.#o.index().topology;
    const group = this.#o.episodes.groupAt(rule.name, topo.ancestors(id));
    if (group) {
      await this.#o.episodes.addMembers(group, [id]);
      return;
    }
    let b = this.#buffers.get(rule.name);
    if (!b) {
      const windowMs = this.#o.index().config.grouping.window * 1000;
      const timer = this.#o.clock.setTimeout(() => this.#o.schedule(`grouping for rule ${rule.name}`, () => this.#flush(rule.name)), windowMs);
      this.#buffers.set(rule.name, (b = { members: new Map(), timer }));
    }
    if (!b.members.has(id)) b.members.set(id, e.ts);
  }

  async #flush(ruleName: string): Promise<void> {
    const b = this.#buffers.get(ruleName);
    this.#buffers.delete(ruleName);
    const rule = this.#o.index().rule(ruleName);
    if (!b || !rule) return;
    await this.#opener.openOutage(rule, b.members);
  }

  #armHeld(rule: AlertRule, id: string, since: number): void {
    const t = rule.trigger.held!;
    const due = since + t.for * 1000;
    this.#hold(rule.name, id, due, async () => {
      const s = this.#o.statusOf(id);
      if (s?.state !== t.state || s.since !== since || this.#o.episodes.covering(rule.name, id) || !this.#active(rule, id, this.#o.clock.now())) return;
      await this.#opener.openSingle(rule, id, { ts: due, to: t.state, from: t.state }, 'held', { title: heldTitle(this.#opener.label(id), t.state, t.for) });
    });
  }

  #armThreshold(rule: AlertRule, id: string, start: number): void {
    const t = rule.trigger.threshold!;
    const due = start + t.for * 1000;
    this.#hold(rule.name, id, due, async () => {
      const b = this.#tracked.breach(rule.name, id);
      if (!b || b.start !== start || this.#o.episodes.covering(rule.name, id) || !this.#active(rule, id, this.#o.clock.now())) return;
      const title = thresholdTitle(this.#opener.label(id), t.channel, t.above, t.below, t.for, b.value);
      await this.#opener.openSingle(rule, id, { ts: due, to: this.#o.statusOf(id)?.state ?? 'warning' }, 'threshold', { title, value: b.value, discriminator: `${start}` });
    });
  }

  #hold(rule: string, id: string, due: number, fn: () => Promise<void>): void {
    this.#holds.arm(`${rule}\u0000${id}`, due, `held condition of ${id} (rule ${rule})`, fn);
  }

  #cancelHold(rule: string, id: string): void {
    this.#holds.cancel(`${rule}\u0000${id}`);
  }

  #dropFromBuffer(rule: string, id: string): void {
    this.#buffers.get(rule)?.members.delete(id);
  }

  async #forget(rule: string, id: string): Promise<void> {
    this.#dropFromBuffer(rule, id);
    this.#cancelHold(rule, id);
    await this.#tracked.dropBreach(rule, id);
  }

}
