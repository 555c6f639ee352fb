// Several core processes on one PostgreSQL store share the readings consumer, yet every core (and so
// the alerting leader) must see every remote status and event: each core publishes what it applied
// to WW_APPLIED and every core follows that stream. Real NATS, real PostgreSQL, a real probe whose
// synthetic sensors flip between Up and Down every second.

import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type JetStreamManager, type NatsConnection } from 'nats';
import pg from 'pg';
import { stringify } from 'yaml';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MemoryQueue, testConfig } from '../../src/alerting/engine/testing.ts';
import { startAlerting, type Alerting } from '../../src/alerting/start.ts';
import { startClusterCore, type ClusterCore, type ClusterCoreOptions } from '../../src/cluster/core.ts';
import type { AppliedItem } from '../../src/cluster/fanout.ts';
import { Ingest } from '../../src/cluster/ingest.ts';
import { startProbe, type RunningProbe as Probe } from '../../src/cluster/probe.ts';
import { openClusterTables } from '../../src/cluster/registry.ts';
import { APPLIED_STREAM, INGEST_CONSUMER, READINGS_STREAM, subjects } from '../../src/cluster/subjects.ts';
import { encodeEnvelope } from '../../src/cluster/wire.ts';
import { formatConfigError, parseConfig } from '../../src/config/load.ts';
import type { SensorStatus, StateEvent } from '../../src/core/model.ts';
import type { Tree } from '../../src/core/tree.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { openPgAlertStore } from '../../src/store/postgres/alerting.ts';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres/index.ts';
import type { AnyStore } from '../../src/store/open.ts';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';
import { startNats, type NatsPeer } from '../peers/nats.ts';
import { sensorIds, waitFor } from './fixture.ts';

const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
const PROBES = ['SITE-F', 'SITE-G', 'SITE-H'] as const;
let nats: NatsPeer;
let nc: NatsConnection;
let jsm: JetStreamManager;
let dir: string;
const schemas: string[] = [];

beforeAll(async () => {
  nats = await startNats({ probes: [...PROBES] });
  nc = await connect({ servers: nats.url, user: nats.core.user, pass: nats.core.password });
  jsm = await nc.jetstreamManager();
  dir = mkdtempSync(join(tmpdir(), 'ww-fanout-'));
});

afterAll(async () => {
  await nc?.close();
  await nats?.dispose();
  rmSync(dir, { recursive: true, force: true });
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  } finally {
    await c.end();
  }
});

/** One probe whose synthetic sensors fail every `failEvery`th run (no retries: each failure is a Down), plus its health sensor. */
function flippingTree(probe: string, sensors: number, failEvery: number): Tree {
  const doc = {
    sites: [
      {
        name: `Site ${probe}`,
        timezone: 'UTC',
        probes: [
          {
            name: probe,
            interval: '1s',
            retries: 0,
            groups: [
              {
                name: 'Devices',
                system: 'other',
                devices: [
                  ...Array.from({ length: sensors }, (_, i) => ({ name: `dev${i}`, host: '127.0.0.1', sensors: [{ name: 'value', kind: 'synthetic', base: i, failEvery }] })),
                  { name: 'probe', host: '127.0.0.1', sensors: [{ name: 'health', kind: 'probe-health' }] },
                ],
              },
            ],
          },
        ],
      },
    ],
  };
  const parsed = parseConfig(stringify(doc), 'fanout-test.yaml');
  if (!parsed.ok) throw new Error(parsed.errors.map(formatConfigError).join('\n'));
  return parsed.tree;
}

/** A core with what its onStateChange saw, as comparable keys (the core's own disconnect/reconnect events left out). */
interface Seen {
  readonly core: ClusterCore;
  readonly events: string[];
}

const madeByCore = /^probe \S+ (dis|re)connected$/;
const key = (e: StateEvent) => `${e.sensorId} ${e.ts} ${e.from}->${e.to}`;

async function openStore(tag: string): Promise<{ schema: string; open: () => Promise<PostgresStore> }> {
  const schema = `ww_cluster_fanout_${tag}_${process.pid}`;
  schemas.push(schema);
  return { schema, open: () => openPostgresStore({ connectionString: PG_URL, schema }) };
}

