// Alerting fed by the real monitoring Engine (scripted checks, manual clock): a switch fails, the
// Engine pauses the devices that depend on it, and alerting tells of the switch alone, counting the
// dependents; acknowledging the alert acknowledges the switch's Down state in the Engine.

import { afterEach, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.ts';
import { openSqliteAlertStore } from '../../store/sqlite/alerting.ts';
import { openSqliteStore } from '../../store/sqlite/index.ts';
import { scriptedKind, testEngine } from '../../engine/testing/fakes.ts';
import { startAlerting, type Alerting } from '../start.ts';
import { hospitalTree, MemoryQueue, testConfig } from './testing.ts';

const SW = 'main/core/ward-3/sw-1/ping';
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

it('a failing switch pauses its dependents in the Engine; alerting tells of the switch alone and acknowledges it there', async () => {
  const devices: Record<string, { sensors: string[]; dependsOn?: string }> = { 'sw-1': { sensors: ['ping'] } };
  for (let d = 1; d <= 5; d++) devices[`pc-${d}`] = { sensors: ['ping', 'http'], dependsOn: SW };
  const tree = hospitalTree({ groups: { 'ward-3': devices } });
  const clock = new ManualClock();
  const kind = scriptedKind('ping');
  const late: { alerting?: Alerting } = {};
  const { engine } = testEngine([kind.kind], {
    clock,
    onStateChange: (e, s) => late.alerting?.onStateChange(e, s),
    onReading: (r) => late.alerting?.onReading(r),
  });
  const db = openSqliteStore({ path: ':memory:' });
  const queue = new MemoryQueue();
  const alerting = (late.alerting = await startAlerting({
    clock,
    tree,
    config: testConfig({ rules: [{ name: 'down', trigger: { state: { to: ['down'] } }, to: ['alice'], channels: ['mail'] }] }),
    store: openSqliteAlertStore(db.connection),
    queue,
    statusOf: (id) => engine.status(id),
    onAcknowledge: (id, by, note) => void engine.acknowledge(id, by, note),
  }));
  closers.push(() => db.close(), () => engine.stop(), () => alerting.close());
  await engine.apply(tree);
  await engine.start();
  await clock.advance(61_000);
  await alerting.idle();
  expect(engine.status(SW)?.state).toBe('up');

  // Everything behind the switch fails at the same moment as the switch.
  for (const n of tree.nodes.values()) if (n.type === 'sensor') kind.script(n.id, { channels: [], error: 'TIMEOUT' });
  for (const n of tree.nodes.values()) if (n.type === 'sensor') engine.checkNow(n.id);
  for (let i = 0; i < 40; i++) {
    await clock.advance(1000);
    await alerting.idle();
  }
  expect(engine.status(SW)?.state).toBe('down');
  expect(engine.status('main/core/ward-3/pc-1/http')).toMatchObject({ state: 'paused', pauseReason: 'dependency' });
  expect(queue.lines()).toEqual(['alert alice@mail: sw-1 / ping is Down']);
  expect(queue.sent[0]!.vars.affectedDependents).toBe(10);

  const [a] = await alerting.service.alerts({ state: 'open' });
  await alerting.service.acknowledge(a!.id, 'alice', 'replacing the switch', 'console');
  expect(engine.status(SW)?.acknowledged).toMatchObject({ by: 'alice', note: 'replacing the switch' });
});
