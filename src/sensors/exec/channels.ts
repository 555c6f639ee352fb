// Nagios perfdata metrics as Wardwatch channels: a unique camelCase key from the label, the UOM
// mapped to our units (us → ms, KB/MB/GB/TB → bytes, c → count), and warn/crit ranges as limits
// where a Limits object can say the same thing; `@` (alert inside) ranges stay as text.

import type { ChannelValue, Limits, Unit } from '../../core/model.ts';
import type { NagiosRange, PerfMetric } from './perfdata.ts';

const UOM: Readonly<Record<string, { unit: Unit; factor: number }>> = {
  '': { unit: 'value', factor: 1 },
  s: { unit: 's', factor: 1 },
  ms: { unit: 'ms', factor: 1 },
  us: { unit: 'ms', factor: 0.001 },
  '%': { unit: '%', factor: 1 },
  B: { unit: 'bytes', factor: 1 },
  KB: { unit: 'bytes', factor: 1024 },
  MB: { unit: 'bytes', factor: 1024 ** 2 },
  GB: { unit: 'bytes', factor: 1024 ** 3 },
  TB: { unit: 'bytes', factor: 1024 ** 4 },
  c: { unit: 'count', factor: 1 },
};

/** "time to first byte" → timeToFirstByte, "/var/lib" → varLib, "1min" → m1min. */
export function channelKey(label: string): string {
  const words = label
    .normalize('NFKD')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .split(' ')
    .filter((w) => w !== '');
  if (words.length === 0) return label.trim() === '/' ? 'root' : 'value';
  const key = words.map((w, i) => (i === 0 ? w.charAt(0).toLowerCase() + w.slice(1) : w.charAt(0).toUpperCase() + w.slice(1))).join('');
  return /^\p{L}/u.test(key) ? key : `m${key}`;
}

export interface ChannelResult {
  readonly channels: ChannelValue[];
  /** Notes for the message: unknown units, ranges kept as text. */
  readonly notes: string[];
}

export function metricsToChannels(metrics: readonly PerfMetric[]): ChannelResult {
  const channels: ChannelValue[] = [];
  const notes: string[] = [];
  const used = new Set<string>();
  for (const m of metrics) {
    if (m.value === undefined) continue;
    const base = channelKey(m.label);
    let key = base;
    for (let k = 2; used.has(key); k++) key = `${base}${k}`;
    used.add(key);
    // Exact per the guidelines; byte units also in other cases (plugins write kB), but never c/C.
    const map = UOM[m.uom] ?? (/^[kmgt]b$/i.test(m.uom) ? UOM[m.uom.toUpperCase()] : undefined);
    if (!map) notes.push(`${m.label}: unknown unit "${m.uom}" (kept as a plain value)`);
    const { unit, factor } = map ?? { unit: 'value' as const, factor: 1 };
    const limits: { -readonly [K in keyof Limits]: Limits[K] } = {};
    const put = (r: NagiosRange | undefined, level: 'Warning' | 'Error') => {
      if (!r) return;
      if (r.inside) {
        notes.push(`${m.label}: ${level === 'Error' ? 'critical' : 'warning'} range ${r.text} alerts inside the range (kept as text)`);
        return;
      }
      if (r.end !== undefined) limits[`upper${level}`] = scale(r.end, factor);
      if (r.start !== undefined) limits[`lower${level}`] = scale(r.start, factor);
    };
    put(m.warn, 'Warning');
    put(m.crit, 'Error');
    channels.push({ key, value: scale(m.value, factor), unit, name: m.label, ...(Object.keys(limits).length > 0 ? { limits } : {}) });
  }
  return { channels, notes };
}

function scale(v: number, factor: number): number {
  if (factor === 1) return v;
  // Avoid 0.30000000000000004-style noise from the unit conversion.
  return Number((v * factor).toPrecision(12));
}
