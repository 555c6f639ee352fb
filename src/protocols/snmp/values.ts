// SNMP values as Wardwatch sees them: numbers (Counter64 as bigint, since net-snmp hands those
// over as raw 8-byte Buffers), text, OIDs, or "missing" (noSuchObject / noSuchInstance /
// endOfMibView / an SNMPv1 noSuchName) — never raw Buffers or type tags.

import { T, type Varbind } from './lib.ts';

export type SnmpValue =
  | { readonly kind: 'int'; readonly type: 'integer' | 'counter32' | 'gauge32' | 'timeticks'; readonly value: number }
  | { readonly kind: 'counter64'; readonly value: bigint }
  | { readonly kind: 'string'; readonly value: string; readonly bytes: Buffer }
  | { readonly kind: 'oid'; readonly value: string }
  | { readonly kind: 'ip'; readonly value: string }
  | { readonly kind: 'missing'; readonly reason: 'noSuchObject' | 'noSuchInstance' | 'endOfMibView' | 'noSuchName' }
  | { readonly kind: 'other'; readonly type: number };

/** Big-endian unsigned bytes (any length up to 8, as agents trim leading zeros) to bigint. */
export function bufferToBigInt(buf: Buffer): bigint {
  let v = 0n;
  for (const b of buf) v = (v << 8n) | BigInt(b);
  return v;
}

/** A bigint as the 8-byte big-endian Buffer net-snmp's agent encodes for Counter64. */
export function bigIntToBuffer(v: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt.asUintN(64, v));
  return b;
}

export function decodeVarbind(vb: Varbind | undefined): SnmpValue {
  if (!vb) return { kind: 'missing', reason: 'noSuchInstance' };
  const v = vb.value;
  switch (vb.type) {
    case T.Integer:
      return { kind: 'int', type: 'integer', value: Number(v) };
    case T.Counter32:
      return { kind: 'int', type: 'counter32', value: Number(v) >>> 0 };
    case T.Gauge32:
      return { kind: 'int', type: 'gauge32', value: Number(v) >>> 0 };
    case T.TimeTicks:
      return { kind: 'int', type: 'timeticks', value: Number(v) >>> 0 };
    case T.Counter64:
      return { kind: 'counter64', value: Buffer.isBuffer(v) ? bufferToBigInt(v) : BigInt(typeof v === 'number' ? Math.trunc(v) : 0) };
    case T.OctetString: {
      const bytes = Buffer.isBuffer(v) ? v : Buffer.from(typeof v === 'string' ? v : '');
      return { kind: 'string', value: bytes.toString('utf8'), bytes };
    }
    case T.OID:
      return { kind: 'oid', value: String(v) };
    case T.IpAddress:
      return { kind: 'ip', value: String(v) };
    case T.NoSuchObject:
      return { kind: 'missing', reason: 'noSuchObject' };
    case T.NoSuchInstance:
      return { kind: 'missing', reason: 'noSuchInstance' };
    case T.EndOfMibView:
      return { kind: 'missing', reason: 'endOfMibView' };
    default:
      return { kind: 'other', type: vb.type };
  }
}

/** The value as a number when it is one (numeric strings too, as UCD-SNMP's laLoad is "0.15"). */
export function numeric(v: SnmpValue | undefined): number | undefined {
  if (!v) return undefined;
  if (v.kind === 'int') return v.value;
  if (v.kind === 'counter64') return Number(v.value);
  if (v.kind === 'string') {
    const t = v.value.trim();
    if (/^[-+]?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(t)) return Number(t);
  }
  return undefined;
}

/** Text of a value for messages. */
export function text(v: SnmpValue | undefined): string | undefined {
  if (!v) return undefined;
  switch (v.kind) {
    case 'int':
      return String(v.value);
    case 'counter64':
      return v.value.toString();
    case 'string':
      return printable(v.bytes) ? v.value : v.bytes.toString('hex').replace(/(..)(?!$)/g, '$1:');
    case 'oid':
    case 'ip':
      return v.value;
    default:
      return undefined;
  }
}

function printable(b: Buffer): boolean {
  for (const c of b) if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) return false;
  return true;
}
