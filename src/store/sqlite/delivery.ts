// The alerting delivery queue in SQLite (module 'delivery'): one row per notification, one per
// attempt. Claiming is a single write transaction, so two dispatchers on one file never take the
// same row; while a row is 'sending', due_at holds the end of its lease, so one index serves both
// "what is due" and "whose owner died".

import type Database from 'better-sqlite3';
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
import { migrateSqliteModule, type ModuleMigration } from './modules.ts';

export const SQLITE_DELIVERY_MIGRATIONS: readonly ModuleMigration[] = [
  {
    version: 1,
    name: 'delivery queue and attempt log',
    sql: `
      CREATE TABLE delivery_notification (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        alert_id TEXT NOT NULL,
        channel TEXT NOT NULL,
        kind TEXT NOT NULL,
        body TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        enqueued_at INTEGER NOT NULL,
        due_at INTEGER NOT NULL,
        lease_owner TEXT,
        delivered_at INTEGER,
        failed_at INTEGER,
        last_status TEXT,
        last_error TEXT
      );
      CREATE INDEX delivery_notification_due ON delivery_notification (status, due_at);
      CREATE INDEX delivery_notification_alert ON delivery_notification (alert_id);
      CREATE TABLE delivery_attempt (
        id INTEGER PRIMARY KEY,
        notification_id INTEGER NOT NULL REFERENCES delivery_notification (id) ON DELETE CASCADE,
        attempt INTEGER NOT NULL,
        owner TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        duration_ms REAL NOT NULL,
        ok INTEGER NOT NULL,
        retryable INTEGER,
        status TEXT NOT NULL,
        response TEXT,
        error TEXT
      );
      CREATE INDEX delivery_attempt_notification ON delivery_attempt (notification_id);
    `,
  },
];

interface NotificationRow {
  id: number;
  body: string;
  status: DeliveryStatus;
  attempts: number;
  enqueued_at: number;
  due_at: number;
  lease_owner: string | null;
  delivered_at: number | null;
  failed_at: number | null;
  last_status: string | null;
  last_error: string | null;
}

interface AttemptRow {
  notification_id: number;
  attempt: number;
  owner: string;
  started_at: number;
  duration_ms: number;
  ok: number;
  retryable: number | null;
  status: string;
  response: string | null;
  error: string | null;
}

export function fromNotificationRow(r: NotificationRow): QueuedNotification {
  return {
    id: Number(r.id),
    notification: JSON.parse(r.body) as Notification,
    status: r.status,
    attempts: Number(r.attempts),
    enqueuedAt: Number(r.enqueued_at),
    dueAt: Number(r.due_at),
    ...(r.lease_owner !== null ? { leaseOwner: r.lease_owner } : {}),
    ...(r.delivered_at !== null ? { deliveredAt: Number(r.delivered_at) } : {}),
    ...(r.failed_at !== null ? { failedAt: Number(r.failed_at) } : {}),
    ...(r.last_status !== null ? { lastStatus: r.last_status } : {}),
    ...(r.last_error !== null ? { lastError: r.last_error } : {}),
  };
}

export function fromAttemptRow(r: AttemptRow): AttemptRecord {
  return {
    attempt: Number(r.attempt),
    owner: r.owner,
    startedAt: Number(r.started_at),
    durationMs: Number(r.duration_ms),
    ok: Boolean(r.ok),
    ...(r.retryable !== null ? { retryable: Boolean(r.retryable) } : {}),
    status: r.status,
    ...(r.response !== null ? { response: r.response } : {}),
    ...(r.error !== null ? { error: r.error } : {}),
  };
}

interface PendingFinish {
  readonly id: number;
  readonly owner: string;
  readonly attempt: AttemptRecord;
  readonly outcome: AttemptOutcome;
  readonly followUps: readonly Notification[];
  readonly resolve: (held: boolean) => void;
  readonly reject: (err: unknown) => void;
}

const COLUMNS = 'id, body, status, attempts, enqueued_at, due_at, lease_owner, delivered_at, failed_at, last_status, last_error';

