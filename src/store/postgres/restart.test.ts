// PostgreSQL restarting under a running engine (a private server, stopped crash-like and started
// again): monitoring goes on, the failed batches are kept and written once the server is back,
// and no reading is lost or counted twice in history or rollups.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivatePostgres, type PrivatePostgres } from '../../../test/peers/postgres.ts';
import { Engine } from '../../engine/engine.ts';
import { MemoryInbox, scriptedKind, treeOf } from '../../engine/testing/fakes.ts';
import { ManualClock } from '../../shared/clock.ts';
import { openPostgresStore, type PostgresStore } from './index.ts';

const S = 1000;
const T0 = Date.UTC(2026, 5, 15, 8);
let pg: PrivatePostgres;

beforeAll(async () => {
  pg = await startPrivatePostgres();
}, 60_000);
afterAll(async () => {
  await pg?.destroy();
});

/** Waits (real time, bounded) for a condition that depends on the database, not on the clock. */
async function until(what: string, cond: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('PostgreSQL store: the server restarts during ingest', () => {
  it('loses no reading and stores none twice', async () => {
    const clock = new ManualClock(T0);
    const store: PostgresStore = await openPostgresStore({ connectionString: pg.url, schema: 'restart', clock, poolSize: 2 });
    const k = scriptedKind('fake');
    const errors: string[] = [];
    const engine = new Engine({
      clock,
      kindOf: (n) => (n === 'fake' ? k.kind : undefined),
      writer: store,
      states: store,
      inbox: new MemoryInbox(),
      measureEventLoop: false,
      flushIntervalMs: 5 * S,
      onError: (e) => errors.push(String(e)),
    });
    const sensors = Array.from({ length: 20 }, (_, i) => ({ id: `s${i}`, kind: 'fake', settings: { intervalS: 10 } }));
    await engine.apply(treeOf({ sensors }));
    await engine.start();
    try {
      const stored = async () => {
        let n = 0;
        for (const s of sensors) n += (await store.history({ sensorId: s.id, channel: 'value', from: T0 - 3600 * S, to: T0 + 3600 * S, resolution: 'raw' })).points.length;
        return n;
      };
      // One minute monitored and stored.
      for (let i = 0; i < 60; i++) await clock.advance(S);
      await until('the first minute stored', async () => (await stored()) === k.calls.length);

      // The server goes away (crash-like) for two minutes of monitoring: checks go on, flushes fail.
      await pg.stop('immediate');
      const before = k.calls.length;
      for (let i = 0; i < 120; i++) await clock.advance(S);
      await until('a failed write reported', async () => errors.length > 0);
      // Monitoring went on: 20 sensors every 10 s for 2 minutes.
      expect(k.calls.length - before).toBeGreaterThanOrEqual(200);

      await pg.start();
      // The next flushes write what was kept; wait (real time) for the pool to reconnect and commit.
      await until('everything stored after the restart', async () => {
        await clock.advance(5 * S);
        return (await stored()) === k.calls.length;
      });
      const calls = k.calls.length;
      expect(await stored()).toBe(calls);
      // Rollups counted each reading once.
      let counted = 0;
      for (const s of sensors) {
        const h = await store.history({ sensorId: s.id, channel: 'value', from: T0 - 3600 * S, to: T0 + 3600 * S, resolution: '1h' });
        counted += h.points.reduce((a, p) => a + p.count, 0);
      }
      expect(counted).toBe(calls);
    } finally {
      await engine.stop();
      await store.close();
    }
  }, 90_000);
});
