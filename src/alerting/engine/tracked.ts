// The conditions the deciding side tracks between alerts, kept in the store as they change so that
// a restart carries on: when a channel's threshold breach began (a "above X for 10 min" timer does
// not start again from zero) and each sensor's recent state changes (flapping is not forgotten;
// saved within a second, and at close).

import type { AlertStore } from './alert-store.ts';
import { FlapTracker, type FlapOptions, type FlapUpdate } from './flapping.ts';

export interface Breach {
  readonly start: number;
  readonly value: number;
}

const breachKey = (rule: string, id: string): string => `threshold:${JSON.stringify([rule, id])}`;
const flapKey = (id: string): string => `flap:${JSON.stringify([id])}`;

export interface Restored {
  readonly breaches: readonly { readonly rule: string; readonly sensorId: string; readonly breach: Breach }[];
  /** Flapping sensors and when each settles. */
  readonly flapping: ReadonlyMap<string, number>;
}

export class Tracked {
  readonly #store: AlertStore;
  flap: FlapTracker;
  /** rule + "\0" + sensor → the running breach (the value is the latest, the stored one the first). */
  readonly #breaches = new Map<string, Breach>();
  /** Sensors whose flapping history changed since the last flush. */
  readonly #dirty = new Set<string>();

  constructor(store: AlertStore, flap: FlapOptions) {
    this.#store = store;
    this.flap = new FlapTracker(flap);
  }

  /** New flapping thresholds (config reload): the history so far is kept. */
  reconfigure(flap: FlapOptions, now: number): void {
    const old = this.flap;
    this.flap = new FlapTracker(flap);
    for (const id of old.ids()) {
      const s = old.snapshot(id);
      if (s) this.flap.restore(id, s.changes, s.settleAt, now);
    }
  }

  breach(rule: string, id: string): Breach | undefined {
    return this.#breaches.get(`${rule}\u0000${id}`);
  }

  /** Records the latest value of a breach; a new breach (a new start) is saved. */
  async setBreach(rule: string, id: string, b: Breach): Promise<void> {
    const k = `${rule}\u0000${id}`;
    const known = this.#breaches.get(k);
    this.#breaches.set(k, b);
    if (known?.start !== b.start) await this.#store.saveConditions([{ key: breachKey(rule, id), value: b }], []);
  }

  async dropBreach(rule: string, id: string): Promise<void> {
    if (this.#breaches.delete(`${rule}\u0000${id}`)) await this.#store.saveConditions([], [breachKey(rule, id)]);
  }

  /** Breaches of a rule (for a rule whose active hours begin). */
  breachesOf(rule: string): { sensorId: string; breach: Breach }[] {
    const out: { sensorId: string; breach: Breach }[] = [];
    for (const [k, b] of this.#breaches) {
      const [r, id] = k.split('\u0000') as [string, string];
      if (r === rule) out.push({ sensorId: id, breach: b });
    }
    return out;
  }

  /**
   * Records a state change. The history is saved in batches (flush()), not one write per change:
   * an outage of thousands of sensors changes them all at once.
   */
  flapChange(id: string, ts: number): FlapUpdate {
    const u = this.flap.change(id, ts);
    this.#dirty.add(id);
    return u;
  }

  async flapSettle(id: string, now: number): Promise<boolean> {
    if (!this.flap.settle(id, now)) return false;
    this.#dirty.delete(id);
    await this.#store.saveConditions([], [flapKey(id)]);
    return true;
  }

  /** Whether flapping history waits to be saved. */
  get dirty(): boolean {
    return this.#dirty.size > 0;
  }

  /** Saves the flapping history changed since the last flush, in one transaction. */
  async flush(): Promise<void> {
    if (this.#dirty.size === 0) return;
    const ids = [...this.#dirty];
    this.#dirty.clear();
    const set = [];
    const remove = [];
    for (const id of ids) {
      const s = this.flap.snapshot(id);
      if (s) set.push({ key: flapKey(id), value: s });
      else remove.push(flapKey(id));
    }
    await this.#store.saveConditions(set, remove);
  }

  /** Reads what was kept; entries of unknown shape (or with nothing left to count) are deleted. */
  async load(now: number): Promise<Restored> {
    const breaches: { rule: string; sensorId: string; breach: Breach }[] = [];
    const stale: string[] = [];
    for (const c of await this.#store.conditions()) {
      const v = c.value as Record<string, unknown> | null;
      if (c.key.startsWith('threshold:')) {
        const ids = parseIds(c.key.slice('threshold:'.length));
        if (ids?.length === 2 && typeof v?.start === 'number' && typeof v.value === 'number') {
          const b = { start: v.start, value: v.value };
          this.#breaches.set(`${ids[0]}\u0000${ids[1]}`, b);
          breaches.push({ rule: ids[0]!, sensorId: ids[1]!, breach: b });
        } else stale.push(c.key);
      } else if (c.key.startsWith('flap:')) {
        const ids = parseIds(c.key.slice('flap:'.length));
        const changes = Array.isArray(v?.changes) ? v.changes.filter((x): x is number => typeof x === 'number') : [];
        const settleAt = typeof v?.settleAt === 'number' ? v.settleAt : undefined;
        if (ids?.length === 1) {
          this.flap.restore(ids[0]!, changes, settleAt, now);
          if (!this.flap.snapshot(ids[0]!)) stale.push(c.key);
        } else stale.push(c.key);
      }
    }
    if (stale.length > 0) await this.#store.saveConditions([], stale);
    return { breaches, flapping: new Map(this.flap.flapping()) };
  }
}

function parseIds(text: string): string[] | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined;
  } catch {
    return undefined;
  }
}
