import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeFrame, MllpDecoder, MllpError, type MllpEvent } from './frame.ts';

const frames = (events: MllpEvent[]) => events.filter((e) => e.type === 'frame').map((e) => e.payload.toString('latin1'));

/** Feeds bytes cut at the given offsets. */
function feed(decoder: MllpDecoder, bytes: Buffer, cuts: number[]): MllpEvent[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: MllpEvent[] = [];
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    out.push(...decoder.push(bytes.subarray(prev, p)));
    prev = p;
  }
  return out;
}

describe('MLLP framing', () => {
  it('encodes <VT> payload <FS><CR>', () => {
    expect([...encodeFrame(Buffer.from('AB'))]).toEqual([0x0b, 0x41, 0x42, 0x1c, 0x0d]);
  });

  it('decodes several frames in one packet and tolerates line ends between frames', () => {
    const d = new MllpDecoder();
    const bytes = Buffer.concat([encodeFrame(Buffer.from('one')), Buffer.from('\r\n'), encodeFrame(Buffer.from('two'))]);
    expect(d.push(bytes)).toEqual([
      { type: 'frame', payload: Buffer.from('one') },
      { type: 'frame', payload: Buffer.from('two') },
    ]);
    expect(d.pending).toBe(false);
  });

  it('reports bytes outside frames as unframed', () => {
    const d = new MllpDecoder();
    const ev = d.push(Buffer.concat([Buffer.from('MSH|junk\r'), encodeFrame(Buffer.from('ok'))]));
    expect(ev).toEqual([
      { type: 'unframed', bytes: Buffer.from('MSH|junk\r') },
      { type: 'frame', payload: Buffer.from('ok') },
    ]);
  });

  it('reports a frame cut off by a new start block as unframed', () => {
    const d = new MllpDecoder();
    const ev = d.push(Buffer.concat([Buffer.from([0x0b]), Buffer.from('half'), encodeFrame(Buffer.from('whole'))]));
    expect(ev).toEqual([
      { type: 'unframed', bytes: Buffer.from('\x0bhalf', 'latin1') },
      { type: 'frame', payload: Buffer.from('whole') },
    ]);
  });

  it('keeps an unfinished frame pending', () => {
    const d = new MllpDecoder();
    expect(d.push(Buffer.from('\x0bMSH|^~\\&', 'latin1'))).toEqual([]);
    expect(d.pending).toBe(true);
    expect(d.pendingBytes).toBe(8);
  });

  it('refuses a frame larger than the maximum with MLLP_FRAME_TOO_LARGE, also across packets, after the events before it', () => {
    const first = new MllpDecoder({ maxFrameBytes: 4 });
    expect(first.push(Buffer.concat([Buffer.from('noise'), encodeFrame(Buffer.from('12345'))])).map((e) => e.type)).toEqual(['unframed', 'tooLarge']);

    const d = new MllpDecoder({ maxFrameBytes: 10 });
    expect(d.push(Buffer.from('\x0b123456', 'latin1'))).toEqual([]);
    const events = d.push(Buffer.from('78901'));
    expect(events).toHaveLength(1);
    const err = events[0]!.type === 'tooLarge' ? events[0]!.error : undefined;
    expect(err).toBeInstanceOf(MllpError);
    expect((err as MllpError).code).toBe('MLLP_FRAME_TOO_LARGE');
    expect((err as MllpError).message).toBe('MLLP frame larger than 10 bytes');
    expect(() => d.push(Buffer.from('x'))).toThrow('MLLP frame larger than 10 bytes');
  });

  it('accepts a frame of exactly the maximum size', () => {
    const d = new MllpDecoder({ maxFrameBytes: 3 });
    expect(frames(d.push(encodeFrame(Buffer.from('abc'))))).toEqual(['abc']);
  });

  it('yields the same frames however the stream is split (property)', () => {
    const payload = fc.uint8Array({ maxLength: 60 }).map((a) => Buffer.from(a.filter((b) => b !== 0x0b && b !== 0x1c)));
    fc.assert(
      fc.property(fc.array(payload, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 12 }), (payloads, cuts) => {
        const stream = Buffer.concat(payloads.map((p) => encodeFrame(p)));
        const got = feed(new MllpDecoder(), stream, cuts);
        expect(got.filter((e) => e.type === 'unframed')).toEqual([]);
        expect(frames(got)).toEqual(payloads.map((p) => p.toString('latin1')));
      }),
      { numRuns: 1000 },
    );
  });

  it('fuzz: arbitrary bytes never crash, hang or buffer beyond the limit; the only failure is MLLP_FRAME_TOO_LARGE', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 8 }), (chunks) => {
        const d = new MllpDecoder({ maxFrameBytes: 256 });
        for (const c of chunks) {
          const events = d.push(Buffer.from(c));
          for (const [i, ev] of events.entries()) {
            if (ev.type === 'frame') expect(ev.payload.length).toBeLessThanOrEqual(256);
            if (ev.type === 'tooLarge') {
              expect(i).toBe(events.length - 1);
              expect(ev.error.code).toBe('MLLP_FRAME_TOO_LARGE');
              return;
            }
          }
          expect(d.pendingBytes).toBeLessThanOrEqual(256);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
