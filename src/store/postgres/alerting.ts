// The alerting module's tables in PostgreSQL (same shape and behaviour as ../sqlite/alerting.ts):
// alert episodes with their escalation state and the conditions tracked between alerts, in the
// store's schema; the leader lease is in ./alerting-lease.ts.

import type { Pool } from 'pg';
import type { AlertQuery } from '../../alerting/service.ts';
import { alertLimit, fromAlertRow, toAlertRow, type AlertRow, type AlertStore } from '../../alerting/engine/alert-store.ts';
import { pgLeaderLease } from './alerting-lease.ts';
import { migratePgModule, type ModuleMigration } from './modules.ts';

export const PG_ALERTING_MIGRATIONS: readonly ModuleMigration[] = [
  {
    version: 1,
    name: 'alert episodes',
    sql: `CREATE TABLE alert (
      id text PRIMARY KEY,
      rule_name text NOT NULL,
      node_id text NOT NULL,
      title text NOT NULL,
      state text NOT NULL,
      severity text NOT NULL,
      opened_at bigint NOT NULL,
      resolved_at bigint,
      ack_by text,
      ack_at bigint,
      ack_note text,
      ack_via text,
      sensor_ids text NOT NULL,
      affected_dependents integer NOT NULL,
      escalation_step integer NOT NULL,
      next_due_at bigint,
      reminders integer NOT NULL,
      data text NOT NULL
    );
    CREATE INDEX alert_opened ON alert (opened_at DESC, id DESC);
    CREATE INDEX alert_active ON alert (state) WHERE state <> 'resolved';`,
  },
  {
    version: 2,
    name: 'tracked conditions (threshold starts, flapping history)',
    sql: `CREATE TABLE alert_condition (key text PRIMARY KEY, value text NOT NULL);`,
  },
];

const COLUMNS = ['id', 'rule_name', 'node_id', 'title', 'state', 'severity', 'opened_at', 'resolved_at', 'ack_by', 'ack_at', 'ack_note', 'ack_via', 'sensor_ids', 'affected_dependents', 'escalation_step', 'next_due_at', 'reminders', 'data'] as const;
const LIST = COLUMNS.join(', ');

export async function openPgAlertStore(pool: Pool, schema: string): Promise<AlertStore> {
  await migratePgModule(pool, schema, 'alerting', PG_ALERTING_MIGRATIONS);
  // Tables are schema-qualified so that the queries do not depend on the connection's search_path.
  const t = `${schema}.alert`;
  const tc = `${schema}.alert_condition`;
  const upsertSql = `INSERT INTO ${t} (${LIST}) VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
    ON CONFLICT (id) DO UPDATE SET ${COLUMNS.filter((c) => c !== 'id').map((c) => `${c} = excluded.${c}`).join(', ')}`;

  return {
    async saveAlerts(alerts) {
      if (alerts.length === 0) return;
      const client = await pool.connect();
      let failed: Error | undefined;
      try {
        await client.query('BEGIN');
        for (const a of alerts) {
          const row = toAlertRow(a);
          await client.query(upsertSql, COLUMNS.map((c) => row[c]));
        }
        await client.query('COMMIT');
      } catch (err) {
        failed = err instanceof Error ? err : new Error(String(err));
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release(failed);
      }
    },
    async alert(id) {
      const res = await pool.query<AlertRow>(`SELECT ${LIST} FROM ${t} WHERE id = $1`, [id]);
      const row = res.rows[0];
      return row ? fromAlertRow(row) : undefined;
    },
    async alerts(q: AlertQuery) {
      const where: string[] = [];
      const args: unknown[] = [];
      const arg = (v: unknown) => {
        args.push(v);
        return `$${args.length}`;
      };
      if (q.state !== undefined) where.push(`state = ${arg(q.state)}`);
      if (q.nodeId !== undefined) {
        where.push(`(node_id = ${arg(q.nodeId)} OR substr(node_id, 1, ${arg(q.nodeId.length + 1)}) = ${arg(`${q.nodeId}/`)} OR position(${arg(JSON.stringify(q.nodeId))} in sensor_ids) > 0)`);
      }
      if (q.before !== undefined) where.push(`(opened_at, id) < (SELECT opened_at, id FROM ${t} WHERE id = ${arg(q.before)})`);
      const sql = `SELECT ${LIST} FROM ${t} ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY opened_at DESC, id DESC LIMIT ${arg(alertLimit(q))}`;
      return (await pool.query<AlertRow>(sql, args)).rows.map(fromAlertRow);
    },
    async active() {
      return (await pool.query<AlertRow>(`SELECT ${LIST} FROM ${t} WHERE state <> 'resolved' ORDER BY opened_at, id`)).rows.map(fromAlertRow);
    },
    async deleteResolvedBefore(before) {
      return (await pool.query(`DELETE FROM ${t} WHERE state = 'resolved' AND resolved_at < $1`, [before])).rowCount ?? 0;
    },
    async saveConditions(set, remove) {
      if (set.length === 0 && remove.length === 0) return;
      const client = await pool.connect();
      let failed: Error | undefined;
      try {
        await client.query('BEGIN');
        if (remove.length > 0) await client.query(`DELETE FROM ${tc} WHERE key = ANY($1::text[])`, [remove]);
        if (set.length > 0) {
          await client.query(
            `INSERT INTO ${tc} (key, value) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
            [set.map((c) => c.key), set.map((c) => JSON.stringify(c.value))],
          );
        }
        await client.query('COMMIT');
      } catch (err) {
        failed = err instanceof Error ? err : new Error(String(err));
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release(failed);
      }
    },
    async conditions() {
      // COLLATE "C": the same byte order as SQLite's, whatever the database's locale.
      const res = await pool.query<{ key: string; value: string }>(`SELECT key, value FROM ${tc} ORDER BY key COLLATE "C"`);
      return res.rows.map((r) => ({ key: r.key, value: JSON.parse(r.value) as unknown }));
    },
    lease: () => pgLeaderLease(pool, schema),
  };
}
