// The mqtt kind's subscription: one client per sensor that connects, subscribes, counts what
// arrives into MqttStats, and reconnects with exponential backoff while the broker is away.

import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { codeFromSystemError } from '../../core/errors.ts';
import { loadTls } from '../hl7/settings.ts';
import type { ListenContext, Listener } from '../sensor.ts';
import type { MqttSettings } from './settings.ts';
import { MqttStats, takeMessage } from './stats.ts';

export const STATS_KEY = 'mqtt.stats';
export const PREV_KEY = 'mqtt.prev';

const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 60_000;
/** At most one "non-JSON payload" event per sensor per this period: a misbehaving device must not flood the event log. */
const RECORD_EVERY_MS = 60_000;
/** listen() waits this long at most for the first subscription before returning (it keeps trying afterwards). */
const FIRST_CONNECT_MS = 10_000;

/** MQTT 3.1.1 CONNACK 4/5 and MQTT 5 reason codes 134/135 mean the broker refused the login. */
const AUTH_CODES = new Set([4, 5, 134, 135]);

export function problemOf(err: unknown): { code: string; message: string } {
  const e = err as { code?: unknown; message?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(err);
  if (typeof e.code === 'number' && AUTH_CODES.has(e.code)) return { code: 'MQTT_AUTH', message };
  const code = codeFromSystemError(err);
  return { code: code === 'INTERNAL' ? 'MQTT_DISCONNECTED' : code, message };
}

export async function listenMqtt(s: MqttSettings, ctx: ListenContext): Promise<Listener> {
  const stats = new MqttStats(ctx.wallNow());
  ctx.memory.set(STATS_KEY, stats);
  ctx.memory.delete(PREV_KEY);
  const cred = ctx.credential?.type === 'mqtt' ? ctx.credential.values : undefined;
  let tls;
  try {
    tls = await loadTls(s.tls);
  } catch (e) {
    // a missing certificate file is a settings problem the check reports, not a crash of the engine
    stats.problem = { code: 'BAD_SETTINGS', message: `TLS files could not be read: ${(e as Error).message}` };
    return { close: async () => {} };
  }
  const port = s.port ?? (tls ? 8883 : 1883);
  const options: IClientOptions = {
    host: s.host,
    port,
    protocol: tls ? 'mqtts' : 'mqtt',
    clientId: s.clientId ?? `wardwatch_${randomBytes(6).toString('hex')}`,
    clean: true,
    connectTimeout: FIRST_CONNECT_MS,
    reconnectPeriod: FIRST_RETRY_MS,
    ...(cred?.username ? { username: cred.username } : {}),
    ...(cred?.password ? { password: cred.password } : {}),
    ...(tls ? { rejectUnauthorized: tls.verify, ...(tls.ca ? { ca: tls.ca } : {}), ...(tls.cert ? { cert: tls.cert } : {}), ...(tls.key ? { key: tls.key } : {}), ...(tls.servername || !isIP(s.host) ? { servername: tls.servername ?? s.host } : {}) } : {}),
  };
  const client: MqttClient = mqtt.connect(options);
  let lastRecordAt = -Infinity;
  let settle: () => void = () => {};
  const firstOutcome = new Promise<void>((resolve) => (settle = resolve));

  client.on('connect', () => {
    stats.connected = true;
    stats.problem = undefined;
    client.options.reconnectPeriod = FIRST_RETRY_MS;
    client.subscribe(s.topic, { qos: s.qos }, (err, granted) => {
      const refused = granted?.some((g) => g.qos === 128);
      if (err || refused) {
        stats.problem = { code: 'MQTT_SUBSCRIBE_REFUSED', message: err ? err.message : `the broker refused the subscription to ${s.topic}` };
        ctx.record({ severity: 'error', text: stats.problem.message });
      } else stats.subscribed = true;
      settle();
    });
  });
  client.on('error', (err) => {
    stats.problem = problemOf(err);
    settle();
  });
  let closing = false;
  client.on('close', () => {
    const wasConnected = stats.connected;
    stats.connected = false;
    stats.subscribed = false;
    if (wasConnected && !closing) ctx.record({ severity: 'warning', text: `lost the connection to the MQTT broker ${s.host}:${port}` });
    // exponential backoff: mqtt.js reads reconnectPeriod each time it schedules a reconnect
    if (!wasConnected) client.options.reconnectPeriod = Math.min((client.options.reconnectPeriod ?? FIRST_RETRY_MS) * 2, MAX_RETRY_MS);
    settle();
  });
  client.on('message', (topic, payload) => {
    const at = ctx.wallNow();
    const outcome = takeMessage(stats, payload, s.values, at);
    if (!outcome.ok && at - lastRecordAt >= RECORD_EVERY_MS) {
      lastRecordAt = at;
      ctx.record({ severity: 'warning', text: `payload on ${topic} is not JSON (${payload.length} bytes): ${outcome.reason}`, data: { topic, bytes: payload.length, payloadErrors: stats.payloadErrors } });
    }
  });

  const timer = setTimeout(settle, FIRST_CONNECT_MS);
  await firstOutcome;
  clearTimeout(timer);
  return {
    address: `${tls ? 'mqtts' : 'mqtt'}://${s.host}:${port}/${s.topic}`,
    close: async () => {
      closing = true;
      client.removeAllListeners('message');
      await client.endAsync(true);
    },
  };
}
