// Login throttling in memory: fixed windows per client address and per account name, so that a
// password-guessing run is slowed before the per-account lockout (kept in the store) kicks in.

import type { Clock } from '../../core/clock.ts';

export interface LimiterPolicy {
  readonly ipAttempts: number;
  readonly accountAttempts: number;
  readonly attemptWindowMs: number;
}

interface Window {
  start: number;
  count: number;
}

/** Above this many keys, expired windows are dropped: a flood of addresses cannot grow memory without bound. */
const SWEEP_AT = 10_000;

export class LoginLimiter {
  readonly #clock: Pick<Clock, 'now'>;
  readonly #policy: LimiterPolicy;
  readonly #windows = new Map<string, Window>();

  constructor(clock: Pick<Clock, 'now'>, policy: LimiterPolicy) {
    this.#clock = clock;
    this.#policy = policy;
  }

  /** Counts one attempt; returns the seconds to wait when over a limit, else undefined. */
  attempt(ip: string, login: string): number | undefined {
    const now = this.#clock.now();
    if (this.#windows.size > SWEEP_AT) {
      for (const [k, w] of this.#windows) if (now - w.start >= this.#policy.attemptWindowMs) this.#windows.delete(k);
    }
    const a = this.#hit(`ip:${ip}`, now, this.#policy.ipAttempts);
    const b = this.#hit(`account:${login.toLowerCase()}`, now, this.#policy.accountAttempts);
    const wait = Math.max(a ?? 0, b ?? 0);
    return wait > 0 ? wait : undefined;
  }

  #hit(key: string, now: number, max: number): number | undefined {
    let w = this.#windows.get(key);
    if (!w || now - w.start >= this.#policy.attemptWindowMs) {
      w = { start: now, count: 0 };
      this.#windows.set(key, w);
    }
    w.count++;
    if (w.count <= max) return undefined;
    return Math.max(1, Math.ceil((w.start + this.#policy.attemptWindowMs - now) / 1000));
  }
}
