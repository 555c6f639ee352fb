// Shared settings fields for sensor kinds, with the error wording the config loader shows
// ("expected integer 1–65535, got "abc""). Using these keeps messages identical across kinds.

import { z } from 'zod';

function got(input: unknown): string {
  if (typeof input === 'string') return JSON.stringify(input);
  if (input === undefined) return 'nothing';
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  if (typeof input === 'number' || typeof input === 'boolean' || typeof input === 'bigint') return String(input);
  return typeof input;
}

/** TCP/UDP port. */
export function port(defaultPort?: number) {
  const s = z.number({ error: (i) => `expected integer 1–65535, got ${got(i.input)}` }).int({ error: (i) => `expected integer 1–65535, got ${got(i.input)}` }).min(1, { error: (i) => `expected integer 1–65535, got ${got(i.input)}` }).max(65535, { error: (i) => `expected integer 1–65535, got ${got(i.input)}` });
  return defaultPort === undefined ? s.describe('TCP port') : s.default(defaultPort).describe(`TCP port (default ${defaultPort})`);
}

/** Host name or IP address; filled from the device when the sensor leaves it out. */
export const host = z
  .string({ error: (i) => `expected a host name or IP address, got ${got(i.input)}` })
  .min(1, { error: 'expected a host name or IP address, got an empty string' })
  .max(253, { error: 'host name longer than 253 characters' })
  .regex(/^[A-Za-z0-9._:\-[\]%]+$/, { error: (i) => `expected a host name or IP address, got ${got(i.input)}` })
  .describe('Host name or IP address (default: the device host)');

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;
const FACTOR: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/** Parses "250ms", "30s", "5m", "2h", "1d" or a plain number of seconds; returns seconds or undefined. */
export function parseDuration(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
  if (typeof v !== 'string') return undefined;
  const m = DURATION.exec(v.trim());
  if (!m) return undefined;
  return Number(m[1]) * (FACTOR[m[2]!] ?? 1);
}

/** A duration in seconds, written as a number of seconds or "250ms" / "30s" / "5m" / "2h" / "1d". */
export function duration(opts: { min?: number; max?: number } = {}) {
  const min = opts.min ?? 0;
  const max = opts.max ?? Number.MAX_SAFE_INTEGER;
  const expected = `expected a duration such as 30s, 5m or 2h${min > 0 ? ` (at least ${min}s)` : ''}`;
  return z.custom<number | string>((v) => {
    const s = parseDuration(v);
    return s !== undefined && s >= min && s <= max;
  }, { error: (i) => `${expected}, got ${got(i.input)}` }).transform((v) => parseDuration(v)!);
}

export const describeGot = got;
