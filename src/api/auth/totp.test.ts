// TOTP against the RFC 6238 test vectors, base32, drift matching; scrypt hashes and verification.

import { describe, expect, it } from 'vitest';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.ts';
import { base32Decode, base32Encode, hotp, matchTotp, totpCode } from './totp.ts';
import { TEST_SCRYPT } from './testing.ts';

// RFC 6238 appendix B, SHA-1 seed "12345678901234567890"; the RFC prints 8 digits, we use the last 6.
const SEED = base32Encode(Buffer.from('12345678901234567890'));
const VECTORS: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('TOTP', () => {
  it('matches the RFC 6238 vectors', () => {
    for (const [t, code] of VECTORS) expect(totpCode(SEED, t * 1000)).toBe(code.slice(2));
    expect(hotp(Buffer.from('12345678901234567890'), 0)).toBe('755224'); // RFC 4226
  });

  it('round-trips base32 and names a bad character', () => {
    const buf = Buffer.from([0, 1, 2, 250, 251, 252, 253, 254, 255, 7]);
    expect(base32Decode(base32Encode(buf))).toEqual(buf);
    expect(base32Decode('gezd gnbv')).toEqual(base32Decode('GEZDGNBV'));
    expect(() => base32Decode('AB1C')).toThrow('TOTP secret: character 3 ("1") is not base32');
  });

  it('accepts codes within the drift window and returns their step', () => {
    const now = 1_700_000_000_000;
    const step = Math.floor(now / 30_000);
    expect(matchTotp(SEED, totpCode(SEED, now), now, 1)).toBe(step);
    expect(matchTotp(SEED, totpCode(SEED, now - 30_000), now, 1)).toBe(step - 1);
    expect(matchTotp(SEED, totpCode(SEED, now + 30_000), now, 1)).toBe(step + 1);
    expect(matchTotp(SEED, totpCode(SEED, now - 60_000), now, 1)).toBeUndefined();
    expect(matchTotp(SEED, '12345', now, 1)).toBeUndefined();
    expect(matchTotp(SEED, 'abcdef', now, 1)).toBeUndefined();
  });
});

describe('passwords', () => {
  it('hashes with scrypt and a salt, verifies in constant time, rejects garbage', async () => {
    const h = await hashPassword('correct horse battery', TEST_SCRYPT);
    expect(h).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9+/]+=*\$[A-Za-z0-9+/]+=*$/);
    expect(await hashPassword('correct horse battery', TEST_SCRYPT)).not.toBe(h);
    expect(await verifyPassword('correct horse battery', h)).toBe(true);
    expect(await verifyPassword('correct horse batterz', h)).toBe(false);
    expect(await verifyPassword('x', 'md5$abc')).toBe(false);
    expect(await verifyPassword('x', 'scrypt$x$8$1$AA==$AA==')).toBe(false);
  });

  it('uses memory-hard defaults', async () => {
    expect(await hashPassword('pw', undefined)).toMatch(/^scrypt\$32768\$8\$1\$/);
  });

  it('states the password rules', () => {
    expect(passwordProblem('short', 'ann')).toBe('the password must be at least 12 characters long');
    expect(passwordProblem('my-name-is-annabel', 'Annabel')).toBe('the password must not contain the login name');
    expect(passwordProblem('a good long passphrase', 'ann')).toBeUndefined();
  });
});