export class SqliteDeliveryStore implements DeliveryStore {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement<unknown[]>;
  readonly #insertAttempt: Database.Statement<unknown[]>;
  readonly #due: Database.Statement<[number, number]>;
  readonly #take: Database.Statement<[string, number, number]>;
  readonly #finish: Database.Statement<unknown[]>;
  readonly #finishing: PendingFinish[] = [];

  constructor(db: Database.Database) {
    this.#db = db;
    migrateSqliteModule(db, 'delivery', SQLITE_DELIVERY_MIGRATIONS);
    this.#insert = db.prepare(
      "INSERT INTO delivery_notification (key, alert_id, channel, kind, body, status, enqueued_at, due_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT (key) DO NOTHING",
    );
    this.#insertAttempt = db.prepare(
      'INSERT INTO delivery_attempt (notification_id, attempt, owner, started_at, duration_ms, ok, retryable, status, response, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.#due = db.prepare(`SELECT ${COLUMNS} FROM delivery_notification WHERE status IN ('pending', 'sending') AND due_at <= ? ORDER BY due_at, id LIMIT ?`);
    this.#take = db.prepare("UPDATE delivery_notification SET status = 'sending', lease_owner = ?, due_at = ?, attempts = attempts + 1 WHERE id = ?");
    this.#finish = db.prepare(
      "UPDATE delivery_notification SET status = ?, due_at = ?, delivered_at = ?, failed_at = ?, lease_owner = NULL, last_status = ?, last_error = ? WHERE id = ? AND lease_owner = ? AND status = 'sending'",
    );
  }

  #logAttempt(id: number, a: AttemptRecord): void {
    this.#insertAttempt.run(id, a.attempt, a.owner, a.startedAt, a.durationMs, a.ok ? 1 : 0, a.retryable === undefined ? null : a.retryable ? 1 : 0, a.status, a.response ?? null, a.error ?? null);
  }

  enqueue(list: readonly Notification[], now: number): Promise<number> {
    let added = 0;
    this.#db.transaction(() => {
      for (const n of list) added += this.#insert.run(n.key, n.alertId, n.channel, n.kind, JSON.stringify(n), now, now).changes;
    }).immediate();
    return Promise.resolve(added);
  }

  claim(owner: string, now: number, leaseMs: number, limit: number): Promise<QueuedNotification[]> {
    const out: QueuedNotification[] = [];
    this.#db.transaction(() => {
      for (const r of this.#due.all(now, limit) as NotificationRow[]) {
        if (r.status === 'sending') this.#logAttempt(r.id, abandonedAttempt(r.attempts, r.lease_owner ?? '?', r.due_at, now, owner));
        this.#take.run(owner, now + leaseMs, r.id);
        out.push(fromNotificationRow({ ...r, status: 'sending', lease_owner: owner, due_at: now + leaseMs, attempts: r.attempts + 1 }));
      }
    }).immediate();
    return Promise.resolve(out);
  }

  finish(id: number, owner: string, attempt: AttemptRecord, outcome: AttemptOutcome, followUps: readonly Notification[] = []): Promise<boolean> {
    // Results finishing in the same turn of the event loop share one transaction (one WAL commit);
    // each caller still hears back only after its row is committed.
    return new Promise((resolve, reject) => {
      this.#finishing.push({ id, owner, attempt, outcome, followUps, resolve, reject });
      if (this.#finishing.length === 1) setImmediate(() => this.#flushFinishing());
    });
  }

  #flushFinishing(): void {
    const batch = this.#finishing.splice(0);
    const held: boolean[] = [];
    try {
      this.#db.transaction(() => {
        for (const f of batch) held.push(this.#finishOne(f));
      }).immediate();
    } catch (err) {
      for (const f of batch) f.reject(err);
      return;
    }
    batch.forEach((f, i) => f.resolve(held[i]!));
  }

  #finishOne(f: PendingFinish): boolean {
    const { id, owner, attempt, outcome } = f;
    const now = attempt.startedAt + Math.round(attempt.durationMs);
    this.#logAttempt(id, attempt);
    const set =
      outcome.next === 'delivered' ? { status: 'delivered', due: now, delivered: now, failed: null }
      : outcome.next === 'retry' ? { status: 'pending', due: outcome.dueAt, delivered: null, failed: null }
      : { status: 'failed', due: now, delivered: null, failed: now };
    const held = this.#finish.run(set.status, set.due, set.delivered, set.failed, attempt.status, attempt.ok ? null : (attempt.error ?? null), id, owner).changes > 0;
    if (held) for (const n of f.followUps) this.#insert.run(n.key, n.alertId, n.channel, n.kind, JSON.stringify(n), now, now);
    return held;
  }

  release(owner: string, now: number): Promise<number> {
    // The attempt was never made (or its result is unknown): give it back without counting it.
    const n = this.#db.prepare("UPDATE delivery_notification SET status = 'pending', lease_owner = NULL, due_at = ?, attempts = attempts - 1 WHERE status = 'sending' AND lease_owner = ?").run(now, owner).changes;
    return Promise.resolve(n);
  }

  nextDue(): Promise<number | undefined> {
    const r = this.#db.prepare<[], { due: number | null }>("SELECT MIN(due_at) AS due FROM delivery_notification WHERE status IN ('pending', 'sending')").get();
    return Promise.resolve(r?.due ?? undefined);
  }

  #withAttempts(rows: NotificationRow[]): NotificationWithAttempts[] {
    if (rows.length === 0) return [];
    const attempts = this.#db
      .prepare(`SELECT notification_id, attempt, owner, started_at, duration_ms, ok, retryable, status, response, error FROM delivery_attempt WHERE notification_id IN (${rows.map(() => '?').join(', ')}) ORDER BY id`)
      .all(...rows.map((r) => r.id)) as AttemptRow[];
    const by = new Map<number, AttemptRecord[]>();
    for (const a of attempts) {
      const list = by.get(Number(a.notification_id)) ?? [];
      list.push(fromAttemptRow(a));
      by.set(Number(a.notification_id), list);
    }
    return rows.map((r) => ({ ...fromNotificationRow(r), attemptLog: by.get(Number(r.id)) ?? [] }));
  }

  list(q: DeliveryQuery): Promise<NotificationWithAttempts[]> {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const add = (clause: string, v: string | number | undefined) => {
      if (v === undefined) return;
      where.push(clause);
      args.push(v);
    };
    add('status = ?', q.status);
    add('alert_id = ?', q.alertId);
    add('channel = ?', q.channel);
    add('id < ?', q.beforeId);
    const sql = `SELECT ${COLUMNS} FROM delivery_notification${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${listLimit(q)}`;
    return Promise.resolve(this.#withAttempts(this.#db.prepare(sql).all(...args) as NotificationRow[]));
  }

  get(key: string): Promise<NotificationWithAttempts | undefined> {
    const rows = this.#db.prepare(`SELECT ${COLUMNS} FROM delivery_notification WHERE key = ?`).all(key) as NotificationRow[];
    return Promise.resolve(this.#withAttempts(rows)[0]);
  }

  counts(): Promise<Record<DeliveryStatus, number>> {
    const out = Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, 0])) as Record<DeliveryStatus, number>;
    for (const r of this.#db.prepare<[], { status: DeliveryStatus; n: number }>('SELECT status, COUNT(*) AS n FROM delivery_notification GROUP BY status').all()) out[r.status] = r.n;
    return Promise.resolve(out);
  }

  purge(before: number): Promise<number> {
    let n = 0;
    this.#db.transaction(() => {
      this.#db.prepare("DELETE FROM delivery_attempt WHERE notification_id IN (SELECT id FROM delivery_notification WHERE status IN ('delivered', 'failed') AND COALESCE(delivered_at, failed_at) < ?)").run(before);
      n = this.#db.prepare("DELETE FROM delivery_notification WHERE status IN ('delivered', 'failed') AND COALESCE(delivered_at, failed_at) < ?").run(before).changes;
    }).immediate();
    return Promise.resolve(n);
  }
}
