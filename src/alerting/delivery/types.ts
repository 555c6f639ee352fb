// The durable queue's records and the store role that keeps them ('delivery' module tables, SQLite
// or PostgreSQL). The dispatcher and the API queries depend only on DeliveryStore.

import type { Notification } from '../notification.ts';

export const DELIVERY_STATUSES = ['pending', 'sending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface QueuedNotification {
  readonly id: number;
  readonly notification: Notification;
  readonly status: DeliveryStatus;
  /** Attempts started so far, including one that a dead process left unfinished. */
  readonly attempts: number;
  readonly enqueuedAt: number;
  /** Next attempt (pending) or the end of the current lease (sending). */
  readonly dueAt: number;
  readonly leaseOwner?: string;
  readonly deliveredAt?: number;
  readonly failedAt?: number;
  readonly lastStatus?: string;
  readonly lastError?: string;
}

export interface AttemptRecord {
  readonly attempt: number;
  /** Which dispatcher made it ("host:pid:random"). */
  readonly owner: string;
  readonly startedAt: number;
  readonly durationMs: number;
  readonly ok: boolean;
  readonly retryable?: boolean;
  readonly status: string;
  readonly response?: string;
  readonly error?: string;
}

export interface NotificationWithAttempts extends QueuedNotification {
  readonly attemptLog: readonly AttemptRecord[];
}

export type AttemptOutcome =
  | { readonly next: 'delivered' }
  | { readonly next: 'retry'; readonly dueAt: number }
  | { readonly next: 'failed' };

export interface DeliveryQuery {
  readonly status?: DeliveryStatus;
  readonly alertId?: string;
  readonly channel?: string;
  /** Paging: notifications enqueued before this id (newest first). */
  readonly beforeId?: number;
  /** Default 100, at most 1000. */
  readonly limit?: number;
}

export interface DeliveryStore {
  /** Inserts the new ones in one transaction (same key = already queued: ignored); returns how many were new. */
  enqueue(list: readonly Notification[], now: number): Promise<number>;
  /**
   * Takes up to `limit` due notifications for `owner` until now + leaseMs: pending ones whose time
   * has come, and ones still 'sending' whose lease ran out (their owner died: the unfinished
   * attempt is logged as such). Two dispatchers never hold the same row.
   */
  claim(owner: string, now: number, leaseMs: number, limit: number): Promise<QueuedNotification[]>;
  /**
   * Logs the attempt and applies the outcome if `owner` still holds the lease; false when it had
   * lost it. `followUps` (the delivery-failed notice for the fallback channel) are enqueued in the
   * same transaction, only when the outcome was applied: a crash cannot lose them in between.
   */
  finish(id: number, owner: string, attempt: AttemptRecord, outcome: AttemptOutcome, followUps?: readonly Notification[]): Promise<boolean>;
  /** On orderly shutdown: hands the owner's unfinished rows back as pending, due now. */
  release(owner: string, now: number): Promise<number>;
  /** Earliest due time of a pending row or lease end of a sending one; undefined when none. */
  nextDue(): Promise<number | undefined>;
  list(q: DeliveryQuery): Promise<NotificationWithAttempts[]>;
  get(key: string): Promise<NotificationWithAttempts | undefined>;
  counts(): Promise<Record<DeliveryStatus, number>>;
  /** Deletes delivered and failed notifications (with their attempts) finished before `before`; returns how many. */
  purge(before: number): Promise<number>;
}

export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 1000;

export function listLimit(q: DeliveryQuery): number {
  return Math.max(1, Math.min(MAX_LIST_LIMIT, Math.floor(q.limit ?? DEFAULT_LIST_LIMIT)));
}

/** The attempt logged for a row whose owner died mid-attempt (found when its lease ran out). */
export function abandonedAttempt(attempt: number, previousOwner: string, leaseEnd: number, now: number, newOwner: string): AttemptRecord {
  return {
    attempt,
    owner: previousOwner,
    startedAt: leaseEnd,
    durationMs: 0,
    ok: false,
    retryable: true,
    status: 'lease expired',
    error: `dispatcher ${previousOwner} stopped during attempt ${attempt} (lease ended ${new Date(leaseEnd).toISOString()}); taken over by ${newOwner} at ${new Date(now).toISOString()}`,
  };
}
