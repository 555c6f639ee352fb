// Test helpers for the engine: an in-memory ValueWriter + StateStore, an in-process Inbox, a tree
// builder, and fake sensor kinds whose results a test scripts per sensor (no I/O, no sleeps).

import { z } from 'zod';
import type { Reading, StateEvent } from '../../core/model.ts';
import type { InheritableSettings, MaintenanceWindow, SensorNode, Tree, TreeNode } from '../../core/tree.ts';
import type { AnySensorKind, CheckContext, Inbox, ListenContext } from '../../sensors/sensor.ts';
import { ManualClock } from '../../shared/clock.ts';
import { Engine, type EngineOptions } from '../engine.ts';
import type { CheckRow, EventQuery, StateStore, StoredEvent, StoredSensorState, ValueRow, ValueWriter } from '../../store/store.ts';

export class MemoryStore implements ValueWriter, StateStore {
  readonly values: ValueRow[] = [];
  readonly checks: CheckRow[] = [];
  readonly batches: number[] = [];
  readonly stored = new Map<string, StoredSensorState>();
  readonly saves: number[] = [];
  readonly eventLog: StoredEvent[] = [];

  async writeBatch(values: readonly ValueRow[], checks: readonly CheckRow[]): Promise<void> {
    this.values.push(...values);
    this.checks.push(...checks);
    this.batches.push(values.length);
  }
  async saveStates(states: readonly StoredSensorState[]): Promise<void> {
    for (const s of states) this.stored.set(s.sensorId, s);
    this.saves.push(states.length);
  }
  async loadStates(): Promise<StoredSensorState[]> {
    return [...this.stored.values()];
  }
  async appendEvents(events: readonly StateEvent[]): Promise<void> {
    for (const e of events) this.eventLog.push({ ...e, id: this.eventLog.length + 1 });
  }
  async events(q: EventQuery): Promise<StoredEvent[]> {
    return this.eventLog.filter((e) => q.sensorId === undefined || e.sensorId === q.sensorId);
  }
}

