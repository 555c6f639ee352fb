// Alert episodes (open → acknowledged → resolved): opening one tells its first recipients, a timer
// per open episode escalates and reminds at the due times kept in the store (so a restart carries
// on where it stopped), acknowledgement stops it, and resolution tells everyone who was told.
// While a maintenance window of the rule is active, or outside its hours, nothing is sent: the item
// due waits (the escalation clock stands still) unless another rule covers the time.
// Notifications are enqueued before the episode is saved: after a crash in between, the same
// decision is taken again and the queue drops the duplicates by key.

import { createHash } from 'node:crypto';
import type { Clock, TimerHandle } from '../../core/clock.ts';
import { activeWindow, nextBoundary } from '../../core/maintenance.ts';
import type { DeliveryQueue, Notification, NotificationKind, TemplateVars } from '../notification.ts';
import type { AlertRule } from '../config.ts';
import type { AlertData, AlertStore, Severity, StoredAlert, ToldEntry } from './alert-store.ts';
import type { RuleIndex, Target } from './rules.ts';

export interface EpisodeOptions {
  readonly clock: Clock;
  readonly store: AlertStore;
  readonly queue: DeliveryQueue;
  readonly index: () => RuleIndex;
  /** A signed acknowledgement URL for an alert and recipient, or undefined when links are off. */
  readonly ackUrl: (alertId: string, recipient: string) => string | undefined;
  /** Runs a timer's work in the engine's one-at-a-time queue. */
  readonly schedule: (what: string, fn: () => Promise<void>) => void;
  /** Acknowledges the alert's sensors in the monitoring engine. */
  readonly onAcknowledge?: (sensorId: string, by: string, note: string | undefined) => void;
  readonly log: (level: 'info' | 'warn' | 'error', msg: string) => void;
}

export interface OpenSpec {
  readonly rule: AlertRule;
  readonly nodeId: string;
  readonly sensorIds: readonly string[];
  readonly trigger: AlertData['trigger'];
  /** Makes the id unique for the episode (the instant the condition began, a finding id). */
  readonly discriminator: string;
  readonly openedAt: number;
  readonly severity: Severity;
  readonly kind: NotificationKind;
  readonly vars: TemplateVars;
  readonly affectedDependents: number;
  /** Told once and closed at once: nothing to acknowledge, escalate or recover (changes, "to Up"). */
  readonly oneShot?: boolean;
  /** Open until closed by the engine, but never escalated or repeated (a flapping notice). */
  readonly noEscalation?: boolean;
  readonly timezone: string;
}

export function alertIdOf(rule: string, nodeId: string, trigger: string, discriminator: string): string {
  return `al_${createHash('sha256').update(`${rule}\u0000${nodeId}\u0000${trigger}\u0000${discriminator}`).digest('hex').slice(0, 24)}`;
}

interface Progress {
  /** When the current escalation step was sent. */
  readonly stepAt: number;
  readonly remindersInStep: number;
  /** Origin of the escalation clock (default openedAt): each wait (maintenance, off hours) moves it on. */
  readonly base: number;
  /** When the last step or reminder went out: the next reminder counts from here. */
  readonly lastAt: number;
  /** The first notification is still owed (opened inside a maintenance window): due at this instant. */
  readonly owedAt: number;
  /** The notification kind of the owed first notification. */
  readonly owedKind: NotificationKind;
}

type Data = AlertData & Partial<Progress> & { readonly timezone?: string };

interface Due {
  readonly at: number;
  readonly step?: number;
  readonly first?: boolean;
}

export class Episodes {
  readonly #o: EpisodeOptions;
  readonly #active = new Map<string, StoredAlert>();
  /** rule + sensor → id of the active alert that covers the sensor for that rule. */
  readonly #covering = new Map<string, string>();
  readonly #timers = new Map<string, TimerHandle>();

  constructor(o: EpisodeOptions) {
    this.#o = o;
  }

  /** Loads open and acknowledged alerts and re-arms their timers from the stored due times. */
  async load(): Promise<number> {
    const list = await this.#o.store.active();
    for (const a of list) {
      this.#index(a);
      this.#arm(a);
    }
    return list.length;
  }

