// The clock every time-dependent part receives: the composition root passes the system clock,
// tests pass a manual one and advance it, so that no test ever sleeps.

export type TimerHandle = { readonly __timer: true } | object;

export interface Clock {
  /** Wall-clock epoch milliseconds. */
  now(): number;
  /** Monotonic milliseconds, for measuring durations. */
  monotonic(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}
