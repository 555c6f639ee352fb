// The engine's view of its own health (PRTG's Probe Health): how late checks start, how many run
// per second, how many wait, event-loop lag and memory, over a sliding window of one-second buckets
// with a log-scale lateness histogram (constant memory whatever the check rate).

import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Clock } from '../core/clock.ts';
import type { ProbeStats } from '../sensors/sensor.ts';

/** Histogram bins: bin 0 holds < 0.1 ms, bin b > 0 holds up to 0.1 ms × 1.1^b (5% resolution). */
const BINS = 220;
const BASE_MS = 0.1;
const GROWTH = Math.log(1.1);

export function binOf(ms: number): number {
  if (!(ms >= BASE_MS)) return 0;
  return Math.min(BINS - 1, 1 + Math.floor(Math.log(ms / BASE_MS) / GROWTH));
}

export function binUpper(bin: number): number {
  return bin === 0 ? 0 : BASE_MS * Math.exp(bin * GROWTH);
}

interface Bucket {
  sec: number;
  starts: number;
  skipped: number;
  max: number;
  readonly hist: Uint32Array;
}

export interface StatsOptions {
  readonly clock: Clock;
  /** Length of the sliding window, seconds (default 60). */
  readonly windowS?: number;
  /** Measure event-loop delay with perf_hooks (default true). */
  readonly eventLoop?: boolean;
}

export interface LiveCounts {
  readonly queueLength: number;
  readonly inFlight: number;
  readonly sensors: number;
}

export class StatsCollector {
  readonly #clock: Clock;
  readonly #windowS: number;
  readonly #buckets: Bucket[];
  readonly #startedAt: number;
  #loop: IntervalHistogram | undefined;
  #loopResetAt = 0;
  /** Totals since start, for the benchmark and the console. */
  totalStarts = 0;
  totalSkipped = 0;

  constructor(opts: StatsOptions) {
    this.#clock = opts.clock;
    this.#windowS = Math.max(1, Math.round(opts.windowS ?? 60));
    this.#buckets = Array.from({ length: this.#windowS }, () => ({ sec: -1, starts: 0, skipped: 0, max: 0, hist: new Uint32Array(BINS) }));
    this.#startedAt = opts.clock.now();
    if (opts.eventLoop !== false) this.#loop = monitorEventLoopDelay({ resolution: 20 });
  }

  start(): void {
    this.#loop?.enable();
    this.#loopResetAt = this.#clock.now();
  }

  stop(): void {
    this.#loop?.disable();
  }

  #bucket(): Bucket {
    const sec = Math.floor(this.#clock.now() / 1000);
    const b = this.#buckets[sec % this.#windowS]!;
    if (b.sec !== sec) {
      b.sec = sec;
      b.starts = 0;
      b.skipped = 0;
      b.max = 0;
      b.hist.fill(0);
    }
    return b;
  }

  /** A check started `latenessMs` after it was due. */
  recordStart(latenessMs: number): void {
    const late = Math.max(0, latenessMs);
    const b = this.#bucket();
    b.starts++;
    b.hist[binOf(late)]!++;
    if (late > b.max) b.max = late;
    this.totalStarts++;
  }

  recordSkip(): void {
    this.#bucket().skipped++;
    this.totalSkipped++;
  }

  snapshot(live: LiveCounts): ProbeStats {
    const now = this.#clock.now();
    const nowSec = Math.floor(now / 1000);
    const hist = new Float64Array(BINS);
    let starts = 0;
    let skipped = 0;
    let max = 0;
    for (const b of this.#buckets) {
      if (b.sec <= nowSec - this.#windowS || b.sec > nowSec) continue;
      starts += b.starts;
      skipped += b.skipped;
      if (b.max > max) max = b.max;
      for (let i = 0; i < BINS; i++) hist[i]! += b.hist[i]!;
    }
    const pct = (q: number): number => {
      if (starts === 0) return 0;
      const rank = Math.ceil(q * starts);
      let seen = 0;
      for (let i = 0; i < BINS; i++) {
        seen += hist[i]!;
        if (seen >= rank) return round(Math.min(binUpper(i), max));
      }
      return round(max);
    };
    const spanS = Math.max(1, Math.min(this.#windowS, (now - this.#startedAt) / 1000));
    const mem = process.memoryUsage();
    return {
      checksPerS: round(starts / spanS),
      latenessMs: { p50: pct(0.5), p99: pct(0.99), max: round(max) },
      queueLength: live.queueLength,
      inFlight: live.inFlight,
      skippedOverlaps: skipped,
      eventLoopLagMs: this.#eventLoopLag(now),
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
      sensors: live.sensors,
    };
  }

  #eventLoopLag(now: number): number {
    const h = this.#loop;
    if (!h || h.count === 0) return 0;
    const lag = round(Math.max(0, h.percentile(99) / 1e6 - 20));
    // Start a fresh measurement once per window so that an old stall does not linger forever.
    if (now - this.#loopResetAt >= this.#windowS * 1000) {
      h.reset();
      this.#loopResetAt = now;
    }
    return lag;
  }
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
