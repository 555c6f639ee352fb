// Settings of the mqtt kind: broker, topic filter (with + and # wildcards), TLS, the JSON paths
// that become channels, and how long a topic may stay silent.

import { z } from 'zod';
import { UNITS } from '../../core/model.ts';
import { duration, host, port } from '../fields.ts';
import { clientTlsSettings } from '../sql/tls.ts';

/** Why a topic filter is invalid (MQTT 3.1.1 §4.7), or undefined. */
export function topicFilterProblem(filter: string): string | undefined {
  if (filter === '') return 'expected a topic filter, got an empty string';
  if (filter.includes('\u0000')) return 'a topic filter must not contain NUL characters';
  const levels = filter.split('/');
  for (const [i, level] of levels.entries()) {
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) return `"#" must be a whole level and the last one, in ${JSON.stringify(filter)}`;
    if (level.includes('+') && level !== '+') return `"+" must be a whole level, in ${JSON.stringify(filter)}`;
  }
  return undefined;
}

const topic = z.string().superRefine((v, ctx) => {
  const problem = topicFilterProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const RESERVED_KEYS = new Set(['lastMessageAgeS', 'messagesPerMin', 'payloadErrors']);

const valueSpec = z.strictObject({
  path: z.string().min(1, { error: 'expected a JSON path such as battery.level, got an empty string' }).describe('Dot path into the JSON payload (battery.level, sensors.0.temp)'),
  key: z
    .string()
    .regex(/^[a-z][A-Za-z0-9]*$/, { error: (i) => `expected a camelCase channel key such as batteryPct, got ${JSON.stringify(i.input)}` })
    .refine((k) => !RESERVED_KEYS.has(k), { error: (i) => `channel key ${JSON.stringify(i.input)} is taken by the mqtt kind itself` })
    .describe('Channel key, named with its unit (batteryPct, temperatureC)'),
  name: z.string().min(1).optional().describe('Channel name shown in the console'),
  unit: z.enum(UNITS).default('value').describe('Unit of the channel'),
});

export const mqttSettings = z
  .strictObject({
    host,
    port: port().optional().describe('Broker port (default 1883, or 8883 with TLS)'),
    topic: topic.describe('Topic filter to subscribe to; + matches one level, # the rest (wards/+/pumps/#)'),
    qos: z.union([z.literal(0), z.literal(1)]).default(0).describe('Subscription QoS (0 or 1)'),
    clientId: z.string().min(1).max(64).optional().describe('MQTT client id (default: wardwatch_ and random characters)'),
    tls: clientTlsSettings.optional(),
    values: z.array(valueSpec).default([]).describe('JSON paths whose last value becomes a channel'),
    silentAfter: duration({ min: 1 }).default(600).describe('Down when no message arrived for longer than this (default 10m)'),
  })
  .refine((s) => new Set(s.values.map((v) => v.key)).size === s.values.length, { error: 'values: every key must be different' });

export type MqttSettings = z.infer<typeof mqttSettings>;
