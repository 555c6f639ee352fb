// Streaming PDU framer: turns the TCP byte stream into whole PDUs, whatever the packet boundaries
// (one PDU split across many packets, many PDUs in one packet). It checks the 6-byte header before
// buffering a body, so a garbage or oversized length is refused without allocating for it.

import { DicomError } from './errors.ts';

export interface RawPdu {
  readonly type: number;
  readonly body: Uint8Array;
}

export interface FramerOptions {
  /** Largest P-DATA-TF body we accept (what we advertised as our maximum PDU length, plus slack). */
  readonly maxPDataLength: number;
  /** Largest association PDU body (A-ASSOCIATE-RQ/AC can carry ~128 presentation contexts). */
  readonly maxAssociateLength?: number;
}

export interface FramerResult {
  readonly pdus: readonly RawPdu[];
  /** Set once the stream turned out not to be DICOM; the framer accepts nothing afterwards. */
  readonly error?: DicomError;
}

const HEADER = 6;

/** Renders the first bytes of unexpected input, so that "this is HTTP" or "this is TLS" shows. */
export function describeBytes(b: Uint8Array): string {
  const head = Buffer.from(b.subarray(0, 8));
  const hex = [...head].map((x) => x.toString(16).padStart(2, '0')).join(' ');
  const text = head.toString('latin1').replace(/[^\x20-\x7e]/g, '.');
  return `${hex} "${text}"`;
}

export class PduFramer {
  readonly #maxPData: number;
  readonly #maxAssoc: number;
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  #error: DicomError | undefined;

  constructor(opts: FramerOptions) {
    this.#maxPData = opts.maxPDataLength;
    this.#maxAssoc = opts.maxAssociateLength ?? 256 * 1024;
  }

  get buffered(): number {
    return this.#buffered;
  }

  push(chunk: Uint8Array): FramerResult {
    if (this.#error) return { pdus: [], error: this.#error };
    if (chunk.length > 0) {
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
    }
    const pdus: RawPdu[] = [];
    while (this.#buffered >= HEADER) {
      const head = this.#peek(HEADER);
      const type = head[0]!;
      const length = ((head[2]! << 24) >>> 0) + (head[3]! << 16) + (head[4]! << 8) + head[5]!;
      const problem = this.#checkHeader(type, length, this.#peek(Math.min(8, this.#buffered)));
      if (problem) {
        this.#error = problem;
        this.#chunks = [];
        this.#buffered = 0;
        return { pdus, error: problem };
      }
      if (this.#buffered < HEADER + length) break;
      const whole = this.#take(HEADER + length);
      pdus.push({ type, body: whole.subarray(HEADER) });
    }
    return { pdus };
  }

  #checkHeader(type: number, length: number, head: Uint8Array): DicomError | undefined {
    if (type < 1 || type > 7) return new DicomError('DICOM_PDU_INVALID', `the peer sent data that is not a DICOM PDU (starts with ${describeBytes(head)})`);
    if (type === 4) {
      if (length > this.#maxPData) return new DicomError('DICOM_PDU_INVALID', `P-DATA-TF PDU of ${length} bytes exceeds the negotiated maximum of ${this.#maxPData} bytes`);
    } else if (type <= 3) {
      if (length > this.#maxAssoc) return new DicomError('DICOM_PDU_INVALID', `association PDU of ${length} bytes exceeds the limit of ${this.#maxAssoc} bytes`);
    } else if (length !== 4) {
      return new DicomError('DICOM_PDU_INVALID', `PDU type 0x0${type} has length ${length}, expected 4`);
    }
    return undefined;
  }

  /** The first n buffered bytes (n ≤ buffered), copying only if they span chunks. */
  #peek(n: number): Uint8Array {
    const first = this.#chunks[0]!;
    if (first.length >= n) return first.subarray(0, n);
    const out = Buffer.allocUnsafe(n);
    let off = 0;
    for (const c of this.#chunks) {
      const k = Math.min(c.length, n - off);
      out.set(c.subarray(0, k), off);
      off += k;
      if (off === n) break;
    }
    return out;
  }

  /** Removes and returns the first n bytes. */
  #take(n: number): Uint8Array {
    const first = this.#chunks[0]!;
    this.#buffered -= n;
    if (first.length >= n) {
      if (first.length === n) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let off = 0;
    while (off < n) {
      const c = this.#chunks[0]!;
      const k = Math.min(c.length, n - off);
      out.set(c.subarray(0, k), off);
      off += k;
      if (k === c.length) this.#chunks.shift();
      else this.#chunks[0] = c.subarray(k);
    }
    return out;
  }
}