async function startCore(store: AnyStore, tree: Tree, over: Partial<ClusterCoreOptions> = {}, onStateChange?: (e: StateEvent, s: SensorStatus) => void): Promise<Seen> {
  const events: string[] = [];
  const core = await startClusterCore({
    link: { url: nats.url, user: nats.core.user, password: nats.core.password },
    store,
    tree: () => tree,
    log: () => undefined,
    ingestBatch: 4,
    ...over,
    onStateChange: (e, s) => {
      if (!madeByCore.test(e.reason)) events.push(key(e));
      onStateChange?.(e, s);
    },
  });
  return { core, events };
}

function probeOf(name: string, tag: string): Promise<Probe> {
  // A quick hello retry: the core answering a configuration chunk may not have heard of the approval
  // the other core made yet, and the probe then asks again (after 15 s by default).
  return startProbe({ name, dataDir: join(dir, tag), log: () => undefined, link: { url: nats.url, nkeyFile: nats.seedFiles.get(name)! }, flushIntervalMs: 50, healthIntervalMs: 200, helloRetryMs: 500, outbox: { fsync: 'never' } });
}

/** Waits until nothing is left to ingest and every core has read the applied stream to its end; says where each stands if not. */
async function caughtUp(cores: readonly ClusterCore[], ms: number): Promise<void> {
  let where = '';
  const done = async () => {
    const ci = await jsm.consumers.info(READINGS_STREAM, INGEST_CONSUMER);
    const last = (await jsm.streams.info(APPLIED_STREAM)).state.last_seq;
    where = `readings pending ${ci.num_pending}, unacknowledged ${ci.num_ack_pending}; ${APPLIED_STREAM} at ${last}, cores read to ${cores.map((c) => c.appliedStats().lastSeq).join(', ')}`;
    return ci.num_pending === 0 && ci.num_ack_pending === 0 && cores.every((c) => c.appliedStats().lastSeq >= last);
  };
  await waitFor('the cores to ingest and fan out everything', done, ms).catch((err: unknown) => {
    throw new Error(`${(err as Error).message} (${where})`);
  });
}

/** Every stored state event of these sensors, as keys (sorted). */
async function storedEvents(store: PostgresStore, ids: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const id of ids) for (const e of await store.events({ sensorId: id, limit: 1000 })) if (!madeByCore.test(e.reason)) out.push(key(e));
  return out.sort();
}

async function storedEventCount(store: PostgresStore, ids: readonly string[]): Promise<number> {
  return (await storedEvents(store, ids)).length;
}

/** A TCP relay in front of NATS that the test can cut (every connection dropped, new ones refused) and restore. */
async function relay(port: number): Promise<{ url: string; cut: () => void; restore: () => Promise<void>; close: () => void }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    for (const s of [client, upstream]) {
      s.on('error', end);
      s.on('close', end);
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const own = (server.address() as net.AddressInfo).port;
  const cut = () => {
    server.close();
    for (const s of [...sockets]) s.destroy();
  };
  return {
    url: `nats://127.0.0.1:${own}`,
    cut,
    restore: async () => {
      server.listen(own, '127.0.0.1');
      await once(server, 'listening');
    },
    close: cut,
  };
}

it('two cores ingesting from one consumer each see every state event once, agree on every status, and store every reading once', async () => {
  const tree = flippingTree('SITE-F', 12, 2);
  const ids = [...sensorIds(tree), ...sensorIds(tree, 'probe-health')];
  const { open } = await openStore('both');
  const stores = [await open(), await open()];
  const seen: Seen[] = [];
  let probe: Probe | undefined;
  try {
    for (const s of stores) seen.push(await startCore(s, tree));
    const [a, b] = seen as [Seen, Seen];
    await a.core.registry.seen('SITE-F', Date.now());
    await a.core.approve('SITE-F', 'test');
    probe = await probeOf('SITE-F', 'both');
    // Both cores take part in the ingest, and every sensor has gone Down and back Up a few times.
    await waitFor('both cores to ingest', () => seen.every((s) => s.core.ingestStats().messages > 0), 40_000);
    await waitFor('a few flips of every sensor', async () => (await storedEventCount(stores[0]!, ids)) >= 12 * 6, 40_000);
    await probe.close();
    const written = probe.engine.totals().valuesWritten;
    probe = undefined;
    await caughtUp(seen.map((s) => s.core), 60_000);

    const stored = await storedEvents(stores[0]!, ids);
    expect(stored.length).toBeGreaterThanOrEqual(12 * 6);
    // Each core saw every event once: its own applies and the other's alike.
    expect([...a.events].sort()).toEqual(stored);
    expect([...b.events].sort()).toEqual(stored);
    for (const id of ids) {
      expect(a.core.statusOf(id), id).toBeDefined();
      expect(b.core.statusOf(id), id).toEqual(a.core.statusOf(id));
    }
    // The readings path is unchanged: every value stored once, whichever core took it.
    let points = 0;
    for (const id of sensorIds(tree)) points += (await stores[0]!.history({ sensorId: id, channel: 'value', from: 0, to: Date.now() + 60_000, resolution: 'raw' })).points.length;
    expect(points).toBe(written);
    for (const s of seen) expect(s.core.ingestStats().publishErrors).toBe(0);
  } finally {
    await probe?.close();
    for (const s of seen) await s.core.close();
    for (const s of stores) await s.close();
  }
}, 180_000);

