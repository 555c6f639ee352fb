// Receivers on a remote probe, over the real link: a probe whose subtree has a syslog sensor runs the
// syslog receiver from its own `receivers:` section (none before it has such a sensor), a message a
// device sends to the probe reaches the core's message log mapped to that device, and the listening
// sensor on the probe judges it (its state reaches the core through the readings).

import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, nkeyAuthenticator } from 'nats';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startClusterCore, type ClusterCore } from '../../src/cluster/core.ts';
import { startProbe } from '../../src/cluster/probe.ts';
import { formatConfigError, parseConfig } from '../../src/config/load.ts';
import type { Tree } from '../../src/core/tree.ts';
import { receiversSchema } from '../../src/receivers/config.ts';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/index.ts';
import { freeUdpPort } from '../peers/harness.ts';
import { startNats, type NatsPeer } from '../peers/nats.ts';
import { collectLog, sensorIds, waitFor } from './fixture.ts';

let nats: NatsPeer;
let dir: string;
let store: SqliteStore;
let core: ClusterCore;

const TOKEN = 'k3Jq9vX2mP7tR4wY8zB1nC6d';

function siteTree(withSyslog: boolean, withPush = false): Tree {
  const doc = {
    sites: [
      {
        name: 'Site SITE-B',
        timezone: 'UTC',
        probes: [
          {
            name: 'SITE-B',
            interval: '1s',
            groups: [
              {
                name: 'Network',
                system: 'network',
                devices: [
                  { name: 'switch', host: '127.0.0.1', sensors: [{ name: 'value', kind: 'synthetic', base: 1 }, ...(withSyslog ? [{ name: 'log', kind: 'syslog', rules: [{ name: 'link', message: 'link down', state: 'down' }] }] : []), ...(withPush ? [{ name: 'backup', kind: 'push', token: TOKEN }] : [])] },
                ],
              },
            ],
          },
        ],
      },
      { name: 'Main', timezone: 'UTC', probes: [{ name: 'core', groups: [{ name: 'Core', system: 'other', devices: [{ name: 'db', host: '127.0.0.9', sensors: [{ name: 'value', kind: 'synthetic', base: 2 }] }] }] }] },
    ],
  };
  const parsed = parseConfig(stringify(doc), 'receivers-test.yaml');
  if (!parsed.ok) throw new Error(parsed.errors.map(formatConfigError).join('\n'));
  return parsed.tree;
}

let tree = siteTree(false);

beforeAll(async () => {
  nats = await startNats({ probes: ['SITE-B'] });
  dir = mkdtempSync(join(tmpdir(), 'ww-recv-'));
  store = openSqliteStore({ path: join(dir, 'core.db') });
  core = await startClusterCore({ link: { url: nats.url, user: nats.core.user, password: nats.core.password }, store, tree: () => tree, log: () => undefined });
  await core.registry.seen('SITE-B', Date.now());
  await core.approve('SITE-B', 'test');
});

