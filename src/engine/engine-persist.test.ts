import { describe, expect, it } from 'vitest';
import { ManualClock } from '../shared/clock.ts';
import type { CheckRow, ValueRow } from '../store/store.ts';
import { MemoryStore, scriptedKind, settle, testEngine, treeOf } from './testing/fakes.ts';

const S = 1000;
const DOWN = { channels: [], error: 'ECONNREFUSED' } as const;

describe('Engine: persistence', () => {
  it('writes values in batches every flushIntervalMs, or at maxBatchRows', async () => {
    const k = scriptedKind('fake');
    const { engine, clock, store } = testEngine([k.kind], { flushIntervalMs: 5000, maxBatchRows: 50 });
    const sensors = Array.from({ length: 120 }, (_, i) => ({ id: `s${i}`, kind: 'fake', settings: { intervalS: 60 } }));
    await engine.apply(treeOf({ sensors }));
    await engine.start();
    await clock.advance(4999);
    // ~10 checks in 5 s: below maxBatchRows, nothing written before the flush interval.
    expect(store.batches).toEqual([]);
    await clock.advance(1);
    expect(store.batches).toHaveLength(1);
    await clock.advance(55 * S);
    // Rows (values + check rows) reaching 50 flush at once.
    expect(Math.max(...store.batches)).toBeLessThanOrEqual(25);
    expect(store.batches.length).toBeGreaterThan(11);
    await engine.stop();
    expect(store.values).toHaveLength(120);
    expect(store.checks).toHaveLength(120);
  });

  it('saves changed states periodically (only significant changes) and everything touched on stop', async () => {
    const k = scriptedKind('fake');
    const { engine, clock, store } = testEngine([k.kind], { saveIntervalMs: 60_000 });
    await engine.apply(treeOf({ sensors: [{ id: 'a', kind: 'fake', settings: { intervalS: 10 } }, { id: 'b', kind: 'fake', settings: { intervalS: 10 } }] }));
    await engine.start();
    await clock.advance(60 * S);
    // Both went Unknown → Up: saved once.
    expect(store.saves).toEqual([2]);
    await clock.advance(60 * S);
    // Only new values since: nothing significant to save.
    expect(store.saves).toEqual([2]);
    k.script('a', DOWN);
    await clock.advance(60 * S);
    expect(store.saves).toEqual([2, 1]);
    expect(store.stored.get('a')).toMatchObject({ state: 'down', error: 'ECONNREFUSED' });
    await engine.stop();
    // On stop: b, whose newer values were never saved; a was saved with its last change.
    expect(store.saves.at(-1)).toBe(1);
    expect(store.stored.get('b')?.lastCheck).toBe(k.calls.filter((c) => c.sensorId === 'b').at(-1)!.at);
  });

  it('resumes after a restart from the stored states (Down, acknowledged, since)', async () => {
    const k = scriptedKind('fake');
    const store = new MemoryStore();
    const first = testEngine([k.kind], { store });
    k.script('his', DOWN);
    const tree = treeOf({ sensors: [{ id: 'his', kind: 'fake', settings: { retries: 0 } }, { id: 'dep', kind: 'fake', settings: { dependsOn: 'his' } }] });
    await first.engine.apply(tree);
    await first.engine.start();
    await first.clock.advance(60 * S);
    first.engine.acknowledge('his', 'bob', 'on it');
    const before = first.engine.status('his')!;
    await first.engine.stop();
    expect(store.eventLog.map((e) => `${e.sensorId}:${e.from}->${e.to}`)).toEqual(expect.arrayContaining(['his:unknown->down', 'his:down->down', 'dep:unknown->paused']));

    const clock = new ManualClock(first.clock.now() + 3600 * S);
    const second = testEngine([k.kind], { store, clock });
    await second.engine.apply(tree);
    await second.engine.start();
    expect(second.engine.status('his')).toMatchObject({ state: 'down', since: before.since, failures: 1, acknowledged: { by: 'bob', note: 'on it' } });
    expect(second.engine.status('dep')).toMatchObject({ state: 'paused', pauseReason: 'dependency' });
    // No event for a state that merely continues.
    expect(second.events).toEqual([]);
    await second.engine.stop();
  });

  it('reports store failures and keeps monitoring', async () => {
    const k = scriptedKind('fake');
    const store = new MemoryStore();
    const errors: string[] = [];
    const failing = Object.assign(Object.create(store) as MemoryStore, { writeBatch: async () => Promise.reject(new Error('disk full')) });
    const { engine, clock } = testEngine([k.kind], { writer: failing, onError: (e, what) => errors.push(`${what}: ${(e as Error).message}`) });
    await engine.apply(treeOf({ sensors: [{ id: 'a', kind: 'fake', settings: { intervalS: 10 } }] }));
    await engine.start();
    await clock.advance(30 * S);
    expect(errors[0]).toBe('writeBatch: disk full');
    expect(engine.totals().writeErrors).toBeGreaterThan(0);
    expect(engine.status('a')?.state).toBe('up');
    await engine.stop();
  });
});

