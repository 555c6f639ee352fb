// The probe's outbox on disk: append-only segment files of length- and CRC-framed records, each with
// a sequence number, and a cursor of the last record the NATS server confirmed. While the core's
// NATS is out of reach the probe keeps appending here, then delivers everything in order.
//
// fsync policy: with `fsync: 'always'` (the default) every append is fsynced before it returns. The
// engine appends once per flush (about once a second), so this costs one fsync a second and a
// reading the engine has handed over survives a power cut. `'never'` leaves it to the OS (a crash of
// the process loses nothing, a power cut may lose the last seconds): for benchmarks and tests.
// The cursor is written without fsync: losing it only resends records, which JetStream deduplicates
// by message id. A torn record at the tail (a crash mid-write) is cut off when the queue opens.

import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

const HEADER = 16; // u32 length, u32 crc32(seq + payload), u64 seq

export interface FileQueueOptions {
  readonly dir: string;
  /** Bound on the bytes kept; past it the oldest segments are dropped (counted). Default 512 MiB. */
  readonly maxBytes?: number;
  /** A new segment starts past this size. Default 8 MiB. */
  readonly segmentBytes?: number;
  readonly fsync?: 'always' | 'never';
  /** Payloads kept in memory for sending without a disk read. Default 32 MiB. */
  readonly cacheBytes?: number;
  /** Told when records are dropped because the bound was reached. */
  readonly onDrop?: (records: number, bytes: number) => void;
}

interface Segment {
  readonly firstSeq: number;
  readonly path: string;
  fd: number;
  size: number;
  /** Records in this segment: seq, offset of the payload, its length. */
  readonly records: { seq: number; offset: number; length: number }[];
}

export interface QueuedRecord {
  readonly seq: number;
  readonly payload: Uint8Array;
}

export class FileQueue {
  readonly #o: FileQueueOptions;
  readonly #segments: Segment[] = [];
  readonly #cache = new Map<number, Uint8Array>();
  #cacheBytes = 0;
  #acked = 0;
  #nextSeq = 1;
  #bytes = 0;
  /** A random id of this queue's life: message ids stay unique if the data directory is wiped. */
  readonly epoch: string;
  dropped = 0;

