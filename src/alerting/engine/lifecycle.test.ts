// Alerting across changes of its surroundings: a held-state timer that survives a restart, a tree
// reload that removes an alerting sensor, a config reload that removes a rule mid-escalation, and
// resolved alerts deleted after the retention time.

import { afterEach, describe, expect, it } from 'vitest';
import { harness, hospitalTree, testConfig, type Harness } from './testing.ts';

const ECHO = 'main/core/pacs/pacs-1/echo';
const tree = hospitalTree({ groups: { pacs: { 'pacs-1': { sensors: ['echo', 'ping'] } } } });
const MIN = 60_000;

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const rule = { name: 'r', grouping: false, to: ['alice'], channels: ['mail'] };

describe('alerting lifecycle', () => {
  it('a held state keeps counting from the sensor\'s "since" across a restart', async () => {
    const t = (h = await harness(tree, testConfig({ rules: [{ ...rule, trigger: { held: { state: 'down', for: '5m' } } }] })));
    await t.change(ECHO, 'down');
    await t.advance(2 * MIN);
    await t.restart();
    await t.advance(3 * MIN - 1000);
    expect(t.queue.take()).toEqual([]);
    await t.advance(1000);
    expect(t.queue.take()).toEqual(['alert alice@mail: pacs-1 / echo has been Down for 5 min']);
  });

  it('a threshold alert carried over a restart recovers when the value is back', async () => {
    const t = (h = await harness(tree, testConfig({ rules: [{ ...rule, trigger: { threshold: { channel: 'responseTimeMs', above: 500 } } }] })));
    t.states.change(ECHO, 'up', t.clock.now());
    const feed = async (v: number) => {
      t.alerting.onReading({ sensorId: ECHO, ts: t.clock.now(), durationMs: 1, channels: [{ key: 'responseTimeMs', value: v }] });
      await t.advance(1000);
    };
    await feed(900);
    await t.restart();
    await feed(950);
    await feed(20);
    expect(t.queue.take()).toEqual(['alert alice@mail: pacs-1 / echo: responseTimeMs above 500 (now 900)', 'recovery alice@mail: Recovered: pacs-1 / echo: responseTimeMs above 500 (now 900)']);
  });

  it('a tree without the sensor ends its alert silently; a config without the rule stops its escalation', async () => {
    const config = testConfig({ rules: [{ ...rule, trigger: { state: { to: ['down'] } }, escalation: [{ after: '10m', to: ['lead'] }] }] });
    const t = (h = await harness(tree, config));
    await t.change(ECHO, 'down');
    await t.change('main/core/pacs/pacs-1/ping', 'down');
    t.queue.take();
    t.alerting.updateTree(hospitalTree({ groups: { pacs: { 'pacs-1': { sensors: ['ping'] } } } }));
    await t.alerting.idle();
    expect((await t.alerting.service.alerts({ nodeId: ECHO }))[0]).toMatchObject({ state: 'resolved' });
    t.alerting.updateConfig(testConfig({ rules: [] }));
    await t.advance(30 * MIN, MIN);
    expect(t.queue.take()).toEqual([]);
    expect(await t.alerting.service.alerts({ state: 'open' })).toHaveLength(1);
  });

  it('deletes resolved alerts older than the retention, daily', async () => {
    const t = (h = await harness(tree, testConfig({ rules: [{ ...rule, trigger: { state: { to: ['down'] } } }] }), { keepResolvedDays: 2 }));
    await t.change(ECHO, 'down');
    await t.change(ECHO, 'up');
    await t.advance(2 * 86_400_000, 3_600_000);
    expect(await t.alerting.service.alerts({})).toHaveLength(1);
    await t.advance(86_400_000, 3_600_000);
    expect(await t.alerting.service.alerts({})).toEqual([]);
  });
});
