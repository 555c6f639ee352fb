import { describe, expect, it } from 'vitest';
import { phaseOf } from './scheduler.ts';
import { scriptedKind, settle, testEngine, treeOf } from './testing/fakes.ts';

const S = 1000;

describe('Engine: scheduling', () => {
  it('runs each sensor at its phase, then keeps its interval, and writes values and check rows', async () => {
    const k = scriptedKind('fake');
    const { engine, clock, store } = testEngine([k.kind]);
    const t0 = clock.now();
    await engine.apply(treeOf({ sensors: [{ id: 'a', kind: 'fake', settings: { intervalS: 30 } }, { id: 'b', kind: 'fake', settings: { intervalS: 30 } }] }));
    await engine.start();
    await clock.advance(95 * S);
    for (const id of ['a', 'b']) {
      const at = k.calls.filter((c) => c.sensorId === id).map((c) => c.at);
      expect(at.length).toBeGreaterThanOrEqual(3);
      expect(at[0]! % (30 * S)).toBe(phaseOf(id, 30 * S));
      expect(at[0]! - t0).toBeLessThan(30 * S);
      expect(at.slice(1).map((a, i) => a - at[i]!)).toEqual(new Array(at.length - 1).fill(30 * S));
    }
    expect(engine.status('a')).toMatchObject({ state: 'up', failures: 0, lastValues: { value: 1 } });
    await engine.stop();
    expect(store.values.length).toBe(k.calls.length);
    expect(store.checks.every((c) => c.ok)).toBe(true);
    expect(store.values[0]).toMatchObject({ channel: 'value', value: 1 });
  });

  it('spreads first runs across the interval (no thundering herd)', async () => {
    const k = scriptedKind('fake');
    const { engine, clock } = testEngine([k.kind]);
    const sensors = Array.from({ length: 600 }, (_, i) => ({ id: `s${i}`, kind: 'fake', settings: { intervalS: 60 } }));
    await engine.apply(treeOf({ sensors }));
    await engine.start();
    const perTenSeconds = new Array<number>(6).fill(0);
    const t0 = clock.now();
    await clock.advance(60 * S - 1);
    for (const c of k.calls) perTenSeconds[Math.floor((c.at - t0) / (10 * S))]!++;
    expect(k.calls).toHaveLength(600);
    for (const n of perTenSeconds) expect(n).toBeGreaterThan(60);
    await engine.stop();
  });

  it('a slow check that answers before its next due time is not skipped; the next run starts on time', async () => {
    const k = scriptedKind('fake');
    const { engine, clock } = testEngine([k.kind]);
    k.script('slow', 'deferred');
    await engine.apply(treeOf({ sensors: [{ id: 'slow', kind: 'fake', settings: { intervalS: 10, timeoutS: 10 } }] }));
    await engine.start();
    await clock.advance(10 * S);
    expect(k.calls).toHaveLength(1);
    // The timeout equals the interval: it fires at the next due time; make the check answer just before.
    await clock.advance(9 * S);
    k.resolve('slow');
    await settle();
    expect(engine.status('slow')?.state).toBe('up');
    k.script('slow', 'deferred');
    await clock.advance(1 * S);
    expect(k.calls).toHaveLength(2);
    expect(engine.stats().skippedOverlaps).toBe(0);
    await engine.stop();
  });

  it('skips a run when the previous one still waits for a concurrency slot', async () => {
    const k = scriptedKind('fake', { concurrency: 1 });
    const { engine, clock } = testEngine([k.kind]);
    k.script('a', 'deferred');
    k.script('b', 'deferred');
    await engine.apply(treeOf({ sensors: ['a', 'b'].map((id) => ({ id, kind: 'fake', settings: { intervalS: 10, timeoutS: 60 } })) }));
    await engine.start();
    await clock.advance(10 * S);
    // One runs, the other waits; timeouts are capped at the interval (10 s).
    expect(k.running()).toBe(1);
    expect(engine.stats()).toMatchObject({ queueLength: 1, inFlight: 1 });
    const first = k.calls[0]!.sensorId;
    const second = first === 'a' ? 'b' : 'a';
    // Next due of the running sensor comes while it runs: skipped.
    const due = engine.nextDue(first)!;
    await clock.advance(due - clock.now());
    expect(engine.stats().skippedOverlaps).toBeGreaterThanOrEqual(1);
    k.resolve(first);
    await settle();
    // The waiting one starts as soon as the slot frees, late by the time it waited.
    expect(k.calls.map((c) => c.sensorId)).toEqual([first, second]);
    expect(engine.stats().latenessMs.max).toBeGreaterThan(0);
    await engine.stop();
  });

  it('honours the per-kind concurrency limit, FIFO', async () => {
    const k = scriptedKind('fake', { concurrency: 3 });
    const { engine, clock } = testEngine([k.kind]);
    const ids = Array.from({ length: 10 }, (_, i) => `s${i}`);
    for (const id of ids) k.script(id, 'deferred');
    await engine.apply(treeOf({ sensors: ids.map((id) => ({ id, kind: 'fake', settings: { intervalS: 60, timeoutS: 60 } })) }));
    await engine.start();
    await clock.advance(59 * S);
    expect(k.running()).toBe(3);
    const order = k.calls.map((c) => c.sensorId);
    let maxRunning = k.running();
    const resolved = new Set<number>();
    while (resolved.size < 10) {
      const i = k.calls.findIndex((_, idx) => !resolved.has(idx));
      k.resolve(k.calls[i]!.sensorId);
      resolved.add(i);
      await settle();
      maxRunning = Math.max(maxRunning, k.running());
    }
    expect(maxRunning).toBe(3);
    // The order of starts follows the order sensors fell due.
    const dueOrder = [...ids].sort((a, b) => phaseOf(a, 60 * S) - phaseOf(b, 60 * S));
    expect(k.calls.map((c) => c.sensorId)).toEqual(dueOrder);
    expect(order).toEqual(dueOrder.slice(0, 3));
    await engine.stop();
  });
});

