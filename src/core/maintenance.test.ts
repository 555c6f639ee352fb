import { describe, expect, it } from 'vitest';
import { activeWindow, localToEpoch, maintenanceProblem, nextBoundary, parseWindowTime } from './maintenance.ts';
import type { MaintenanceWindow } from './tree.ts';

const Z = (iso: string) => Date.parse(iso);
const BERLIN = 'Europe/Berlin';

function windows(...ws: MaintenanceWindow[]): Map<string, MaintenanceWindow> {
  return new Map(ws.map((w) => [w.name, w]));
}

describe('local time conversion', () => {
  it('converts a normal local time with the zone offset', () => {
    expect(localToEpoch(2026, 1, 15, 10, 0, 0, BERLIN)).toBe(Z('2026-01-15T09:00:00Z'));
    expect(localToEpoch(2026, 7, 15, 10, 0, 0, BERLIN)).toBe(Z('2026-07-15T08:00:00Z'));
  });
  it('moves a time skipped by spring-forward ahead by the gap', () => {
    // 2026-03-29 02:30 does not exist in Berlin: clocks jump from 02:00 CET to 03:00 CEST.
    expect(localToEpoch(2026, 3, 29, 2, 30, 0, BERLIN)).toBe(Z('2026-03-29T01:30:00Z'));
  });
  it('takes the earlier instant of a time repeated by fall-back', () => {
    // 2026-10-25 02:30 happens twice in Berlin (CEST, then CET).
    expect(localToEpoch(2026, 10, 25, 2, 30, 0, BERLIN)).toBe(Z('2026-10-25T00:30:00Z'));
  });
  it('parses local, offset and Z times and rejects garbage', () => {
    expect(parseWindowTime('2026-06-01T22:00', BERLIN)).toBe(Z('2026-06-01T20:00:00Z'));
    expect(parseWindowTime('2026-06-01 22:00:30', BERLIN)).toBe(Z('2026-06-01T20:00:30Z'));
    expect(parseWindowTime('2026-06-01T22:00+05:00', BERLIN)).toBe(Z('2026-06-01T17:00:00Z'));
    expect(parseWindowTime('2026-06-01T22:00Z', BERLIN)).toBe(Z('2026-06-01T22:00:00Z'));
    expect(parseWindowTime('tomorrow', BERLIN)).toBeUndefined();
    expect(parseWindowTime('2026-13-01T22:00', BERLIN)).toBeUndefined();
  });
});

describe('once windows', () => {
  const ws = windows({ name: 'pacs-upgrade', schedule: { type: 'once', start: '2026-06-01T22:00', end: '2026-06-02T02:00' } });
  it('is active between its local start and end, in the site time zone', () => {
    expect(activeWindow(ws, ['pacs-upgrade'], Z('2026-06-01T19:59:59Z'), BERLIN)).toBeUndefined();
    expect(activeWindow(ws, ['pacs-upgrade'], Z('2026-06-01T20:00:00Z'), BERLIN)).toBe('pacs-upgrade');
    expect(activeWindow(ws, ['pacs-upgrade'], Z('2026-06-01T23:59:59Z'), BERLIN)).toBe('pacs-upgrade');
    expect(activeWindow(ws, ['pacs-upgrade'], Z('2026-06-02T00:00:00Z'), BERLIN)).toBeUndefined();
    // The same window read in UTC starts two hours later.
    expect(activeWindow(ws, ['pacs-upgrade'], Z('2026-06-01T21:00:00Z'), 'UTC')).toBeUndefined();
  });
  it('reports its start, then its end, then nothing', () => {
    expect(nextBoundary(ws, ['pacs-upgrade'], Z('2026-05-01T00:00:00Z'), BERLIN)).toBe(Z('2026-06-01T20:00:00Z'));
    expect(nextBoundary(ws, ['pacs-upgrade'], Z('2026-06-01T20:00:00Z'), BERLIN)).toBe(Z('2026-06-02T00:00:00Z'));
    expect(nextBoundary(ws, ['pacs-upgrade'], Z('2026-06-02T00:00:00Z'), BERLIN)).toBeUndefined();
  });
  it('a window time zone overrides the site one', () => {
    const ny = windows({ name: 'w', timezone: 'America/New_York', schedule: { type: 'once', start: '2026-06-01T22:00', end: '2026-06-01T23:00' } });
    expect(activeWindow(ny, ['w'], Z('2026-06-02T02:30:00Z'), BERLIN)).toBe('w');
    expect(activeWindow(ny, ['w'], Z('2026-06-01T20:30:00Z'), BERLIN)).toBeUndefined();
  });
});

