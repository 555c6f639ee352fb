// Test helpers for the mqtt kind: listen/check contexts on a ManualClock, a publisher, and a private
// Mosquitto on free loopback ports (a plain listener that needs a password, a TLS listener).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, requireCommand, startPeer, type Peer } from '../../../test/peers/harness.ts';
import { makeCa, makeCertificate, type TestCertificate } from '../testing/certs.ts';
import mqtt, { type IClientOptions } from 'mqtt';
import { ManualClock } from '../../shared/clock.ts';
import { createInbox } from '../../receivers/inbox.ts';
import type { Reading } from '../../core/model.ts';
import type { CheckContext, Credential, ListenContext, Listener, SensorMessage } from '../sensor.ts';
import { mqttKind } from './index.ts';
import { STATS_KEY } from './listen.ts';
import type { MqttStats } from './stats.ts';

/** The Mosquitto this machine runs (anonymous, plain TCP). */
export const BROKER = { host: '127.0.0.1', port: 1883 } as const;


export interface PrivateBroker {
  readonly port: number;
  readonly tlsPort: number;
  readonly ca: TestCertificate;
  readonly user: string;
  readonly password: string;
  /** Stops the broker (the ports stay reserved for restart()). */
  stop(): Promise<void>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startPrivateBroker(): Promise<PrivateBroker> {
  requireCommand('mosquitto', 'mosquitto');
  const dir = mkdtempSync(join(tmpdir(), 'ww-mqtt-'));
  const ca = await makeCa({ commonName: 'Wardwatch test CA' });
  const server = await makeCertificate({ commonName: 'localhost', altNames: ['localhost', '127.0.0.1'], signWith: ca });
  writeFileSync(join(dir, 'ca.pem'), ca.certPem);
  writeFileSync(join(dir, 'server.pem'), server.certPem);
  writeFileSync(join(dir, 'server.key'), server.keyPem, { mode: 0o600 });
  const user = 'ward';
  const password = 'pump-secret-42';
  execFileSync('mosquitto_passwd', ['-b', '-c', join(dir, 'passwd'), user, password], { stdio: 'ignore' });
  const [port, tlsPort] = [await freePort(), await freePort()];
  writeFileSync(
    join(dir, 'mosquitto.conf'),
    [
      'per_listener_settings false',
      'allow_anonymous false',
      `password_file ${join(dir, 'passwd')}`,
      'persistence false',
      'log_dest stderr',
      ...(process.getuid?.() === 0 ? ['user root'] : []),
      `listener ${port} 127.0.0.1`,
      `listener ${tlsPort} 127.0.0.1`,
      `certfile ${join(dir, 'server.pem')}`,
      `keyfile ${join(dir, 'server.key')}`,
      '',
    ].join('\n'),
  );
  const start = () => startPeer('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { port, waitTcp: tlsPort });
  let peer: Peer | undefined = await start();
  return {
    port,
    tlsPort,
    ca,
    user,
    password,
    stop: async () => {
      await peer?.stop();
      peer = undefined;
    },
    restart: async () => {
      peer = await start();
    },
    close: async () => {
      await peer?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Rig {
  readonly clock: ManualClock;
  readonly memory: Map<string, unknown>;
  readonly records: SensorMessage[];
  readonly listener: Listener;
  check(): Promise<Reading>;
  stats(): MqttStats;
}

/** Listens with settings on contexts driven by a ManualClock; the listener is pushed to `open` for the test to close. */
export async function rig(settings: unknown, open: Listener[], credential?: Credential): Promise<Rig> {
  const clock = new ManualClock();
  const memory = new Map<string, unknown>();
  const records: SensorMessage[] = [];
  const parsed = mqttKind.settings.parse(settings);
  const lctx: ListenContext = { sensorId: 's1', memory, inbox: createInbox(), now: () => clock.monotonic(), wallNow: () => clock.now(), record: (m) => records.push(m), checkNow: () => {}, ...(credential ? { credential } : {}) };
  const listener = await mqttKind.listen!(parsed, lctx);
  open.push(listener);
  const cctx = (): CheckContext => ({ signal: new AbortController().signal, timeoutMs: 5000, now: () => clock.monotonic(), wallNow: () => clock.now(), memory, sensorId: 's1' });
  return { clock, memory, records, listener, check: () => mqttKind.check(parsed, cctx()), stats: () => memory.get(STATS_KEY) as MqttStats };
}

export async function publish(messages: readonly [topic: string, payload: string][], broker: IClientOptions = BROKER): Promise<void> {
  const pub = await mqtt.connectAsync({ ...broker, protocol: 'mqtt', reconnectPeriod: 0 });
  try {
    for (const [t, p] of messages) await pub.publishAsync(t, p, { qos: 1 });
  } finally {
    await pub.endAsync();
  }
}

