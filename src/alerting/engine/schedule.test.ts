// Time-dependent rules: weekly hours in a time zone (overnight periods), who is on call now, rules
// active only in their schedule (page by night, email by day), maintenance windows silencing a
// rule while the alert is still kept, and the fallback channel carried on each notification.

import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.ts';
import { covers, inHours, localTime, nextHoursChange, onCallNow } from './hours.ts';
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

  it('finds the next start or end of the hours, over a weekend and across a DST change', () => {
    const weekdays = [{ days: ['mon' as const, 'tue' as const, 'wed' as const, 'thu' as const, 'fri' as const], from: '08:00', to: '20:00' }];
    // Friday 2026-01-09 20:00 Berlin (19:00Z) → Monday 08:00 Berlin (07:00Z).
    expect(nextHoursChange(weekdays, at('2026-01-09T18:59:30Z'), BERLIN)).toBe(at('2026-01-09T19:00:00Z'));
    expect(nextHoursChange(weekdays, at('2026-01-09T19:00:00Z'), BERLIN)).toBe(at('2026-01-12T07:00:00Z'));
    // Sunday 2026-03-29: Berlin moves from UTC+1 to UTC+2 at 02:00 local; Monday 08:00 is 06:00Z.
    expect(nextHoursChange(weekdays, at('2026-03-27T19:00:00Z'), BERLIN)).toBe(at('2026-03-30T06:00:00Z'));
    expect(nextHoursChange([{ days: ['sun'], from: '03:00', to: '04:00' }], at('2026-03-28T23:00:00Z'), BERLIN)).toBe(at('2026-03-29T01:00:00Z'));
    expect(nextHoursChange([{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], from: '00:00', to: '00:00' }], at('2026-03-28T23:00:00Z'), BERLIN)).toBeUndefined();
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
    await t.advance(11 * 3_600_000 - 1000, 3_600_000); // 19:59:59 in Berlin
    expect(t.queue.take()).toEqual([]);
    // 20:00: the night rule's hours begin and it takes up the outage that is still going on.
    await t.advance(1000);
    expect(t.queue.take()).toEqual(['alert pager@pager: pacs-1 / echo is Down', 'alert bob@mail: pacs-1 / echo is Down']);
    await t.advance(3_600_000, 60_000); // 21:00 in Berlin
    await t.change(PING, 'down');
    expect(t.queue.take()).toEqual(['alert pager@pager: pacs-1 / ping is Down', 'alert bob@mail: pacs-1 / ping is Down']);
  });

  it('an escalation step due outside the rule\'s hours waits for the next active period; later steps move on by as much', async () => {
    const tree = hospitalTree({ timezone: BERLIN, groups: { pacs: { 'pacs-1': { sensors: ['echo', 'ping'] } } } });
    const config = testConfig({
      rules: [
        { name: 'by-day', grouping: false, trigger: { state: { to: ['down'] } }, to: ['alice'], channels: ['mail'], schedule: { hours: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '20:00' }] }, escalation: [{ after: '10m', to: ['lead'] }, { after: '30m', to: ['manager'] }] },
      ],
    });
    // Monday 19:55 in Berlin.
    const t = (h = await harness(tree, config, { clock: new ManualClock(at('2026-01-05T18:55:00Z')) }));
    await t.change(ECHO, 'down');
    expect(t.queue.take()).toEqual(['alert alice@mail: pacs-1 / echo is Down']);
    // Step 1 was due 20:05: it waits until Tuesday 08:00; step 2 (20:25) moves on by as much: 08:20.
    await t.advance(12 * 3_600_000 + 5 * 60_000 - 1000, 60_000);
    expect(t.clock.now()).toBe(at('2026-01-06T06:59:59Z'));
    expect(t.queue.take()).toEqual([]);
    await t.advance(1000);
    expect(t.queue.take()).toEqual(['escalation lead@mail: Escalation: pacs-1 / echo is Down']);
    await t.advance(20 * 60_000 - 1000);
    expect(t.queue.take()).toEqual([]);
    await t.advance(1000);
    expect(t.queue.take()).toEqual(['escalation manager@mail: Escalation: pacs-1 / echo is Down']);
    // A Down state in the night opens nothing then; the rule's next period (Tuesday 08:00 is past; Wednesday 08:00) takes it up.
    await t.change(ECHO, 'up');
    t.queue.take();
    await t.advance(12 * 3_600_000, 3_600_000); // Tuesday 20:20
    await t.change(PING, 'down');
    expect(t.queue.take()).toEqual([]);
    await t.advance(at('2026-01-07T07:00:00Z') - t.clock.now() - 1000, 3_600_000);
    expect(t.queue.take()).toEqual([]);
    await t.advance(1000);
    expect(t.queue.take()).toEqual(['alert alice@mail: pacs-1 / ping is Down']);
  });

  it('a threshold breach that began before the rule\'s hours is taken up when they begin', async () => {
    const tree = hospitalTree({ timezone: BERLIN, groups: { pacs: { 'pacs-1': { sensors: ['echo'] } } } });
    const config = testConfig({
      rules: [{ name: 'slow-by-night', grouping: false, trigger: { threshold: { channel: 'responseTimeMs', above: 500, for: '5m' } }, to: ['alice'], channels: ['mail'], schedule: { hours: [{ from: '20:00', to: '08:00' }] } }],
    });
    // Monday 19:00 in Berlin.
    const t = (h = await harness(tree, config, { clock: new ManualClock(at('2026-01-05T18:00:00Z')) }));
    t.states.change(ECHO, 'up', t.clock.now());
    for (let i = 0; i < 60; i++) {
      t.alerting.onReading({ sensorId: ECHO, ts: t.clock.now(), durationMs: 1, channels: [{ key: 'responseTimeMs', value: 900 }] });
      await t.advance(i < 59 ? 60_000 : 59_000, 60_000);
    }
    // 19:05 was outside the hours: nothing then; 20:00 the breach (still going on) is taken up.
    expect(t.queue.lines()).toEqual([]);
    await t.advance(1000);
    expect(t.clock.now()).toBe(at('2026-01-05T19:00:00Z'));
    expect(t.queue.take()).toEqual(['alert alice@mail: pacs-1 / echo: responseTimeMs above 500 for 5 min (now 900)']);
    const [a] = await t.alerting.service.alerts({});
    expect(a).toMatchObject({ state: 'open', openedAt: at('2026-01-05T18:05:00Z') });
  });

  it('a step due outside the rule\'s hours is not kept for later when another rule covers that time', async () => {
    const tree = hospitalTree({ timezone: BERLIN, groups: { pacs: { 'pacs-1': { sensors: ['echo'] } } } });
    const config = testConfig({
      rules: [
        { name: 'by-day', grouping: false, trigger: { state: { to: ['down'] } }, to: ['alice'], channels: ['mail'], schedule: { hours: [{ from: '08:00', to: '20:00' }] }, escalation: [{ after: '10m', to: ['lead'] }], repeat: { every: '1h', max: 3 } },
        { name: 'by-night', grouping: false, trigger: { held: { state: 'down', for: '1m' } }, to: ['bob'], channels: ['pager'], schedule: { hours: [{ from: '20:00', to: '08:00' }] } },
      ],
    });
    const t = (h = await harness(tree, config, { clock: new ManualClock(at('2026-01-05T18:55:00Z')) }));
    await t.change(ECHO, 'down');
    await t.advance(5 * 60_000);
    // 20:00: the night rule (held Down for 1 min: already true) pages at once.
    expect(t.queue.take()).toEqual(['alert alice@mail: pacs-1 / echo is Down', 'alert pager@pager: pacs-1 / echo has been Down for 1 min']);
    // The day rule's step (20:05) and reminders belong to the night rule's time: nothing from it all night, nor in the morning.
    await t.advance(14 * 3_600_000, 60_000);
    expect(t.queue.take()).toEqual([]);
    expect((await t.alerting.service.alerts({})).find((a) => a.ruleName === 'by-day')).toMatchObject({ state: 'open', escalationStep: 1 });
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
