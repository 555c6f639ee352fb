// Login throttling: fixed windows per client address and per account name, so that a
// password-guessing run is slowed before the per-account lockout kicks in. The counters live in the
// store (a bounded table of expiring rows), so a restart does not reset a brute force in progress
// and several core processes on one PostgreSQL database count together.

import type { Clock } from '../../core/clock.ts';
import type { AuthStore } from './types.ts';

export interface LimiterPolicy {
  readonly ipAttempts: number;
  readonly accountAttempts: number;
  readonly attemptWindowMs: number;
  /** At most this many counters are kept: a flood of addresses cannot grow the table without bound. */
  readonly attemptRows: number;
}

export class LoginLimiter {
  readonly #store: Pick<AuthStore, 'hitLoginWindow' | 'purgeLoginWindows'>;
  readonly #clock: Pick<Clock, 'now'>;
  readonly #policy: LimiterPolicy;

  constructor(store: Pick<AuthStore, 'hitLoginWindow' | 'purgeLoginWindows'>, clock: Pick<Clock, 'now'>, policy: LimiterPolicy) {
    this.#store = store;
    this.#clock = clock;
    this.#policy = policy;
  }

  /** Counts one attempt; resolves to the seconds to wait when over a limit, else undefined. */
  async attempt(ip: string, login: string): Promise<number | undefined> {
    const now = this.#clock.now();
    const a = await this.#hit(`ip:${ip}`, now, this.#policy.ipAttempts);
    const b = await this.#hit(`account:${login.toLowerCase()}`, now, this.#policy.accountAttempts);
    const wait = Math.max(a ?? 0, b ?? 0);
    return wait > 0 ? wait : undefined;
  }

  /** Drops the counters whose window has passed (the session purge runs it). */
  purge(): Promise<number> {
    // A window that started exactly attemptWindowMs ago has ended too (see #hit).
    return this.#store.purgeLoginWindows(this.#clock.now() - this.#policy.attemptWindowMs + 1);
  }

  async #hit(key: string, now: number, max: number): Promise<number | undefined> {
    const w = await this.#store.hitLoginWindow(key, now, this.#policy.attemptWindowMs, this.#policy.attemptRows);
    if (w.count <= max) return undefined;
    return Math.max(1, Math.ceil((w.windowStart + this.#policy.attemptWindowMs - now) / 1000));
  }
}
