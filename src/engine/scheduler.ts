// The scheduler: every sensor's next due time in one min-heap, driven by a single timer armed for
// the earliest one. First runs are spread over the interval by a hash of the sensor id (a stable
// phase), so that 100,000 sensors configured at once do not all start in the same second.

import type { Clock, TimerHandle } from '../core/clock.ts';
import { MinHeap } from './heap.ts';

interface Slot {
  intervalMs: number;
  due: number;
  /** Bumped when the slot is rescheduled or removed: heap entries of an older generation are stale. */
  gen: number;
}

interface Entry {
  readonly due: number;
  readonly seq: number;
  readonly id: string;
  readonly gen: number;
}

export interface SchedulerOptions {
  readonly clock: Clock;
  /** Called for every due run, with the time it was due. */
  readonly onDue: (id: string, due: number) => void;
  /** Most due entries handled per timer callback before yielding to I/O (default 5000). */
  readonly maxPerTick?: number;
}

/** FNV-1a, 32 bit, with a final mix: a cheap, stable hash so that a sensor keeps its phase across restarts. */
export function hashId(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // murmur3's finaliser: FNV alone spreads ids that differ only in their last digits poorly.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The sensor's phase within its interval, ms in [0, intervalMs). */
export function phaseOf(id: string, intervalMs: number): number {
  return Math.floor((hashId(id) / 0x1_0000_0000) * intervalMs);
}

/** The first time >= now at which (t mod interval) equals the sensor's phase: stable on the wall clock. */
export function firstDue(id: string, intervalMs: number, now: number): number {
  const phase = phaseOf(id, intervalMs);
  const offset = (((phase - (now % intervalMs)) % intervalMs) + intervalMs) % intervalMs;
  return now + offset;
}

export class Scheduler {
  readonly #clock: Clock;
  readonly #onDue: (id: string, due: number) => void;
  readonly #maxPerTick: number;
  readonly #slots = new Map<string, Slot>();
  readonly #heap = new MinHeap<Entry>();
  #seq = 0;
  #timer: TimerHandle | undefined;
  #armedAt = Infinity;
  #running = false;
  #firing = false;

  constructor(opts: SchedulerOptions) {
    this.#clock = opts.clock;
    this.#onDue = opts.onDue;
    this.#maxPerTick = opts.maxPerTick ?? 5000;
  }

  get size(): number {
    return this.#slots.size;
  }

  /** Next due time of a sensor (for the console and tests). */
  dueOf(id: string): number | undefined {
    return this.#slots.get(id)?.due;
  }

  /** Adds a sensor, or moves it to a new interval (its phase follows the new interval). */
  schedule(id: string, intervalMs: number): void {
    const interval = Math.max(1, Math.round(intervalMs));
    const old = this.#slots.get(id);
    if (old && old.intervalMs === interval) return;
    const due = firstDue(id, interval, this.#clock.now());
    const slot: Slot = { intervalMs: interval, due, gen: (old?.gen ?? 0) + 1 };
    this.#slots.set(id, slot);
    this.#push(id, slot);
  }

  unschedule(id: string): void {
    this.#slots.delete(id);
    // Its heap entry goes stale; compact when stale entries dominate.
    if (this.#heap.size > 1024 && this.#heap.size > 2 * this.#slots.size) {
      this.#heap.filter((e) => this.#slots.get(e.id)?.gen === e.gen);
    }
  }

  start(): void {
    this.#running = true;
    // Sensors added before start were given phases then; re-derive them from now so that a late
    // start does not find them all overdue at once.
    const now = this.#clock.now();
    this.#heap.filter(() => false);
    for (const [id, slot] of this.#slots) {
      slot.due = firstDue(id, slot.intervalMs, now);
      slot.gen++;
      this.#heap.push({ due: slot.due, seq: ++this.#seq, id, gen: slot.gen });
    }
    this.#arm();
  }

  stop(): void {
    this.#running = false;
    this.#disarm();
  }

  #push(id: string, slot: Slot): void {
    this.#heap.push({ due: slot.due, seq: ++this.#seq, id, gen: slot.gen });
    if (this.#running && !this.#firing && slot.due < this.#armedAt) this.#arm();
  }

  #disarm(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedAt = Infinity;
  }

  #arm(): void {
    this.#disarm();
    if (!this.#running) return;
    const top = this.#heap.peek();
    if (!top) return;
    const now = this.#clock.now();
    this.#armedAt = top.due;
    this.#timer = this.#clock.setTimeout(() => this.#fire(), Math.max(0, top.due - now));
  }

  #fire(): void {
    this.#timer = undefined;
    this.#armedAt = Infinity;
    const now = this.#clock.now();
    this.#firing = true;
    try {
      this.#drain(now);
    } finally {
      this.#firing = false;
    }
    this.#arm();
  }

  #drain(now: number): void {
    let handled = 0;
    for (let top = this.#heap.peek(); top && top.due <= now && handled < this.#maxPerTick; top = this.#heap.peek()) {
      this.#heap.pop();
      const slot = this.#slots.get(top.id);
      if (!slot || slot.gen !== top.gen) continue;
      handled++;
      // Fixed rate: the next run is one interval after the previous due time, not after the run
      // ends. After a stall, missed slots are skipped rather than run in a burst.
      let next = slot.due + slot.intervalMs;
      if (next <= now) next += Math.ceil((now - next + 1) / slot.intervalMs) * slot.intervalMs;
      slot.due = next;
      this.#heap.push({ due: next, seq: ++this.#seq, id: top.id, gen: slot.gen });
      this.#onDue(top.id, top.due);
      if (!this.#running) return;
    }
  }
}
