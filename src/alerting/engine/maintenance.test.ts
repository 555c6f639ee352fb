// An alert opened while its rule is silenced by a maintenance window: told once when the window
// ends if it is still open and unacknowledged (with the original "since"), escalation counted from
// the window's end; quiet for good when it recovered or was acknowledged inside the window; an
// alert already told whose step falls inside a window waits for its end; and all of it across a restart.

import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.ts';
import { harness, hospitalTree, testConfig, type Harness } from './testing.ts';

const ECHO = 'main/core/pacs/pacs-1/echo';
const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);

const tree = hospitalTree({
  groups: { pacs: { 'pacs-1': { sensors: ['echo', 'ping'] } } },
  maintenance: [{ name: 'pacs-upgrade', schedule: { type: 'once', start: '2026-01-05T08:00', end: '2026-01-05T10:00' } }],
});
const rule = {
  name: 'down',
  grouping: false,
  trigger: { state: { to: ['down'] } },
  to: ['alice'],
  channels: ['mail'],
  maintenance: ['pacs-upgrade'],
  escalation: [{ after: '10m', to: ['lead'] }, { after: '3h', to: ['manager'] }],
};

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('maintenance window ending on an open alert', () => {
  it('tells once at the window end with the original since; escalation steps count from the window end', async () => {
    const t = (h = await harness(tree, testConfig({ rules: [rule] })));
    await t.advance(30 * MIN, MIN);
    await t.change(ECHO, 'down');
    await t.advance(90 * MIN - 1000, MIN);
    expect(t.queue.take()).toEqual([]);
    await t.advance(1000);
    expect(t.clock.now()).toBe(T0 + 120 * MIN);
    expect(t.queue.lines()).toEqual(['alert alice@mail: pacs-1 / echo is Down']);
    expect(t.queue.sent[0]!.vars.since).toBe(T0 + 30 * MIN);
    expect(t.queue.sent[0]!.vars.ackUrl).toMatch(/^https:\/\//);
    t.queue.take();
    // Step 1 ("10 min after opening") fell inside the window: due 10 min after its end.
    await t.advance(10 * MIN - 1000);
    expect(t.queue.take()).toEqual([]);
    await t.advance(1000);
    expect(t.queue.take()).toEqual(['escalation lead@mail: Escalation: pacs-1 / echo is Down']);
    // Step 2 (3 h after opening = 11:00) is also counted from the window end: 13:00.
    await t.advance(170 * MIN - 1000, MIN);
    expect(t.queue.take()).toEqual([]);
    await t.advance(1000);
    expect(t.queue.take()).toEqual(['escalation manager@mail: Escalation: pacs-1 / echo is Down']);
    await t.change(ECHO, 'up');
    expect(t.queue.take()).toEqual(['recovery alice@mail: pacs-1 / echo is back Up', 'recovery lead@mail: pacs-1 / echo is back Up', 'recovery manager@mail: pacs-1 / echo is back Up']);
  });

  it('stays quiet for good when acknowledged or recovered inside the window', async () => {
    const t = (h = await harness(tree, testConfig({ rules: [rule] })));
    await t.advance(30 * MIN, MIN);
    await t.change(ECHO, 'down');
    await t.change('main/core/pacs/pacs-1/ping', 'down');
    const acked = (await t.alerting.service.alerts({ nodeId: ECHO }))[0]!;
    await t.alerting.service.acknowledge(acked.id, 'alice', 'upgrade in progress', 'console');
    await t.change('main/core/pacs/pacs-1/ping', 'up');
    await t.advance(4 * 60 * MIN, MIN);
    expect(t.queue.take()).toEqual([]);
    expect((await t.alerting.service.alerts({})).map((a) => a.state).sort()).toEqual(['acknowledged', 'resolved']);
  });

  it('an alert told before the window: the step due inside it waits for the end, then the rest follow', async () => {
    // Down at 07:30, before the window, with steps at 1 h and 3 h.
    const t2 = (h = await harness(tree, testConfig({ rules: [{ ...rule, escalation: [{ after: '1h', to: ['lead'] }, { after: '3h', to: ['manager'] }] }] }), { clock: new ManualClock(T0 - 30 * MIN) }));
    await t2.change(ECHO, 'down');
    expect(t2.queue.take()).toEqual(['alert alice@mail: pacs-1 / echo is Down']);
    // Step 1 due 08:30 (inside the window) → 10:00; step 2 due 10:30 → moved on by 90 min: 12:00.
    await t2.advance(150 * MIN - 1000, MIN);
    expect(t2.queue.take()).toEqual([]);
    await t2.advance(1000);
    expect(t2.queue.take()).toEqual(['escalation lead@mail: Escalation: pacs-1 / echo is Down']);
    await t2.advance(120 * MIN - 1000, MIN);
    expect(t2.queue.take()).toEqual([]);
    await t2.advance(1000);
    expect(t2.queue.take()).toEqual(['escalation manager@mail: Escalation: pacs-1 / echo is Down']);
  });

  it('the owed notification survives a restart inside the window and goes out once', async () => {
    const t = (h = await harness(tree, testConfig({ rules: [rule] })));
    await t.advance(30 * MIN, MIN);
    await t.change(ECHO, 'down');
    await t.advance(30 * MIN, MIN);
    await t.restart();
    await t.advance(60 * MIN, MIN);
    expect(t.queue.take()).toEqual(['alert alice@mail: pacs-1 / echo is Down']);
    await t.restart();
    await t.advance(5 * MIN, MIN);
    expect(t.queue.take()).toEqual([]);
    expect(t.queue.offered).toBe(1);
  });
});
