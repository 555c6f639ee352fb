// What the deciding side tracks between alerts survives a restart: a threshold held "for 10 min"
// keeps counting from when the breach began, flapping history keeps counting towards the limit,
// and a flapping sensor stays flapping and settles at its stored time.

import { afterEach, describe, expect, it } from 'vitest';
import { harness, hospitalTree, testConfig, type Harness } from './testing.ts';

const ECHO = 'main/core/pacs/pacs-1/echo';
const MIN = 60_000;
const tree = hospitalTree({ groups: { pacs: { 'pacs-1': { sensors: ['echo'] } } } });
const rule = { name: 'r', grouping: false, to: ['alice'], channels: ['mail'] };

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('tracked conditions across a restart', () => {
  it('a threshold held for 10 min fires 10 min after the breach began, not 10 min after the restart', async () => {
    const t = (h = await harness(tree, testConfig({ rules: [{ ...rule, trigger: { threshold: { channel: 'responseTimeMs', above: 500, for: '10m' } } }] })));
    t.states.change(ECHO, 'up', t.clock.now());
    const feed = async (v: number) => {
      t.alerting.onReading({ sensorId: ECHO, ts: t.clock.now(), durationMs: 1, channels: [{ key: 'responseTimeMs', value: v }] });
      await t.alerting.idle();
    };
    await feed(700);
    await t.advance(4 * MIN, MIN);
    await t.restart();
    expect(await t.db.connection.prepare('SELECT count(*) AS n FROM alert_condition').get()).toEqual({ n: 1 });
    await feed(750);
    await t.advance(6 * MIN - 1000);
    expect(t.queue.take()).toEqual([]);
    await t.advance(1000);
    expect(t.queue.take()).toEqual(['alert alice@mail: pacs-1 / echo: responseTimeMs above 500 for 10 min (now 750)']);
    await feed(100);
    expect(t.queue.take()).toEqual(['recovery alice@mail: Recovered: pacs-1 / echo: responseTimeMs above 500 for 10 min (now 750)']);
    // The breach is over: nothing is left to carry over.
    expect(await t.db.connection.prepare('SELECT count(*) AS n FROM alert_condition WHERE key LIKE ?').get('threshold:%')).toEqual({ n: 0 });
  });

  it('a breach that ended before the restart is not resumed', async () => {
    const t = (h = await harness(tree, testConfig({ rules: [{ ...rule, trigger: { threshold: { channel: 'responseTimeMs', above: 500, for: '10m' } } }] })));
    t.states.change(ECHO, 'up', t.clock.now());
    t.alerting.onReading({ sensorId: ECHO, ts: t.clock.now(), durationMs: 1, channels: [{ key: 'responseTimeMs', value: 700 }] });
    await t.advance(MIN);
    t.alerting.onReading({ sensorId: ECHO, ts: t.clock.now(), durationMs: 1, channels: [{ key: 'responseTimeMs', value: 100 }] });
    await t.advance(MIN);
    await t.restart();
    await t.advance(20 * MIN, MIN);
    expect(t.queue.take()).toEqual([]);
  });

  it('flapping history counts across a restart, and a flapping sensor settles at its stored time', async () => {
    const config = testConfig({ rules: [{ ...rule, trigger: { state: { to: ['down'] } } }], flapping: { changes: 3, window: '10m', settle: '5m' } });
    const t = (h = await harness(tree, config));
    for (const s of ['down', 'up'] as const) {
      await t.change(ECHO, s);
      await t.advance(MIN);
    }
    await t.restart();
    for (const s of ['down', 'up'] as const) {
      await t.change(ECHO, s);
      await t.advance(MIN);
    }
    // The fourth change in 4 min (two of them before the restart) is one too many: flapping.
    expect(t.queue.take()).toEqual([
      'alert alice@mail: pacs-1 / echo is Down',
      'recovery alice@mail: pacs-1 / echo is back Up',
      'alert alice@mail: pacs-1 / echo is Down',
      'flapping alice@mail: pacs-1 / echo is flapping (4 state changes in 10 min)',
      'recovery alice@mail: pacs-1 / echo is back Up',
    ]);
    await t.restart();
    // Still flapping after the restart: a Down is held back.
    await t.change(ECHO, 'down');
    expect(t.queue.take()).toEqual([]);
    await t.advance(5 * MIN - 1000);
    expect(t.queue.take()).toEqual([]);
    await t.restart();
    await t.advance(1000);
    expect(t.queue.take()).toEqual(['flapping alice@mail: pacs-1 / echo has settled: now Down', 'alert alice@mail: pacs-1 / echo is Down']);
  });
});
