// Signed acknowledgement tokens on their own: round trip, a key too short to be safe, a body that
// is not JSON or lacks fields even with a valid signature, and expiry exactly at the instant.

import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signAckToken, verifyAckToken } from './tokens.ts';

const KEY = 'k'.repeat(32);
const sign = (body: string) => `${Buffer.from(body).toString('base64url')}.${createHmac('sha256', KEY).update(`wardwatch-ack.v1.${Buffer.from(body).toString('base64url')}`).digest('base64url')}`;

describe('ack tokens', () => {
  it('round-trip, and expire at expiresAt', () => {
    const tok = signAckToken({ alertId: 'al_1', recipient: 'dr.müller', expiresAt: 2000 }, KEY);
    expect(verifyAckToken(tok, KEY, 1999)).toEqual({ ok: true, alertId: 'al_1', recipient: 'dr.müller' });
    expect(verifyAckToken(tok, KEY, 2000)).toEqual({ ok: false, reason: 'expired at 1970-01-01T00:00:02.000Z' });
    expect(verifyAckToken(tok, Buffer.from(KEY), 0).ok).toBe(true);
  });

  it('refuses a short key, and signed bodies that are not what a token holds', () => {
    expect(() => signAckToken({ alertId: 'a', recipient: 'r', expiresAt: 1 }, 'short')).toThrow('ack link key: expected at least 16 bytes');
    expect(verifyAckToken(sign('{nope'), KEY, 0)).toEqual({ ok: false, reason: 'malformed token: the body is not JSON' });
    expect(verifyAckToken(sign('{"a":"x","r":"y"}'), KEY, 0)).toEqual({ ok: false, reason: 'malformed token: expected alert, recipient and expiry' });
    expect(verifyAckToken('a.b.c', KEY, 0)).toEqual({ ok: false, reason: 'malformed token: expected two base64url parts separated by "."' });
  });
});
