import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PduFramer } from './framer.ts';
import { encodePdu, type Pdu } from './pdu.ts';
import { UID } from './constants.ts';
import { runFuzz, feed, SEEDS } from './testing/fuzz.ts';

const samples: Pdu[] = [
  { type: 'associate-rj', result: 2, source: 3, reason: 2 },
  { type: 'p-data', pdvs: [{ contextId: 1, command: true, last: true, data: Buffer.alloc(300, 1) }] },
  { type: 'associate-ac', protocolVersion: 1, calledAe: 'PACS', callingAe: 'WW', applicationContext: UID.applicationContext, contexts: [{ id: 1, result: 0, transferSyntax: UID.implicitLittle }], userInfo: { maxPduLength: 16384 } },
  { type: 'release-rp' },
  { type: 'abort', source: 0, reason: 0 },
];
const stream = Buffer.concat(samples.map(encodePdu));

describe('PduFramer', () => {
  it('yields the same PDUs whatever the packet boundaries', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: stream.length }), { maxLength: 40 }), (cuts) => {
        const framer = new PduFramer({ maxPDataLength: 1024 });
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const types: number[] = [];
        const bodies: Buffer[] = [];
        let prev = 0;
        for (const p of [...points, stream.length]) {
          const r = framer.push(stream.subarray(prev, p));
          expect(r.error).toBeUndefined();
          for (const pdu of r.pdus) {
            types.push(pdu.type);
            bodies.push(Buffer.from(pdu.body));
          }
          prev = p;
        }
        expect(types).toEqual([3, 4, 2, 6, 7]);
        expect(Buffer.concat(bodies.map((b, i) => Buffer.concat([Buffer.from([types[i]!, 0, 0, 0, 0, 0]), b]))).length).toBe(stream.length);
        expect(framer.buffered).toBe(0);
      }),
      { numRuns: 500 },
    );
  });

  it('handles several PDUs in one packet and one PDU in one-byte packets', () => {
    const a = new PduFramer({ maxPDataLength: 1024 });
    expect(a.push(stream).pdus.map((p) => p.type)).toEqual([3, 4, 2, 6, 7]);
    const b = new PduFramer({ maxPDataLength: 1024 });
    const got: number[] = [];
    for (const byte of stream) got.push(...b.push(Buffer.from([byte])).pdus.map((p) => p.type));
    expect(got).toEqual([3, 4, 2, 6, 7]);
  });

  it('refuses an oversized P-DATA-TF from its header, before the body arrives', () => {
    const f = new PduFramer({ maxPDataLength: 16384 });
    const r = f.push(Buffer.from([4, 0, 0x7f, 0xff, 0xff, 0xff]));
    expect(r.error?.message).toBe('P-DATA-TF PDU of 2147483647 bytes exceeds the negotiated maximum of 16384 bytes');
    expect(f.buffered).toBe(0);
    expect(f.push(Buffer.from([1, 2, 3])).error?.code).toBe('DICOM_PDU_INVALID');
  });

  it('recognizes a peer that is not speaking DICOM', () => {
    const f = new PduFramer({ maxPDataLength: 16384 });
    expect(f.push(Buffer.from('HTTP/1.0 400 Bad Request\r\n')).error?.message).toBe('the peer sent data that is not a DICOM PDU (starts with 48 54 54 50 2f 31 2e 30 "HTTP/1.0")');
    const tls = new PduFramer({ maxPDataLength: 16384 });
    expect(tls.push(Buffer.from([0x16, 3, 1, 0, 0xa5, 1, 0, 0])).error?.message).toBe('the peer sent data that is not a DICOM PDU (starts with 16 03 01 00 a5 01 00 00 "........")');
    const assoc = new PduFramer({ maxPDataLength: 16384 });
    expect(assoc.push(Buffer.from([2, 0, 0, 0x10, 0, 0])).error?.message).toBe('association PDU of 1048576 bytes exceeds the limit of 262144 bytes');
    const rel = new PduFramer({ maxPDataLength: 16384 });
    expect(rel.push(Buffer.from([5, 0, 0, 0, 0, 9])).error?.message).toBe('PDU type 0x05 has length 9, expected 4');
  });
});

describe('fuzzing the receive path', () => {
  it('survives 3,000 random and mutated streams with only catalogued errors', () => {
    const r = runFuzz(3000, 42);
    expect(r.runs).toBe(3000);
    // Mutations must sometimes keep a PDU valid, or the fuzzer is not reaching the decoders.
    expect(r.ok).toBeGreaterThan(0);
    expect(r.rejected).toBeGreaterThan(0);
  });

  it('accepts the seed stream intact', () => {
    expect(feed(SEEDS)).toBe('ok');
  });
});
