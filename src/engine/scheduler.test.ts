import { describe, expect, it } from 'vitest';
import { ManualClock } from '../shared/clock.ts';
import { MinHeap } from './heap.ts';
import { Fifo } from './queue.ts';
import { Scheduler, firstDue, hashId, phaseOf } from './scheduler.ts';

function make(clock = new ManualClock()) {
  const runs: { id: string; due: number; at: number }[] = [];
  const s = new Scheduler({ clock, onDue: (id, due) => runs.push({ id, due, at: clock.now() }) });
  return { s, clock, runs };
}

describe('MinHeap and Fifo', () => {
  it('pops in due order, ties in insertion order', () => {
    const h = new MinHeap<{ due: number; seq: number; v: string }>();
    [5, 1, 3, 1, 9, 0].forEach((due, seq) => h.push({ due, seq, v: `${due}/${seq}` }));
    const out: string[] = [];
    for (let x = h.pop(); x; x = h.pop()) out.push(x.v);
    expect(out).toEqual(['0/5', '1/1', '1/3', '3/2', '5/0', '9/4']);
  });
  it('matches a sort for interleaved pushes and pops', () => {
    const h = new MinHeap<{ due: number; seq: number }>();
    const model: { due: number; seq: number }[] = [];
    let x = 12345;
    const rnd = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) % 1000;
    for (let seq = 0; seq < 5000; seq++) {
      if (rnd() < 600 || model.length === 0) {
        const item = { due: rnd(), seq };
        h.push(item);
        model.push(item);
      } else {
        model.sort((a, b) => a.due - b.due || a.seq - b.seq);
        expect(h.pop()).toBe(model.shift());
      }
      expect(h.size).toBe(model.length);
    }
  });
  it('fifo keeps order across compaction', () => {
    const f = new Fifo<number>();
    for (let i = 0; i < 5000; i++) f.push(i);
    const got: (number | undefined)[] = [];
    for (let i = 0; i < 3000; i++) got.push(f.shift());
    expect(got).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    f.push(5000);
    expect(f.length).toBe(2001);
    expect(f.drain()).toEqual(Array.from({ length: 2001 }, (_, i) => 3000 + i));
    expect(f.shift()).toBeUndefined();
  });
});

describe('phases', () => {
  it('are deterministic, inside the interval, and stable on the wall clock', () => {
    expect(hashId('sensor-1')).toBe(hashId('sensor-1'));
    expect(hashId('sensor-1')).not.toBe(hashId('sensor-2'));
    const p = phaseOf('sensor-1', 60_000);
    expect(p).toBeGreaterThanOrEqual(0);
    expect(p).toBeLessThan(60_000);
    const now = Date.UTC(2026, 0, 1, 12, 0, 7);
    const due = firstDue('sensor-1', 60_000, now);
    expect(due).toBeGreaterThanOrEqual(now);
    expect(due - now).toBeLessThan(60_000);
    expect(due % 60_000).toBe(p);
    // Started 25 s later, the same sensor keeps the same phase.
    expect(firstDue('sensor-1', 60_000, now + 25_000) % 60_000).toBe(p);
  });
  it('spread 10,000 sensors evenly over the interval', () => {
    const perSecond = new Array<number>(60).fill(0);
    const now = Date.UTC(2026, 0, 1);
    for (let i = 0; i < 10_000; i++) perSecond[Math.floor((firstDue(`s${i}`, 60_000, now) - now) / 1000)]!++;
    // An even spread is ~167 per second; a herd would put thousands in one second.
    expect(Math.max(...perSecond)).toBeLessThan(240);
    expect(Math.min(...perSecond)).toBeGreaterThan(100);
  });
});

describe('Scheduler', () => {
  it('runs each sensor at its phase and then every interval, with one timer armed', async () => {
    const { s, clock, runs } = make();
    for (let i = 0; i < 50; i++) s.schedule(`s${i}`, 10_000);
    s.start();
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(35_000);
    expect(clock.pendingTimers).toBe(1);
    for (let i = 0; i < 50; i++) {
      const mine = runs.filter((r) => r.id === `s${i}`);
      expect(mine.length).toBeGreaterThanOrEqual(3);
      expect(mine[0]!.due % 10_000).toBe(phaseOf(`s${i}`, 10_000));
      for (let k = 1; k < mine.length; k++) expect(mine[k]!.due - mine[k - 1]!.due).toBe(10_000);
      for (const r of mine) expect(r.at).toBe(r.due);
    }
  });
  it('rescheduling to a new interval and unscheduling take effect', async () => {
    const { s, clock, runs } = make();
    s.schedule('a', 10_000);
    s.schedule('b', 10_000);
    s.start();
    await clock.advance(10_000);
    s.schedule('a', 30_000);
    s.unschedule('b');
    runs.length = 0;
    await clock.advance(90_000);
    expect(runs.filter((r) => r.id === 'b')).toEqual([]);
    const a = runs.filter((r) => r.id === 'a');
    expect(a).toHaveLength(3);
    expect(a[1]!.due - a[0]!.due).toBe(30_000);
    expect(s.size).toBe(1);
  });
  it('after a stall it runs once late, then skips the missed slots instead of running a burst', async () => {
    // A clock whose wall time can jump ahead without firing timers, as when the event loop is blocked.
    class StallClock extends ManualClock {
      skew = 0;
      override now(): number {
        return super.now() + this.skew;
      }
    }
    const clock = new StallClock();
    const { s, runs } = make(clock);
    s.schedule('x', 10_000);
    s.start();
    const first = s.dueOf('x')!;
    await clock.advance(first - clock.now());
    expect(runs.map((r) => r.due)).toEqual([first]);
    clock.skew = 35_000;
    await clock.advance(10_000);
    // The due at first+10 s ran 35 s late; the slots at +20 s, +30 s and +40 s are skipped.
    expect(runs.map((r) => [r.due - first, r.at - first])).toEqual([
      [0, 0],
      [10_000, 45_000],
    ]);
    expect(s.dueOf('x')! - first).toBe(50_000);
  });
  it('sensors added before start are phased from the start time, not overdue', async () => {
    const { s, clock, runs } = make();
    for (let i = 0; i < 100; i++) s.schedule(`s${i}`, 60_000);
    await clock.advance(600_000);
    s.start();
    await clock.advance(0);
    expect(runs).toHaveLength(0);
    await clock.advance(60_000);
    expect(runs).toHaveLength(100);
  });
  it('stop disarms the timer', async () => {
    const { s, clock, runs } = make();
    s.schedule('a', 1000);
    s.start();
    s.stop();
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(5000);
    expect(runs).toHaveLength(0);
  });
  it('hands out at most maxPerTick per timer callback and continues right after', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    let calls = 0;
    const s = new Scheduler({ clock, maxPerTick: 10, onDue: () => calls++ });
    for (let i = 0; i < 35; i++) s.schedule(`s${i}`, 1);
    s.start();
    await clock.advance(0);
    expect(calls).toBe(35);
  });
});