  active(): IterableIterator<StoredAlert> {
    return this.#active.values();
  }

  covering(rule: string, sensorId: string): StoredAlert | undefined {
    const id = this.#covering.get(`${rule}\u0000${sensorId}`);
    return id === undefined ? undefined : this.#active.get(id);
  }

  /** The active grouped alert of a rule at one of these parents, if any. */
  groupAt(rule: string, parents: readonly string[]): StoredAlert | undefined {
    for (const a of this.#active.values()) {
      if (a.ruleName === rule && a.data.trigger === 'state' && a.sensorIds.length > 1 && parents.includes(a.nodeId)) return a;
    }
    return undefined;
  }

  async open(s: OpenSpec): Promise<StoredAlert | undefined> {
    const id = alertIdOf(s.rule.name, s.nodeId, s.trigger, s.discriminator);
    if (this.#active.has(id)) return this.#active.get(id);
    if (!s.oneShot && (await this.#o.store.alert(id)) !== undefined) return undefined;
    const now = this.#o.clock.now();
    const tree = this.#o.index().topology.tree;
    const silenced = s.rule.maintenance.length > 0 ? activeWindow(tree.maintenance, s.rule.maintenance, now, s.timezone) : undefined;
    const vars: TemplateVars = { ...s.vars, severity: s.severity, affectedDependents: s.affectedDependents };
    let alert: StoredAlert = {
      id,
      ruleName: s.rule.name,
      nodeId: s.nodeId,
      title: s.vars.title,
      state: s.oneShot ? 'resolved' : 'open',
      severity: s.severity,
      openedAt: s.openedAt,
      ...(s.oneShot ? { resolvedAt: now } : {}),
      sensorIds: s.sensorIds,
      affectedDependents: s.affectedDependents,
      escalationStep: 0,
      reminders: 0,
      data: { trigger: s.trigger, told: [], vars, ...(silenced !== undefined ? { silenced } : {}), stepAt: now, lastAt: now, remindersInStep: 0, base: now, timezone: s.timezone } as Data,
    };
    if (silenced === undefined) {
      const targets = this.#o.index().targets(s.rule, 0, now);
      const told = await this.#send(alert, s.kind, 's0', targets, vars, !s.oneShot);
      alert = { ...alert, data: { ...alert.data, told } };
      if (!s.oneShot && !s.noEscalation) alert = this.#withNextDue(alert, s.rule);
    } else if (!s.oneShot) {
      // Still open when the window ends: the first notification is owed then (see #due).
      const owedAt = this.#resumeAt(s.rule, s.nodeId, s.timezone, now);
      if (owedAt !== undefined) alert = { ...alert, nextDueAt: owedAt, data: { ...alert.data, owedAt, owedKind: s.kind } as Data };
      this.#o.log('info', `alert ${id} (rule ${s.rule.name}, ${s.nodeId}) opened silently: maintenance window ${silenced} is active${owedAt !== undefined ? `; told at ${new Date(owedAt).toISOString()} if still open and unacknowledged` : ''}`);
    } else this.#o.log('info', `alert ${id} (rule ${s.rule.name}, ${s.nodeId}) recorded silently: maintenance window ${silenced} is active`);
    await this.#o.store.saveAlerts([alert]);
    if (!s.oneShot) {
      this.#index(alert);
      this.#arm(alert);
    }
    return alert;
  }

  /** Adds sensors to an active alert (a grouped outage growing after its window closed). */
  async addMembers(alert: StoredAlert, sensorIds: readonly string[]): Promise<void> {
    const fresh = sensorIds.filter((s) => !alert.sensorIds.includes(s));
    if (fresh.length === 0) return;
    await this.#save({ ...alert, sensorIds: [...alert.sensorIds, ...fresh] });
  }

  /** Closes an alert; tells everyone who was told (unless the rule says no recovery, or `notice` is false). */
  async resolve(alert: StoredAlert, notice: { kind: NotificationKind; title: string; state?: string } | false): Promise<void> {
    const now = this.#o.clock.now();
    const rule = this.#o.index().rule(alert.ruleName);
    if (notice !== false && (notice.kind !== 'recovery' || rule?.recovery !== false) && alert.data.told.length > 0) {
      const vars: TemplateVars = { ...alert.data.vars, title: notice.title, ...(notice.state !== undefined ? { state: notice.state, previousState: alert.data.vars.state } : {}) };
      const targets = alert.data.told.map((t): Target => ({ recipient: { name: t.recipient, ...(t.address !== undefined ? { address: t.address } : {}) }, channel: t.channel, ...(t.fallbackChannel !== undefined ? { fallbackChannel: t.fallbackChannel } : {}) }));
      await this.#send(alert, notice.kind, 'end', targets, vars, false);
    }
    const { nextDueAt: _drop, ...rest } = alert;
    // Keep an acknowledgement recorded by another core process (a standby serving the API).
    const ack = alert.acknowledged ?? (await this.#o.store.alert(alert.id))?.acknowledged;
    await this.#save({ ...rest, ...(ack ? { acknowledged: ack } : {}), state: 'resolved', resolvedAt: now });
  }

  async acknowledge(id: string, by: string, note: string | undefined, via: 'console' | 'api' | 'link'): Promise<StoredAlert> {
    // The store first: another core process may have acknowledged it already.
    const alert = (await this.#o.store.alert(id)) ?? this.#active.get(id);
    if (!alert) throw new Error(`alert "${id}" not found`);
    if (alert.state !== 'open') return alert;
    const { nextDueAt: _drop, ...rest } = alert;
    const acked: StoredAlert = { ...rest, state: 'acknowledged', acknowledged: { by, at: this.#o.clock.now(), ...(note !== undefined ? { note } : {}), via } };
    await this.#save(acked);
    for (const s of acked.sensorIds) {
      try {
        this.#o.onAcknowledge?.(s, by, note);
      } catch (err) {
        this.#o.log('warn', `alert ${id}: acknowledging sensor ${s} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return acked;
  }

  /** Stops an alert's timer and forgets it (close()). */
  stopAll(): void {
    for (const t of this.#timers.values()) this.#o.clock.clearTimeout(t);
    this.#timers.clear();
  }

  async #save(a: StoredAlert): Promise<void> {
    await this.#o.store.saveAlerts([a]);
    this.#index(a);
    this.#arm(a);
  }

  #index(a: StoredAlert): void {
    const prev = this.#active.get(a.id);
    for (const s of prev?.sensorIds ?? []) {
      const k = `${a.ruleName}\u0000${s}`;
      if (this.#covering.get(k) === a.id) this.#covering.delete(k);
    }
    if (a.state === 'resolved') {
      this.#active.delete(a.id);
      return;
    }
    this.#active.set(a.id, a);
    // A flapping notice sits beside the sensor's alerts, it does not stand for them.
    if (a.data.trigger === 'flapping') return;
    for (const s of a.sensorIds) this.#covering.set(`${a.ruleName}\u0000${s}`, a.id);
  }

  #arm(a: StoredAlert): void {
    const old = this.#timers.get(a.id);
    if (old !== undefined) this.#o.clock.clearTimeout(old);
    this.#timers.delete(a.id);
    if (a.state !== 'open' || a.nextDueAt === undefined) return;
    const due = a.nextDueAt;
    const handle = this.#o.clock.setTimeout(() => {
      this.#timers.delete(a.id);
      this.#o.schedule(`escalating alert ${a.id}`, () => this.#due(a.id, due));
    }, Math.max(0, due - this.#o.clock.now()));
    this.#timers.set(a.id, handle);
  }

  /** When the last step or reminder went out (rows written before lastAt was kept: worked out from the step). */
  #lastSent(a: StoredAlert, rule: AlertRule): number {
    const d = a.data as Data;
    return d.lastAt ?? (d.stepAt ?? a.openedAt) + (d.remindersInStep ?? 0) * (rule.repeat?.every ?? 0) * 1000;
  }

  /** The owed first notification, else the next escalation step or reminder of an open alert, whichever is earlier. */
  #next(a: StoredAlert, rule: AlertRule): Due | undefined {
    const idx = this.#o.index();
    const d = a.data as Data;
    if (d.owedAt !== undefined) return { at: d.owedAt, first: true };
    if (a.data.trigger === 'flapping') return undefined;
    const step = a.escalationStep + 1;
    const stepAt = step < idx.stepCount(rule) ? (d.base ?? a.openedAt) + idx.stepAfterS(rule, step) * 1000 : undefined;
    const remindAt = rule.repeat && a.reminders < rule.repeat.max ? this.#lastSent(a, rule) + rule.repeat.every * 1000 : undefined;
    if (stepAt !== undefined && (remindAt === undefined || stepAt <= remindAt)) return { at: stepAt, step };
    return remindAt !== undefined ? { at: remindAt } : undefined;
  }

  #withNextDue(a: StoredAlert, rule: AlertRule): StoredAlert {
    const { nextDueAt: _drop, ...rest } = a;
    const n = this.#next(a, rule);
    return n ? { ...rest, nextDueAt: n.at } : rest;
  }

  async #due(id: string, due: number): Promise<void> {
    const a = this.#active.get(id);
    if (!a || a.state !== 'open' || a.nextDueAt !== due) return;
    // Another core process (a standby serving the API) may have acknowledged it in the store.
    const stored = await this.#o.store.alert(id);
    if (stored && stored.state !== 'open') {
      this.#index(stored);
      this.#arm(stored);
      return;
    }
    const rule = this.#o.index().rule(a.ruleName);
    if (!rule) {
      // The rule was removed from the config: nothing more is due for its alerts.
      const { nextDueAt: _drop, ...rest } = a;
      await this.#save(rest);
      return;
    }
    const now = this.#o.clock.now();
    const n = this.#next(a, rule);
    if (!n) return;
    const d = a.data as Data;
    const idx = this.#o.index();
    const tz = d.timezone ?? 'UTC';
    const resume = this.#resumeAt(rule, a.nodeId, tz, now);
    if (resume !== now) {
      const inWindow = rule.maintenance.length > 0 && activeWindow(idx.topology.tree.maintenance, rule.maintenance, now, tz) !== undefined;
      const cover = inWindow || n.first === true ? undefined : idx.coveringRule(rule, a.sensorIds.length > 0 ? a.sensorIds : [a.nodeId], now);
      if (cover) {
        // Off hours, but another rule is on duty now and tells its own people: this step is theirs.
        this.#o.log('info', `alert ${a.id} (rule ${rule.name}): ${n.step !== undefined ? `step ${n.step}` : 'reminder'} not sent: outside the rule's hours, rule ${cover.name} covers this time`);
        await this.#save(this.#withNextDue(this.#advanced(a, n, now, []), rule));
        return;
      }
      if (resume === undefined) {
        this.#o.log('warn', `alert ${a.id} (rule ${rule.name}): nothing more is sent, the rule is never active again (schedule or maintenance)`);
        const { nextDueAt: _drop, ...rest } = a;
        await this.#save(rest);
        return;
      }
      // The escalation clock stands still while the rule is silenced or off hours: what was due
      // now is due when it is active again, and every later step moves on by as much.
      const shift = resume - n.at;
      const moved: Data = n.first === true ? { ...d, owedAt: resume } : { ...d, base: (d.base ?? a.openedAt) + shift, lastAt: this.#lastSent(a, rule) + shift };
      this.#o.log('info', `alert ${a.id} (rule ${rule.name}): ${inWindow ? 'maintenance window active' : 'outside the rule\'s hours'}, waiting until ${new Date(resume).toISOString()}`);
      await this.#save(this.#withNextDue({ ...a, data: moved }, rule));
      return;
    }
    let told: ToldEntry[];
    if (n.first === true) {
      told = await this.#send(a, d.owedKind ?? 'alert', 's0', idx.targets(rule, 0, now), a.data.vars, true);
    } else if (n.step !== undefined) {
      told = await this.#send(a, 'escalation', `s${n.step}`, idx.targets(rule, n.step, now), { ...a.data.vars, title: `Escalation: ${a.title}` }, true);
    } else {
      const r = (d.remindersInStep ?? 0) + 1;
      told = await this.#send(a, 'reminder', `s${a.escalationStep}r${r}`, idx.targets(rule, a.escalationStep, now), { ...a.data.vars, title: `Reminder: ${a.title}` }, true);
    }
    await this.#save(this.#withNextDue(this.#advanced(a, n, now, told), rule));
  }

  /** The alert after the due item went out (or was passed on to the rule covering the time). */
  #advanced(a: StoredAlert, n: Due, now: number, told: readonly ToldEntry[]): StoredAlert {
    const d = a.data as Data;
    const all = merge(a.data.told, told);
    if (n.first === true) {
      const { owedAt: _o, owedKind: _k, ...rest } = d;
      // The escalation clock starts when the first notification actually went out.
      return { ...a, data: { ...rest, told: all, base: now, stepAt: now, lastAt: now, remindersInStep: 0 } as Data };
    }
    if (n.step !== undefined) return { ...a, escalationStep: n.step, data: { ...d, told: all, stepAt: now, lastAt: now, remindersInStep: 0 } as Data };
    return { ...a, reminders: a.reminders + 1, data: { ...d, told: all, lastAt: now, remindersInStep: (d.remindersInStep ?? 0) + 1 } as Data };
  }

  /**
   * The first instant at or after `from` at which the rule may notify about the node: no
   * maintenance window of the rule active and inside its schedule. Undefined: never again.
   */
  #resumeAt(rule: AlertRule, nodeId: string, tz: string, from: number): number | undefined {
    const idx = this.#o.index();
    const windows = idx.topology.tree.maintenance;
    let t = from;
    // Windows and hours may chain (a window ending off hours): a few rounds settle it.
    for (let i = 0; i < 64; i++) {
      if (rule.maintenance.length > 0 && activeWindow(windows, rule.maintenance, t, tz) !== undefined) {
        const b = nextBoundary(windows, rule.maintenance, t, tz);
        if (b === undefined) return undefined;
        t = b;
        continue;
      }
      const next = idx.nextActiveAt(rule, nodeId, t);
      if (next === undefined || next === t) return next;
      t = next;
    }
    return undefined;
  }

  async #send(a: StoredAlert, kind: NotificationKind, tag: string, targets: readonly Target[], vars: TemplateVars, withAck: boolean): Promise<ToldEntry[]> {
    if (targets.length === 0) {
      this.#o.log('warn', `alert ${a.id} (rule ${a.ruleName}): nobody to tell for ${kind} ${tag} (no recipient reachable now)`);
      return [];
    }
    const now = this.#o.clock.now();
    const list: Notification[] = targets.map((t) => {
      const ackUrl = withAck ? this.#o.ackUrl(a.id, t.recipient.name) : undefined;
      return {
        key: `${a.id}|${kind}|${tag}|${t.recipient.name}|${t.channel}`,
        alertId: a.id,
        ruleName: a.ruleName,
        kind,
        channel: t.channel,
        ...(t.fallbackChannel !== undefined ? { fallbackChannel: t.fallbackChannel } : {}),
        recipient: t.recipient,
        createdAt: now,
        vars: ackUrl !== undefined ? { ...vars, ackUrl } : vars,
      };
    });
    await this.#o.queue.enqueue(list);
    return targets.map((t) => ({ recipient: t.recipient.name, ...(t.recipient.address !== undefined ? { address: t.recipient.address } : {}), channel: t.channel, ...(t.fallbackChannel !== undefined ? { fallbackChannel: t.fallbackChannel } : {}) }));
  }
}

function merge(a: readonly ToldEntry[], b: readonly ToldEntry[]): ToldEntry[] {
  const seen = new Set(a.map((t) => `${t.recipient}\u0000${t.channel}`));
  return [...a, ...b.filter((t) => !seen.has(`${t.recipient}\u0000${t.channel}`))];
}