it('a core cut off from NATS for a while, and a core that starts late, catch up on what was applied meanwhile', async () => {
  const tree = flippingTree('SITE-G', 8, 2);
  const ids = [...sensorIds(tree), ...sensorIds(tree, 'probe-health')];
  const { open } = await openStore('cut');
  const stores = [await open(), await open(), await open()];
  const link = await relay(nats.port);
  const seen: Seen[] = [];
  let probe: Probe | undefined;
  try {
    // A short acknowledgement wait: what the cut-off core had taken is soon redelivered to the other.
    seen.push(await startCore(stores[0]!, tree, { ackWaitMs: 2000 }));
    seen.push(await startCore(stores[1]!, tree, { ackWaitMs: 2000, link: { url: link.url, user: nats.core.user, password: nats.core.password } }));
    const [a, b] = seen as [Seen, Seen];
    await a.core.registry.seen('SITE-G', Date.now());
    await a.core.approve('SITE-G', 'test');
    probe = await probeOf('SITE-G', 'cut');
    await waitFor('both cores to follow the applied stream', () => seen.every((s) => s.core.appliedStats().received > 0), 40_000);

    link.cut();
    const aBefore = a.core.appliedStats().received;
    const eventsBefore = await storedEventCount(stores[0]!, ids);
    // Well under the three missed heartbeats (30 s) after which the cut-off core would call the probe disconnected.
    await waitFor('the other core to apply more flips meanwhile', async () => (await storedEventCount(stores[0]!, ids)) >= eventsBefore + 8 * 2 && a.core.appliedStats().received > aBefore, 20_000);
    // The cut-off core has missed some of it.
    expect(b.core.appliedStats().lastSeq).toBeLessThan((await jsm.streams.info(APPLIED_STREAM)).state.last_seq);
    await link.restore();

    // A third core starting now: statuses from the store, then what is applied from now on.
    seen.push(await startCore(stores[2]!, tree, { ingest: false }));
    const c = seen[2]!;
    const cFrom = c.core.appliedStats().lastSeq;
    await waitFor('the late core to follow', () => c.core.appliedStats().lastSeq > cFrom + 8 * 2, 20_000);
    await probe.close();
    probe = undefined;
    await caughtUp(seen.map((s) => s.core), 60_000);

    const stored = await storedEvents(stores[0]!, ids);
    expect([...a.events].sort()).toEqual(stored);
    expect([...b.events].sort()).toEqual(stored);
    // The late core saw only what was applied after it started, each once.
    expect(new Set(c.events).size).toBe(c.events.length);
    expect(c.events.every((k) => stored.includes(k))).toBe(true);
    expect(c.events.length).toBeGreaterThan(0);
    for (const id of ids) {
      expect(a.core.statusOf(id), id).toBeDefined();
      expect(b.core.statusOf(id), id).toEqual(a.core.statusOf(id));
      expect(c.core.statusOf(id), id).toEqual(a.core.statusOf(id));
    }
  } finally {
    await probe?.close();
    link.close();
    for (const s of seen) await s.core.close();
    for (const s of stores) await s.close();
  }
}, 180_000);

