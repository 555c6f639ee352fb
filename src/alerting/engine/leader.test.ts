// Two core processes' alerting on one PostgreSQL schema: only the holder of the leader lease decides
// and enqueues; when the leader's lease connection is killed (pg_terminate_backend) the standby takes
// over, carries the escalation on from the stored due times and tells nobody twice. An
// acknowledgement made through the standby's API stops the leader's escalation.

import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.ts';
import { openPgAlertStore } from '../../store/postgres/alerting.ts';
import { openPostgresStore, type PostgresStore } from '../../store/postgres/index.ts';
import { terminateLeaseHolder } from '../../store/testing/contract-alerting.ts';
import { startAlerting, type Alerting } from '../start.ts';
import { ACK_KEY, hospitalTree, MemoryQueue, States, testConfig } from './testing.ts';

const URL = 'postgres://postgres@127.0.0.1:5432/test';
const ECHO = 'main/core/pacs/pacs-1/echo';
const MIN = 60_000;
const tree = hospitalTree({ groups: { pacs: { 'pacs-1': { sensors: ['echo'] } } } });
const config = testConfig({
  rules: [{ name: 'pacs-down', grouping: false, trigger: { state: { to: ['down'] } }, to: ['alice'], channels: ['mail'], escalation: [{ after: '10m', to: ['lead'] }, { after: '30m', to: ['manager'] }] }],
});

const schemas: string[] = [];
afterAll(async () => {
  const c = new pg.Client({ connectionString: URL });
  await c.connect();
  try {
    for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  } finally {
    await c.end();
  }
});

interface Process {
  readonly alerting: Alerting;
  readonly queue: MemoryQueue;
  /** Resolves at the next change of leadership, with the new value. */
  next(): Promise<boolean>;
}

async function cluster(tag: string): Promise<{ store: PostgresStore; clock: ManualClock; states: States; start: () => Promise<Process>; all: Process[] }> {
  const schema = `ww_alert_leader_${tag}_${process.pid}`;
  schemas.push(schema);
  const store = await openPostgresStore({ connectionString: URL, schema });
  const clock = new ManualClock();
  const states = new States();
  const all: Process[] = [];
  const start = async (): Promise<Process> => {
    const queue = new MemoryQueue();
    let waiting: ((v: boolean) => void)[] = [];
    const alerting = await startAlerting({
      clock,
      tree,
      config,
      store: await openPgAlertStore(store.connection, store.schema),
      queue,
      statusOf: states.statusOf,
      ackKey: ACK_KEY,
      leaseRetryMs: 5000,
      onLeadership: (v) => {
        const w = waiting;
        waiting = [];
        for (const fn of w) fn(v);
      },
    });
    const p: Process = { alerting, queue, next: () => new Promise((resolve) => waiting.push(resolve)) };
    all.push(p);
    return p;
  };
  return { store, clock, states, start, all };
}

/** Both processes' engines see the same state change (each runs its own monitoring). */
async function change(c: Awaited<ReturnType<typeof cluster>>, to: 'down' | 'up'): Promise<void> {
  const e = c.states.change(ECHO, to, c.clock.now());
  for (const p of c.all) p.alerting.onStateChange(e, c.states.statusOf(ECHO)!);
  for (const p of c.all) await p.alerting.idle();
}

async function advance(c: Awaited<ReturnType<typeof cluster>>, ms: number, step = 1000): Promise<void> {
  for (let left = ms; left > 0; left -= step) {
    await c.clock.advance(Math.min(step, left));
    for (const p of c.all) await p.alerting.idle();
  }
}

describe('alerting leader lease on PostgreSQL', () => {
  it('only the leader enqueues; after its lease connection is killed the standby carries the escalation on, telling nobody twice', async () => {
    const c = await cluster('takeover');
    try {
      const a = await c.start();
      const b = await c.start();
      expect([a.alerting.leading(), b.alerting.leading()]).toEqual([true, false]);
      await change(c, 'down');
      expect(a.queue.lines()).toEqual(['alert alice@mail: pacs-1 / echo is Down']);
      expect(b.queue.lines()).toEqual([]);
      await advance(c, 4 * MIN, MIN);

      const aLost = a.next();
      expect(await terminateLeaseHolder(c.store.connection, c.store.schema)).toBe(1);
      expect(await aLost).toBe(false);
      await a.alerting.idle();
      const bLeads = b.next();
      await advance(c, 5000);
      expect(await bLeads).toBe(true);
      await b.alerting.idle();
      expect([a.alerting.leading(), b.alerting.leading()]).toEqual([false, true]);
      // Still Down: the new leader finds the stored alert and tells nobody again.
      expect(b.queue.lines()).toEqual([]);

      // Step 1 was stored as due 10 min after opening: the new leader sends it then, and only it.
      await advance(c, 6 * MIN - 5000 - 1000);
      expect(b.queue.lines()).toEqual([]);
      await advance(c, 1000);
      expect(b.queue.take()).toEqual(['escalation lead@mail: Escalation: pacs-1 / echo is Down']);
      await advance(c, 20 * MIN, MIN);
      expect(b.queue.take()).toEqual(['escalation manager@mail: Escalation: pacs-1 / echo is Down']);
      await change(c, 'up');
      expect(b.queue.take()).toEqual(['recovery alice@mail: pacs-1 / echo is back Up', 'recovery lead@mail: pacs-1 / echo is back Up', 'recovery manager@mail: pacs-1 / echo is back Up']);
      // The old leader kept trying but stood by throughout.
      expect(a.queue.take()).toEqual(['alert alice@mail: pacs-1 / echo is Down']);
      expect(a.alerting.leading()).toBe(false);
      const [alert] = await b.alerting.service.alerts({});
      expect(alert).toMatchObject({ state: 'resolved', escalationStep: 2 });
    } finally {
      for (const p of c.all) await p.alerting.close();
      await c.store.close();
    }
  });

  it('an acknowledgement through the standby\'s API stops the leader\'s escalation', async () => {
    const c = await cluster('ack');
    try {
      const a = await c.start();
      const b = await c.start();
      await change(c, 'down');
      const [open] = await b.alerting.service.alerts({ state: 'open' });
      const acked = await b.alerting.service.acknowledge(open!.id, 'alice', 'on it', 'api');
      expect(acked).toMatchObject({ state: 'acknowledged', acknowledged: { by: 'alice', note: 'on it', via: 'api' } });
      await advance(c, 40 * MIN, MIN);
      expect(a.queue.take()).toEqual(['alert alice@mail: pacs-1 / echo is Down']);
      expect(await a.alerting.service.alert(open!.id)).toMatchObject({ state: 'acknowledged', acknowledged: { by: 'alice' } });
      expect(b.queue.lines()).toEqual([]);
      // The leader resolves it on recovery and keeps the acknowledgement made elsewhere.
      await change(c, 'up');
      expect(a.queue.take()).toEqual(['recovery alice@mail: pacs-1 / echo is back Up']);
      expect(await a.alerting.service.alert(open!.id)).toMatchObject({ state: 'resolved', acknowledged: { by: 'alice', note: 'on it', via: 'api' } });
    } finally {
      for (const p of c.all) await p.alerting.close();
      await c.store.close();
    }
  });
});
