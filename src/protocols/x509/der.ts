// A tiny DER reader for X.509 certificates: just enough to read the certificate's signature
// algorithm, which Node 20's X509Certificate does not expose. Throws DerError on malformed input.

export class DerError extends Error {
  override readonly name = 'DerError';
}

/** One tag-length-value element: `start`/`end` bound its content within the buffer. */
export interface Tlv {
  readonly tag: number;
  readonly start: number;
  readonly end: number;
}

const SEQUENCE = 0x30;
const OID = 0x06;

/** Reads the element at `offset` (single-byte tags only, which is all X.509 uses at this level). */
export function readTlv(buf: Uint8Array, offset: number, limit = buf.length): Tlv {
  if (offset + 2 > limit) throw new DerError(`truncated element at offset ${offset}`);
  const tag = buf[offset]!;
  let len = buf[offset + 1]!;
  let start = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new DerError(`unsupported length encoding at offset ${offset}`);
    if (start + n > limit) throw new DerError(`truncated length at offset ${offset}`);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[start + i]!;
    start += n;
  }
  const end = start + len;
  if (end > limit) throw new DerError(`element at offset ${offset} runs past the end (${end} > ${limit})`);
  return { tag, start, end };
}

/** The children of a constructed element. */
export function children(buf: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = parent.start; at < parent.end; ) {
    const el = readTlv(buf, at, parent.end);
    out.push(el);
    at = el.end;
  }
  return out;
}

/** Decodes an OBJECT IDENTIFIER's content to dotted form ("1.2.840.113549.1.1.11"). */
export function decodeOid(buf: Uint8Array, el: Tlv): string {
  if (el.tag !== OID || el.end <= el.start) throw new DerError('expected an OBJECT IDENTIFIER');
  const parts: number[] = [];
  let value = 0;
  for (let i = el.start; i < el.end; i++) {
    const b = buf[i]!;
    value = value * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      if (parts.length === 0) parts.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}

/** Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm AlgorithmIdentifier, signatureValue } */
export function certificateSignatureOid(der: Uint8Array): string {
  const cert = readTlv(der, 0);
  if (cert.tag !== SEQUENCE) throw new DerError('a certificate must start with a SEQUENCE');
  const parts = children(der, cert);
  const algorithm = parts[1];
  if (parts.length !== 3 || !algorithm || algorithm.tag !== SEQUENCE) throw new DerError('a certificate must have three parts: tbsCertificate, signatureAlgorithm, signature');
  const oid = children(der, algorithm)[0];
  if (!oid) throw new DerError('the signature algorithm has no OBJECT IDENTIFIER');
  return decodeOid(der, oid);
}

/** Signature algorithms by OID, with the hash that decides whether they are weak. */
export const SIGNATURE_ALGORITHMS: Readonly<Record<string, { readonly name: string; readonly weak: boolean }>> = {
  '1.2.840.113549.1.1.2': { name: 'md2WithRSAEncryption', weak: true },
  '1.2.840.113549.1.1.4': { name: 'md5WithRSAEncryption', weak: true },
  '1.2.840.113549.1.1.5': { name: 'sha1WithRSAEncryption', weak: true },
  '1.3.14.3.2.29': { name: 'sha1WithRSASignature', weak: true },
  '1.2.840.10045.4.1': { name: 'ecdsa-with-SHA1', weak: true },
  '1.2.840.10040.4.3': { name: 'dsa-with-SHA1', weak: true },
  '1.2.840.113549.1.1.14': { name: 'sha224WithRSAEncryption', weak: false },
  '1.2.840.113549.1.1.11': { name: 'sha256WithRSAEncryption', weak: false },
  '1.2.840.113549.1.1.12': { name: 'sha384WithRSAEncryption', weak: false },
  '1.2.840.113549.1.1.13': { name: 'sha512WithRSAEncryption', weak: false },
  '1.2.840.113549.1.1.10': { name: 'RSASSA-PSS', weak: false },
  '1.2.840.10045.4.3.1': { name: 'ecdsa-with-SHA224', weak: false },
  '1.2.840.10045.4.3.2': { name: 'ecdsa-with-SHA256', weak: false },
  '1.2.840.10045.4.3.3': { name: 'ecdsa-with-SHA384', weak: false },
  '1.2.840.10045.4.3.4': { name: 'ecdsa-with-SHA512', weak: false },
  '2.16.840.1.101.3.4.3.2': { name: 'dsa-with-SHA256', weak: false },
  '1.3.101.112': { name: 'Ed25519', weak: false },
  '1.3.101.113': { name: 'Ed448', weak: false },
};

export interface SignatureAlgorithm {
  readonly oid: string;
  /** Known name, or the OID itself when unknown. */
  readonly name: string;
  /** True for MD2/MD5/SHA-1 based signatures. */
  readonly weak: boolean;
}

export function signatureAlgorithm(der: Uint8Array): SignatureAlgorithm {
  const oid = certificateSignatureOid(der);
  const known = SIGNATURE_ALGORITHMS[oid];
  return { oid, name: known?.name ?? oid, weak: known?.weak ?? false };
}
