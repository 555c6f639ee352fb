import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodePdu, encodePdu, type Pdu } from './pdu.ts';
import { MessageAssembler, TAG, encodeMessage, findRq, statusOf } from './dimse.ts';
import { getNumber } from './dataset.ts';
import { UID, describeReject, describeAbort } from './constants.ts';
import { DicomError } from './errors.ts';

const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url));
const decode = (b: Uint8Array) => decodePdu(b[0]!, b.subarray(6));

function decodeError(fn: () => unknown): DicomError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DicomError) return e;
    throw e;
  }
  throw new Error('expected a DicomError');
}

describe('PDU codec', () => {
  it("decodes DCMTK echoscu's A-ASSOCIATE-RQ", () => {
    const rq = decode(fixture('echoscu-associate-rq.bin'));
    expect(rq).toEqual({
      type: 'associate-rq',
      protocolVersion: 1,
      calledAe: 'ANY-SCP',
      callingAe: 'ECHOSCU',
      applicationContext: UID.applicationContext,
      contexts: [{ id: 1, abstractSyntax: UID.verification, transferSyntaxes: [UID.implicitLittle] }],
      userInfo: { maxPduLength: 16384, implementationClassUid: '1.2.276.0.7230010.3.0.3.6.7', implementationVersion: 'OFFIS_DCMTK_367' },
    });
  });

  it("decodes storescp's A-ASSOCIATE-AC with one context accepted and one refused", () => {
    const ac = decode(fixture('storescp-associate-ac.bin'));
    expect(ac.type).toBe('associate-ac');
    if (ac.type !== 'associate-ac') return;
    expect(ac.calledAe).toBe('STORESCP');
    expect(ac.userInfo.maxPduLength).toBe(16384);
    expect(ac.contexts).toEqual([
      { id: 1, result: 0, transferSyntax: UID.implicitLittle },
      { id: 3, result: 3, transferSyntax: UID.implicitLittle },
    ]);
  });

  it("reassembles storescp's C-ECHO-RSP", () => {
    const pdu = decode(fixture('storescp-echo-rsp.bin'));
    if (pdu.type !== 'p-data') throw new Error('expected P-DATA-TF');
    const asm = new MessageAssembler({ maxDatasetBytes: 1024 });
    const m = asm.push(pdu.pdvs[0]!);
    expect(m && statusOf(m)).toBe(0);
    expect(m && getNumber(m.command, TAG.commandField)).toBe(0x8030);
    expect(m && getNumber(m.command, TAG.respondedTo)).toBe(7);
  });

  it('round-trips every PDU type', () => {
    const pdus: Pdu[] = [
      { type: 'associate-rq', protocolVersion: 1, calledAe: 'PACS', callingAe: 'WARDWATCH', applicationContext: UID.applicationContext, contexts: [{ id: 1, abstractSyntax: UID.verification, transferSyntaxes: [UID.explicitLittle, UID.implicitLittle] }, { id: 3, abstractSyntax: UID.worklistFind, transferSyntaxes: [UID.implicitLittle] }], userInfo: { maxPduLength: 65536, implementationClassUid: UID.implementationClass, implementationVersion: 'WARDWATCH_01' } },
      { type: 'associate-ac', protocolVersion: 1, calledAe: 'PACS', callingAe: 'WARDWATCH', applicationContext: UID.applicationContext, contexts: [{ id: 1, result: 0, transferSyntax: UID.explicitLittle }], userInfo: { maxPduLength: 0 } },
      { type: 'associate-rj', result: 1, source: 1, reason: 7 },
      { type: 'p-data', pdvs: [{ contextId: 1, command: true, last: false, data: Buffer.from([1, 2]) }, { contextId: 1, command: true, last: true, data: Buffer.from([3, 4]) }] },
      { type: 'release-rq' },
      { type: 'release-rp' },
      { type: 'abort', source: 2, reason: 6 },
    ];
    for (const p of pdus) {
      const back = decode(encodePdu(p));
      expect(JSON.parse(JSON.stringify(back))).toEqual(JSON.parse(JSON.stringify(p)));
    }
  });

  it('splits a large message into PDUs no longer than the peer maximum', () => {
    const data = Buffer.alloc(10_000, 7);
    const pdus = encodeMessage(1, findRq(1, UID.worklistFind), data, 4096);
    for (const p of pdus) expect(p.length - 6).toBeLessThanOrEqual(4096);
    const asm = new MessageAssembler({ maxDatasetBytes: 1 << 20 });
    let done;
    for (const p of pdus) {
      const d = decode(p);
      if (d.type !== 'p-data') throw new Error('expected P-DATA-TF');
      for (const v of d.pdvs) done = asm.push(v) ?? done;
    }
    expect(done?.dataset && Buffer.compare(Buffer.from(done.dataset), data)).toBe(0);
  });

  it('rejects malformed PDUs with exact messages', () => {
    expect(decodeError(() => decodePdu(0x03, Buffer.from([0, 1]))).message).toBe('A-ASSOCIATE-RJ of length 2, expected 4');
    expect(decodeError(() => decodePdu(0x09, Buffer.alloc(4))).message).toBe('unknown PDU type 0x09');
    expect(decodeError(() => decodePdu(0x04, Buffer.from([0, 0, 0, 1, 1]))).message).toBe('P-DATA-TF: presentation data value of length 1');
    expect(decodeError(() => decodePdu(0x04, Buffer.from([0, 0, 0, 9, 1, 3]))).message).toBe('P-DATA-TF: truncated (needs 9 more bytes, 2 left)');
    const rq = fixture('echoscu-associate-rq.bin');
    expect(decodeError(() => decodePdu(1, rq.subarray(6, 60))).message).toBe('A-ASSOCIATE-RQ: truncated (needs 32 more bytes, 18 left)');
    expect(decodeError(() => decodePdu(1, rq.subarray(6, 6 + 68))).message).toBe('A-ASSOCIATE-RQ: no application context item');
    expect(decodeError(() => decodePdu(1, rq.subarray(6, 110))).code).toBe('DICOM_PDU_INVALID');
  });

  it('refuses to encode an invalid AE title', () => {
    expect(() => encodePdu({ type: 'associate-rq', protocolVersion: 1, calledAe: 'A\\B', callingAe: 'X', applicationContext: UID.applicationContext, contexts: [], userInfo: { maxPduLength: 0 } })).toThrow('invalid AE title "A\\\\B"');
  });
});

