// Weekly hours in a time zone: whether a rule's schedule is active and who of an on-call role is on
// call at an instant. A period whose end is before its start runs overnight into the next day, and
// belongs to the day it starts on (a Friday 20:00–08:00 shift covers Saturday 07:59).

import type { Weekday } from '../../core/tree.ts';
import { WEEKDAYS } from '../../core/tree.ts';
import type { Hours, OnCallRole } from '../config.ts';

const formatters = new Map<string, Intl.DateTimeFormat>();
const DAY_OF: Readonly<Record<string, Weekday>> = { Mon: 'mon', Tue: 'tue', Wed: 'wed', Thu: 'thu', Fri: 'fri', Sat: 'sat', Sun: 'sun' };

/** Local weekday and minute of the day of an instant in a zone. */
export function localTime(epochMs: number, timezone: string): { readonly day: Weekday; readonly minute: number } {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: timezone, weekday: 'short', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' });
    formatters.set(timezone, f);
  }
  let day: Weekday = 'mon';
  let hour = 0;
  let minute = 0;
  for (const p of f.formatToParts(new Date(epochMs))) {
    if (p.type === 'weekday') day = DAY_OF[p.value] ?? 'mon';
    else if (p.type === 'hour') hour = Number(p.value);
    else if (p.type === 'minute') minute = Number(p.value);
  }
  return { day, minute: hour * 60 + minute };
}

function minutes(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

function previousDay(d: Weekday): Weekday {
  return WEEKDAYS[(WEEKDAYS.indexOf(d) + 6) % 7]!;
}

/** Whether a weekly period covers the local time. */
export function covers(h: Pick<Hours, 'days' | 'from' | 'to'>, at: { readonly day: Weekday; readonly minute: number }): boolean {
  const from = minutes(h.from);
  const to = minutes(h.to);
  if (from === to) return h.days.includes(at.day);
  if (from < to) return h.days.includes(at.day) && at.minute >= from && at.minute < to;
  // Overnight: the evening part on a listed day, the morning part on the day after a listed day.
  return (h.days.includes(at.day) && at.minute >= from) || (h.days.includes(previousDay(at.day)) && at.minute < to);
}

export function inHours(hours: readonly Pick<Hours, 'days' | 'from' | 'to'>[], epochMs: number, timezone: string): boolean {
  const at = localTime(epochMs, timezone);
  return hours.some((h) => covers(h, at));
}

/** Contacts on call at an instant: every shift covering it (overlaps tell both), else the fallback. */
export function onCallNow(role: OnCallRole, epochMs: number): string[] {
  const at = localTime(epochMs, role.timezone);
  const who = [...new Set(role.shifts.filter((s) => covers(s, at)).map((s) => s.contact))];
  if (who.length > 0) return who;
  return role.fallback !== undefined ? [role.fallback] : [];
}

/**
 * The first instant after `epochMs` at which the hours start or stop covering (whole minutes), or
 * undefined when they never change (always or never active). Steps from one candidate boundary (a
 * period's from/to, or midnight) to the next in local time and checks the real state there, so
 * that a DST change merely costs an extra step.
 */
export function nextHoursChange(hours: readonly Pick<Hours, 'days' | 'from' | 'to'>[], epochMs: number, timezone: string): number | undefined {
  const marks = [...new Set([0, ...hours.flatMap((h) => [minutes(h.from), minutes(h.to)])])].sort((a, b) => a - b);
  const was = inHours(hours, epochMs, timezone);
  let t = epochMs;
  // Eight days of boundaries (plus DST slack) cover every weekly pattern.
  for (let i = 0; i < 8 * (marks.length + 1) + 4; i++) {
    const { day, minute } = localTime(t, timezone);
    const next = marks.find((m) => m > minute) ?? 24 * 60;
    // Start of the current minute, then forward to the next mark.
    t = t - (t % 60_000) + (next - minute) * 60_000;
    // A spring-forward gap on the way makes the local clock run ahead: back off to the mark itself.
    const after = localTime(t, timezone);
    if (next < 24 * 60 && after.day === day && after.minute > next) t -= (after.minute - next) * 60_000;
    if (inHours(hours, t, timezone) !== was) return t;
  }
  return undefined;
}
