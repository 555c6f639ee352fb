// Minimal DICOM data set codec (PS3.5): implicit and explicit VR little endian, the string,
// numeric, binary (OB/OW) and sequence VRs. Enough for command sets, C-FIND identifiers with
// nested worklist items and a synthetic image; decoding is bounds-checked and depth-limited.

import { DicomError } from './errors.ts';
import { vrOf, tagText, VRS, type Vr } from './dictionary.ts';

export type DicomValue = string | readonly number[] | Uint8Array | readonly DataSet[];

export interface DataElement {
  readonly vr: Vr;
  readonly value: DicomValue;
}

/** Tag (group << 16 | element) to element. Encoding writes tags in ascending order. */
export type DataSet = Map<number, DataElement>;

export type TransferSyntax = 'implicit' | 'explicit';

const STRING_VRS: ReadonlySet<Vr> = new Set(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UC', 'UI', 'UR', 'UT']);
const NUMBER_SIZE: Partial<Record<Vr, number>> = { US: 2, SS: 2, UL: 4, SL: 4, FL: 4, FD: 8, AT: 4 };
/** Explicit VR: these carry 2 reserved bytes and a 32-bit length. */
const LONG_VRS: ReadonlySet<Vr> = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV']);
const VR_SET: ReadonlySet<string> = new Set(VRS);

const ITEM = 0xfffee000;
const ITEM_DELIM = 0xfffee00d;
const SEQ_DELIM = 0xfffee0dd;
const UNDEFINED = 0xffffffff;
const MAX_DEPTH = 8;

export function isStringVr(vr: Vr): boolean {
  return STRING_VRS.has(vr);
}

// ---------------------------------------------------------------- encoding

function encodeValue(vr: Vr, value: DicomValue, ts: TransferSyntax): Buffer {
  if (vr === 'SQ') {
    if (!Array.isArray(value)) throw new TypeError('SQ value must be a list of data sets');
    const items = (value as readonly DataSet[]).map((item) => {
      const body = encodeDataSet(item, ts);
      const h = Buffer.alloc(8);
      h.writeUInt16LE(0xfffe, 0);
      h.writeUInt16LE(0xe000, 2);
      h.writeUInt32LE(body.length, 4);
      return Buffer.concat([h, body]);
    });
    return Buffer.concat(items);
  }
  if (typeof value === 'string') {
    if (!STRING_VRS.has(vr)) throw new TypeError(`a string is not a valid value for VR ${vr}`);
    const b = Buffer.from(value, 'latin1');
    if (b.length % 2 === 0) return b;
    return Buffer.concat([b, Buffer.from([vr === 'UI' ? 0 : 0x20])]);
  }
  if (value instanceof Uint8Array) {
    const b = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    return b.length % 2 === 0 ? b : Buffer.concat([b, Buffer.from([0])]);
  }
  const size = NUMBER_SIZE[vr];
  if (!size) throw new TypeError(`numbers are not a valid value for VR ${vr}`);
  const nums = value as readonly number[];
  const b = Buffer.alloc(size * nums.length);
  nums.forEach((n, i) => {
    const o = i * size;
    if (vr === 'US') b.writeUInt16LE(n, o);
    else if (vr === 'SS') b.writeInt16LE(n, o);
    else if (vr === 'UL') b.writeUInt32LE(n, o);
    else if (vr === 'SL') b.writeInt32LE(n, o);
    else if (vr === 'FL') b.writeFloatLE(n, o);
    else if (vr === 'FD') b.writeDoubleLE(n, o);
    else {
      b.writeUInt16LE(n >>> 16, o);
      b.writeUInt16LE(n & 0xffff, o + 2);
    }
  });
  return b;
}

export function encodeDataSet(ds: DataSet, ts: TransferSyntax): Buffer {
  const parts: Buffer[] = [];
  for (const tag of [...ds.keys()].sort((a, b) => a - b)) {
    const el = ds.get(tag)!;
    const v = encodeValue(el.vr, el.value, ts);
    let h: Buffer;
    if (ts === 'implicit') {
      h = Buffer.alloc(8);
      h.writeUInt32LE(v.length, 4);
    } else if (LONG_VRS.has(el.vr)) {
      h = Buffer.alloc(12);
      h.write(el.vr, 4, 'latin1');
      h.writeUInt32LE(v.length, 8);
    } else {
      if (v.length > 0xffff) throw new RangeError(`value of ${tagText(tag)} too long for VR ${el.vr}`);
      h = Buffer.alloc(8);
      h.write(el.vr, 4, 'latin1');
      h.writeUInt16LE(v.length, 6);
    }
    h.writeUInt16LE(tag >>> 16, 0);
    h.writeUInt16LE(tag & 0xffff, 2);
    parts.push(h, v);
  }
  return Buffer.concat(parts);
}

/** Command sets are always implicit VR little endian and start with their group length. */
export function encodeCommand(ds: DataSet): Buffer {
  const copy: DataSet = new Map(ds);
  copy.delete(0x00000000);
  const body = encodeDataSet(copy, 'implicit');
  const gl = Buffer.alloc(12);
  gl.writeUInt32LE(4, 4);
  gl.writeUInt32LE(body.length, 8);
  return Buffer.concat([gl, body]);
}

// ---------------------------------------------------------------- decoding

function bad(message: string): DicomError {
  return new DicomError('DICOM_DATA_INVALID', message);
}

class Cursor {
  pos: number;
  constructor(readonly buf: Buffer, start: number, readonly end: number) {
    this.pos = start;
  }
  need(n: number, what: string): void {
    if (n > this.end - this.pos) throw bad(`data set truncated in ${what} at byte ${this.pos}`);
  }
  u16(): number {
    this.need(2, 'an element header');
    const v = this.buf.readUInt16LE(this.pos);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4, 'an element header');
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }
  tag(): number {
    const g = this.u16();
    return ((g << 16) >>> 0) + this.u16();
  }
}

