// DICOM upper layer PDUs (PS3.8 §9.3): typed values, encoders and bounds-checked decoders.
// Decoders take the body of one framed PDU and either return a value or throw a DicomError with
// code DICOM_PDU_INVALID; they never read outside the buffer or trust a length they cannot check.

import { DicomError } from './errors.ts';
import { PDU_TYPE } from './constants.ts';

export interface PresentationContextRq {
  readonly id: number;
  readonly abstractSyntax: string;
  readonly transferSyntaxes: readonly string[];
}

export interface PresentationContextAc {
  readonly id: number;
  /** 0 accepted, 1 user rejection, 2 no reason, 3 abstract syntax not supported, 4 transfer syntaxes not supported. */
  readonly result: number;
  readonly transferSyntax: string;
}

export interface UserInfo {
  /** Largest P-DATA-TF PDU (variable part) the sender accepts; 0 means no limit. */
  readonly maxPduLength: number;
  readonly implementationClassUid?: string;
  readonly implementationVersion?: string;
}

export interface AssociateRq {
  readonly type: 'associate-rq';
  readonly protocolVersion: number;
  readonly calledAe: string;
  readonly callingAe: string;
  readonly applicationContext: string;
  readonly contexts: readonly PresentationContextRq[];
  readonly userInfo: UserInfo;
}

export interface AssociateAc {
  readonly type: 'associate-ac';
  readonly protocolVersion: number;
  readonly calledAe: string;
  readonly callingAe: string;
  readonly applicationContext: string;
  readonly contexts: readonly PresentationContextAc[];
  readonly userInfo: UserInfo;
}

export interface AssociateRj {
  readonly type: 'associate-rj';
  readonly result: number;
  readonly source: number;
  readonly reason: number;
}

/** One presentation data value: a fragment of a command or a data set. */
export interface Pdv {
  readonly contextId: number;
  readonly command: boolean;
  readonly last: boolean;
  readonly data: Uint8Array;
}

export interface PData {
  readonly type: 'p-data';
  readonly pdvs: readonly Pdv[];
}

export interface ReleaseRq { readonly type: 'release-rq' }
export interface ReleaseRp { readonly type: 'release-rp' }
export interface Abort { readonly type: 'abort'; readonly source: number; readonly reason: number }

export type Pdu = AssociateRq | AssociateAc | AssociateRj | PData | ReleaseRq | ReleaseRp | Abort;

const ITEM = { appContext: 0x10, pcRq: 0x20, pcAc: 0x21, abstract: 0x30, transfer: 0x40, userInfo: 0x50, maxLength: 0x51, implClass: 0x52, implVersion: 0x55 } as const;

function invalid(message: string): DicomError {
  return new DicomError('DICOM_PDU_INVALID', message);
}

