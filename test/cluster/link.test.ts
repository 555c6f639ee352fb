// The cluster link end to end on a real nats-server (TLS, NKEY per probe, subject permissions) with
// the real SQLite store: approval, configuration push, readings into history, refusals.

import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, Events, nkeyAuthenticator } from 'nats';
import { readFileSync } from 'node:fs';
import { startClusterCore, type ClusterCore } from '../../src/cluster/core.ts';
import { NatsRefusedError } from '../../src/cluster/connect.ts';
import { startProbe } from '../../src/cluster/probe.ts';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/index.ts';
import { startNats, type NatsPeer } from '../peers/nats.ts';
import { clusterTree, collectLog, sensorIds, waitFor } from './fixture.ts';

let nats: NatsPeer;
let dir: string;
let store: SqliteStore;
let core: ClusterCore;
const tree = clusterTree([
  { name: 'SITE-B', sensors: 3, health: true },
  { name: 'SITE-C', sensors: 2 },
]);
const coreLog = collectLog();
const readings: string[] = [];

beforeAll(async () => {
  nats = await startNats({ probes: ['SITE-B', 'SITE-C'], tls: true });
  dir = mkdtempSync(join(tmpdir(), 'ww-link-'));
  store = openSqliteStore({ path: join(dir, 'core.db') });
  core = await startClusterCore({
    link: { url: nats.url, user: nats.core.user, password: nats.core.password, tlsCaFile: nats.caFile! },
    store,
    tree: () => tree,
    log: coreLog.log,
    onReading: (r) => readings.push(r.sensorId),
  });
});