  constructor(opts: FileQueueOptions) {
    this.#o = opts;
    mkdirSync(opts.dir, { recursive: true });
    const epochFile = join(opts.dir, 'epoch');
    if (!existsSync(epochFile)) writeFileSync(epochFile, randomBytes(6).toString('hex'));
    this.epoch = readFileSync(epochFile, 'utf8').trim();
    const cursor = join(opts.dir, 'acked');
    if (existsSync(cursor)) {
      const n = Number(readFileSync(cursor, 'utf8').trim());
      if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${cursor}: expected the last delivered sequence number, got ${JSON.stringify(readFileSync(cursor, 'utf8').slice(0, 40))}`);
      this.#acked = n;
    }
    const names = readdirSync(opts.dir).filter((f) => /^seg-\d{16}\.log$/.test(f)).sort();
    for (const name of names) this.#load(join(opts.dir, name), Number(name.slice(4, 20)));
    const last = this.#segments.at(-1)?.records.at(-1)?.seq;
    this.#nextSeq = Math.max(this.#acked, last ?? 0) + 1;
    this.#collect();
  }

  /** Records not yet confirmed. */
  get depth(): number {
    let held = 0;
    for (const seg of this.#segments) for (const r of seg.records) if (r.seq > this.#acked) held++;
    return held;
  }

  /** Bytes on disk in segments. */
  get bytes(): number {
    return this.#bytes;
  }

  get ackedSeq(): number {
    return this.#acked;
  }

  get lastSeq(): number {
    return this.#nextSeq - 1;
  }

  /** Appends one record; returns its sequence number. Durable on return when fsync is 'always'. */
  append(payload: Uint8Array): number {
    const seq = this.#nextSeq++;
    const seg = this.#writable();
    const head = Buffer.alloc(HEADER);
    head.writeUInt32LE(payload.byteLength, 0);
    head.writeBigUInt64LE(BigInt(seq), 8);
    head.writeUInt32LE(crc32(payload, crc32(head.subarray(8))), 4);
    const offset = seg.size + HEADER;
    writeSync(seg.fd, Buffer.concat([head, payload]), 0, HEADER + payload.byteLength, seg.size);
    if ((this.#o.fsync ?? 'always') === 'always') fsyncSync(seg.fd);
    seg.size += HEADER + payload.byteLength;
    seg.records.push({ seq, offset, length: payload.byteLength });
    this.#bytes += HEADER + payload.byteLength;
    if (this.#cacheBytes + payload.byteLength <= (this.#o.cacheBytes ?? 32 * 1024 * 1024)) {
      this.#cache.set(seq, payload);
      this.#cacheBytes += payload.byteLength;
    }
    this.#enforceBound();
    return seq;
  }

  /** Up to `max` unconfirmed records with seq > after, in order. */
  peek(after: number, max: number): QueuedRecord[] {
    const out: QueuedRecord[] = [];
    const from = Math.max(after, this.#acked);
    for (const seg of this.#segments) {
      const last = seg.records.at(-1);
      if (!last || last.seq <= from) continue;
      for (const r of seg.records) {
        if (r.seq <= from) continue;
        out.push({ seq: r.seq, payload: this.#read(seg, r) });
        if (out.length >= max) return out;
      }
    }
    return out;
  }

  /** Confirms every record up to seq: their segments go once wholly confirmed. */
  ack(seq: number): void {
    if (seq <= this.#acked) return;
    this.#acked = seq;
    for (const k of this.#cache.keys()) {
      if (k > seq) break;
      this.#cacheBytes -= this.#cache.get(k)!.byteLength;
      this.#cache.delete(k);
    }
    const tmp = join(this.#o.dir, 'acked.tmp');
    writeFileSync(tmp, String(seq));
    renameSync(tmp, join(this.#o.dir, 'acked'));
    this.#collect();
  }

  close(): void {
    for (const s of this.#segments) {
      if (s.fd >= 0) closeSync(s.fd);
      s.fd = -1;
    }
  }

  #load(path: string, firstSeq: number): void {
    const fd = openSync(path, 'r+');
    const size = fstatSync(fd).size;
    const seg: Segment = { firstSeq, path, fd, size: 0, records: [] };
    const head = Buffer.alloc(HEADER);
    let pos = 0;
    while (pos + HEADER <= size) {
      readSync(fd, head, 0, HEADER, pos);
      const length = head.readUInt32LE(0);
      if (pos + HEADER + length > size) break;
      const payload = Buffer.alloc(length);
      readSync(fd, payload, 0, length, pos + HEADER);
      if (crc32(payload, crc32(head.subarray(8))) !== head.readUInt32LE(4)) break;
      seg.records.push({ seq: Number(head.readBigUInt64LE(8)), offset: pos + HEADER, length });
      pos += HEADER + length;
    }
    // Whatever follows the last whole record is a write the process did not finish.
    if (pos < size) ftruncateSync(fd, pos);
    seg.size = pos;
    this.#bytes += pos;
    this.#segments.push(seg);
  }

  #writable(): Segment {
    const cur = this.#segments.at(-1);
    if (cur && cur.size < (this.#o.segmentBytes ?? 8 * 1024 * 1024)) return cur;
    const firstSeq = this.#nextSeq - 1;
    const path = join(this.#o.dir, `seg-${String(firstSeq).padStart(16, '0')}.log`);
    const seg: Segment = { firstSeq, path, fd: openSync(path, 'w+'), size: 0, records: [] };
    this.#segments.push(seg);
    return seg;
  }

  #read(seg: Segment, r: { seq: number; offset: number; length: number }): Uint8Array {
    const cached = this.#cache.get(r.seq);
    if (cached) return cached;
    const buf = Buffer.alloc(r.length);
    readSync(seg.fd, buf, 0, r.length, r.offset);
    return buf;
  }

  /** Removes segments whose records are all confirmed (never the one being written). */
  #collect(): void {
    while (this.#segments.length > 1) {
      const first = this.#segments[0]!;
      const last = first.records.at(-1);
      if (last && last.seq > this.#acked) break;
      this.#dropSegment();
    }
  }

  #enforceBound(): void {
    const max = this.#o.maxBytes ?? 512 * 1024 * 1024;
    while (this.#bytes > max && this.#segments.length > 1) {
      const first = this.#segments[0]!;
      const lost = first.records.filter((r) => r.seq > this.#acked);
      if (lost.length > 0) {
        this.dropped += lost.length;
        this.#o.onDrop?.(lost.length, first.size);
      }
      this.#dropSegment();
      const nextFirst = this.#segments[0]!.records[0]?.seq;
      if (nextFirst !== undefined && nextFirst - 1 > this.#acked) this.ack(nextFirst - 1);
    }
  }

  #dropSegment(): void {
    const seg = this.#segments.shift()!;
    if (seg.fd >= 0) closeSync(seg.fd);
    this.#bytes -= seg.size;
    for (const r of seg.records) {
      const c = this.#cache.get(r.seq);
      if (c) {
        this.#cacheBytes -= c.byteLength;
        this.#cache.delete(r.seq);
      }
    }
    unlinkSync(seg.path);
  }
}