/** Bounds-checked big-endian reader over one PDU body. */
class Reader {
  #pos = 0;
  constructor(private readonly buf: Uint8Array, private readonly what: string) {}
  get remaining(): number {
    return this.buf.length - this.#pos;
  }
  #need(n: number): void {
    if (n > this.remaining) throw invalid(`${this.what}: truncated (needs ${n} more bytes, ${this.remaining} left)`);
  }
  u8(): number {
    this.#need(1);
    return this.buf[this.#pos++]!;
  }
  u16(): number {
    this.#need(2);
    const v = (this.buf[this.#pos]! << 8) | this.buf[this.#pos + 1]!;
    this.#pos += 2;
    return v;
  }
  u32(): number {
    this.#need(4);
    const b = this.buf;
    const p = this.#pos;
    this.#pos += 4;
    return ((b[p]! << 24) >>> 0) + (b[p + 1]! << 16) + (b[p + 2]! << 8) + b[p + 3]!;
  }
  bytes(n: number): Uint8Array {
    this.#need(n);
    const out = this.buf.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }
  skip(n: number): void {
    this.#need(n);
    this.#pos += n;
  }
}

function ascii(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

/** UIDs are padded with NUL, AE titles with spaces; both are trimmed the same way. */
function uidText(b: Uint8Array): string {
  return ascii(b).replace(/[\0 ]+$/, '');
}

function aeText(b: Uint8Array): string {
  return ascii(b).trim();
}

// ---------------------------------------------------------------- encoding

function item(type: number, body: Uint8Array): Buffer {
  const h = Buffer.alloc(4);
  h[0] = type;
  h.writeUInt16BE(body.length, 2);
  return Buffer.concat([h, body]);
}

function uidItem(type: number, uid: string): Buffer {
  return item(type, Buffer.from(uid, 'latin1'));
}

function pduBuffer(type: number, body: Uint8Array): Buffer {
  const h = Buffer.alloc(6);
  h[0] = type;
  h.writeUInt32BE(body.length, 2);
  return Buffer.concat([h, body]);
}

/** AE titles are 1–16 characters of the default repertoire, no backslash, no control characters. */
export function validAeTitle(ae: string): boolean {
  return ae.trim().length > 0 && ae.length <= 16 && /^[\x20-\x5b\x5d-\x7e]+$/.test(ae);
}

function aeField(ae: string): Buffer {
  if (!validAeTitle(ae)) throw new RangeError(`invalid AE title ${JSON.stringify(ae)}: 1 to 16 printable characters, no backslash`);
  return Buffer.from(ae.padEnd(16, ' '), 'latin1');
}

function userInfoItem(u: UserInfo): Buffer {
  const max = Buffer.alloc(4);
  max.writeUInt32BE(u.maxPduLength >>> 0);
  const subs = [item(ITEM.maxLength, max)];
  if (u.implementationClassUid) subs.push(uidItem(ITEM.implClass, u.implementationClassUid));
  if (u.implementationVersion) subs.push(item(ITEM.implVersion, Buffer.from(u.implementationVersion, 'latin1')));
  return item(ITEM.userInfo, Buffer.concat(subs));
}

function associateHeader(called: string, calling: string, version: number): Buffer {
  const h = Buffer.alloc(68);
  h.writeUInt16BE(version, 0);
  aeField(called).copy(h, 4);
  aeField(calling).copy(h, 20);
  return h;
}

export function encodePdu(pdu: Pdu): Buffer {
  switch (pdu.type) {
    case 'associate-rq': {
      const pcs = pdu.contexts.map((pc) =>
        item(ITEM.pcRq, Buffer.concat([Buffer.from([pc.id, 0, 0, 0]), uidItem(ITEM.abstract, pc.abstractSyntax), ...pc.transferSyntaxes.map((ts) => uidItem(ITEM.transfer, ts))])),
      );
      return pduBuffer(PDU_TYPE.associateRq, Buffer.concat([associateHeader(pdu.calledAe, pdu.callingAe, pdu.protocolVersion), uidItem(ITEM.appContext, pdu.applicationContext), ...pcs, userInfoItem(pdu.userInfo)]));
    }
    case 'associate-ac': {
      const pcs = pdu.contexts.map((pc) => item(ITEM.pcAc, Buffer.concat([Buffer.from([pc.id, 0, pc.result, 0]), uidItem(ITEM.transfer, pc.transferSyntax)])));
      return pduBuffer(PDU_TYPE.associateAc, Buffer.concat([associateHeader(pdu.calledAe, pdu.callingAe, pdu.protocolVersion), uidItem(ITEM.appContext, pdu.applicationContext), ...pcs, userInfoItem(pdu.userInfo)]));
    }
    case 'associate-rj':
      return pduBuffer(PDU_TYPE.associateRj, Buffer.from([0, pdu.result, pdu.source, pdu.reason]));
    case 'p-data': {
      const parts = pdu.pdvs.map((v) => {
        const h = Buffer.alloc(6);
        h.writeUInt32BE(v.data.length + 2, 0);
        h[4] = v.contextId;
        h[5] = (v.command ? 1 : 0) | (v.last ? 2 : 0);
        return Buffer.concat([h, v.data]);
      });
      return pduBuffer(PDU_TYPE.pData, Buffer.concat(parts));
    }
    case 'release-rq':
      return pduBuffer(PDU_TYPE.releaseRq, Buffer.alloc(4));
    case 'release-rp':
      return pduBuffer(PDU_TYPE.releaseRp, Buffer.alloc(4));
    case 'abort':
      return pduBuffer(PDU_TYPE.abort, Buffer.from([0, 0, pdu.source, pdu.reason]));
  }
}

// ---------------------------------------------------------------- decoding

interface AssociateCommon {
  protocolVersion: number;
  calledAe: string;
  callingAe: string;
  applicationContext: string;
  userInfo: UserInfo;
}

function decodeUserInfo(body: Uint8Array): UserInfo {
  const r = new Reader(body, 'user information item');
  let maxPduLength = 0;
  let implementationClassUid: string | undefined;
  let implementationVersion: string | undefined;
  while (r.remaining > 0) {
    const t = r.u8();
    r.skip(1);
    const len = r.u16();
    const v = r.bytes(len);
    if (t === ITEM.maxLength) {
      if (len !== 4) throw invalid(`maximum length sub-item has length ${len}, expected 4`);
      maxPduLength = new Reader(v, 'maximum length').u32();
    } else if (t === ITEM.implClass) implementationClassUid = uidText(v);
    else if (t === ITEM.implVersion) implementationVersion = aeText(v);
  }
  return { maxPduLength, ...(implementationClassUid ? { implementationClassUid } : {}), ...(implementationVersion ? { implementationVersion } : {}) };
}

function decodeAssociate(body: Uint8Array, isRq: boolean): AssociateRq | AssociateAc {
  const what = isRq ? 'A-ASSOCIATE-RQ' : 'A-ASSOCIATE-AC';
  const r = new Reader(body, what);
  const protocolVersion = r.u16();
  r.skip(2);
  const calledAe = aeText(r.bytes(16));
  const callingAe = aeText(r.bytes(16));
  r.skip(32);
  const common: AssociateCommon = { protocolVersion, calledAe, callingAe, applicationContext: '', userInfo: { maxPduLength: 0 } };
  const rqContexts: PresentationContextRq[] = [];
  const acContexts: PresentationContextAc[] = [];
  let sawAppContext = false;
  while (r.remaining > 0) {
    const t = r.u8();
    r.skip(1);
    const len = r.u16();
    const v = r.bytes(len);
    if (t === ITEM.appContext) {
      common.applicationContext = uidText(v);
      sawAppContext = true;
    } else if (t === ITEM.userInfo) common.userInfo = decodeUserInfo(v);
    else if (t === ITEM.pcRq && isRq) rqContexts.push(decodeContextRq(v));
    else if (t === ITEM.pcAc && !isRq) acContexts.push(decodeContextAc(v));
    else throw invalid(`${what}: unexpected item type 0x${t.toString(16).padStart(2, '0')}`);
  }
  if (!sawAppContext) throw invalid(`${what}: no application context item`);
  return isRq ? { type: 'associate-rq', ...common, contexts: rqContexts } : { type: 'associate-ac', ...common, contexts: acContexts };
}

function decodeContextRq(body: Uint8Array): PresentationContextRq {
  const r = new Reader(body, 'presentation context item');
  const id = r.u8();
  r.skip(3);
  let abstractSyntax: string | undefined;
  const transferSyntaxes: string[] = [];
  while (r.remaining > 0) {
    const t = r.u8();
    r.skip(1);
    const v = r.bytes(r.u16());
    if (t === ITEM.abstract) abstractSyntax = uidText(v);
    else if (t === ITEM.transfer) transferSyntaxes.push(uidText(v));
    else throw invalid(`presentation context ${id}: unexpected sub-item type 0x${t.toString(16).padStart(2, '0')}`);
  }
  if (abstractSyntax === undefined) throw invalid(`presentation context ${id}: no abstract syntax`);
  if (transferSyntaxes.length === 0) throw invalid(`presentation context ${id}: no transfer syntax`);
  return { id, abstractSyntax, transferSyntaxes };
}

function decodeContextAc(body: Uint8Array): PresentationContextAc {
  const r = new Reader(body, 'presentation context item');
  const id = r.u8();
  r.skip(1);
  const result = r.u8();
  r.skip(1);
  let transferSyntax = '';
  while (r.remaining > 0) {
    const t = r.u8();
    r.skip(1);
    const v = r.bytes(r.u16());
    if (t === ITEM.transfer) transferSyntax = uidText(v);
    else throw invalid(`presentation context ${id}: unexpected sub-item type 0x${t.toString(16).padStart(2, '0')}`);
  }
  return { id, result, transferSyntax };
}

function decodePData(body: Uint8Array): PData {
  const r = new Reader(body, 'P-DATA-TF');
  const pdvs: Pdv[] = [];
  while (r.remaining > 0) {
    const len = r.u32();
    if (len < 2) throw invalid(`P-DATA-TF: presentation data value of length ${len}`);
    const v = r.bytes(len);
    const mch = v[1]!;
    pdvs.push({ contextId: v[0]!, command: (mch & 1) === 1, last: (mch & 2) === 2, data: v.subarray(2) });
  }
  if (pdvs.length === 0) throw invalid('P-DATA-TF without presentation data values');
  return { type: 'p-data', pdvs };
}

/** Decodes the body of one framed PDU of the given type. */
export function decodePdu(type: number, body: Uint8Array): Pdu {
  switch (type) {
    case PDU_TYPE.associateRq:
      return decodeAssociate(body, true);
    case PDU_TYPE.associateAc:
      return decodeAssociate(body, false);
    case PDU_TYPE.associateRj: {
      if (body.length !== 4) throw invalid(`A-ASSOCIATE-RJ of length ${body.length}, expected 4`);
      return { type: 'associate-rj', result: body[1]!, source: body[2]!, reason: body[3]! };
    }
    case PDU_TYPE.pData:
      return decodePData(body);
    case PDU_TYPE.releaseRq:
    case PDU_TYPE.releaseRp:
      if (body.length !== 4) throw invalid(`A-RELEASE PDU of length ${body.length}, expected 4`);
      return { type: type === PDU_TYPE.releaseRq ? 'release-rq' : 'release-rp' };
    case PDU_TYPE.abort:
      if (body.length !== 4) throw invalid(`A-ABORT of length ${body.length}, expected 4`);
      return { type: 'abort', source: body[2]!, reason: body[3]! };
    default:
      throw invalid(`unknown PDU type 0x${type.toString(16).padStart(2, '0')}`);
  }
}
