// Signed acknowledgement links: a token names the alert and the recipient it was sent to, and when
// it stops working; an HMAC-SHA256 over those with a key only the server has makes it unforgeable,
// so a link in an email or chat message acknowledges without a login.

import { createHmac, timingSafeEqual } from 'node:crypto';

export interface AckTokenPayload {
  readonly alertId: string;
  readonly recipient: string;
  /** Epoch ms after which the token is refused. */
  readonly expiresAt: number;
}

export type AckTokenCheck = { readonly ok: true; readonly alertId: string; readonly recipient: string } | { readonly ok: false; readonly reason: string };

function mac(key: Buffer | string, body: string): Buffer {
  return createHmac('sha256', key).update(`wardwatch-ack.v1.${body}`).digest();
}

/** "body.signature", both base64url; the body is JSON {a, r, e}. */
export function signAckToken(p: AckTokenPayload, key: Buffer | string): string {
  if ((typeof key === 'string' ? Buffer.byteLength(key) : key.length) < 16) throw new Error('ack link key: expected at least 16 bytes');
  const body = Buffer.from(JSON.stringify({ a: p.alertId, r: p.recipient, e: p.expiresAt })).toString('base64url');
  return `${body}.${mac(key, body).toString('base64url')}`;
}

export function verifyAckToken(token: string, key: Buffer | string, now: number): AckTokenCheck {
  const parts = token.split('.');
  if (parts.length !== 2 || !/^[A-Za-z0-9_-]+$/.test(parts[0]!) || !/^[A-Za-z0-9_-]+$/.test(parts[1]!)) {
    return { ok: false, reason: 'malformed token: expected two base64url parts separated by "."' };
  }
  const [body, sig] = parts as [string, string];
  const expected = mac(key, body);
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid signature: the link was altered or signed with another key' };
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed token: the body is not JSON' };
  }
  const p = payload as { a?: unknown; r?: unknown; e?: unknown };
  if (typeof p.a !== 'string' || typeof p.r !== 'string' || typeof p.e !== 'number') return { ok: false, reason: 'malformed token: expected alert, recipient and expiry' };
  if (now >= p.e) return { ok: false, reason: `expired at ${new Date(p.e).toISOString()}` };
  return { ok: true, alertId: p.a, recipient: p.r };
}
