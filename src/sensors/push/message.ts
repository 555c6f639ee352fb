// What a push report carries from the HTTP receiver (src/receivers/push) to the push kind through
// the inbox, and the token rules both sides share.

export const PUSH_STATUSES = ['up', 'warning', 'down'] as const;
export type PushStatus = (typeof PUSH_STATUSES)[number];

/** Long random strings only: a guessable token would let anyone report a device as up. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{20,128}$/;
export const TOKEN_RULE = 'a push token is 20 to 128 characters of A-Z, a-z, 0-9, _ and -';

/** Channel keys a report may use besides `value`; the kind's own channels are reserved. */
export const VALUE_KEY_PATTERN = /^[a-z][A-Za-z0-9]{0,63}$/;
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['lastPushAgeS', 'pushCount']);
export const MAX_VALUES = 50;

export interface PushMessage {
  /** Epoch ms when the receiver accepted the report. */
  readonly receivedAt: number;
  readonly values: Readonly<Record<string, number>>;
  readonly status?: PushStatus;
  readonly message?: string;
  /** The sender's address, for the event log. */
  readonly from?: string;
}

export function pushTopic(token: string): string {
  return `push:${token}`;
}

/** The inbox is untyped: a subscriber checks the shape before trusting it. */
export function isPushMessage(m: unknown): m is PushMessage {
  if (m === null || typeof m !== 'object') return false;
  const r = m as Record<string, unknown>;
  if (typeof r.receivedAt !== 'number' || r.values === null || typeof r.values !== 'object') return false;
  if (r.status !== undefined && !(PUSH_STATUSES as readonly unknown[]).includes(r.status)) return false;
  if (r.message !== undefined && typeof r.message !== 'string') return false;
  return Object.values(r.values).every((v) => typeof v === 'number' && Number.isFinite(v));
}
