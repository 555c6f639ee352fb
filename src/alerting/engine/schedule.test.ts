// Time-dependent rules: weekly hours in a time zone (overnight periods), who is on call now, rules
// active only in their schedule (page by night, email by day), maintenance windows silencing a
// rule while the alert is still kept, and the fallback channel carried on each notification.

import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.ts';
import { covers, inHours, localTime, onCallNow } from './hours.ts';
import { harness, hospitalTree, testConfig, type Harness } from './testing.ts';

const ECHO = 'main/core/pacs/pacs-1/echo';
const PING = 'main/core/pacs/pacs-1/ping';
const BERLIN = 'Europe/Berlin';
const at = (iso: string) => Date.parse(iso);

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('weekly hours', () => {
  it('reads the local weekday and time in the zone, across DST', () => {
    expect(localTime(at('2026-01-05T05:30:00Z'), BERLIN)).toEqual({ day: 'mon', minute: 6 * 60 + 30 });
    expect(localTime(at('2026-07-05T22:30:00Z'), BERLIN)).toEqual({ day: 'mon', minute: 30 });
    expect(localTime(at('2026-01-05T05:30:00Z'), 'UTC')).toEqual({ day: 'mon', minute: 5 * 60 + 30 });
  });

  it('day hours end before their end time; overnight hours belong to the day they start on', () => {
    const day = [{ days: ['mon' as const], from: '07:00', to: '19:00' }];
    expect(inHours(day, at('2026-01-05T05:59:00Z'), BERLIN)).toBe(false);
    expect(inHours(day, at('2026-01-05T06:00:00Z'), BERLIN)).toBe(true);
    expect(inHours(day, at('2026-01-05T17:59:00Z'), BERLIN)).toBe(true);
    expect(inHours(day, at('2026-01-05T18:00:00Z'), BERLIN)).toBe(false);
    const fridayNight = { days: ['fri' as const], from: '20:00', to: '08:00' };
    expect(covers(fridayNight, { day: 'fri', minute: 19 * 60 + 59 })).toBe(false);
    expect(covers(fridayNight, { day: 'fri', minute: 20 * 60 })).toBe(true);
    expect(covers(fridayNight, { day: 'sat', minute: 7 * 60 + 59 })).toBe(true);
    expect(covers(fridayNight, { day: 'sat', minute: 8 * 60 })).toBe(false);
    expect(covers(fridayNight, { day: 'sun', minute: 7 * 60 })).toBe(false);
    expect(covers({ days: ['sun'], from: '00:00', to: '00:00' }, { day: 'sun', minute: 23 * 60 + 59 })).toBe(true);
  });

  it('answers who is on call, with overlaps telling both and the fallback outside every shift', () => {
    const role = testConfig({
      oncall: [
        {
          name: 'network',
          timezone: BERLIN,
          shifts: [
            { contact: 'alice', days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '20:00' },
            { contact: 'bob', days: ['mon', 'tue', 'wed', 'thu'], from: '20:00', to: '08:00' },
            { contact: 'lead', days: ['mon'], from: '19:00', to: '21:00' },
          ],
          fallback: 'carol',
        },
      ],
    }).oncall[0]!;
    expect(onCallNow(role, at('2026-01-05T08:00:00Z'))).toEqual(['alice']);
    expect(onCallNow(role, at('2026-01-05T18:30:00Z'))).toEqual(['alice', 'lead']);
    expect(onCallNow(role, at('2026-01-06T06:59:00Z'))).toEqual(['bob']);
    expect(onCallNow(role, at('2026-01-10T12:00:00Z'))).toEqual(['carol']);
  });
});

