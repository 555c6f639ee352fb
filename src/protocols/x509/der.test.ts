import { describe, expect, it } from 'vitest';
import { certificateSignatureOid, decodeOid, readTlv, signatureAlgorithm } from './der.ts';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

/** Certificate skeleton: SEQUENCE { tbs SEQUENCE {}, AlgorithmIdentifier { OID, NULL }, BIT STRING } */
function skeleton(oidHex: string): Uint8Array {
  const oid = `06${(oidHex.length / 2).toString(16).padStart(2, '0')}${oidHex}`;
  const alg = `30${(oid.length / 2 + 2).toString(16).padStart(2, '0')}${oid}0500`;
  const body = `3000${alg}030100`;
  return hex(`30${(body.length / 2).toString(16).padStart(2, '0')}${body}`);
}

describe('DER reader', () => {
  it('decodes object identifiers, including multi-byte arcs', () => {
    const buf = hex('06 09 2a 86 48 86 f7 0d 01 01 0b');
    expect(decodeOid(buf, readTlv(buf, 0))).toBe('1.2.840.113549.1.1.11');
    const ed = hex('06 03 2b 65 70');
    expect(decodeOid(ed, readTlv(ed, 0))).toBe('1.3.101.112');
  });

  it('reads long-form lengths', () => {
    const buf = new Uint8Array(4 + 300);
    buf.set([0x30, 0x82, 0x01, 0x2c]);
    expect(readTlv(buf, 0)).toEqual({ tag: 0x30, start: 4, end: 304 });
  });

  it('finds the signature algorithm of a certificate', () => {
    expect(certificateSignatureOid(skeleton('2a864886f70d01010b'))).toBe('1.2.840.113549.1.1.11');
    expect(signatureAlgorithm(skeleton('2a864886f70d010105'))).toEqual({ oid: '1.2.840.113549.1.1.5', name: 'sha1WithRSAEncryption', weak: true });
    expect(signatureAlgorithm(skeleton('2a864886f70d010104'))).toEqual({ oid: '1.2.840.113549.1.1.4', name: 'md5WithRSAEncryption', weak: true });
    expect(signatureAlgorithm(skeleton('2a8648ce3d040302'))).toEqual({ oid: '1.2.840.10045.4.3.2', name: 'ecdsa-with-SHA256', weak: false });
    expect(signatureAlgorithm(skeleton('2a0304'))).toEqual({ oid: '1.2.3.4', name: '1.2.3.4', weak: false });
  });

  it.each([
    ['empty input', '', 'truncated element at offset 0'],
    ['not a sequence', '0400', 'a certificate must start with a SEQUENCE'],
    ['length past the end', '3005 3000', 'element at offset 0 runs past the end (7 > 4)'],
    ['two parts only', '3004 3000 3000', 'a certificate must have three parts: tbsCertificate, signatureAlgorithm, signature'],
    ['indefinite length', '3080 0000', 'unsupported length encoding at offset 0'],
    ['no OID', '3006 3000 3000 0300', 'the signature algorithm has no OBJECT IDENTIFIER'],
    ['OID of the wrong tag', '3008 3000 3002 0500 0300', 'expected an OBJECT IDENTIFIER'],
  ])('rejects %s', (_what, input, message) => {
    expect(() => certificateSignatureOid(hex(input))).toThrow(message);
  });
});
