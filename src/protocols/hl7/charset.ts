// Character sets of HL7 v2 messages on the wire: MLLP carries bytes, MSH-18 says how to read them.
// We read ASCII and ISO 8859-1 as latin1 and UNICODE UTF-8 as utf8; the MSH segment itself is ASCII,
// so MSH-18 can be found before the rest is decoded.

export type Hl7Charset = 'latin1' | 'utf8';

/** Maps an MSH-18 value to a Node encoding; undefined for sets we do not decode (callers fall back). */
export function charsetFromMsh18(value: string): Hl7Charset | undefined {
  const v = value.trim().toUpperCase();
  if (v === 'ASCII' || v === '8859/1') return 'latin1';
  if (v === 'UNICODE UTF-8' || v === 'UNICODE' || v === 'UTF-8') return 'utf8';
  return undefined;
}

/** MSH-18 read from raw bytes (the first segment, split on its own field separator). */
export function msh18(bytes: Buffer): string {
  const end = bytes.findIndex((b) => b === 0x0d || b === 0x0a);
  const msh = bytes.subarray(0, end === -1 ? bytes.length : end).toString('latin1');
  if (!msh.startsWith('MSH') || msh.length < 4) return '';
  const fields = msh.split(msh[3]!);
  // fields[0] is "MSH", fields[1] is MSH-2, so MSH-n is fields[n - 1]
  return (fields[17] ?? '').split(msh[4] ?? '^')[0] ?? '';
}

/** Decodes a message by its MSH-18; without one, `fallback` (UTF-8 by default: ASCII is a subset). */
export function decodeHl7(bytes: Buffer, fallback: Hl7Charset = 'utf8'): string {
  return bytes.toString(charsetFromMsh18(msh18(bytes)) ?? fallback);
}

/** Encodes message text by its own MSH-18 (UTF-8 when absent or unknown). */
export function encodeHl7(text: string, fallback: Hl7Charset = 'utf8'): Buffer {
  const bytes = Buffer.from(text, 'latin1');
  const cs = charsetFromMsh18(msh18(bytes)) ?? fallback;
  return cs === 'latin1' ? bytes : Buffer.from(text, 'utf8');
}
