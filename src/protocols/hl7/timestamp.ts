// HL7 v2 timestamps (DTM/TS): YYYYMMDDHHMMSS. Written in UTC so that monitors in different time
// zones produce comparable values; the receiver only needs a well-formed, current time.

export function hl7Timestamp(epochMs: number): string {
  const d = new Date(epochMs);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}
