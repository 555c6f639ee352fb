// The deciding side of alerting: state changes, readings and security findings come in; rules
// decide what is an alert; Down sensors are gathered for a short window and grouped behind their
// common parent; flapping sensors are held back; the Episodes keep and escalate what was opened.
// Everything runs one step at a time in arrival order, so decisions never interleave.

import type { Clock, TimerHandle } from '../../core/clock.ts';
import type { SensorStatus, StateEvent, TimedReading } from '../../core/model.ts';
import type { SecurityFindingNotice } from '../service.ts';
import type { AlertRule } from '../config.ts';
import type { TemplateVars } from '../notification.ts';
import type { Severity } from './alert-store.ts';
import type { Episodes } from './episodes.ts';
import { FlapTracker } from './flapping.ts';
import { clusterDown } from './grouping.ts';
import type { RuleIndex } from './rules.ts';
import { decideFinding } from './security.ts';
import { describeChanges, describeState, heldTitle, memberOf, pickParent, stateTitle, thresholdTitle } from './titles.ts';
import { KeyedTimers } from './timers.ts';

export interface DecisionOptions {
  readonly clock: Clock;
  readonly episodes: Episodes;
  readonly index: () => RuleIndex;
  readonly statusOf: (sensorId: string) => SensorStatus | undefined;
  readonly schedule: (what: string, fn: () => Promise<void>) => void;
  readonly consoleLink: (nodeId: string) => string | undefined;
}

interface Buffer {
  readonly members: Map<string, number>;
  readonly timer: TimerHandle;
}


export class Decisions {
  readonly #o: DecisionOptions;
  #flap: FlapTracker;
  /** Down sensors gathered per rule during the grouping window. */
  readonly #buffers = new Map<string, Buffer>();
  /** rule + sensor → timer of a held state or a held threshold. */
  readonly #holds: KeyedTimers;
  /** rule + sensor → when the threshold condition began, and the last value. */
  readonly #breach = new Map<string, { start: number; value: number }>();
  /** sensor → when a flapping sensor settles. */
  readonly #settleTimers: KeyedTimers;
  readonly #last = new Map<string, { message?: string; values: Map<string, number> }>();
  readonly #downMembers = new Map<string, Set<string>>();
  /** Decisions taken (events and readings looked at against each applicable rule). */
  decisions = 0;

  constructor(o: DecisionOptions) {
    this.#o = o;
    this.#flap = this.#newFlap();
    this.#holds = new KeyedTimers(o.clock, o.schedule);
    this.#settleTimers = new KeyedTimers(o.clock, o.schedule);
  }

