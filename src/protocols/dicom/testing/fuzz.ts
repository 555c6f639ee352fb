// Fuzzing support shared by the test suite (a few thousand cases) and bench/dicom.ts (100,000):
// arbitrary byte streams and mutated valid PDUs are pushed, in random slices, through everything
// a peer's bytes reach (framer, PDU decoder, DIMSE assembler, data set decoder).

import fc from 'fast-check';
import { PduFramer } from '../framer.ts';
import { decodePdu, encodePdu } from '../pdu.ts';
import { MessageAssembler, encodeMessage, findRq } from '../dimse.ts';
import { decodeDataSet } from '../dataset.ts';
import { DicomError } from '../errors.ts';
import { UID } from '../constants.ts';

export type FuzzOutcome = 'ok' | 'rejected';

function isCatalogued(e: unknown): boolean {
  return e instanceof DicomError && (e.code === 'DICOM_PDU_INVALID' || e.code === 'DICOM_DATA_INVALID');
}

function catalogued(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!isCatalogued(e)) throw e;
  }
}

/** Feeds the chunks through the whole receive path; returns how it ended or throws a non-catalogued error. */
export function feed(chunks: readonly Uint8Array[]): FuzzOutcome {
  const framer = new PduFramer({ maxPDataLength: 65_536 });
  const asm = new MessageAssembler({ maxDatasetBytes: 1 << 20 });
  try {
    for (const c of chunks) {
      const { pdus, error } = framer.push(c);
      for (const raw of pdus) {
        const pdu = decodePdu(raw.type, raw.body);
        if (pdu.type !== 'p-data') continue;
        for (const pdv of pdu.pdvs) {
          const m = asm.push(pdv);
          // A data set is valid in at most one transfer syntax: both decoders must reject cleanly.
          if (m?.dataset) for (const ts of ['implicit', 'explicit'] as const) catalogued(() => decodeDataSet(m.dataset!, ts));
        }
      }
      if (error) throw error;
    }
    return 'ok';
  } catch (e) {
    if (isCatalogued(e)) return 'rejected';
    throw e;
  }
}

export const SEEDS: readonly Buffer[] = [
  encodePdu({ type: 'associate-rq', protocolVersion: 1, calledAe: 'PACS', callingAe: 'WARDWATCH', applicationContext: UID.applicationContext, contexts: [{ id: 1, abstractSyntax: UID.verification, transferSyntaxes: [UID.implicitLittle] }], userInfo: { maxPduLength: 16384, implementationClassUid: UID.implementationClass } }),
  encodePdu({ type: 'associate-ac', protocolVersion: 1, calledAe: 'PACS', callingAe: 'WARDWATCH', applicationContext: UID.applicationContext, contexts: [{ id: 1, result: 0, transferSyntax: UID.implicitLittle }], userInfo: { maxPduLength: 16384 } }),
  encodePdu({ type: 'associate-rj', result: 1, source: 1, reason: 7 }),
  encodePdu({ type: 'abort', source: 2, reason: 0 }),
  encodePdu({ type: 'release-rq' }),
  // A C-FIND request with a data set that holds a nested sequence, in implicit VR.
  ...encodeMessage(1, findRq(1, UID.worklistFind), Buffer.from('40000001ffffffff' + 'feff00e0ffffffff' + '08006000020000004354' + 'feff0de000000000' + 'feffdde000000000', 'hex'), 16384),
];

/** A valid PDU with a few bytes overwritten, truncated or extended. */
const mutated = fc
  .record({
    seed: fc.constantFrom(...SEEDS),
    edits: fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { maxLength: 6 }),
    cut: fc.option(fc.nat(), { nil: undefined }),
    tail: fc.uint8Array({ maxLength: 16 }),
  })
  .map(({ seed, edits, cut, tail }) => {
    const b = Buffer.from(seed);
    for (const e of edits) b[e.at % b.length] = e.value;
    const body = cut === undefined ? b : b.subarray(0, cut % (b.length + 1));
    return Buffer.concat([body, tail]);
  });

const anyBytes = fc.uint8Array({ maxLength: 512 }).map((u) => Buffer.from(u));

/** A stream of one to three inputs, cut at random points into packets. */
export const streamArbitrary = fc
  .tuple(fc.array(fc.oneof(mutated, anyBytes), { minLength: 1, maxLength: 3 }), fc.array(fc.nat(), { maxLength: 8 }))
  .map(([parts, cuts]) => {
    const all = Buffer.concat(parts);
    const points = [...new Set(cuts.map((c) => c % (all.length + 1)))].sort((a, b) => a - b);
    const chunks: Buffer[] = [];
    let prev = 0;
    for (const p of [...points, all.length]) {
      chunks.push(all.subarray(prev, p));
      prev = p;
    }
    return chunks;
  });

/** Runs `numRuns` fuzz cases; throws (with fast-check's counterexample) on any uncatalogued error. */
export function runFuzz(numRuns: number, seed?: number): { runs: number; rejected: number; ok: number } {
  let rejected = 0;
  let ok = 0;
  fc.assert(
    fc.property(streamArbitrary, (chunks) => {
      if (feed(chunks) === 'rejected') rejected++;
      else ok++;
    }),
    { numRuns, ...(seed !== undefined ? { seed } : {}) },
  );
  return { runs: numRuns, rejected, ok };
}