afterAll(async () => {
  await core?.close();
  await store?.close();
  await nats?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('cluster link', () => {
  it('keeps a new probe pending with no work, then runs its subtree once approved', async () => {
    const log = collectLog();
    const data = join(dir, 'probe-b');
    const probe = await startProbe({ name: 'SITE-B', dataDir: data, log: log.log, link: { url: nats.url, nkeyFile: nats.seedFiles.get('SITE-B')!, tlsCaFile: nats.caFile! }, flushIntervalMs: 100, healthIntervalMs: 100 });
    try {
      await waitFor('the probe to learn it is pending', () => probe.approval() === 'pending');
      expect(probe.engine.statuses().size).toBe(0);
      expect(existsSync(join(data, 'config.json'))).toBe(false);
      expect((await core.registry.get('SITE-B'))?.approval).toBe('pending');
      expect(log.lines.join('\n')).toContain('pending approval');

      await core.approve('SITE-B', 'alice');
      // 3 sensors: the probe-health sensor is the core's to write, from heartbeats.
      await waitFor('the configuration to arrive', () => probe.engine.statuses().size === 3);
      // Only its own subtree: SITE-C's sensors are not there.
      const own = new Set(probe.engine.statuses().keys());
      for (const id of sensorIds(tree)) expect(own.has(id)).toBe(id.startsWith('site-site-b/'));
      expect(existsSync(join(data, 'config.json'))).toBe(true);
      expect(core.localTree(tree).nodes.has(probe.config()!.probeNodeId!)).toBe(false);

      const first = sensorIds(tree).find((id) => id.startsWith('site-site-b/'))!;
      await waitFor('readings in the core store', async () => (await store.history({ sensorId: first, channel: 'value', from: 0, to: Date.now() + 1000, resolution: 'raw' })).points.length >= 2);
      await waitFor('live readings forwarded', () => readings.includes(first));
      expect(core.statusOf(first)?.state).toBe('up');
      await waitFor('a heartbeat with the probe\'s health', () => (core.health('SITE-B')?.heartbeat?.stats.sensors ?? 0) === 3);
      const health = core.health('SITE-B')!;
      expect(health.connected).toBe(true);
      expect(typeof health.heartbeat?.bufferDepth).toBe('number');
      expect(typeof health.heartbeat?.cpuPct).toBe('number');
    } finally {
      await probe.close();
    }
  });

  it('refuses a probe with the wrong credentials, naming the server and the probe', async () => {
    const log = collectLog();
    // SITE-C's key used under the name SITE-B: the server knows the key, but not for that name's subjects;
    // a key the server does not know at all is refused at connect.
    const bad = join(dir, 'bad.nk');
    const { newProbeKey } = await import('../../src/cluster/server-config.ts');
    (await import('node:fs')).writeFileSync(bad, newProbeKey().seed);
    const err = await startProbe({ name: 'SITE-B', dataDir: join(dir, 'probe-bad'), log: log.log, link: { url: nats.url, nkeyFile: bad, tlsCaFile: nats.caFile! } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NatsRefusedError);
    expect((err as Error).message).toMatch(new RegExp(`^${nats.url.replace(/[.]/g, '\\.')} refused probe SITE-B: .*[Aa]uthorization`));
  });

  it('does not let a probe publish under another probe\'s subjects', async () => {
    const seed = readFileSync(nats.seedFiles.get('SITE-C')!, 'utf8').trim();
    const nc = await connect({ servers: nats.url, authenticator: nkeyAuthenticator(new TextEncoder().encode(seed)), tls: { ca: readFileSync(nats.caFile!, 'utf8') }, inboxPrefix: '_INBOX_SITE-C' });
    const errors: string[] = [];
    void (async () => {
      for await (const s of nc.status()) if (s.type === Events.Error) errors.push(s.data instanceof Error ? s.data.message : JSON.stringify(s.data));
    })();
    try {
      nc.publish('ww.probe.SITE-B.r', 'forged');
      await nc.flush();
      await waitFor('a permissions violation', () => errors.some((e) => /permission/i.test(e)), 5000);
    } finally {
      await nc.close();
    }
  });

  it('rejects malformed readings and rows for another probe\'s sensors without stopping', async () => {
    const seed = readFileSync(nats.seedFiles.get('SITE-C')!, 'utf8').trim();
    const nc = await connect({ servers: nats.url, authenticator: nkeyAuthenticator(new TextEncoder().encode(seed)), tls: { ca: readFileSync(nats.caFile!, 'utf8') }, inboxPrefix: '_INBOX_SITE-C' });
    await core.registry.seen('SITE-C', Date.now());
    await core.approve('SITE-C', 'alice');
    const before = core.ingestStats();
    try {
      const js = nc.jetstream();
      await js.publish('ww.probe.SITE-C.r', Buffer.from('{"v":1,"probe":"SITE-C","at":1,"values":[["x"]]}'), { msgID: 'bad-1' });
      const foreign = sensorIds(tree).find((id) => id.startsWith('site-site-b/'))!;
      const own = sensorIds(tree).find((id) => id.startsWith('site-site-c/'))!;
      await js.publish('ww.probe.SITE-C.r', Buffer.from(JSON.stringify({ v: 1, probe: 'SITE-C', at: 1, values: [[foreign, 'value', 5, 1], [own, 'value', 5, 2]] })), { msgID: 'mixed-1' });
    } finally {
      await nc.close();
    }
    await waitFor('both messages handled', () => core.ingestStats().rejected === before.rejected + 1 && core.ingestStats().messages === before.messages + 1);
    expect(core.ingestStats().values).toBe(before.values + 1);
    expect(core.ingestStats().foreignRows).toBe(before.foreignRows + 1);
    expect(coreLog.lines.join('\n')).toContain('rejected readings message bad-1 (stream sequence');
    expect(coreLog.lines.join('\n')).toContain('values.0: expected [sensorId, channel, ts, value]');
    expect(coreLog.lines.join('\n')).toContain('probe SITE-C sent 1 rows for sensors that are not assigned to it: dropped');
  });

  it('does not trust a server whose certificate it cannot verify, and says so', async () => {
    const log = collectLog();
    const err = await startProbe({ name: 'SITE-C', dataDir: join(dir, 'probe-notls'), log: log.log, link: { url: nats.url.replace('nats://', 'tls://'), nkeyFile: nats.seedFiles.get('SITE-C')! }, reconnectMs: 60_000 })
      .then(async (p) => {
        const connected = p.connected();
        await p.close();
        return connected ? 'connected' : 'not connected';
      })
      .catch((e: unknown) => (e as Error).message);
    expect(err).toBe('not connected');
    expect(log.lines.join('\n')).toMatch(/unreachable.*(certificate|self.signed|issuer)/i);
  });
});
