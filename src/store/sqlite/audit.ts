// SQLite table of the 'audit' module: the hash-chained audit trail. Triggers refuse UPDATE and
// DELETE so that the application itself can only append; verify() catches anyone who goes around them.

import type Database from 'better-sqlite3';
import type { AuditDraft, AuditQuery, AuditRecord, AuditStore } from '../../audit/types.ts';
import { GENESIS_HASH } from '../../audit/chain.ts';
import { migrateSqliteModule, type ModuleMigration } from './modules.ts';

const MIGRATIONS: readonly ModuleMigration[] = [
  {
    version: 1,
    name: 'hash-chained audit log',
    sql: `
      CREATE TABLE audit_log (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor TEXT NOT NULL, actor_id TEXT, action TEXT NOT NULL,
        target TEXT, ip TEXT, outcome TEXT NOT NULL, before_json TEXT, after_json TEXT, detail TEXT, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
      CREATE INDEX audit_log_at ON audit_log (at);
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
    `,
  },
];

export interface AuditRow {
  seq: number | string;
  at: number | string;
  actor: string;
  actor_id: string | null;
  action: string;
  target: string | null;
  ip: string | null;
  outcome: string;
  before_json: string | null;
  after_json: string | null;
  detail: string | null;
  prev_hash: string;
  hash: string;
}

export function auditFromRow(r: AuditRow): AuditRecord {
  return {
    seq: Number(r.seq),
    at: Number(r.at),
    actor: r.actor,
    ...(r.actor_id !== null ? { actorId: r.actor_id } : {}),
    action: r.action,
    ...(r.target !== null ? { target: r.target } : {}),
    ...(r.ip !== null ? { ip: r.ip } : {}),
    outcome: r.outcome as AuditRecord['outcome'],
    ...(r.before_json !== null ? { before: r.before_json } : {}),
    ...(r.after_json !== null ? { after: r.after_json } : {}),
    ...(r.detail !== null ? { detail: r.detail } : {}),
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

export function auditValues(seq: number, d: AuditDraft, prevHash: string, hash: string): unknown[] {
  return [seq, d.at, d.actor, d.actorId ?? null, d.action, d.target ?? null, d.ip ?? null, d.outcome, d.before ?? null, d.after ?? null, d.detail ?? null, prevHash, hash];
}

export const DEFAULT_AUDIT_LIMIT = 100;
export const MAX_AUDIT_LIMIT = 1000;

/** WHERE clauses and parameters for a query; `p(i)` renders the i-th placeholder of the dialect. */
export function auditWhere(q: AuditQuery, p: (i: number) => string): { where: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const add = (sql: (ph: string) => string, v: unknown): void => {
    params.push(v);
    clauses.push(sql(p(params.length)));
  };
  if (q.from !== undefined) add((ph) => `at >= ${ph}`, q.from);
  if (q.to !== undefined) add((ph) => `at < ${ph}`, q.to);
  if (q.actor !== undefined) add((ph) => `actor = ${ph}`, q.actor);
  if (q.action !== undefined) {
    if (q.action.endsWith('*') || q.action.endsWith('.')) {
      const prefix = q.action.endsWith('*') ? q.action.slice(0, -1) : q.action;
      add((ph) => `substr(action, 1, ${prefix.length}) = ${ph}`, prefix);
    } else add((ph) => `action = ${ph}`, q.action);
  }
  if (q.before !== undefined) add((ph) => `seq < ${ph}`, q.before);
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

export function auditLimit(q: AuditQuery): number {
  return Math.min(Math.max(1, Math.floor(q.limit ?? DEFAULT_AUDIT_LIMIT)), MAX_AUDIT_LIMIT);
}

export function openSqliteAuditStore(db: Database.Database): AuditStore {
  migrateSqliteModule(db, 'audit', MIGRATIONS);
  const last = db.prepare<[], { seq: number; hash: string }>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
  const ins = db.prepare('INSERT INTO audit_log (seq, at, actor, actor_id, action, target, ip, outcome, before_json, after_json, detail, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)');
  const append = db.transaction((draft: AuditDraft, seal: (seq: number, prevHash: string, d: AuditDraft) => string): AuditRecord => {
    const prev = last.get();
    const seq = (prev?.seq ?? 0) + 1;
    const prevHash = prev?.hash ?? GENESIS_HASH;
    const hash = seal(seq, prevHash, draft);
    ins.run(...auditValues(seq, draft, prevHash, hash));
    return { ...draft, seq, prevHash, hash };
  });
  return {
    // IMMEDIATE: another process appending at the same time waits instead of reading the same last row.
    append: async (draft, seal) => append.immediate(draft, seal),
    async query(q) {
      const { where, params } = auditWhere(q, () => '?');
      return db
        .prepare<unknown[], AuditRow>(`SELECT * FROM audit_log ${where} ORDER BY seq DESC LIMIT ${auditLimit(q)}`)
        .all(...params)
        .map(auditFromRow);
    },
    async scan(afterSeq, limit) {
      return db.prepare<[number, number], AuditRow>('SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?').all(afterSeq, limit).map(auditFromRow);
    },
  };
}
