// The "unusual" trigger: the core has no Unusual state, so alerting learns a channel's usual range
// per hour of the week from the store's hourly rollups — mean ± sigma·stddev of the hourly averages
// at the same hour one, two, … `weeks` weeks back (168 h steps) — and a value outside it is unusual
// once at least `minWeeks` of those hours have data. One history read per sensor, channel and hour.

import type { SensorStatus, TimedReading } from '../../core/model.ts';
import type { HistoryQuery, HistoryResult } from '../../store/store.ts';
import type { AlertRule } from '../config.ts';
import type { Episodes } from './episodes.ts';
import type { Opener } from './opener.ts';

/** The narrow part of the store's HistoryReader the trigger needs. */
export interface UsualHistory {
  history(q: HistoryQuery): Promise<HistoryResult>;
}

export interface UsualSettings {
  readonly channel: string;
  readonly sigma: number;
  readonly weeks: number;
  readonly minWeeks: number;
}

export interface UsualRange {
  readonly mean: number;
  readonly low: number;
  readonly high: number;
  /** Weeks that had data at this hour. */
  readonly weeks: number;
}

const HOUR_MS = 3_600_000;
export const WEEK_MS = 7 * 24 * HOUR_MS;

/** Mean ± sigma·(sample) standard deviation of the weekly values; undefined below minWeeks. */
export function usualRange(values: readonly number[], sigma: number, minWeeks: number): UsualRange | undefined {
  if (values.length === 0 || values.length < minWeeks) return undefined;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = values.length > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1)) : 0;
  return { mean, low: mean - sigma * sd, high: mean + sigma * sd, weeks: values.length };
}

export class UsualRanges {
  readonly #history: UsualHistory;
  /** sensor + channel + weeks → the hour they were read for and the weekly averages (newest week first). */
  readonly #cache = new Map<string, { readonly hour: number; readonly values: readonly number[] }>();

  constructor(history: UsualHistory) {
    this.#history = history;
  }

  /** The usual range of the channel at the hour of `ts`, or undefined while too little is learned. */
  async rangeAt(sensorId: string, s: UsualSettings, ts: number): Promise<UsualRange | undefined> {
    const hour = Math.floor(ts / HOUR_MS) * HOUR_MS;
    const key = `${sensorId}\u0000${s.channel}\u0000${s.weeks}`;
    let known = this.#cache.get(key);
    if (known?.hour !== hour) {
      const res = await this.#history.history({ sensorId, channel: s.channel, from: hour - s.weeks * WEEK_MS, to: hour - WEEK_MS, resolution: '1h' });
      const byTs = new Map(res.points.filter((p) => p.count > 0).map((p) => [p.ts, p.avg]));
      const values: number[] = [];
      for (let w = 1; w <= s.weeks; w++) {
        const v = byTs.get(hour - w * WEEK_MS);
        if (v !== undefined) values.push(v);
      }
      known = { hour, values };
      this.#cache.set(key, known);
    }
    return usualRange(known.values, s.sigma, s.minWeeks);
  }
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

export function unusualTitle(label: string, channel: string, value: number, r: UsualRange): string {
  return `${label}: ${channel} unusual for this hour of the week: ${value} (usual ${round(r.low)} to ${round(r.high)}, from ${r.weeks} week${r.weeks === 1 ? '' : 's'})`;
}

export interface UnusualContext {
  readonly ranges: UsualRanges;
  readonly episodes: Episodes;
  readonly opener: Opener;
  readonly statusOf: (sensorId: string) => SensorStatus | undefined;
  /** Whether the rule's schedule covers the instant. */
  readonly active: (at: number) => boolean;
}

/** A value outside the usual range opens the rule's alert; one back inside ends it. */
export async function decideUnusual(rule: AlertRule, r: TimedReading, c: UnusualContext): Promise<void> {
  const t = rule.trigger.unusual!;
  const id = r.sensorId;
  const v = r.channels.find((ch) => ch.key === t.channel)?.value;
  if (v === undefined) return;
  const range = await c.ranges.rangeAt(id, t, r.ts);
  if (!range) return;
  const open = c.episodes.covering(rule.name, id);
  if (v >= range.low && v <= range.high) {
    if (open) await c.opener.recovered(rule.name, id);
    return;
  }
  if (open || !c.active(r.ts)) return;
  const title = unusualTitle(c.opener.label(id), t.channel, v, range);
  await c.opener.openSingle(rule, id, { ts: r.ts, to: c.statusOf(id)?.state ?? 'up', ...(r.message !== undefined ? { message: r.message } : {}) }, 'unusual', { title, value: v });
}