export class MemoryInbox implements Inbox {
  readonly #subs = new Map<string, Set<(m: unknown) => void>>();
  subscribe(topic: string, fn: (message: unknown) => void): () => void {
    let set = this.#subs.get(topic);
    if (!set) this.#subs.set(topic, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }
  publish(topic: string, message: unknown): number {
    const set = this.#subs.get(topic);
    for (const fn of set ?? []) fn(message);
    return set?.size ?? 0;
  }
  subscribers(topic: string): number {
    return this.#subs.get(topic)?.size ?? 0;
  }
}

/** What a scripted check does: a reading, a value, a thrown error, or never answering. */
export type Script = Reading | number | 'throw' | 'hang' | 'deferred';

export interface CheckCall {
  readonly sensorId: string;
  readonly at: number;
  readonly settings: unknown;
  readonly ctx: CheckContext;
}

export interface ScriptedKind {
  readonly kind: AnySensorKind;
  readonly calls: CheckCall[];
  /** Sets what a sensor's next checks do (default: value 1). */
  script(sensorId: string, s: Script): void;
  /** Resolves the oldest 'deferred' check of a sensor. */
  resolve(sensorId: string, r?: Reading): void;
  /** Checks that are running right now. */
  running(): number;
}

const anySettings = z.record(z.string(), z.unknown());

export function scriptedKind(name: string, opts: { concurrency?: number; batch?: { maxSize: number; windowMs: number }; listen?: AnySensorKind['listen']; defaultIntervalS?: number } = {}): ScriptedKind {
  const scripts = new Map<string, Script>();
  const deferred = new Map<string, ((r: Reading) => void)[]>();
  const calls: CheckCall[] = [];
  let running = 0;
  const one = (settings: unknown, ctx: CheckContext): Promise<Reading> => {
    calls.push({ sensorId: ctx.sensorId, at: ctx.wallNow(), settings, ctx });
    const s = scripts.get(ctx.sensorId) ?? 1;
    if (s === 'throw') throw new Error('kaboom');
    if (typeof s === 'number') return Promise.resolve({ channels: [{ key: 'value', value: s }] });
    if (s === 'hang' || s === 'deferred') {
      running++;
      return new Promise<Reading>((resolve) => {
        const list = deferred.get(ctx.sensorId) ?? [];
        list.push((r) => {
          running--;
          resolve(r);
        });
        deferred.set(ctx.sensorId, list);
      });
    }
    return Promise.resolve(s);
  };
  const kind: AnySensorKind = {
    kind: name,
    title: name,
    description: 'scripted test kind',
    settings: anySettings,
    channels: [{ key: 'value', name: 'Value', unit: 'ms', limits: { upperWarning: 100, upperError: 200 } }],
    concurrency: opts.concurrency ?? 1000,
    usesHost: false,
    ...(opts.defaultIntervalS !== undefined ? { defaultIntervalS: opts.defaultIntervalS } : {}),
    check: (settings, ctx) => one(settings, ctx),
    ...(opts.listen ? { listen: opts.listen } : {}),
    ...(opts.batch
      ? {
          batch: {
            ...opts.batch,
            check: (items: readonly { settings: unknown; ctx: CheckContext }[]) => Promise.all(items.map((i) => one(i.settings, i.ctx))),
          },
        }
      : {}),
  };
  return {
    kind,
    calls,
    script: (id, s) => scripts.set(id, s),
    resolve: (id, r = { channels: [{ key: 'value', value: 1 }] }) => deferred.get(id)?.shift()?.(r),
    running: () => running,
  };
}

export interface SensorSpec {
  readonly id: string;
  readonly kind: string;
  readonly settings?: InheritableSettings;
  readonly kindSettings?: Record<string, unknown>;
  readonly channels?: SensorNode['channels'];
}

export interface TreeSpec {
  readonly timezone?: string;
  readonly sensors: readonly SensorSpec[];
  readonly groupSettings?: InheritableSettings;
  readonly maintenance?: readonly MaintenanceWindow[];
}

/** site → probe → group → device → sensors, in one call. */
export function treeOf(spec: TreeSpec): Tree {
  const nodes = new Map<string, TreeNode>();
  nodes.set('site', { type: 'site', id: 'site', name: 'Site', timezone: spec.timezone ?? 'UTC', settings: {}, children: ['probe'] });
  nodes.set('probe', { type: 'probe', id: 'probe', name: 'Probe', parentId: 'site', settings: {}, children: ['group'] });
  nodes.set('group', { type: 'group', id: 'group', name: 'Group', parentId: 'probe', system: 'network', settings: spec.groupSettings ?? {}, children: ['device'] });
  nodes.set('device', { type: 'device', id: 'device', name: 'Device', parentId: 'group', host: '127.0.0.1', settings: {}, children: spec.sensors.map((s) => s.id) });
  for (const s of spec.sensors) {
    nodes.set(s.id, { type: 'sensor', id: s.id, name: s.id, parentId: 'device', kind: s.kind, kindSettings: s.kindSettings ?? {}, channels: s.channels ?? {}, settings: s.settings ?? {}, children: [] });
  }
  return { nodes, roots: ['site'], maintenance: new Map((spec.maintenance ?? []).map((m) => [m.name, m])), credentials: new Map(), defaults: {} };
}

/** Lets every pending promise chain settle (the ManualClock flushes between timers, not after a direct call). */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds * 20; i++) await Promise.resolve();
}

export type { ListenContext };

/** Builds an engine on a manual clock with in-memory store and inbox, recording events. */
export function testEngine(kinds: readonly AnySensorKind[], opts: Partial<EngineOptions> & { clock?: ManualClock; store?: MemoryStore } = {}) {
  const clock = opts.clock ?? new ManualClock();
  const store = opts.store ?? new MemoryStore();
  const inbox = new MemoryInbox();
  const events: StateEvent[] = [];
  const byName = new Map(kinds.map((k) => [k.kind, k]));
  const engine = new Engine({
    clock,
    kindOf: (k) => byName.get(k),
    writer: store,
    states: store,
    inbox,
    measureEventLoop: false,
    onStateChange: (e) => events.push(e),
    ...opts,
  });
  return { engine, clock, store, inbox, events };
}
