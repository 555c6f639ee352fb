// `mqtt`: subscribes to a topic filter on a broker (connected devices: infusion pumps, fridges,
// environment sensors) and reports messages/min, the age of the last message, payloads that are not
// JSON, and the last value of chosen JSON paths. Down when the topic stays silent too long.

import type { ChannelValue, Reading } from '../../core/model.ts';
import { defineSensorKind, failed, type CheckContext } from '../sensor.ts';
import { listenMqtt, PREV_KEY, STATS_KEY } from './listen.ts';
import { mqttSettings, type MqttSettings } from './settings.ts';
import { MqttStats, snapshot, type MqttSnapshot } from './stats.ts';
import './errors.ts';

const round = (v: number): number => Math.round(v * 100) / 100;

function check(s: MqttSettings, ctx: CheckContext): Reading {
  const stats = ctx.memory.get(STATS_KEY);
  if (!(stats instanceof MqttStats)) return failed('MQTT_NOT_LISTENING', 'the MQTT subscription for this sensor is not running');
  const now = ctx.wallNow();
  const prev = (ctx.memory.get(PREV_KEY) as MqttSnapshot | undefined) ?? { at: stats.startedAt, total: 0, payloadErrors: 0 };
  ctx.memory.set(PREV_KEY, snapshot(stats, now));
  const minutes = Math.max(now - prev.at, 1) / 60_000;
  const count = stats.total - prev.total;
  const errors = stats.payloadErrors - prev.payloadErrors;
  const ageS = Math.max(0, (now - (stats.lastMessageAt ?? stats.startedAt)) / 1000);
  const channels: ChannelValue[] = [
    { key: 'lastMessageAgeS', value: round(ageS) },
    { key: 'messagesPerMin', value: round(count / minutes) },
    { key: 'payloadErrors', value: errors },
  ];
  for (const v of s.values) {
    const value = stats.values.get(v.key);
    if (value !== undefined) channels.push({ key: v.key, value, unit: v.unit, name: v.name ?? v.path });
  }
  const last = stats.lastMessageAt === undefined ? `no message since the subscription started ${Math.round(ageS)} s ago` : `last message ${Math.round(ageS)} s ago`;
  const summary = `${count} message${count === 1 ? '' : 's'} in ${round(minutes)} min; ${last}${errors ? `; ${errors} not JSON` : ''}`;
  if (stats.problem && !stats.subscribed) return failed(stats.problem.code, `${summary}; ${stats.problem.message}`, channels);
  if (!stats.connected) return failed('MQTT_DISCONNECTED', `${summary}; not connected to the broker`, channels);
  if (ageS > s.silentAfter) return failed('MQTT_SILENT', `${summary}: silent for more than ${s.silentAfter} s`, channels);
  return { channels, message: summary };
}

export const mqttKind = defineSensorKind({
  kind: 'mqtt',
  title: 'MQTT topic',
  description:
    'Subscribes to a topic filter (+ and # wildcards) on an MQTT broker, over TCP or TLS, with the user name and password of a credential of type mqtt, and reports messages per minute, the age of the last message, payloads that are not JSON (counted and recorded, never fatal) and the last value of chosen JSON paths (battery.level as batteryPct). Down when the topic is silent for longer than silentAfter (default 10 minutes) or the broker cannot be reached; reconnects with backoff.',
  settings: mqttSettings,
  channels: [
    { key: 'lastMessageAgeS', name: 'Age of last message', unit: 's', primary: true },
    { key: 'messagesPerMin', name: 'Messages/min', unit: 'per min' },
    { key: 'payloadErrors', name: 'Payloads not JSON', unit: 'count', limits: { upperWarning: 0 }, description: 'Messages since the last check whose payload was not JSON' },
  ],
  concurrency: 1000,
  defaultIntervalS: 60,
  usesHost: true,
  // One channel per configured JSON path.
  dynamicChannels: true,
  check: async (s, ctx) => check(s, ctx),
  listen: listenMqtt,
});