describe('decoded reasons', () => {
  it('names rejections as operators read them', () => {
    expect(describeReject(1, 1, 7)).toEqual({ code: 'DICOM_ASSOC_REJECTED_CALLED_AE', text: 'association rejected (permanent) by the called application (service user): called AE title not recognized' });
    expect(describeReject(1, 1, 3).code).toBe('DICOM_ASSOC_REJECTED_CALLING_AE');
    expect(describeReject(2, 3, 2)).toEqual({ code: 'DICOM_ASSOC_REJECTED_LOCAL_LIMIT', text: 'association rejected (transient) by the DICOM service provider (presentation): local limit exceeded' });
    expect(describeReject(1, 2, 2)).toEqual({ code: 'DICOM_ASSOC_REJECTED', text: 'association rejected (permanent) by the DICOM service provider (ACSE): protocol version not supported' });
    expect(describeReject(1, 1, 2).code).toBe('DICOM_ASSOC_REJECTED_CONTEXT_NAME');
    expect(describeReject(1, 1, 1).code).toBe('DICOM_ASSOC_REJECTED_NO_REASON');
  });

  it('names aborts', () => {
    expect(describeAbort(0, 0)).toBe('association aborted by the peer application (service user)');
    expect(describeAbort(2, 6)).toBe('association aborted by the DICOM service provider: invalid PDU parameter value');
  });
});