function decodeValue(buf: Buffer, vr: Vr, tag: number): DicomValue {
  if (STRING_VRS.has(vr)) return buf.toString('latin1').replace(/[\0 ]+$/, '');
  const size = NUMBER_SIZE[vr];
  if (size) {
    if (buf.length % size !== 0) throw bad(`${tagText(tag)} ${vr} has length ${buf.length}, not a multiple of ${size}`);
    const out: number[] = [];
    for (let o = 0; o < buf.length; o += size) {
      if (vr === 'US') out.push(buf.readUInt16LE(o));
      else if (vr === 'SS') out.push(buf.readInt16LE(o));
      else if (vr === 'UL') out.push(buf.readUInt32LE(o));
      else if (vr === 'SL') out.push(buf.readInt32LE(o));
      else if (vr === 'FL') out.push(buf.readFloatLE(o));
      else if (vr === 'FD') out.push(buf.readDoubleLE(o));
      else out.push(((buf.readUInt16LE(o) << 16) >>> 0) + buf.readUInt16LE(o + 2));
    }
    return out;
  }
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

function readItems(c: Cursor, length: number, ts: TransferSyntax, depth: number): DataSet[] {
  const items: DataSet[] = [];
  const end = length === UNDEFINED ? c.end : c.pos + length;
  if (end > c.end) throw bad(`sequence length ${length} runs past the end of the data`);
  while (c.pos < end) {
    const tag = c.tag();
    const len = c.u32();
    if (tag === SEQ_DELIM) {
      if (length !== UNDEFINED) throw bad('sequence delimiter in a sequence of defined length');
      return items;
    }
    if (tag !== ITEM) throw bad(`expected an item in a sequence, found ${tagText(tag)}`);
    if (len === UNDEFINED) {
      items.push(readElements(c, c.end, ts, depth + 1, true));
    } else {
      c.need(len, 'a sequence item');
      items.push(readElements(c, c.pos + len, ts, depth + 1, false));
    }
  }
  if (length === UNDEFINED) throw bad('sequence of undefined length without a sequence delimiter');
  return items;
}

function readElements(c: Cursor, end: number, ts: TransferSyntax, depth: number, untilDelimiter: boolean): DataSet {
  if (depth > MAX_DEPTH) throw bad(`sequences nested deeper than ${MAX_DEPTH} levels`);
  const ds: DataSet = new Map();
  const inner = new Cursor(c.buf, c.pos, end);
  while (inner.pos < end) {
    const tag = inner.tag();
    if (tag === ITEM_DELIM) {
      inner.u32();
      if (!untilDelimiter) throw bad('item delimiter in an item of defined length');
      c.pos = inner.pos;
      return ds;
    }
    let vr: Vr;
    let length: number;
    if (ts === 'implicit' || tag >>> 16 === 0xfffe) {
      vr = vrOf(tag);
      length = inner.u32();
    } else {
      inner.need(2, 'a VR');
      const text = inner.buf.toString('latin1', inner.pos, inner.pos + 2);
      inner.pos += 2;
      if (!VR_SET.has(text)) throw bad(`unknown VR "${text.replace(/[^\x20-\x7e]/g, '.')}" for ${tagText(tag)}`);
      vr = text as Vr;
      if (LONG_VRS.has(vr)) {
        inner.u16();
        length = inner.u32();
      } else length = inner.u16();
    }
    if (length === UNDEFINED) {
      if (vr !== 'SQ' && vr !== 'UN') throw bad(`${tagText(tag)} ${vr} has undefined length`);
      ds.set(tag, { vr: 'SQ', value: readItems(inner, UNDEFINED, ts, depth) });
      continue;
    }
    inner.need(length, `the value of ${tagText(tag)}`);
    if (vr === 'SQ') {
      const sub = new Cursor(inner.buf, inner.pos, inner.pos + length);
      ds.set(tag, { vr, value: readItems(sub, length, ts, depth) });
    } else {
      ds.set(tag, { vr, value: decodeValue(inner.buf.subarray(inner.pos, inner.pos + length), vr, tag) });
    }
    inner.pos += length;
  }
  if (untilDelimiter) throw bad('item of undefined length without an item delimiter');
  c.pos = inner.pos;
  return ds;
}

/** Decodes a whole data set; throws DicomError DICOM_DATA_INVALID on malformed input. */
export function decodeDataSet(bytes: Uint8Array, ts: TransferSyntax): DataSet {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const c = new Cursor(buf, 0, buf.length);
  return readElements(c, buf.length, ts, 0, false);
}

// ---------------------------------------------------------------- helpers

export function getString(ds: DataSet, tag: number): string | undefined {
  const v = ds.get(tag)?.value;
  return typeof v === 'string' ? v : undefined;
}

export function getNumber(ds: DataSet, tag: number): number | undefined {
  const v = ds.get(tag)?.value;
  return Array.isArray(v) && typeof v[0] === 'number' ? v[0] : undefined;
}

export function getItems(ds: DataSet, tag: number): readonly DataSet[] | undefined {
  const el = ds.get(tag);
  return el?.vr === 'SQ' ? (el.value as readonly DataSet[]) : undefined;
}
