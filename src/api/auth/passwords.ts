// Password hashing with scrypt from node:crypto (memory-hard, no native addon to build), stored
// as "scrypt$N$r$p$salt$hash" so that parameters can be raised later without breaking old hashes.

import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export interface ScryptParams {
  /** CPU/memory cost, a power of two: 2^15 uses 32 MiB per hash. */
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };
const KEY_BYTES = 32;

function derive(password: string, salt: Buffer, prm: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, { N: prm.N, r: prm.r, p: prm.p, maxmem: 256 * prm.N * prm.r + 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPassword(password: string, prm: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, prm);
  return `scrypt$${prm.N}$${prm.r}$${prm.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Constant-time comparison; a malformed stored hash never matches (and says so in the error log, not here). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (!Number.isInteger(N) || !Number.isInteger(r) || !Number.isInteger(p) || N < 2) return false;
  const salt = Buffer.from(parts[4] ?? '', 'base64');
  const want = Buffer.from(parts[5] ?? '', 'base64');
  if (want.length !== KEY_BYTES) return false;
  const got = await derive(password, salt, { N, r, p });
  return timingSafeEqual(got, want);
}

/** Password rules checked when a local password is set. Returns the problem, or undefined. */
export function passwordProblem(password: string, login: string): string | undefined {
  if (password.length < 12) return 'the password must be at least 12 characters long';
  if (password.length > 1024) return 'the password must be at most 1024 characters long';
  if (password.toLowerCase().includes(login.toLowerCase()) && login.length >= 3) return 'the password must not contain the login name';
  return undefined;
}
