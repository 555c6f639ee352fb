// Maintenance windows: which window is active at a given instant and when the next one starts or
// ends, in the window's (or the site's) time zone. Pure: the caller passes the time. Weekly and
// cron windows both go through croner, so that both follow the same DST rules.

import { Cron } from 'croner';
import type { MaintenanceWindow, Weekday } from './tree.ts';

/** Anything that finds a window by its name (the tree's map, or a plain list). */
export type WindowSource = ReadonlyMap<string, MaintenanceWindow> | readonly MaintenanceWindow[];

interface Occurrence {
  readonly start: number;
  readonly end: number;
}

const CRON_DAY: Readonly<Record<Weekday, number>> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const LOCAL_ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/;
const ZONED_ISO = /(Z|[+-]\d{2}:?\d{2})$/i;

function isList(w: WindowSource): w is readonly MaintenanceWindow[] {
  return Array.isArray(w);
}

function lookup(windows: WindowSource, name: string): MaintenanceWindow | undefined {
  if (isList(windows)) return windows.find((w) => w.name === name);
  return windows.get(name);
}

/** Offset of a zone from UTC at an instant, in ms (Berlin in summer: +7_200_000). */
export function zoneOffsetMs(epochMs: number, timezone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(epochMs));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - (epochMs - (((epochMs % 1000) + 1000) % 1000));
}

/**
 * Epoch ms of a wall-clock time in a zone. Like Temporal's "compatible" disambiguation: a time that
 * does not exist (skipped by a spring-forward) moves forward by the gap, an ambiguous one (repeated
 * by a fall-back) takes the earlier instant.
 */
export function localToEpoch(y: number, mo: number, d: number, h: number, mi: number, s: number, timezone: string): number {
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  const before = zoneOffsetMs(wall - 86_400_000, timezone);
  const after = zoneOffsetMs(wall + 86_400_000, timezone);
  const valid = [wall - before, wall - after].filter((t) => zoneOffsetMs(t, timezone) === wall - t);
  if (valid.length > 0) return Math.min(...valid);
  return wall - before;
}

/** Parses a "once" bound: ISO local time in the zone, or with an explicit offset / Z. */
export function parseWindowTime(text: string, timezone: string): number | undefined {
  const t = text.trim();
  if (ZONED_ISO.test(t)) {
    const ms = Date.parse(t);
    return Number.isNaN(ms) ? undefined : ms;
  }
  const m = LOCAL_ISO.exec(t);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  return localToEpoch(y, mo, d, h, mi, s, timezone);
}

function cronOf(w: MaintenanceWindow, timezone: string): Cron | undefined {
  const s = w.schedule;
  let pattern: string;
  if (s.type === 'cron') pattern = s.cron;
  else if (s.type === 'weekly') {
    const m = HHMM.exec(s.start);
    if (!m || s.days.length === 0) return undefined;
    pattern = `${Number(m[2])} ${Number(m[1])} * * ${s.days.map((d) => CRON_DAY[d]).join(',')}`;
  } else return undefined;
  try {
    return new Cron(pattern, { timezone, paused: true });
  } catch {
    return undefined;
  }
}

function zoneOf(w: MaintenanceWindow, siteZone: string): string {
  return w.timezone ?? siteZone;
}

/** Croner searches in wall-clock time, so a search that starts after a skipped (spring-forward) start misses it: search from this far back. */
const DST_MARGIN_MS = 3 * 3_600_000;
/** Bounds the walk for patterns far denser than their duration ("* * * * *" lasting a day). */
const MAX_STEPS = 10_000;

interface Around {
  /** Occurrences running at `now`. */
  readonly active: readonly Occurrence[];
  /** First start after `now`. */
  readonly nextStart?: number;
}

/** Walks a cron/weekly window's starts from (now - duration - margin) up to the first start after now. */
function around(w: MaintenanceWindow, now: number, siteZone: string): Around {
  const tz = zoneOf(w, siteZone);
  const s = w.schedule;
  if (s.type === 'once') {
    const start = parseWindowTime(s.start, tz);
    const end = parseWindowTime(s.end, tz);
    if (start === undefined || end === undefined) return { active: [] };
    return { active: now >= start && now < end ? [{ start, end }] : [], ...(start > now ? { nextStart: start } : {}) };
  }
  const durationMs = s.durationMin * 60_000;
  const cron = cronOf(w, tz);
  if (!cron || !(durationMs > 0)) return { active: [] };
  const active: Occurrence[] = [];
  let t = now - durationMs - DST_MARGIN_MS;
  for (let step = 0; step < MAX_STEPS; step++) {
    const next = cron.nextRun(new Date(t))?.getTime();
    if (next === undefined) return { active };
    if (next > now) return { active, nextStart: next };
    if (next > t && next + durationMs > now) active.push({ start: next, end: next + durationMs });
    // Always move forward, even if croner answers with the same instant twice around a DST change.
    t = Math.max(next, t + 1000);
  }
  const next = cron.nextRun(new Date(now))?.getTime();
  return { active, ...(next !== undefined ? { nextStart: next } : {}) };
}

/** The next instant after `now` at which this window starts or ends, if it ever does again. */
function boundaryAfter(w: MaintenanceWindow, now: number, siteZone: string): number | undefined {
  const a = around(w, now, siteZone);
  const candidates = a.active.map((o) => o.end).filter((e) => e > now);
  if (a.nextStart !== undefined) candidates.push(a.nextStart);
  return candidates.length > 0 ? Math.min(...candidates) : undefined;
}

/** Name of the first listed window active at `nowMs`, or undefined. Unknown names are ignored. */
export function activeWindow(windows: WindowSource, names: readonly string[], nowMs: number, timezone: string): string | undefined {
  for (const name of names) {
    const w = lookup(windows, name);
    if (w && around(w, nowMs, timezone).active.length > 0) return name;
  }
  return undefined;
}

/** The next epoch ms (> nowMs) at which any listed window starts or ends; undefined if none ever will. */
export function nextBoundary(windows: WindowSource, names: readonly string[], nowMs: number, timezone: string): number | undefined {
  let next: number | undefined;
  for (const name of names) {
    const w = lookup(windows, name);
    const b = w ? boundaryAfter(w, nowMs, timezone) : undefined;
    if (b !== undefined && (next === undefined || b < next)) next = b;
  }
  return next;
}

function validZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** What is wrong with a window definition (for the config loader), or undefined when it is valid. */
export function maintenanceProblem(w: MaintenanceWindow, siteZone = 'UTC'): string | undefined {
  if (w.timezone !== undefined && !validZone(w.timezone)) return `unknown time zone "${w.timezone}"`;
  const tz = zoneOf(w, siteZone);
  const s = w.schedule;
  if (s.type === 'once') {
    const start = parseWindowTime(s.start, tz);
    const end = parseWindowTime(s.end, tz);
    if (start === undefined) return `start: expected a date and time such as 2026-03-29T02:00, got "${s.start}"`;
    if (end === undefined) return `end: expected a date and time such as 2026-03-29T04:00, got "${s.end}"`;
    if (end <= start) return 'end must be after start';
    return undefined;
  }
  if (!(s.durationMin > 0)) return `durationMin: expected a positive number of minutes, got ${s.durationMin}`;
  if (s.type === 'weekly') {
    if (!HHMM.test(s.start)) return `start: expected a time of day such as 02:30, got "${s.start}"`;
    if (s.days.length === 0) return 'days: expected at least one day';
    return undefined;
  }
  try {
    new Cron(s.cron, { timezone: tz, paused: true });
  } catch (e) {
    return `cron: ${(e as Error).message}`;
  }
  return undefined;
}
