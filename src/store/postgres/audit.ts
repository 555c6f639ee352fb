// PostgreSQL table of the 'audit' module (see ../sqlite/audit.ts). Appends take an advisory lock
// in their transaction so that several core processes keep one unbroken chain.

import type { Pool } from 'pg';
import type { AuditStore } from '../../audit/types.ts';
import { GENESIS_HASH } from '../../audit/chain.ts';
import { auditFromRow, auditLimit, auditValues, auditWhere, type AuditRow } from '../sqlite/audit.ts';
import { migratePgModule, type ModuleMigration } from './modules.ts';

const MIGRATIONS: readonly ModuleMigration[] = [
  {
    version: 1,
    name: 'hash-chained audit log',
    sql: `
      CREATE TABLE audit_log (seq bigint PRIMARY KEY, at bigint NOT NULL, actor text NOT NULL, actor_id text, action text NOT NULL,
        target text, ip text, outcome text NOT NULL, before_json text, after_json text, detail text, prev_hash text NOT NULL, hash text NOT NULL);
      CREATE INDEX audit_log_at ON audit_log (at);
      CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
      CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
    `,
  },
];

export async function openPgAuditStore(pool: Pool, schema: string): Promise<AuditStore> {
  await migratePgModule(pool, schema, 'audit', MIGRATIONS);
  return {
    async append(draft, seal) {
      const c = await pool.connect();
      let failed: Error | undefined;
      try {
        await c.query('BEGIN');
        await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`wardwatch:audit:${schema}`]);
        const prev = (await c.query<{ seq: string; hash: string }>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1')).rows[0];
        const seq = Number(prev?.seq ?? 0) + 1;
        const prevHash = prev?.hash ?? GENESIS_HASH;
        const hash = seal(seq, prevHash, draft);
        await c.query('INSERT INTO audit_log (seq, at, actor, actor_id, action, target, ip, outcome, before_json, after_json, detail, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)', auditValues(seq, draft, prevHash, hash));
        await c.query('COMMIT');
        return { ...draft, seq, prevHash, hash };
      } catch (err) {
        failed = err instanceof Error ? err : new Error(String(err));
        await c.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        c.release(failed);
      }
    },
    async query(q) {
      const { where, params } = auditWhere(q, (i) => `$${i}`);
      return (await pool.query<AuditRow>(`SELECT * FROM audit_log ${where} ORDER BY seq DESC LIMIT ${auditLimit(q)}`, params)).rows.map(auditFromRow);
    },
    async scan(afterSeq, limit) {
      return (await pool.query<AuditRow>('SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2', [afterSeq, limit])).rows.map(auditFromRow);
    },
  };
}
