import { describe, expect, it } from 'vitest';
import type { Reading } from '../core/model.ts';
import type { AnySensorKind, CheckContext } from '../sensors/sensor.ts';
import { ManualClock } from '../shared/clock.ts';
import { CheckHandle } from './handle.ts';
import { Runner, stopReason, type CheckRequest } from './runner.ts';
import { scriptedKind, settle } from './testing/fakes.ts';

function kindOf(check: (settings: unknown, ctx: CheckContext) => Promise<Reading>, batch?: AnySensorKind['batch']): AnySensorKind {
  return { ...scriptedKind('k').kind, check, ...(batch ? { batch } : {}) };
}

function req(id = 's', timeoutMs = 5000): CheckRequest {
  return { sensorId: id, settings: { a: 1 }, timeoutMs, memory: new Map(), controller: new CheckHandle() };
}

describe('Runner', () => {
  const clock = new ManualClock();
  const runner = new Runner({ clock });

  it('times a check and stamps it with sensor and start time', async () => {
    const r = await runner.run(kindOf(async (_s, ctx) => ({ channels: [{ key: 'v', value: ctx.timeoutMs }] })), req('pacs'));
    expect(r).toEqual({ channels: [{ key: 'v', value: 5000 }], sensorId: 'pacs', ts: clock.now(), durationMs: 0 });
  });

  it('turns a throw, a rejection and a malformed result into INTERNAL', async () => {
    const sync = await runner.run(kindOf(() => { throw new TypeError('x is undefined'); }), req());
    expect(sync).toMatchObject({ error: 'INTERNAL', message: 'TypeError: x is undefined' });
    const rejected = await runner.run(kindOf(async () => Promise.reject(new Error('boom'))), req());
    expect(rejected).toMatchObject({ error: 'INTERNAL', message: 'Error: boom' });
    const bad = await runner.run(kindOf(async () => null as unknown as Reading), req());
    expect(bad).toMatchObject({ error: 'INTERNAL', message: 'the k check returned no valid reading' });
  });

  it('enforces the timeout even when the kind ignores its signal, with a TimeoutError reason', async () => {
    let seen: CheckContext | undefined;
    const pending = runner.run(kindOf((_s, ctx) => ((seen = ctx), new Promise<Reading>(() => undefined))), req('s', 3000));
    let settled = false;
    void pending.then(() => (settled = true));
    await clock.advance(2999);
    expect(settled).toBe(false);
    await clock.advance(1);
    expect(await pending).toMatchObject({ error: 'TIMEOUT', message: 'no answer after 3 s', durationMs: 3000 });
    expect(seen!.signal.aborted).toBe(true);
    expect((seen!.signal.reason as DOMException).name).toBe('TimeoutError');
    expect(clock.pendingTimers).toBe(0);
  });

  it('a cancelled check (engine stop) gives ABORTED and a late answer is ignored', async () => {
    let answer: ((r: Reading) => void) | undefined;
    const r = req();
    const pending = runner.run(kindOf(() => new Promise<Reading>((res) => (answer = res))), r);
    r.controller.abort(stopReason());
    answer!({ channels: [{ key: 'v', value: 1 }] });
    expect(await pending).toMatchObject({ error: 'ABORTED' });
  });

  it('batch: one call, readings in order, a missing reading is INTERNAL, the longest timeout bounds the call', async () => {
    let calls = 0;
    const kind = kindOf(async () => ({ channels: [] }), {
      maxSize: 10,
      windowMs: 100,
      check: async (items) => {
        calls++;
        return items.slice(0, 2).map((i) => ({ channels: [{ key: 'v', value: i.ctx.timeoutMs }] }));
      },
    });
    const out = await runner.runBatch(kind, [req('a', 1000), req('b', 2000), req('c', 3000)]);
    expect(calls).toBe(1);
    expect(out.map((r) => [r.sensorId, r.channels[0]?.value ?? r.error])).toEqual([
      ['a', 1000],
      ['b', 2000],
      ['c', 'INTERNAL'],
    ]);
    const hanging = kindOf(async () => ({ channels: [] }), { maxSize: 10, windowMs: 100, check: () => new Promise<Reading[]>(() => undefined) });
    const pending = runner.runBatch(hanging, [req('a', 1000), req('b', 4000)]);
    await clock.advance(4000);
    await settle();
    expect((await pending).map((r) => r.error)).toEqual(['TIMEOUT', 'TIMEOUT']);
  });
});