describe('rules in time', () => {
  it('pages by night and emails by day, in the site\'s time zone; on-call resolved when sending', async () => {
    const tree = hospitalTree({ timezone: BERLIN, groups: { pacs: { 'pacs-1': { sensors: ['echo', 'ping'] } } } });
    const config = testConfig({
      oncall: [{ name: 'network', timezone: BERLIN, shifts: [{ contact: 'alice', from: '08:00', to: '20:00' }, { contact: 'bob', from: '20:00', to: '08:00' }] }],
      rules: [
        { name: 'by-day', grouping: false, trigger: { state: { to: ['down'] } }, to: ['oncall:network'], channels: ['mail'], schedule: { hours: [{ from: '08:00', to: '20:00' }] } },
        { name: 'by-night', grouping: false, trigger: { state: { to: ['down'] } }, to: ['oncall:network'], channels: ['pager', 'mail'], schedule: { hours: [{ from: '20:00', to: '08:00' }] } },
      ],
    });
    // Monday 09:00 in Berlin.
    const t = (h = await harness(tree, config, { clock: new ManualClock(at('2026-01-05T08:00:00Z')) }));
    await t.change(ECHO, 'down');
    expect(t.queue.take()).toEqual(['alert alice@mail: pacs-1 / echo is Down']);
    await t.clock.advance(12 * 3_600_000); // 21:00 in Berlin
    await t.change(PING, 'down');
    expect(t.queue.take()).toEqual(['alert pager@pager: pacs-1 / ping is Down', 'alert bob@mail: pacs-1 / ping is Down']);
  });

  it('a maintenance window of the rule silences it: the alert is kept, nobody is told, nothing escalates', async () => {
    const tree = hospitalTree({
      groups: { pacs: { 'pacs-1': { sensors: ['echo', 'ping'] } } },
      maintenance: [{ name: 'pacs-upgrade', schedule: { type: 'once', start: '2026-01-05T08:00', end: '2026-01-05T10:00' } }],
    });
    const config = testConfig({
      rules: [{ name: 'down', grouping: false, trigger: { state: { to: ['down'] } }, to: ['alice'], channels: ['mail'], maintenance: ['pacs-upgrade'], escalation: [{ after: '10m', to: ['lead'] }] }],
    });
    const t = (h = await harness(tree, config));
    await t.advance(30 * 60_000, 60_000);
    await t.change(ECHO, 'down');
    await t.advance(60 * 60_000, 60_000);
    expect(t.queue.take()).toEqual([]);
    expect(await t.alerting.service.alerts({})).toMatchObject([{ nodeId: ECHO, state: 'open', escalationStep: 0 }]);
    await t.change(ECHO, 'up');
    expect(t.queue.take()).toEqual([]);
    await t.advance(60 * 60_000, 60_000); // 10:30: the window is over
    await t.change(PING, 'down');
    expect(t.queue.take()).toEqual(['alert alice@mail: pacs-1 / ping is Down']);
  });

  it('carries the rule\'s fallback channel, else the channel\'s own, on every notification', async () => {
    const tree = hospitalTree({ groups: { pacs: { 'pacs-1': { sensors: ['echo'] } } } });
    const channels = [
      { name: 'mail', kind: 'email', host: 'smtp.hospital.example', from: 'wardwatch@hospital.example', fallback: 'hook' },
      { name: 'pager', kind: 'pagerduty', routingKeySecret: 'pd-key' },
      { name: 'hook', kind: 'webhook', url: 'http://127.0.0.1:9/hook' },
    ];
    const config = testConfig({
      channels,
      rules: [
        { name: 'own', grouping: false, trigger: { state: { to: ['down'] } }, to: ['alice'], channels: ['mail'] },
        { name: 'ruled', grouping: false, trigger: { state: { to: ['down'] } }, to: ['bob'], channels: ['mail'], fallbackChannel: 'pager' },
      ],
    });
    const t = (h = await harness(tree, config));
    await t.change(ECHO, 'down');
    expect(t.queue.sent.map((n) => `${n.recipient.name} ${n.channel} → ${n.fallbackChannel}`)).toEqual(['alice mail → hook', 'bob mail → pager']);
  });
});