describe('weekly windows', () => {
  const sunday = windows({ name: 'sunday-night', schedule: { type: 'weekly', days: ['sun'], start: '02:30', durationMin: 60 } });
  it('is active on the listed day at the local time', () => {
    // 2026-06-07 is a Sunday; Berlin is UTC+2 in summer.
    expect(activeWindow(sunday, ['sunday-night'], Z('2026-06-07T00:29:59Z'), BERLIN)).toBeUndefined();
    expect(activeWindow(sunday, ['sunday-night'], Z('2026-06-07T00:30:00Z'), BERLIN)).toBe('sunday-night');
    expect(activeWindow(sunday, ['sunday-night'], Z('2026-06-07T01:29:59Z'), BERLIN)).toBe('sunday-night');
    expect(activeWindow(sunday, ['sunday-night'], Z('2026-06-07T01:30:00Z'), BERLIN)).toBeUndefined();
    // Saturday at the same time: not listed.
    expect(activeWindow(sunday, ['sunday-night'], Z('2026-06-06T00:45:00Z'), BERLIN)).toBeUndefined();
  });
  it('on the spring-forward day a 02:30 start (which does not exist) opens at 03:30 CEST and lasts its full hour', () => {
    expect(activeWindow(sunday, ['sunday-night'], Z('2026-03-29T01:29:59Z'), BERLIN)).toBeUndefined();
    expect(activeWindow(sunday, ['sunday-night'], Z('2026-03-29T01:30:00Z'), BERLIN)).toBe('sunday-night');
    expect(activeWindow(sunday, ['sunday-night'], Z('2026-03-29T02:29:59Z'), BERLIN)).toBe('sunday-night');
    expect(activeWindow(sunday, ['sunday-night'], Z('2026-03-29T02:30:00Z'), BERLIN)).toBeUndefined();
    expect(nextBoundary(sunday, ['sunday-night'], Z('2026-03-29T00:00:00Z'), BERLIN)).toBe(Z('2026-03-29T01:30:00Z'));
    expect(nextBoundary(sunday, ['sunday-night'], Z('2026-03-29T01:00:00Z'), BERLIN)).toBe(Z('2026-03-29T01:30:00Z'));
    expect(nextBoundary(sunday, ['sunday-night'], Z('2026-03-29T01:30:00Z'), BERLIN)).toBe(Z('2026-03-29T02:30:00Z'));
  });
  it('a window across the fall-back hour lasts its real duration (120 min from 01:30 CEST ends at 02:30 CET)', () => {
    const ws = windows({ name: 'fallback', schedule: { type: 'weekly', days: ['sun'], start: '01:30', durationMin: 120 } });
    // 01:30 CEST = 23:30Z on Saturday.
    expect(activeWindow(ws, ['fallback'], Z('2026-10-24T23:29:59Z'), BERLIN)).toBeUndefined();
    expect(activeWindow(ws, ['fallback'], Z('2026-10-24T23:30:00Z'), BERLIN)).toBe('fallback');
    // 02:15 CET, the second time the clock shows 02:15 that night.
    expect(activeWindow(ws, ['fallback'], Z('2026-10-25T01:15:00Z'), BERLIN)).toBe('fallback');
    expect(activeWindow(ws, ['fallback'], Z('2026-10-25T01:30:00Z'), BERLIN)).toBeUndefined();
    expect(nextBoundary(ws, ['fallback'], Z('2026-10-24T23:30:00Z'), BERLIN)).toBe(Z('2026-10-25T01:30:00Z'));
    // The next Sunday is in winter time: 01:30 CET = 00:30Z.
    expect(nextBoundary(ws, ['fallback'], Z('2026-10-25T01:30:00Z'), BERLIN)).toBe(Z('2026-11-01T00:30:00Z'));
  });
  it('covers several days and midnight', () => {
    const ws = windows({ name: 'nightly', schedule: { type: 'weekly', days: ['mon', 'wed'], start: '23:00', durationMin: 120 } });
    // Monday 2026-06-08 23:00 UTC to Tuesday 01:00.
    expect(activeWindow(ws, ['nightly'], Z('2026-06-09T00:30:00Z'), 'UTC')).toBe('nightly');
    expect(activeWindow(ws, ['nightly'], Z('2026-06-10T00:30:00Z'), 'UTC')).toBeUndefined();
    expect(activeWindow(ws, ['nightly'], Z('2026-06-11T00:30:00Z'), 'UTC')).toBe('nightly');
    expect(nextBoundary(ws, ['nightly'], Z('2026-06-09T01:00:00Z'), 'UTC')).toBe(Z('2026-06-10T23:00:00Z'));
  });
});

