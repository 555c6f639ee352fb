// When to try again: exponential backoff with jitter (so a recovered relay is not hit by every
// queued notification in the same second), never past the channel's retry deadline.

export interface BackoffOptions {
  /** Delay after the first failed attempt, ms (default 5 s). */
  readonly initialMs?: number;
  /** Longest delay between attempts, ms (default 5 min). */
  readonly maxMs?: number;
  /** Growth per attempt (default 2). */
  readonly factor?: number;
  /** ± fraction of the delay drawn at random (default 0.2). */
  readonly jitter?: number;
}

export const DEFAULT_BACKOFF: Required<BackoffOptions> = { initialMs: 5_000, maxMs: 300_000, factor: 2, jitter: 0.2 };

/** Delay after `attempts` failed attempts (1 = after the first). `random` in [0, 1). */
export function backoffDelay(attempts: number, random: number, opts: BackoffOptions = {}): number {
  const o = { ...DEFAULT_BACKOFF, ...opts };
  const base = Math.min(o.maxMs, o.initialMs * o.factor ** Math.max(0, attempts - 1));
  return Math.max(0, Math.round(base * (1 - o.jitter + 2 * o.jitter * random)));
}

/**
 * The next attempt's time, or undefined when the retry window is over. The last attempt is placed
 * at the deadline itself rather than skipped, so "retry for 1h" really tries until the hour is up.
 */
export function nextAttemptAt(now: number, attempts: number, deadline: number, random: number, opts: BackoffOptions = {}): number | undefined {
  if (now >= deadline) return undefined;
  return Math.min(deadline, now + backoffDelay(attempts, random, opts));
}
