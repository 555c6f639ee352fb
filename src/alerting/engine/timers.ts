// Named one-shot timers on the injected clock (held states, held thresholds, flapping settle times):
// arming a name again replaces its timer, and the work runs in the engine's one-at-a-time queue.

import type { Clock, TimerHandle } from '../../core/clock.ts';

export class KeyedTimers {
  readonly #clock: Clock;
  readonly #schedule: (what: string, fn: () => Promise<void>) => void;
  readonly #timers = new Map<string, TimerHandle>();

  constructor(clock: Clock, schedule: (what: string, fn: () => Promise<void>) => void) {
    this.#clock = clock;
    this.#schedule = schedule;
  }

  has(key: string): boolean {
    return this.#timers.has(key);
  }

  /** Runs `fn` at epoch ms `at` (at once when it is past). */
  arm(key: string, at: number, what: string, fn: () => Promise<void>): void {
    this.cancel(key);
    const h = this.#clock.setTimeout(() => {
      this.#timers.delete(key);
      this.#schedule(what, fn);
    }, Math.max(0, at - this.#clock.now()));
    this.#timers.set(key, h);
  }

  cancel(key: string): void {
    const h = this.#timers.get(key);
    if (h !== undefined) this.#clock.clearTimeout(h);
    this.#timers.delete(key);
  }

  clear(): void {
    for (const h of this.#timers.values()) this.#clock.clearTimeout(h);
    this.#timers.clear();
  }
}