afterAll(async () => {
  await core?.close();
  await store?.close();
  await nats?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

async function sendSyslog(port: number, text: string): Promise<void> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((res, rej) => sock.send(Buffer.from(`<11>1 ${new Date().toISOString()} switch ifmgr - - - ${text}`), port, '127.0.0.1', (e) => (e ? rej(e) : res())));
  sock.close();
}

it('runs the syslog receiver its syslog sensor needs and delivers messages to the core message log', async () => {
  const port = await freeUdpPort();
  const log = collectLog();
  const probe = await startProbe({
    name: 'SITE-B',
    dataDir: join(dir, 'probe'),
    log: log.log,
    link: { url: nats.url, nkeyFile: nats.seedFiles.get('SITE-B')! },
    flushIntervalMs: 50,
    healthIntervalMs: 100,
    receivers: receiversSchema.parse({ syslog: { udp: { host: '127.0.0.1', port } }, snmpTraps: { host: '127.0.0.1', port: await freeUdpPort() } }),
  });
  try {
    await waitFor('the probe to run its sensors', () => probe.engine.statuses().size === 1);
    // No listening sensor yet: no receiver bound, not even the configured trap receiver.
    expect(probe.receiverAddresses()).toEqual([]);

    tree = siteTree(true);
    await core.configChanged();
    await waitFor('the syslog receiver to listen', () => probe.receiverAddresses().length === 1);
    expect(probe.receiverAddresses()).toEqual([`syslog/udp 127.0.0.1:${port}`]);
    const [syslogSensor] = sensorIds(tree, 'syslog');
    await waitFor('the syslog sensor to run on the probe', () => probe.engine.statuses().has(syslogSensor!));

    await sendSyslog(port, 'Interface ge-0/0/1 link down');
    const device = [...tree.nodes.values()].find((n) => n.type === 'device' && n.name === 'switch')!.id;
    await waitFor('the message in the core message log', async () => (await store.messages({ receiver: 'syslog', limit: 10 })).some((m) => m.text.includes('link down')));
    const [m] = await store.messages({ receiver: 'syslog', limit: 10 });
    expect(m).toMatchObject({ receiver: 'syslog', deviceId: device, source: '127.0.0.1', severity: 'error' });
    // The listening sensor judged it on the probe; the state came to the core with the readings.
    await waitFor('the syslog sensor Down on the core', () => core.statusOf(syslogSensor!)?.state === 'down', 20_000);
  } finally {
    await probe.close();
  }
  expect(log.lines.join('\n')).toContain(`receiver listening: syslog/udp 127.0.0.1:${port}`);
}, 60_000);

it('says which sensors need a receiver the probe was not given', async () => {
  const log = collectLog();
  const probe = await startProbe({ name: 'SITE-B', dataDir: join(dir, 'probe'), log: log.log, link: { url: nats.url, nkeyFile: nats.seedFiles.get('SITE-B')! }, flushIntervalMs: 50 });
  try {
    await waitFor('the configuration', () => probe.engine.statuses().size === 2);
    expect(probe.receiverAddresses()).toEqual([]);
    expect(log.lines.join('\n')).toMatch(/1 syslog sensor\(s\) \(.*\/log\) need the probe's syslog receiver, which it was not given: start the probe with --receivers FILE whose receivers\.syslog says where to listen/);
  } finally {
    await probe.close();
  }
}, 30_000);

it('keeps a message naming a device of another probe, without the device', async () => {
  const seed = readFileSync(nats.seedFiles.get('SITE-B')!, 'utf8').trim();
  const nc = await connect({ servers: nats.url, authenticator: nkeyAuthenticator(new TextEncoder().encode(seed)), inboxPrefix: '_INBOX_SITE-B' });
  const other = [...tree.nodes.values()].find((n) => n.type === 'device' && n.name === 'db')!.id;
  const before = core.ingestStats().foreignRows;
  try {
    const msg = { receiver: 'syslog', ts: Date.now(), source: '10.9.9.9', deviceId: other, severity: 'info', text: 'forged for another site' };
    await nc.jetstream().publish('ww.probe.SITE-B.r', Buffer.from(JSON.stringify({ v: 1, probe: 'SITE-B', at: Date.now(), messages: [msg] })), { msgID: 'forged-device-1' });
  } finally {
    await nc.close();
  }
  await waitFor('the message stored', async () => (await store.messages({ text: 'forged for another site', limit: 5 })).length === 1);
  const [m] = await store.messages({ text: 'forged for another site', limit: 5 });
  expect(m!.deviceId).toBeUndefined();
  expect(m!.source).toBe('10.9.9.9');
  expect(core.ingestStats().foreignRows).toBe(before + 1);
}, 30_000);

it('serves push sensors on the probe\'s own HTTP listener', async () => {
  const { freePort } = await import('../peers/harness.ts');
  const port = await freePort();
  const probe = await startProbe({ name: 'SITE-B', dataDir: join(dir, 'probe-push'), log: () => undefined, link: { url: nats.url, nkeyFile: nats.seedFiles.get('SITE-B')! }, flushIntervalMs: 50, push: { host: '127.0.0.1', port } });
  try {
    tree = siteTree(false, true);
    await core.configChanged();
    const [pushSensor] = sensorIds(tree, 'push');
    await waitFor('the push endpoint to listen', () => probe.receiverAddresses().includes(`push/http 127.0.0.1:${port}`));
    await waitFor('the push sensor to listen on the probe', () => probe.engine.statuses().has(pushSensor!));
    const res = await fetch(`http://127.0.0.1:${port}/api/push/${TOKEN}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'down', message: 'backup job failed' }) });
    expect(res.status).toBe(202);
    await waitFor('the push sensor Down on the core', () => core.statusOf(pushSensor!)?.state === 'down', 20_000);
    tree = siteTree(false, false);
    await core.configChanged();
    await waitFor('the push endpoint closed once no push sensor needs it', () => probe.receiverAddresses().length === 0);
  } finally {
    await probe.close();
  }
}, 60_000);
