// Several dispatchers on one queue (two core processes on one SQLite file or one PostgreSQL
// schema): every notification is delivered exactly once, whoever claims it.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.ts';
import { SqliteDeliveryStore } from '../../store/sqlite/delivery.ts';
import { PostgresDeliveryStore } from '../../store/postgres/delivery.ts';
import { openPostgresStore } from '../../store/postgres/index.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../../test/peers/webhook.ts';
import { channelInstanceSchema } from '../channels/registry.ts';
import { startDelivery } from './index.ts';
import type { DeliveryStore } from './types.ts';
import { queuedNote } from './testing/notes.ts';

const COUNT = 40;
let rx: WebhookReceiver | undefined;
afterEach(async () => {
  await rx?.close();
});

async function twoDispatchers(a: DeliveryStore, b: DeliveryStore): Promise<void> {
  rx = await startWebhookReceiver();
  const hook = channelInstanceSchema.parse({ name: 'hook', kind: 'webhook', url: rx.url });
  const clock = new ManualClock();
  const one = await startDelivery({ store: a, channels: [hook], clock, owner: 'one', concurrency: 4 });
  const two = await startDelivery({ store: b, channels: [hook], clock, owner: 'two', concurrency: 4 });
  const list = Array.from({ length: COUNT }, (_, i) => queuedNote(i, 'hook'));
  // Both enqueue the whole list (as two cores deciding the same alerts would): dedupe keeps one of each.
  const added = (await one.enqueue(list)) + (await two.enqueue(list));
  expect(added).toBe(COUNT);
  await Promise.all([one.idle(), two.idle()]);
  await Promise.all([one.idle(), two.idle()]);
  await one.close();
  await two.close();
  const keys = rx.delivered().map((r) => (JSON.parse(r.body) as { key: string }).key);
  expect(keys).toHaveLength(COUNT);
  expect(new Set(keys).size).toBe(COUNT);
  expect(await a.counts()).toEqual({ pending: 0, sending: 0, delivered: COUNT, failed: 0 });
  const owners = new Set((await a.list({ limit: COUNT })).flatMap((n) => n.attemptLog.map((x) => x.owner)));
  expect([...owners].every((o) => o === 'one' || o === 'two')).toBe(true);
}

describe('a queue shared by two dispatchers', () => {
  it('SQLite file: each notification delivered once', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ww-shared-')), 'q.db');
    const open = () => {
      const db = new Database(file);
      db.pragma('journal_mode = WAL');
      db.pragma('busy_timeout = 5000');
      return db;
    };
    await twoDispatchers(new SqliteDeliveryStore(open()), new SqliteDeliveryStore(open()));
  });

  describe('PostgreSQL', () => {
    const URL = 'postgres://postgres@127.0.0.1:5432/test';
    const schema = `ww_delivery_shared_${process.pid}`;
    const pools: pg.Pool[] = [];
    afterAll(async () => {
      await Promise.all(pools.map((p) => p.end()));
      const admin = new pg.Pool({ connectionString: URL, max: 1 });
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.query(`DROP SCHEMA IF EXISTS ${schema}_store CASCADE`);
      await admin.end();
    });

    it('runs on the deployment\'s PostgreSQL store: the module migrates into its schema', async () => {
      const store = await openPostgresStore({ connectionString: URL, schema: `${schema}_store` });
      try {
        rx = await startWebhookReceiver();
        const delivery = await startDelivery({ store, channels: [channelInstanceSchema.parse({ name: 'hook', kind: 'webhook', url: rx.url })], clock: new ManualClock() });
        await delivery.enqueue([queuedNote(1, 'hook')]);
        await delivery.idle();
        await delivery.close();
        expect(await delivery.counts()).toMatchObject({ delivered: 1 });
        const res = await store.connection.query<{ version: number }>("SELECT version FROM module_schema WHERE module = 'delivery'");
        expect(res.rows).toEqual([{ version: 1 }]);
      } finally {
        await store.close();
      }
    });

    it('one schema, two pools: each notification delivered once (FOR UPDATE SKIP LOCKED)', async () => {
      const admin = new pg.Pool({ connectionString: URL, max: 1 });
      await admin.query(`CREATE SCHEMA ${schema}`);
      await admin.end();
      const pool = () => {
        const p = new pg.Pool({ connectionString: URL, max: 4, options: `-c search_path=${schema}` });
        pools.push(p);
        return p;
      };
      const [a, b] = await Promise.all([PostgresDeliveryStore.open(pool(), schema), PostgresDeliveryStore.open(pool(), schema)]);
      await twoDispatchers(a, b);
    });
  });
});