describe('Engine: runner outcomes', () => {
  it('a timeout gives TIMEOUT, is re-checked at once, and goes Down after confirmation', async () => {
    const k = scriptedKind('fake');
    const { engine, clock, events } = testEngine([k.kind]);
    k.script('pacs', 'hang');
    await engine.apply(treeOf({ sensors: [{ id: 'pacs', kind: 'fake', settings: { intervalS: 60, timeoutS: 5, retries: 1 } }] }));
    await engine.start();
    const due = engine.nextDue('pacs')!;
    await clock.advance(due - clock.now() + 5 * S);
    expect(engine.status('pacs')).toMatchObject({ state: 'warning', failures: 1, error: 'TIMEOUT' });
    expect(k.calls.map((c) => c.at - due)).toEqual([0, 5 * S]);
    expect(k.calls[0]!.ctx.signal.aborted).toBe(true);
    expect(k.calls[0]!.ctx.timeoutMs).toBe(5 * S);
    await clock.advance(5 * S);
    expect(engine.status('pacs')).toMatchObject({ state: 'down', failures: 2, error: 'TIMEOUT', message: 'No answer within the timeout: no answer after 5 s' });
    expect(events.map((e) => [e.from, e.to, e.reason])).toEqual([
      ['unknown', 'warning', 'TIMEOUT (unconfirmed, failure 1 of 2)'],
      ['warning', 'down', 'TIMEOUT'],
    ]);
    // Back on its interval: no third run until the next due time.
    await clock.advance(due + 60 * S - clock.now() - 1);
    expect(k.calls).toHaveLength(2);
    await clock.advance(1);
    expect(k.calls).toHaveLength(3);
    await engine.stop();
  });

  it.each([
    [0, ['down']],
    [1, ['warning', 'down']],
    [3, ['warning', 'warning', 'warning', 'down']],
  ])('retries %i: failures re-run at once, Down after retries + 1', async (retries, states) => {
    const k = scriptedKind('fake');
    const { engine, clock } = testEngine([k.kind]);
    k.script('his', { channels: [], error: 'ECONNREFUSED' });
    const seen: string[] = [];
    await engine.apply(treeOf({ sensors: [{ id: 'his', kind: 'fake', settings: { intervalS: 60, retries } }] }));
    const stop = engine.start();
    await stop;
    const due = engine.nextDue('his')!;
    await clock.advance(due - clock.now());
    for (let i = 0; i < 10 && seen.length < states.length; i++) {
      seen.push(engine.status('his')!.state);
      await settle();
    }
    expect(k.calls.map((c) => c.at - due)).toEqual(new Array(retries + 1).fill(0));
    expect(engine.status('his')).toMatchObject({ state: 'down', failures: retries + 1, error: 'ECONNREFUSED' });
    await engine.stop();
  });

  it('a thrown exception becomes INTERNAL with its message; limits decide Warning and Down', async () => {
    const k = scriptedKind('fake');
    const { engine, clock } = testEngine([k.kind]);
    k.script('bug', 'throw');
    k.script('slowish', 150);
    k.script('slow', 250);
    const sensors = [
      { id: 'bug', kind: 'fake', settings: { retries: 0 } },
      { id: 'slowish', kind: 'fake' },
      { id: 'slow', kind: 'fake', settings: { retries: 0 } },
      { id: 'custom', kind: 'fake', channels: { value: { limits: { upperError: 0.5, upperErrorMessage: 'too slow for the ward' } } }, settings: { retries: 0 } },
    ];
    await engine.apply(treeOf({ sensors }));
    await engine.start();
    await clock.advance(60 * S);
    expect(engine.status('bug')).toMatchObject({ state: 'down', error: 'INTERNAL', message: 'Internal error in the check (a bug in Wardwatch: please report it): Error: kaboom' });
    expect(engine.status('slowish')).toMatchObject({ state: 'warning', error: 'LIMIT_WARNING', message: 'Value 150 ms is above the warning limit of 100 ms', failures: 0 });
    expect(engine.status('slow')).toMatchObject({ state: 'down', error: 'LIMIT_ERROR', message: 'Value 250 ms is above the error limit of 200 ms' });
    expect(engine.status('custom')).toMatchObject({ state: 'down', message: 'too slow for the ward' });
    await engine.stop();
  });

  it('acknowledgement is kept while Down and cleared on recovery', async () => {
    const k = scriptedKind('fake');
    const { engine, clock, store } = testEngine([k.kind]);
    k.script('lis', { channels: [], error: 'ECONNREFUSED' });
    await engine.apply(treeOf({ sensors: [{ id: 'lis', kind: 'fake', settings: { intervalS: 60, retries: 0 } }] }));
    await engine.start();
    expect(engine.acknowledge('lis', 'alice')).toBeUndefined();
    await clock.advance(60 * S);
    expect(engine.status('lis')?.state).toBe('down');
    expect(engine.acknowledge('lis', 'alice', 'vendor called')).toMatchObject({ state: 'down', acknowledged: { by: 'alice', note: 'vendor called' } });
    await clock.advance(60 * S);
    expect(engine.status('lis')?.acknowledged?.by).toBe('alice');
    k.script('lis', 5);
    await clock.advance(60 * S);
    expect(engine.status('lis')).toMatchObject({ state: 'up' });
    expect(engine.status('lis')?.acknowledged).toBeUndefined();
    expect(engine.acknowledge('nope', 'alice')).toBeUndefined();
    await engine.stop();
    expect(store.eventLog.map((e) => [e.from, e.to, e.reason])).toEqual([
      ['unknown', 'down', 'ECONNREFUSED'],
      ['down', 'down', 'acknowledged by alice'],
      ['down', 'up', 'OK'],
    ]);
  });

  it('checkNow runs a sensor at once, not while it runs', async () => {
    const k = scriptedKind('fake');
    const { engine, clock } = testEngine([k.kind]);
    await engine.apply(treeOf({ sensors: [{ id: 'a', kind: 'fake', settings: { intervalS: 300 } }] }));
    expect(engine.checkNow('a')).toBe(false);
    await engine.start();
    k.script('a', 'deferred');
    expect(engine.checkNow('a')).toBe(true);
    expect(engine.checkNow('a')).toBe(false);
    expect(engine.checkNow('missing')).toBe(false);
    await settle();
    expect(k.calls.map((c) => c.at)).toEqual([clock.now()]);
    k.resolve('a');
    await settle();
    expect(engine.status('a')?.state).toBe('up');
    await engine.stop();
  });
});