it("a remote sensor going Down, applied by the standby core, is notified once by the leader's alerting", async () => {
  const tree = flippingTree('SITE-H', 2, 1);
  const [down] = sensorIds(tree);
  const { schema, open } = await openStore('alert');
  const stores = [await open(), await open()];
  const config = testConfig({ rules: [{ name: 'remote-down', grouping: false, trigger: { state: { to: ['down'] } }, to: ['alice'], channels: ['mail'] }] });
  const queues = [new MemoryQueue(), new MemoryQueue()];
  const alertings: (Alerting | undefined)[] = [undefined, undefined];
  const seen: Seen[] = [];
  let probe: Probe | undefined;
  try {
    // The leader's core takes no readings at all: everything it hears was applied by the standby.
    seen.push(await startCore(stores[0]!, tree, { ingest: false }, (e, st) => alertings[0]?.onStateChange(e, st)));
    seen.push(await startCore(stores[1]!, tree, {}, (e, st) => alertings[1]?.onStateChange(e, st)));
    for (const i of [0, 1]) {
      alertings[i] = await startAlerting({
        clock: systemClock,
        tree,
        config,
        store: await openPgAlertStore(stores[i]!.connection, schema),
        queue: queues[i]!,
        statusOf: (id) => seen[i]!.core.statusOf(id),
      });
    }
    const [leader, standby] = alertings as [Alerting, Alerting];
    expect([leader.leading(), standby.leading()]).toEqual([true, false]);
    const [l, s] = seen as [Seen, Seen];
    await s.core.registry.seen('SITE-H', Date.now());
    await s.core.approve('SITE-H', 'test');
    probe = await probeOf('SITE-H', 'alert');
    await waitFor('the leader to hear of the Down', () => l.events.some((k) => k.startsWith(`${down} `) && k.endsWith('->down')), 40_000);
    // Keep the sensor Down for more readings, all applied by the standby, then let everything settle.
    const after = s.core.ingestStats().messages;
    await waitFor('more readings of the Down sensor', () => s.core.ingestStats().messages >= after + 10, 20_000);
    await probe.close();
    probe = undefined;
    await caughtUp([l.core, s.core], 60_000);
    await leader.idle();
    await standby.idle();

    expect(l.core.ingestStats().messages).toBe(0);
    expect(l.core.statusOf(down!)?.state).toBe('down');
    const alerts = queues[0]!.sent.filter((n) => n.kind === 'alert' && n.vars.title.includes('dev0'));
    expect(alerts.map((n) => `${n.recipient.name}@${n.channel}`)).toEqual(['alice@mail']);
    expect(queues[1]!.sent).toEqual([]);
  } finally {
    await probe?.close();
    for (const a of alertings) await a?.close();
    for (const x of seen) await x.core.close();
    for (const x of stores) await x.close();
  }
}, 180_000);

it('hands a redelivered message on again after a failed hand-on, but not a late resend of a message applied long ago', async () => {
  const store = openSqliteStore({ path: ':memory:' });
  // A core that takes no readings, only to make sure the streams and the shared consumer exist.
  const streams = await startCore(store, flippingTree('SITE-F', 1, 0), { ingest: false });
  const tables = await openClusterTables(store);
  const handed: string[][] = [];
  let failNext = true;
  const ingest = new Ingest({
    nc,
    store,
    applied: tables,
    clock: systemClock,
    owns: () => true,
    log: () => undefined,
    retryMs: 50,
    publish: async (items: readonly AppliedItem[]) => {
      handed.push(items.map((i) => i.id));
      // As if the core died between its commit and the hand-on.
      if (failNext) {
        failNext = false;
        throw new Error('simulated failure');
      }
    },
  });
  const js = nc.jetstream();
  const env = (ts: number) => encodeEnvelope({ v: 1, probe: 'SITE-F', at: ts, states: [{ sensorId: 'x', state: 'down', since: ts, failures: 1 }] });
  try {
    await ingest.start();
    await js.publish(subjects.readings('SITE-F'), env(1), { msgID: 'SITE-F.test.1' });
    await waitFor('the message to be handed on after its redelivery', () => ingest.stats.published === 1, 10_000);
    expect(handed).toEqual([['SITE-F.test.1'], ['SITE-F.test.1']]);
    expect(ingest.stats).toMatchObject({ messages: 1, redelivered: 1, publishErrors: 1, published: 1 });

    // An id applied long ago arriving as a new stream message (resent after JetStream's duplicate window).
    await tables.markApplied(['SITE-F.test.2'], Date.now() - 7_200_000);
    await js.publish(subjects.readings('SITE-F'), env(2), { msgID: 'SITE-F.test.2' });
    await waitFor('the resend to be acknowledged', async () => ingest.stats.redelivered === 2 && (await jsm.consumers.info(READINGS_STREAM, INGEST_CONSUMER)).num_ack_pending === 0, 10_000);
    expect(handed).toEqual([['SITE-F.test.1'], ['SITE-F.test.1']]);
    expect(ingest.stats).toMatchObject({ messages: 1, published: 1 });
  } finally {
    await ingest.stop();
    await streams.core.close();
    await store.close();
  }
}, 60_000);
