// The alerting delivery queue in PostgreSQL (module 'delivery'): the same rows and rules as the
// SQLite one. Claiming uses FOR UPDATE SKIP LOCKED, so several core processes on one database share
// the queue without taking the same row; while a row is 'sending', due_at is the end of its lease.

import type { Pool, PoolClient } from 'pg';
import type { Notification } from '../../alerting/notification.ts';
import {
  abandonedAttempt,
  DELIVERY_STATUSES,
  listLimit,
  type AttemptOutcome,
  type AttemptRecord,
  type DeliveryQuery,
  type DeliveryStatus,
  type DeliveryStore,
  type NotificationWithAttempts,
  type QueuedNotification,
} from '../../alerting/delivery/types.ts';
import { fromAttemptRow, fromNotificationRow } from '../sqlite/delivery.ts';
import { migratePgModule, type ModuleMigration } from './modules.ts';

export const PG_DELIVERY_MIGRATIONS: readonly ModuleMigration[] = [
  {
    version: 1,
    name: 'delivery queue and attempt log',
    sql: `
      CREATE TABLE delivery_notification (
        id bigserial PRIMARY KEY,
        key text NOT NULL UNIQUE,
        alert_id text NOT NULL,
        channel text NOT NULL,
        kind text NOT NULL,
        body text NOT NULL,
        status text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        enqueued_at bigint NOT NULL,
        due_at bigint NOT NULL,
        lease_owner text,
        delivered_at bigint,
        failed_at bigint,
        last_status text,
        last_error text
      );
      CREATE INDEX delivery_notification_due ON delivery_notification (status, due_at);
      CREATE INDEX delivery_notification_alert ON delivery_notification (alert_id);
      CREATE TABLE delivery_attempt (
        id bigserial PRIMARY KEY,
        notification_id bigint NOT NULL REFERENCES delivery_notification (id) ON DELETE CASCADE,
        attempt integer NOT NULL,
        owner text NOT NULL,
        started_at bigint NOT NULL,
        duration_ms double precision NOT NULL,
        ok boolean NOT NULL,
        retryable boolean,
        status text NOT NULL,
        response text,
        error text
      );
      CREATE INDEX delivery_attempt_notification ON delivery_attempt (notification_id);
    `,
  },
];

const COLUMNS = 'id, body, status, attempts, enqueued_at, due_at, lease_owner, delivered_at, failed_at, last_status, last_error';

type Row = Parameters<typeof fromNotificationRow>[0];
type AttemptRow = Parameters<typeof fromAttemptRow>[0];

