// Backoff: doubling from 5 s up to 5 min, ±20 % jitter, and never past the retry deadline.

import { describe, expect, it } from 'vitest';
import { backoffDelay, nextAttemptAt } from './backoff.ts';

describe('backoff', () => {
  it('doubles from 5 s and stops growing at 5 min', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map((n) => backoffDelay(n, 0.5))).toEqual([5000, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
  });

  it('spreads retries by ±20 %', () => {
    expect(backoffDelay(1, 0)).toBe(4000);
    expect(backoffDelay(1, 0.999999)).toBe(6000);
    expect(backoffDelay(3, 0.25, { initialMs: 1000, factor: 3, jitter: 0.5 })).toBe(6750);
  });

  it('places the last attempt at the deadline and then gives up', () => {
    expect(nextAttemptAt(1000, 1, 100_000, 0.5)).toBe(6000);
    expect(nextAttemptAt(98_000, 5, 100_000, 0.5)).toBe(100_000);
    expect(nextAttemptAt(100_000, 6, 100_000, 0.5)).toBeUndefined();
  });
});
