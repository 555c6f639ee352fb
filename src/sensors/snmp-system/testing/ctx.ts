// Test helper: a CheckContext with a controllable clock and its own memory.

import type { CheckContext, Credential } from '../../sensor.ts';

export interface TestCtx extends CheckContext {
  /** Moves the fake monotonic and wall clocks forward. */
  advance(ms: number): void;
}

/** `real: true` uses the real clocks (for real peers such as snmpd, whose uptime runs in real time). */
export function testCtx(opts: { credential?: Credential; timeoutMs?: number; start?: number; signal?: AbortSignal; clock?: { now: number }; real?: boolean } = {}): TestCtx {
  const clock = opts.clock ?? { now: opts.start ?? Date.UTC(2026, 0, 5, 8, 0, 0) };
  return {
    signal: opts.signal ?? new AbortController().signal,
    timeoutMs: opts.timeoutMs ?? 10_000,
    now: opts.real ? () => performance.now() : () => clock.now,
    wallNow: opts.real ? () => Date.now() : () => clock.now,
    memory: new Map(),
    sensorId: 'test-sensor',
    ...(opts.credential ? { credential: opts.credential } : {}),
    advance(ms) {
      clock.now += ms;
    },
  };
}
