// Alert changes as alerting tells of them (AlertingOptions.onChange, the live stream's source): each
// step of an alert's life once, after it is stored, named by what happened; a reminder, which the
// console does not show, tells of nothing; a restart carries on naming changes correctly.

import { afterEach, describe, expect, it } from 'vitest';
import { changeOf } from './changes.ts';
import { harness, hospitalTree, testConfig, type Harness } from './engine/testing.ts';
import type { AlertChange, AlertSummary } from './service.ts';

const ECHO = 'main/core/pacs/pacs-1/echo';
const tree = hospitalTree({ groups: { pacs: { 'pacs-1': { sensors: ['echo', 'ping'] } } } });
const MIN = 60_000;

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const config = testConfig({
  rules: [{ name: 'r', grouping: false, trigger: { state: { to: ['down'] } }, to: ['alice'], channels: ['mail'], escalation: [{ after: '10m', to: ['lead'] }], repeat: { every: '3m', max: 1 } }],
});

describe('alert changes', () => {
  it('tells of opened, a reminder not at all, escalated, acknowledged (by whom) and resolved, each once the alert is stored', async () => {
    const seen: AlertChange[] = [];
    const t = (h = await harness(tree, config, {
      onChange: (c) => {
        seen.push(c);
      },
    }));
    const line = () => seen.map((c) => `${c.change} ${c.alert.state} step ${c.alert.escalationStep}${c.alert.acknowledged ? ` by ${c.alert.acknowledged.by}` : ''}`);
    await t.change(ECHO, 'down');
    expect(line()).toEqual(['opened open step 0']);
    const id = seen[0]!.alert.id;
    // What the change tells is what the store holds already.
    expect(await t.alerting.service.alert(id)).toEqual(seen[0]!.alert);
    await t.advance(10 * MIN, MIN);
    expect(t.queue.take()).toEqual(['alert alice@mail: pacs-1 / echo is Down', 'reminder alice@mail: Reminder: pacs-1 / echo is Down', 'escalation lead@mail: Escalation: pacs-1 / echo is Down']);
    expect(line()).toEqual(['opened open step 0', 'escalated open step 1']);
    await t.alerting.service.acknowledge(id, 'night-nurse', 'on it', 'console');
    await t.change(ECHO, 'up');
    expect(line().slice(2)).toEqual(['acknowledged acknowledged step 1 by night-nurse', 'resolved resolved step 1 by night-nurse']);
    expect(seen.every((c) => c.alert.id === id)).toBe(true);
  });

  it('after a restart an escalation of a carried-on alert is an escalation, not a new alert', async () => {
    const seen: string[] = [];
    const t = (h = await harness(tree, testConfig({ rules: [{ ...config.rules[0]!, repeat: undefined }] }), { onChange: (c) => void seen.push(c.change) }));
    await t.change(ECHO, 'down');
    await t.restart();
    await t.advance(10 * MIN, MIN);
    expect(seen).toEqual(['opened', 'escalated']);
  });

  it('names a save by what the console sees change', () => {
    const a: AlertSummary = { id: 'a', ruleName: 'r', nodeId: 'n', title: 't', state: 'open', severity: 'critical', openedAt: 1, sensorIds: ['n'], affectedDependents: 0, escalationStep: 0 };
    expect(changeOf(undefined, a)).toBe('opened');
    expect(changeOf(a, a)).toBeUndefined();
    expect(changeOf(a, { ...a, escalationStep: 1 })).toBe('escalated');
    expect(changeOf(a, { ...a, sensorIds: ['n', 'm'] })).toBe('updated');
    expect(changeOf(a, { ...a, state: 'acknowledged', acknowledged: { by: 'x', at: 2, via: 'api' } })).toBe('acknowledged');
    expect(changeOf(a, { ...a, state: 'resolved', resolvedAt: 3 })).toBe('resolved');
    // A change notice is stored closed at once: it arrives as resolved.
    expect(changeOf(undefined, { ...a, state: 'resolved', resolvedAt: 1 })).toBe('resolved');
  });
});
