// The mqtt kind against a private Mosquitto (password required, TLS listener with a test CA):
// login with a credential, a refused login, TLS verified and untrusted, and reconnecting after the
// broker restarts.

import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Credential, Listener } from '../sensor.ts';
import { publish, rig, startPrivateBroker, type PrivateBroker } from './testing.ts';

let broker: PrivateBroker;
const open: Listener[] = [];
beforeAll(async () => {
  broker = await startPrivateBroker();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});
afterAll(async () => {
  await broker.close();
});

const login = (password = broker.password): Credential => ({ name: 'broker', type: 'mqtt', values: { username: broker.user, password } });
const as = () => ({ host: '127.0.0.1', port: broker.port, username: broker.user, password: broker.password });

describe('mqtt with a password and TLS', () => {
  it('logs in with a credential of type mqtt and receives messages', async () => {
    const r = await rig({ host: '127.0.0.1', port: broker.port, topic: 'ward/3/#' }, open, login());
    await publish([['ward/3/pump', '{"rate":5}']], as());
    await vi.waitFor(() => expect(r.stats().total).toBe(1));
    expect((await r.check()).error).toBeUndefined();
  });

  it('reports MQTT_AUTH for a wrong password', async () => {
    const r = await rig({ host: '127.0.0.1', port: broker.port, topic: 'ward/3/#' }, open, login('wrong'));
    const reading = await r.check();
    expect(reading.error).toBe('MQTT_AUTH');
    expect(reading.message).toContain('Connection refused: Not authorized');
  });

  it('subscribes over TLS with the CA, and refuses an untrusted broker certificate', async () => {
    const tls = await rig({ host: '127.0.0.1', port: broker.tlsPort, topic: 'ward/4', tls: { ca: broker.ca.certPem } }, open, login());
    expect(tls.listener.address).toBe(`mqtts://127.0.0.1:${broker.tlsPort}/ward/4`);
    await publish([['ward/4', '{"t":4.5}']], as());
    await vi.waitFor(() => expect(tls.stats().total).toBe(1));
    expect((await tls.check()).error).toBeUndefined();
    const untrusted = await rig({ host: '127.0.0.1', port: broker.tlsPort, topic: 'ward/4', tls: {} }, open, login());
    expect((await untrusted.check()).error).toBe('TLS_CERT_UNTRUSTED');
    const missing = await rig({ host: '127.0.0.1', port: broker.tlsPort, topic: 'ward/4', tls: { ca: '/nonexistent/ca.pem' } }, open, login());
    expect(await missing.check()).toMatchObject({ error: 'BAD_SETTINGS', message: "0 messages in 0 min; no message since the subscription started 0 s ago; TLS files could not be read: ENOENT: no such file or directory, open '/nonexistent/ca.pem'" });
  });

  it('reports MQTT_DISCONNECTED while the broker is away and resubscribes when it is back', async () => {
    const r = await rig({ host: '127.0.0.1', port: broker.port, topic: 'ward/5' }, open, login());
    expect(r.stats().subscribed).toBe(true);
    await broker.stop();
    await vi.waitFor(() => expect(r.stats().connected).toBe(false));
    const away = await r.check();
    expect(['MQTT_DISCONNECTED', 'ECONNREFUSED', 'ECONNRESET']).toContain(away.error);
    expect(r.records.map((m) => m.text)).toContain(`lost the connection to the MQTT broker 127.0.0.1:${broker.port}`);
    await broker.restart();
    await vi.waitFor(() => expect(r.stats().subscribed).toBe(true), { timeout: 10_000, interval: 50 });
    await publish([['ward/5', '{"ok":1}']], as());
    await vi.waitFor(() => expect(r.stats().total).toBe(1));
    expect((await r.check()).error).toBeUndefined();
  }, 20_000);
});
