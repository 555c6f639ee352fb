// Flapping: a sensor that changes state more than N times within M minutes is marked flapping (its
// state alerts are held back and one notice goes out); it settles after a quiet period. Pure: the
// caller passes the time and arms the settle timer at the instant this returns.

export interface FlapOptions {
  /** More changes than this within the window is flapping. */
  readonly changes: number;
  readonly windowMs: number;
  /** Quiet time after the last change at which a flapping sensor is settled. */
  readonly settleMs: number;
}

export type FlapUpdate =
  | { readonly kind: 'steady' }
  | { readonly kind: 'started'; readonly changes: number; readonly settleAt: number }
  | { readonly kind: 'still'; readonly settleAt: number };

export class FlapTracker {
  readonly #o: FlapOptions;
  readonly #changes = new Map<string, number[]>();
  readonly #flapping = new Map<string, number>();

  constructor(o: FlapOptions) {
    this.#o = o;
  }

  isFlapping(id: string): boolean {
    return this.#flapping.has(id);
  }

  /** Sensors with recent changes or flapping. */
  ids(): string[] {
    return [...new Set([...this.#changes.keys(), ...this.#flapping.keys()])];
  }

  /** Flapping sensors with the time each one settles unless it changes again. */
  flapping(): ReadonlyMap<string, number> {
    return this.#flapping;
  }

  /** Records one state change of a sensor at `ts`. */
  change(id: string, ts: number): FlapUpdate {
    let list = this.#changes.get(id);
    if (!list) this.#changes.set(id, (list = []));
    list.push(ts);
    const from = ts - this.#o.windowMs;
    while (list.length > 0 && list[0]! <= from) list.shift();
    const settleAt = ts + this.#o.settleMs;
    if (this.#flapping.has(id)) {
      this.#flapping.set(id, settleAt);
      return { kind: 'still', settleAt };
    }
    if (list.length > this.#o.changes) {
      this.#flapping.set(id, settleAt);
      return { kind: 'started', changes: list.length, settleAt };
    }
    return { kind: 'steady' };
  }

  /** Settles the sensor if its quiet period is over at `now`; true when it did. */
  settle(id: string, now: number): boolean {
    const at = this.#flapping.get(id);
    if (at === undefined || now < at) return false;
    this.#flapping.delete(id);
    this.#changes.delete(id);
    return true;
  }

  /** The sensor's recent changes and, when flapping, its settle time: what a restart needs to carry on. */
  snapshot(id: string): { readonly changes: readonly number[]; readonly settleAt?: number } | undefined {
    const changes = this.#changes.get(id);
    const settleAt = this.#flapping.get(id);
    if (!changes && settleAt === undefined) return undefined;
    return { changes: [...(changes ?? [])], ...(settleAt !== undefined ? { settleAt } : {}) };
  }

  /** Puts back what snapshot() returned (after a restart); changes older than the window at `now` are dropped. */
  restore(id: string, changes: readonly number[], settleAt: number | undefined, now: number): void {
    const kept = changes.filter((ts) => ts > now - this.#o.windowMs);
    if (kept.length > 0) this.#changes.set(id, kept);
    if (settleAt !== undefined) this.#flapping.set(id, settleAt);
  }

  forget(id: string): void {
    this.#flapping.delete(id);
    this.#changes.delete(id);
  }
}
