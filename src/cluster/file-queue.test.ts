// The probe's on-disk outbox: order, confirmation, restart, a torn tail record, and its bound.

import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileQueue } from './file-queue.ts';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'ww-fq-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const text = (r: { payload: Uint8Array }) => Buffer.from(r.payload).toString();

describe('FileQueue', () => {
  it('gives records back in order until they are confirmed', () => {
    const q = new FileQueue({ dir: tmp() });
    for (let i = 1; i <= 5; i++) expect(q.append(Buffer.from(`m${i}`))).toBe(i);
    expect(q.peek(0, 3).map(text)).toEqual(['m1', 'm2', 'm3']);
    q.ack(2);
    expect(q.depth).toBe(3);
    expect(q.peek(0, 10).map(text)).toEqual(['m3', 'm4', 'm5']);
    expect(q.peek(3, 10).map(text)).toEqual(['m4', 'm5']);
    q.close();
  });

  it('resumes after a restart with what was not confirmed, and the same epoch', () => {
    const dir = tmp();
    const a = new FileQueue({ dir });
    for (let i = 1; i <= 4; i++) a.append(Buffer.from(`m${i}`));
    a.ack(1);
    a.close();
    const b = new FileQueue({ dir });
    expect(b.epoch).toBe(a.epoch);
    expect(b.peek(0, 10).map(text)).toEqual(['m2', 'm3', 'm4']);
    expect(b.append(Buffer.from('m5'))).toBe(5);
    b.close();
  });

  it('cuts off a record the process did not finish writing', () => {
    const dir = tmp();
    const a = new FileQueue({ dir });
    a.append(Buffer.from('whole'));
    a.close();
    const seg = readdirSync(dir).find((f) => f.startsWith('seg-'))!;
    appendFileSync(join(dir, seg), Buffer.from([9, 0, 0, 0, 1, 2]));
    const b = new FileQueue({ dir });
    expect(b.peek(0, 10).map(text)).toEqual(['whole']);
    expect(b.append(Buffer.from('next'))).toBe(2);
    b.close();
    const c = new FileQueue({ dir });
    expect(c.peek(0, 10).map(text)).toEqual(['whole', 'next']);
    c.close();
  });

  it('removes confirmed segments and drops the oldest past its bound, counting them', () => {
    const dir = tmp();
    const drops: number[] = [];
    const q = new FileQueue({ dir, segmentBytes: 100, maxBytes: 400, fsync: 'never', onDrop: (n) => drops.push(n) });
    const payload = Buffer.alloc(40, 1);
    for (let i = 0; i < 30; i++) q.append(payload);
    expect(q.bytes).toBeLessThanOrEqual(400 + 2 * 56);
    expect(q.dropped).toBeGreaterThan(0);
    expect(drops.reduce((a, b) => a + b, 0)).toBe(q.dropped);
    expect(q.depth + q.dropped).toBe(30);
    // The oldest kept record follows the dropped ones directly.
    expect(q.peek(0, 1)[0]!.seq).toBe(q.dropped + 1);
    q.ack(q.lastSeq);
    expect(q.depth).toBe(0);
    expect(readdirSync(dir).filter((f) => f.startsWith('seg-')).length).toBe(1);
    q.close();
  });

  it('names the file when the cursor is damaged', () => {
    const dir = tmp();
    new FileQueue({ dir }).close();
    appendFileSync(join(dir, 'acked'), 'garbage');
    expect(() => new FileQueue({ dir })).toThrow(`${join(dir, 'acked')}: expected the last delivered sequence number, got "garbage"`);
  });
});
