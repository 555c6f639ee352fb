// The mqtt kind against the real Mosquitto on 127.0.0.1:1883 (a unique topic per test), with the
// listen and check contexts built here on a ManualClock so time (rates, silence) is under control.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { randomBytes } from 'node:crypto';
import { closedPort } from '../testing/peers.ts';
import type { Reading } from '../../core/model.ts';
import type { Listener } from '../sensor.ts';
import { mqttKind } from './index.ts';
import { atPath } from './stats.ts';
import { BROKER, publish, rig as rigWith } from './testing.ts';

const open: Listener[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});
const rig = (settings: unknown) => rigWith(settings, open);

const base = () => `wardwatch-test/${randomBytes(6).toString('hex')}`;
const ch = (r: Reading, key: string) => r.channels.find((c) => c.key === key)?.value;

describe('mqtt settings', () => {
  const parse = (extra: object) => mqttKind.settings.safeParse({ host: 'broker', topic: 'a/b', ...extra }).error?.issues[0]?.message;
  it('rejects misplaced wildcards with the exact message', () => {
    expect(parse({ topic: 'a/#/b' })).toBe('"#" must be a whole level and the last one, in "a/#/b"');
    expect(parse({ topic: 'a/b+' })).toBe('"+" must be a whole level, in "a/b+"');
    expect(parse({ topic: '' })).toBe('expected a topic filter, got an empty string');
    expect(parse({ topic: 'wards/+/pumps/#' })).toBeUndefined();
  });
  it('rejects bad value keys', () => {
    expect(parse({ values: [{ path: 'a', key: 'Battery level' }] })).toBe('expected a camelCase channel key such as batteryPct, got "Battery level"');
    expect(parse({ values: [{ path: 'a', key: 'messagesPerMin' }] })).toBe('channel key "messagesPerMin" is taken by the mqtt kind itself');
    expect(parse({ values: [{ path: 'a', key: 'x' }, { path: 'b', key: 'x' }] })).toBe('values: every key must be different');
  });
  it('reads dot and index paths', () => {
    const doc = { battery: { level: 81 }, sensors: [{ temp: 4.5 }] };
    expect([atPath(doc, 'battery.level'), atPath(doc, 'sensors.0.temp'), atPath(doc, 'sensors[0].temp'), atPath(doc, 'battery.missing'), atPath(doc, 'toString')]).toEqual([81, 4.5, 4.5, undefined, undefined]);
  });
});

describe('mqtt against Mosquitto', () => {
  it('counts messages on a + wildcard and reports JSON path values', async () => {
    const t = base();
    const r = await rig({ ...BROKER, topic: `${t}/+/status`, values: [{ path: 'battery.level', key: 'batteryPct', unit: '%' }, { path: 'flow', key: 'flowRate' }] });
    expect(r.listener.address).toBe(`mqtt://127.0.0.1:1883/${t}/+/status`);
    await publish([
      [`${t}/pump1/status`, JSON.stringify({ battery: { level: 90 }, flow: 12.5 })],
      [`${t}/pump1/other`, JSON.stringify({ battery: { level: 1 } })],
      [`${t}/pump2/status`, JSON.stringify({ battery: { level: 55 } })],
    ]);
    await vi.waitFor(() => expect(r.stats().total).toBe(2));
    await r.clock.advance(30_000);
    const reading = await r.check();
    expect(reading.error, reading.message).toBeUndefined();
    expect(ch(reading, 'messagesPerMin')).toBe(4);
    expect(ch(reading, 'lastMessageAgeS')).toBe(30);
    expect(ch(reading, 'payloadErrors')).toBe(0);
    expect(reading.channels.find((c) => c.key === 'batteryPct')).toEqual({ key: 'batteryPct', value: 55, unit: '%', name: 'battery.level' });
    expect(ch(reading, 'flowRate')).toBe(12.5);
    expect(reading.message).toBe('2 messages in 0.5 min; last message 30 s ago');
  });

  it('counts non-JSON payloads on a # wildcard as errors, records one event, keeps listening', async () => {
    const t = base();
    const r = await rig({ ...BROKER, topic: `${t}/#` });
    await publish([
      [`${t}/a/b`, 'not json'],
      [`${t}/c`, '{"ok":true}'],
      [`${t}`, '\u00ff\u0000'],
    ]);
    await vi.waitFor(() => expect(r.stats().total).toBe(3));
    await r.clock.advance(60_000);
    const reading = await r.check();
    expect(reading.error).toBeUndefined();
    expect(ch(reading, 'payloadErrors')).toBe(2);
    expect(ch(reading, 'messagesPerMin')).toBe(3);
    expect(r.records).toHaveLength(1);
    expect(r.records[0]?.text).toMatch(new RegExp(`^payload on ${t}/a/b is not JSON \\(8 bytes\\): Unexpected token`));
    // the errors are per check: the next check starts again from zero
    await r.clock.advance(60_000);
    expect(ch(await r.check(), 'payloadErrors')).toBe(0);
  });

  it('goes Down (MQTT_SILENT) when the topic is silent longer than silentAfter, and back up on a message', async () => {
    const t = base();
    const r = await rig({ ...BROKER, topic: t, silentAfter: '5m' });
    await r.clock.advance(299_000);
    expect((await r.check()).error).toBeUndefined();
    await r.clock.advance(2_000);
    const silent = await r.check();
    expect(silent.error).toBe('MQTT_SILENT');
    expect(silent.message).toBe('0 messages in 0.03 min; no message since the subscription started 301 s ago: silent for more than 300 s');
    expect(ch(silent, 'lastMessageAgeS')).toBe(301);
    await publish([[t, '{"v":1}']]);
    await vi.waitFor(() => expect(r.stats().total).toBe(1));
    const back = await r.check();
    expect(back.error).toBeUndefined();
    expect(ch(back, 'lastMessageAgeS')).toBe(0);
    // removing the sensor is not a lost connection worth an event
    await r.listener.close();
    expect(r.records).toEqual([]);
  });

  it('reports ECONNREFUSED when the broker cannot be reached, and closes cleanly', async () => {
    const r = await rig({ host: '127.0.0.1', port: await closedPort(), topic: 'x/y' });
    const reading = await r.check();
    expect(reading.error).toBe('ECONNREFUSED');
    expect(reading.message).toMatch(/^0 messages in 0 min; no message since the subscription started 0 s ago; connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
  });

  it('reports MQTT_NOT_LISTENING when checked without a subscription', async () => {
    const reading = await mqttKind.check(mqttKind.settings.parse({ host: 'b', topic: 'x' }), { signal: new AbortController().signal, timeoutMs: 1000, now: () => 0, wallNow: () => 0, memory: new Map(), sensorId: 's' });
    expect(reading.error).toBe('MQTT_NOT_LISTENING');
  });
});