describe('Engine: stop', () => {
  it('aborts in-flight checks without turning them into states, and closes listeners', async () => {
    const k = scriptedKind('fake');
    const { engine, clock, events } = testEngine([k.kind]);
    k.script('a', 'hang');
    await engine.apply(treeOf({ sensors: [{ id: 'a', kind: 'fake', settings: { timeoutS: 60 } }] }));
    await engine.start();
    await clock.advance(engine.nextDue('a')! - clock.now());
    expect(k.running()).toBe(1);
    expect(engine.stats().inFlight).toBe(1);
    await engine.stop();
    expect(k.calls[0]!.ctx.signal.aborted).toBe(true);
    expect(engine.status('a')?.state).toBe('unknown');
    expect(events).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('Engine: listening kinds', () => {
  it('opens the listener on add with memory, inbox, record and checkNow; closes it on removal', async () => {
    const closed: string[] = [];
    const lk = scriptedKind('syslogish', {
      listen: async (settings, ctx) => {
        const topic = `syslog:${String((settings as { host: string }).host)}`;
        const off = ctx.inbox.subscribe(topic, (m) => {
          ctx.memory.set('lines', ((ctx.memory.get('lines') as number | undefined) ?? 0) + 1);
          ctx.record({ severity: 'warning', text: String(m) });
          if (String(m).includes('CRIT')) ctx.checkNow();
        });
        return {
          address: topic,
          close: async () => {
            off();
            closed.push(ctx.sensorId);
          },
        };
      },
    });
    const { engine, clock, inbox } = testEngine([lk.kind], { messageRingSize: 3 });
    await engine.apply(treeOf({ sensors: [{ id: 'log', kind: 'syslogish', kindSettings: { host: '10.1.2.3' }, settings: { intervalS: 300 } }] }));
    await engine.start();
    await settle();
    expect(inbox.subscribers('syslog:10.1.2.3')).toBe(1);
    for (const line of ['a', 'b', 'c', 'd']) inbox.publish('syslog:10.1.2.3', line);
    expect(engine.messages('log').map((m) => m.text)).toEqual(['b', 'c', 'd']);
    expect(engine.messages('log')[0]).toMatchObject({ sensorId: 'log', severity: 'warning', ts: clock.now() });
    inbox.publish('syslog:10.1.2.3', 'CRIT disk');
    await settle();
    expect(lk.calls).toHaveLength(1);
    expect(lk.calls[0]!.ctx.memory.get('lines')).toBe(5);
    await engine.apply(treeOf({ sensors: [] }));
    expect(closed).toEqual(['log']);
    expect(inbox.subscribers('syslog:10.1.2.3')).toBe(0);
    await engine.stop();
  });

  it('a listener that fails to start is recorded as an error message', async () => {
    const lk = scriptedKind('broken', { listen: async () => Promise.reject(new Error('EADDRINUSE 127.0.0.1:2575')) });
    const { engine } = testEngine([lk.kind]);
    await engine.apply(treeOf({ sensors: [{ id: 'feed', kind: 'broken' }] }));
    await engine.start();
    await settle();
    expect(engine.messages('feed').map((m) => [m.severity, m.text])).toEqual([['error', 'the listener could not start: EADDRINUSE 127.0.0.1:2575']]);
    await engine.stop();
  });
});

describe('Engine: stats', () => {
  it('reports checks/s, lateness, queue and sensors over the window, and hands them to checks', async () => {
    const k = scriptedKind('fake', { concurrency: 1 });
    const { engine, clock } = testEngine([k.kind], { statsWindowS: 60 });
    const sensors = Array.from({ length: 60 }, (_, i) => ({ id: `s${i}`, kind: 'fake', settings: { intervalS: 60 } }));
    await engine.apply(treeOf({ sensors }));
    await engine.start();
    await clock.advance(120 * S);
    const st = engine.stats();
    expect(st.checksPerS).toBeCloseTo(1, 1);
    expect(st).toMatchObject({ queueLength: 0, inFlight: 0, skippedOverlaps: 0, sensors: 60, latenessMs: { p50: 0, p99: 0, max: 0 } });
    expect(st.rssBytes).toBeGreaterThan(0);
    expect(st.heapUsedBytes).toBeGreaterThan(0);
    expect(k.calls[0]!.ctx.probe?.stats().sensors).toBe(60);
    await engine.stop();
  });
});

describe('Engine: a failing store', () => {
  /** A store that fails its next `failures` calls of each write method, like a database restarting. */
  class FlakyStore extends MemoryStore {
    failures = 0;
    override async writeBatch(values: readonly ValueRow[], checks: readonly CheckRow[]): Promise<void> {
      if (this.failures > 0) {
        this.failures--;
        throw new Error('connection terminated');
      }
      return super.writeBatch(values, checks);
    }
    override async appendEvents(events: Parameters<MemoryStore['appendEvents']>[0]): Promise<void> {
      if (this.failures > 0) throw new Error('connection terminated');
      return super.appendEvents(events);
    }
  }

  it('keeps failed batches and writes every row exactly once when the store is back', async () => {
    const k = scriptedKind('fake');
    const store = new FlakyStore();
    const errors: string[] = [];
    const { engine, clock } = testEngine([k.kind], { store, flushIntervalMs: 1000, onError: (e, what) => errors.push(`${what}: ${(e as Error).message}`) });
    await engine.apply(treeOf({ sensors: Array.from({ length: 10 }, (_, i) => ({ id: `s${i}`, kind: 'fake', settings: { intervalS: 10 } })) }));
    await engine.start();
    store.failures = 3;
    await clock.advance(30 * S);
    expect(errors.filter((e) => e.startsWith('writeBatch'))).toHaveLength(3);
    await engine.stop();
    // 10 sensors × 3 runs in 30 s (+ the runs at 30 s), every value once, events not lost either.
    const keys = store.values.map((v) => `${v.sensorId}@${v.ts}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(store.values.length).toBe(k.calls.length);
    expect(store.eventLog.filter((e) => e.to === 'up')).toHaveLength(10);
    expect(engine.totals().rowsDropped).toBe(0);
  });

  it('drops the oldest rows beyond its buffer, and counts and reports them', async () => {
    const k = scriptedKind('fake');
    const store = new FlakyStore();
    const errors: string[] = [];
    const { engine, clock } = testEngine([k.kind], { store, maxBufferedRows: 20, onError: (e) => errors.push((e as Error).message) });
    await engine.apply(treeOf({ sensors: Array.from({ length: 10 }, (_, i) => ({ id: `s${i}`, kind: 'fake', settings: { intervalS: 10 } })) }));
    await engine.start();
    store.failures = 1_000;
    await clock.advance(60 * S);
    expect(engine.totals().rowsDropped).toBeGreaterThan(0);
    expect(errors.some((m) => /oldest rows dropped \(buffer of 20 rows full\)/.test(m))).toBe(true);
    store.failures = 0;
    await engine.stop();
    // What was kept is the newest: every value written is from the last runs.
    const lastRun = Math.max(...store.values.map((v) => v.ts));
    expect(store.values.length).toBeLessThanOrEqual(20);
    expect(store.values.every((v) => v.ts >= lastRun - 10 * S)).toBe(true);
  });
});