async function tx<T>(pool: Pool, fn: (c: PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  let broken: Error | undefined;
  try {
    await c.query('BEGIN');
    const out = await fn(c);
    await c.query('COMMIT');
    return out;
  } catch (err) {
    broken = err instanceof Error ? err : new Error(String(err));
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release(broken);
  }
}

const INSERT_ATTEMPT = 'INSERT INTO delivery_attempt (notification_id, attempt, owner, started_at, duration_ms, ok, retryable, status, response, error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)';

function attemptArgs(id: number, a: AttemptRecord): unknown[] {
  return [id, a.attempt, a.owner, a.startedAt, a.durationMs, a.ok, a.retryable ?? null, a.status, a.response ?? null, a.error ?? null];
}

/** One statement for the whole batch; ON CONFLICT makes a repeated key a no-op, inside the batch too. */
async function insertMany(db: Pool | PoolClient, list: readonly Notification[], now: number): Promise<number> {
  const rows = list.map((n) => ({ key: n.key, alert_id: n.alertId, channel: n.channel, kind: n.kind, body: JSON.stringify(n) }));
  const res = await db.query(
    `INSERT INTO delivery_notification (key, alert_id, channel, kind, body, status, enqueued_at, due_at)
     SELECT r.key, r.alert_id, r.channel, r.kind, r.body, 'pending', $2, $2 FROM jsonb_to_recordset($1::jsonb) AS r(key text, alert_id text, channel text, kind text, body text)
     ON CONFLICT (key) DO NOTHING`,
    [JSON.stringify(rows), now],
  );
  return res.rowCount ?? 0;
}

export class PostgresDeliveryStore implements DeliveryStore {
  readonly #pool: Pool;

  private constructor(pool: Pool) {
    this.#pool = pool;
  }

  static async open(pool: Pool, schema: string): Promise<PostgresDeliveryStore> {
    await migratePgModule(pool, schema, 'delivery', PG_DELIVERY_MIGRATIONS);
    return new PostgresDeliveryStore(pool);
  }

  async enqueue(list: readonly Notification[], now: number): Promise<number> {
    if (list.length === 0) return 0;
    return insertMany(this.#pool, list, now);
  }

  claim(owner: string, now: number, leaseMs: number, limit: number): Promise<QueuedNotification[]> {
    return tx(this.#pool, async (c) => {
      const res = await c.query<Row & { prev_status: DeliveryStatus; prev_owner: string | null; prev_due: string }>(
        `WITH due AS (
           SELECT id, status AS prev_status, lease_owner AS prev_owner, due_at AS prev_due FROM delivery_notification
           WHERE status IN ('pending', 'sending') AND due_at <= $1 ORDER BY due_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)
         UPDATE delivery_notification t SET status = 'sending', lease_owner = $3, due_at = $4, attempts = t.attempts + 1
         FROM due WHERE t.id = due.id
         RETURNING t.id, t.body, t.status, t.attempts, t.enqueued_at, t.due_at, t.lease_owner, t.delivered_at, t.failed_at, t.last_status, t.last_error, due.prev_status, due.prev_owner, due.prev_due`,
        [now, limit, owner, now + leaseMs],
      );
      const rows = [...res.rows].sort((a, b) => Number(a.prev_due) - Number(b.prev_due) || Number(a.id) - Number(b.id));
      for (const r of rows) {
        if (r.prev_status === 'sending') await c.query(INSERT_ATTEMPT, attemptArgs(Number(r.id), abandonedAttempt(Number(r.attempts) - 1, r.prev_owner ?? '?', Number(r.prev_due), now, owner)));
      }
      return rows.map(fromNotificationRow);
    });
  }

  finish(id: number, owner: string, attempt: AttemptRecord, outcome: AttemptOutcome, followUps: readonly Notification[] = []): Promise<boolean> {
    const now = attempt.startedAt + Math.round(attempt.durationMs);
    const set =
      outcome.next === 'delivered' ? { status: 'delivered', due: now, delivered: now, failed: null }
      : outcome.next === 'retry' ? { status: 'pending', due: outcome.dueAt, delivered: null, failed: null }
      : { status: 'failed', due: now, delivered: null, failed: now };
    return tx(this.#pool, async (c) => {
      await c.query(INSERT_ATTEMPT, attemptArgs(id, attempt));
      const res = await c.query(
        "UPDATE delivery_notification SET status = $1, due_at = $2, delivered_at = $3, failed_at = $4, lease_owner = NULL, last_status = $5, last_error = $6 WHERE id = $7 AND lease_owner = $8 AND status = 'sending'",
        [set.status, set.due, set.delivered, set.failed, attempt.status, attempt.ok ? null : (attempt.error ?? null), id, owner],
      );
      const held = (res.rowCount ?? 0) > 0;
      if (held && followUps.length > 0) await insertMany(c, followUps, now);
      return held;
    });
  }

  async release(owner: string, now: number): Promise<number> {
    const res = await this.#pool.query("UPDATE delivery_notification SET status = 'pending', lease_owner = NULL, due_at = $1, attempts = attempts - 1 WHERE status = 'sending' AND lease_owner = $2", [now, owner]);
    return res.rowCount ?? 0;
  }

  async nextDue(): Promise<number | undefined> {
    const res = await this.#pool.query<{ due: string | null }>("SELECT MIN(due_at) AS due FROM delivery_notification WHERE status IN ('pending', 'sending')");
    const due = res.rows[0]?.due;
    return due === null || due === undefined ? undefined : Number(due);
  }

  async #withAttempts(rows: Row[]): Promise<NotificationWithAttempts[]> {
    if (rows.length === 0) return [];
    const res = await this.#pool.query<AttemptRow>(
      'SELECT notification_id, attempt, owner, started_at, duration_ms, ok, retryable, status, response, error FROM delivery_attempt WHERE notification_id = ANY($1::bigint[]) ORDER BY id',
      [rows.map((r) => Number(r.id))],
    );
    const by = new Map<number, AttemptRecord[]>();
    for (const a of res.rows) {
      const list = by.get(Number(a.notification_id)) ?? [];
      list.push(fromAttemptRow(a));
      by.set(Number(a.notification_id), list);
    }
    return rows.map((r) => ({ ...fromNotificationRow(r), attemptLog: by.get(Number(r.id)) ?? [] }));
  }

  async list(q: DeliveryQuery): Promise<NotificationWithAttempts[]> {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const add = (col: string, v: string | number | undefined, op = '=') => {
      if (v === undefined) return;
      args.push(v);
      where.push(`${col} ${op} $${args.length}`);
    };
    add('status', q.status);
    add('alert_id', q.alertId);
    add('channel', q.channel);
    add('id', q.beforeId, '<');
    const res = await this.#pool.query<Row>(`SELECT ${COLUMNS} FROM delivery_notification${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${listLimit(q)}`, args);
    return this.#withAttempts(res.rows);
  }

  async get(key: string): Promise<NotificationWithAttempts | undefined> {
    const res = await this.#pool.query<Row>(`SELECT ${COLUMNS} FROM delivery_notification WHERE key = $1`, [key]);
    return (await this.#withAttempts(res.rows))[0];
  }

  async counts(): Promise<Record<DeliveryStatus, number>> {
    const out = Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, 0])) as Record<DeliveryStatus, number>;
    const res = await this.#pool.query<{ status: DeliveryStatus; n: string }>('SELECT status, COUNT(*) AS n FROM delivery_notification GROUP BY status');
    for (const r of res.rows) out[r.status] = Number(r.n);
    return out;
  }

  purge(before: number): Promise<number> {
    return tx(this.#pool, async (c) => {
      await c.query("DELETE FROM delivery_attempt WHERE notification_id IN (SELECT id FROM delivery_notification WHERE status IN ('delivered', 'failed') AND COALESCE(delivered_at, failed_at) < $1)", [before]);
      const res = await c.query("DELETE FROM delivery_notification WHERE status IN ('delivered', 'failed') AND COALESCE(delivered_at, failed_at) < $1", [before]);
      return res.rowCount ?? 0;
    });
  }
}