describe('cron windows', () => {
  it('uses the cron expression in the zone', () => {
    // 22:00 on the first day of each month, 3 hours, in Berlin.
    const ws = windows({ name: 'monthly', schedule: { type: 'cron', cron: '0 22 1 * *', durationMin: 180 } });
    expect(activeWindow(ws, ['monthly'], Z('2026-07-01T20:00:00Z'), BERLIN)).toBe('monthly');
    expect(activeWindow(ws, ['monthly'], Z('2026-07-01T22:59:59Z'), BERLIN)).toBe('monthly');
    expect(activeWindow(ws, ['monthly'], Z('2026-07-01T23:00:00Z'), BERLIN)).toBeUndefined();
    expect(nextBoundary(ws, ['monthly'], Z('2026-07-01T23:00:00Z'), BERLIN)).toBe(Z('2026-08-01T20:00:00Z'));
  });
  it('a cron start skipped by spring-forward still opens the window', () => {
    const ws = windows({ name: 'c', schedule: { type: 'cron', cron: '30 2 * * *', durationMin: 30 } });
    expect(activeWindow(ws, ['c'], Z('2026-03-29T01:45:00Z'), BERLIN)).toBe('c');
    expect(nextBoundary(ws, ['c'], Z('2026-03-29T01:10:00Z'), BERLIN)).toBe(Z('2026-03-29T01:30:00Z'));
  });
});

describe('several windows', () => {
  const ws = windows(
    { name: 'a', schedule: { type: 'once', start: '2026-06-01T10:00Z', end: '2026-06-01T12:00Z' } },
    { name: 'b', schedule: { type: 'once', start: '2026-06-01T11:00Z', end: '2026-06-01T13:00Z' } },
  );
  it('names the first active listed window and ignores unknown names', () => {
    expect(activeWindow(ws, ['nope', 'b', 'a'], Z('2026-06-01T11:30:00Z'), 'UTC')).toBe('b');
    expect(activeWindow(ws, ['nope', 'a'], Z('2026-06-01T12:30:00Z'), 'UTC')).toBeUndefined();
    expect(activeWindow([...ws.values()], ['b'], Z('2026-06-01T12:30:00Z'), 'UTC')).toBe('b');
  });
  it('gives the earliest boundary of all listed windows', () => {
    expect(nextBoundary(ws, ['a', 'b'], Z('2026-06-01T10:30:00Z'), 'UTC')).toBe(Z('2026-06-01T11:00:00Z'));
    expect(nextBoundary(ws, ['a', 'b'], Z('2026-06-01T11:30:00Z'), 'UTC')).toBe(Z('2026-06-01T12:00:00Z'));
    expect(nextBoundary(ws, ['b'], Z('2026-06-01T10:30:00Z'), 'UTC')).toBe(Z('2026-06-01T11:00:00Z'));
    expect(nextBoundary(ws, [], Z('2026-06-01T10:30:00Z'), 'UTC')).toBeUndefined();
  });
});

describe('maintenanceProblem', () => {
  it('accepts valid windows', () => {
    expect(maintenanceProblem({ name: 'w', schedule: { type: 'weekly', days: ['sun'], start: '02:30', durationMin: 60 } })).toBeUndefined();
    expect(maintenanceProblem({ name: 'w', schedule: { type: 'cron', cron: '0 3 * * 1-5', durationMin: 30 } })).toBeUndefined();
  });
  it('names what is wrong', () => {
    expect(maintenanceProblem({ name: 'w', timezone: 'Mars/Olympus', schedule: { type: 'weekly', days: ['sun'], start: '02:30', durationMin: 60 } })).toBe('unknown time zone "Mars/Olympus"');
    expect(maintenanceProblem({ name: 'w', schedule: { type: 'weekly', days: ['sun'], start: '2:30pm', durationMin: 60 } })).toBe('start: expected a time of day such as 02:30, got "2:30pm"');
    expect(maintenanceProblem({ name: 'w', schedule: { type: 'weekly', days: [], start: '02:30', durationMin: 60 } })).toBe('days: expected at least one day');
    expect(maintenanceProblem({ name: 'w', schedule: { type: 'weekly', days: ['sun'], start: '02:30', durationMin: 0 } })).toBe('durationMin: expected a positive number of minutes, got 0');
    expect(maintenanceProblem({ name: 'w', schedule: { type: 'once', start: '2026-06-01T12:00', end: '2026-06-01T11:00' } })).toBe('end must be after start');
    expect(maintenanceProblem({ name: 'w', schedule: { type: 'once', start: 'soon', end: '2026-06-01T11:00' } })).toBe('start: expected a date and time such as 2026-03-29T02:00, got "soon"');
    expect(maintenanceProblem({ name: 'w', schedule: { type: 'cron', cron: 'every day', durationMin: 30 } })).toBe("cron: CronPattern: invalid configuration format ('every day'), exactly five or six space separated parts are required.");
  });
});
