// Test helpers shared by the DICOM kinds' tests: a CheckContext on the real clock, and a check
// that no socket or timer outlives a check (process.getActiveResourcesInfo before and after).

import { performance } from 'node:perf_hooks';
import type { CheckContext } from '../sensor.ts';

export function checkContext(timeoutMs = 10_000, signal: AbortSignal = new AbortController().signal): CheckContext {
  return { signal, timeoutMs, now: () => performance.now(), wallNow: () => Date.now(), memory: new Map(), sensorId: 'test' };
}

/** Counts of live handles that a leaking check would leave: sockets and timers. */
export function liveHandles(): { sockets: number; timers: number } {
  const info = process.getActiveResourcesInfo();
  return { sockets: info.filter((r) => r === 'TCPSocketWrap' || r === 'TLSWrap').length, timers: info.filter((r) => r === 'Timeout').length };
}

/** Waits (bounded) until `cond` holds, yielding to the event loop; for the far side of a socket to notice a close. */
export async function eventually(cond: () => boolean, what: string, maxMs = 5000): Promise<void> {
  const end = performance.now() + maxMs;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`still not true after ${maxMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