  #newFlap(): FlapTracker {
    const f = this.#o.index().config.flapping;
    return new FlapTracker({ changes: f.changes, windowMs: f.window * 1000, settleMs: f.settle * 1000 });
  }

  /** Config reload: flapping thresholds may have changed. */
  reconfigure(): void {
    this.#flap = this.#newFlap();
  }

  stop(): void {
    const clock = this.#o.clock;
    for (const b of this.#buffers.values()) clock.clearTimeout(b.timer);
    this.#buffers.clear();
    this.#holds.clear();
    this.#settleTimers.clear();
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
      for (const r of rules) this.#forget(r.name, id);
      return;
    }
    for (const rule of rules) {
      this.decisions++;
      const t = rule.trigger;
      if (t.state) {
        // Leaving a pause passes through Unknown until the next check: that is not news.
        const resumed = e.from === 'paused' && e.to === 'unknown';
        const matches = !resumed && t.state.to.includes(e.to) && (t.state.from === undefined || t.state.from.includes(e.from));
        if (matches && !this.#flap.isFlapping(id) && this.#active(rule, id, e.ts)) {
          if (e.to === 'up') await this.#openSingle(rule, id, e, 'state', { oneShot: true });
          else {
            const open = this.#o.episodes.covering(rule.name, id);
            if (!open) await this.#candidate(rule, id, e);
            else if (e.to === 'down') this.#downMembers.get(open.id)?.add(id);
          }
        }
      }
      if (t.held) {
        this.#cancelHold(rule.name, id);
        if (e.to === t.held.state) this.#armHeld(rule, id, e.ts);
      }
      if (e.to === 'up' && (t.state || t.held)) {
        this.#dropFromBuffer(rule.name, id);
        await this.#recovered(rule.name, id);
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
        const k = `${rule.name}\u0000${id}`;
        const breach = (t.threshold.above !== undefined && v > t.threshold.above) || (t.threshold.below !== undefined && v < t.threshold.below);
        const known = this.#breach.get(k);
        if (breach) {
          this.#breach.set(k, { start: known?.start ?? r.ts, value: v });
          if (!known && !this.#o.episodes.covering(rule.name, id)) this.#armThreshold(rule, id, r.ts);
        } else {
          if (known) {
            this.#breach.delete(k);
            this.#cancelHold(rule.name, id);
          }
          // Also an alert carried over a restart, whose breach this process never saw begin.
          if (this.#o.episodes.covering(rule.name, id)) await this.#recovered(rule.name, id);
        }
      }
      if (t.change) {
        this.decisions++;
        wantsLast = true;
        const prev = this.#last.get(id);
        if (!prev || !this.#active(rule, id, r.ts)) continue;
        const changes = describeChanges(prev, r, t.change);
        if (changes.length > 0) {
          const title = `${this.#label(id)}: ${changes.join('; ')}`;
          await this.#openSingle(rule, id, { ts: r.ts, to: this.#o.statusOf(id)?.state ?? 'up', message: r.message }, 'change', { oneShot: true, title, discriminator: `${r.ts}` });
        }
      }
    }
    if (wantsLast) this.#last.set(id, { ...(r.message !== undefined ? { message: r.message } : {}), values: new Map(r.channels.map((c) => [c.key, c.value])) });
  }

  async securityFinding(f: SecurityFindingNotice): Promise<void> {
    this.decisions += await decideFinding(f, { index: this.#o.index(), episodes: this.#o.episodes, now: this.#o.clock.now(), link: (id) => this.#link(id) });
  }

  /**
   * After a restart, or when alerting starts after monitoring: sensors already in a triggering
   * state without an alert are decided as if they had just changed (the ids are the same as the
   * first time, so nothing told before is told again), and held-state timers restart from `since`.
   */
  async reconcile(): Promise<void> {
    const topo = this.#o.index().topology;
    for (const n of topo.tree.nodes.values()) {
      if (n.type !== 'sensor') continue;
      const s = this.#o.statusOf(n.id);
      // Unknown is where every sensor starts ("not checked yet"): deciding it at start would be noise.
      if (!s || s.state === 'paused' || s.state === 'up' || s.state === 'unknown') continue;
      const e: StateEvent = { sensorId: n.id, ts: s.since, from: 'unknown', to: s.state, reason: 'state at start', ...(s.message !== undefined ? { message: s.message } : {}) };
      for (const rule of this.#o.index().rulesFor(n.id)) {
        const t = rule.trigger;
        if (t.state?.to.includes(s.state) && !this.#o.episodes.covering(rule.name, n.id) && this.#active(rule, n.id, this.#o.clock.now())) await this.#candidate(rule, n.id, e);
        if (t.held?.state === s.state && !this.#holds.has(`${rule.name}\u0000${n.id}`) && !this.#o.episodes.covering(rule.name, n.id)) this.#armHeld(rule, n.id, s.since);
      }
    }
  }

  #label(id: string): string {
    const v = this.#o.index().topology.vars(id);
    return v.device !== undefined && v.sensor !== undefined ? `${v.device} / ${v.sensor}` : (v.sensor ?? id);
  }

  #link(id: string): Pick<TemplateVars, 'consoleUrl'> {
    const url = this.#o.consoleLink(id);
    return url !== undefined ? { consoleUrl: url } : {};
  }

  async #flapUpdate(id: string, e: StateEvent, rules: readonly AlertRule[]): Promise<void> {
    const u = this.#flap.change(id, e.ts);
    if (u.kind === 'steady') return;
    this.#armSettle(id, u.settleAt);
    if (u.kind !== 'started') return;
    const f = this.#o.index().config.flapping;
    for (const rule of rules) {
      if (!rule.trigger.state && !rule.trigger.held) continue;
      const title = `${this.#label(id)} is flapping (${u.changes} state changes in ${Math.round(f.window / 60)} min)`;
      await this.#openSingle(rule, id, e, 'flapping', { title, kind: 'flapping', discriminator: `flap:${e.ts}` });
    }
  }

  #armSettle(id: string, at: number): void {
    this.#settleTimers.arm(id, at, `settling ${id}`, () => this.#settled(id));
  }

  async #settled(id: string): Promise<void> {
    if (!this.#flap.settle(id, this.#o.clock.now())) return;
    const status = this.#o.statusOf(id);
    const state = status?.state ?? 'unknown';
    for (const a of [...this.#o.episodes.active()]) {
      if (a.data.trigger !== 'flapping' || !a.sensorIds.includes(id)) continue;
      await this.#o.episodes.resolve(a, { kind: 'flapping', title: `${this.#label(id)} has settled: now ${describeState(state)}`, state });
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
      await this.#openSingle(rule, id, e, 'state', {});
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
    const idx = this.#o.index();
    const rule = idx.rule(ruleName);
    if (!b || !rule) return;
    // A member paused by its master in the meantime, or back up, is no longer an alert.
    const still = [...b.members.keys()].filter((id) => this.#o.statusOf(id)?.state === 'down' && !this.#o.episodes.covering(ruleName, id));
    const g = idx.config.grouping;
    const clusters = clusterDown(still, idx.topology, (s) => {
      const st = this.#o.statusOf(s);
      if (st?.state === 'down' || (st?.state === 'paused' && st.pauseReason === 'dependency')) return 'affected';
      return st?.state === 'paused' ? 'inactive' : 'healthy';
    }, g);
    for (const [parent, members] of clusters.groups) {
      const openedAt = Math.min(...members.map((m) => b.members.get(m)!));
      const dependents = members.reduce((n, m) => n + idx.topology.dependentsOf(m), 0);
      const title = `${members.length} sensors Down behind ${idx.topology.name(parent)}`;
      await this.#o.episodes.open({
        rule,
        nodeId: parent,
        sensorIds: members,
        trigger: 'state',
        discriminator: `${openedAt}`,
        openedAt,
        severity: rule.severity ?? 'critical',
        kind: 'grouped',
        vars: {
          title,
          state: 'down',
          ...pickParent(idx.topology.vars(members[0]!), idx.topology.node(parent)?.type),
          since: openedAt,
          ...this.#link(parent),
          members: members.map((m) => memberOf(idx.topology, m, this.#o.statusOf(m))),
        },
        affectedDependents: dependents,
        timezone: idx.topology.timezoneOf(members[0]!),
      });
    }
    for (const id of clusters.singles) await this.#openSingle(rule, id, { ts: b.members.get(id)!, to: 'down' }, 'state', {});
  }

  async #openSingle(
    rule: AlertRule,
    id: string,
    e: Pick<StateEvent, 'ts' | 'to'> & { readonly from?: StateEvent['from']; readonly message?: string | undefined },
    trigger: 'state' | 'held' | 'threshold' | 'change' | 'flapping',
    o: { oneShot?: boolean; title?: string; kind?: 'alert' | 'flapping'; discriminator?: string; value?: number },
  ): Promise<void> {
    const topo = this.#o.index().topology;
    const status = this.#o.statusOf(id);
    const message = e.message ?? status?.message;
    const severity: Severity = rule.severity ?? (trigger === 'change' || e.to === 'up' ? 'info' : e.to === 'down' ? 'critical' : 'warning');
    await this.#o.episodes.open({
      rule,
      nodeId: id,
      sensorIds: [id],
      trigger,
      discriminator: o.discriminator ?? `${e.ts}`,
      openedAt: e.ts,
      severity,
      kind: o.kind ?? 'alert',
      vars: {
        title: o.title ?? stateTitle(this.#label(id), e.to),
        state: e.to,
        ...(e.from !== undefined ? { previousState: e.from } : {}),
        ...topo.vars(id),
        ...(message !== undefined ? { message } : {}),
        ...(o.value !== undefined ? { value: String(o.value) } : {}),
        since: status?.since ?? e.ts,
        ...this.#link(id),
      },
      affectedDependents: topo.dependentsOf(id),
      ...(o.oneShot ? { oneShot: true } : {}),
      ...(o.kind === 'flapping' ? { noEscalation: true } : {}),
      timezone: topo.timezoneOf(id),
    });
  }

  #armHeld(rule: AlertRule, id: string, since: number): void {
    const t = rule.trigger.held!;
    const due = since + t.for * 1000;
    this.#hold(rule.name, id, due, async () => {
      const s = this.#o.statusOf(id);
      if (s?.state !== t.state || s.since !== since || this.#o.episodes.covering(rule.name, id) || !this.#active(rule, id, this.#o.clock.now())) return;
      await this.#openSingle(rule, id, { ts: due, to: t.state, from: t.state }, 'held', { title: heldTitle(this.#label(id), t.state, t.for) });
    });
  }

  #armThreshold(rule: AlertRule, id: string, start: number): void {
    const t = rule.trigger.threshold!;
    const due = start + t.for * 1000;
    this.#hold(rule.name, id, due, async () => {
      const b = this.#breach.get(`${rule.name}\u0000${id}`);
      if (!b || b.start !== start || this.#o.episodes.covering(rule.name, id) || !this.#active(rule, id, this.#o.clock.now())) return;
      const title = thresholdTitle(this.#label(id), t.channel, t.above, t.below, t.for, b.value);
      await this.#openSingle(rule, id, { ts: due, to: this.#o.statusOf(id)?.state ?? 'warning' }, 'threshold', { title, value: b.value, discriminator: `${start}` });
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

  #forget(rule: string, id: string): void {
    this.#dropFromBuffer(rule, id);
    this.#cancelHold(rule, id);
    this.#breach.delete(`${rule}\u0000${id}`);
  }

  /** A sensor is back Up: its alert resolves once none of its sensors is still Down. */
  async #recovered(rule: string, id: string): Promise<void> {
    const a = this.#o.episodes.covering(rule, id);
    if (!a || a.data.trigger === 'flapping' || a.data.trigger === 'security') return;
    if (a.sensorIds.length > 1) {
      // Members still Down, worked out once per alert, so that an outage of thousands ends in linear time.
      let down = this.#downMembers.get(a.id);
      if (!down) this.#downMembers.set(a.id, (down = new Set(a.sensorIds.filter((s) => this.#o.statusOf(s)?.state === 'down'))));
      down.delete(id);
      for (const s of down) {
        if (this.#o.statusOf(s)?.state === 'down') return;
        down.delete(s);
      }
      this.#downMembers.delete(a.id);
    }
    const title = a.sensorIds.length > 1 || a.data.trigger === 'threshold' ? `Recovered: ${a.title}` : `${this.#label(id)} is back Up`;
    await this.#o.episodes.resolve(a, { kind: 'recovery', title, state: 'up' });
  }
}