describe('Engine: batch kinds', () => {
  it('gathers due checks for up to windowMs or maxSize and makes one call', async () => {
    const sizes: number[] = [];
    const k = scriptedKind('pingish', { batch: { maxSize: 4, windowMs: 2000 } });
    const batchCheck = k.kind.batch!.check;
    const kind = { ...k.kind, batch: { ...k.kind.batch!, check: (items: Parameters<typeof batchCheck>[0], signal: AbortSignal) => (sizes.push(items.length), batchCheck(items, signal)) } };
    const { engine, clock } = testEngine([kind]);
    const ids = Array.from({ length: 10 }, (_, i) => `p${i}`);
    k.script('p3', { channels: [], error: 'PING_UNREACHABLE' });
    await engine.apply(treeOf({ sensors: ids.map((id) => ({ id, kind: 'pingish', settings: { intervalS: 5, retries: 0 } })) }));
    await engine.start();
    await clock.advance(5 * S + 1999);
    expect(new Set(k.calls.map((c) => c.sensorId))).toEqual(new Set(ids));
    // 10 sensors due within 5 s, gathered for 2 s at most, at most 4 per call.
    expect(Math.max(...sizes)).toBeLessThanOrEqual(4);
    expect(sizes.length).toBeLessThan(k.calls.length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(k.calls.length);
    expect(engine.status('p3')).toMatchObject({ state: 'down', error: 'PING_UNREACHABLE' });
    expect(engine.status('p4')?.state).toBe('up');
    await engine.stop();
  });
});
