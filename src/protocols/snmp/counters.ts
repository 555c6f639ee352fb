// Counter arithmetic for rates: the delta between two samples of a Counter32 or Counter64,
// correct across one 32-bit wrap and refusing to guess when the counter was reset (agent
// restart, discontinuity) or may have wrapped more than once. Pure functions.

export const TWO_32 = 4294967296n;

export type CounterDelta =
  | { readonly ok: true; readonly delta: bigint; readonly wrapped: boolean }
  | { readonly ok: false; readonly reason: string };

/**
 * @param bits width of the counter
 * @param elapsedS seconds between the two samples
 * @param maxPerS the fastest the counter can plausibly move (line rate in bytes/s); undefined when unknown
 */
export function counterDelta(prev: bigint, cur: bigint, bits: 32 | 64, elapsedS: number, maxPerS?: number): CounterDelta {
  if (cur >= prev) return { ok: true, delta: cur - prev, wrapped: false };
  if (bits === 64) return { ok: false, reason: '64-bit counter went backwards (counter reset)' };
  // One wrap is the only explanation when the counter cannot move 2^32 within the elapsed time.
  if (maxPerS !== undefined && maxPerS > 0 && elapsedS * maxPerS >= 2 ** 32) {
    return { ok: false, reason: `32-bit counter went backwards after ${elapsedS.toFixed(0)} s: it may have wrapped more than once at this speed (use SNMP v2c/v3 for 64-bit counters or a shorter interval)` };
  }
  return { ok: true, delta: cur + TWO_32 - prev, wrapped: true };
}

/**
 * TimeTicks (1/100 s, 32-bit) of sysUpTime: did the agent restart between two samples? Either the
 * uptime went back, or it grew clearly less than the time that passed (a restart early in the
 * interval). A 497-day sysUpTime wrap is not a restart.
 */
export function uptimeWentBack(prevTicks: number, curTicks: number, elapsedS: number): boolean {
  const elapsedTicks = Math.round(elapsedS * 100);
  if (curTicks < prevTicks) {
    const wrappedTo = prevTicks + elapsedTicks - 2 ** 32;
    return !(wrappedTo >= 0 && Math.abs(curTicks - wrappedTo) <= Math.max(500, elapsedTicks / 10));
  }
  // Agent and probe clocks drift and requests take time: allow 5 s or a tenth of the interval.
  return curTicks - prevTicks < elapsedTicks - Math.max(500, elapsedTicks / 10);
}

/** "3 d 4 h", "5 min 3 s" */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${s % 60} s`;
  return `${s} s`;
}
