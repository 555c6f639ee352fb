// The alerting module's tables in the SQLite file: alert episodes with their escalation state
// (see src/alerting/engine/alert-store.ts) and the conditions tracked between alerts. Few rows,
// written on every alert decision.

import type Database from 'better-sqlite3';
import type { AlertQuery } from '../../alerting/service.ts';
import { alertLimit, fromAlertRow, toAlertRow, type AlertRow, type AlertStore, type StoredAlert, type StoredCondition } from '../../alerting/engine/alert-store.ts';
import { migrateSqliteModule, type ModuleMigration } from './modules.ts';

export const SQLITE_ALERTING_MIGRATIONS: readonly ModuleMigration[] = [
  {
    version: 1,
    name: 'alert episodes',
    sql: `CREATE TABLE alert (
      id TEXT PRIMARY KEY,
      rule_name TEXT NOT NULL,
      node_id TEXT NOT NULL,
      title TEXT NOT NULL,
      state TEXT NOT NULL,
      severity TEXT NOT NULL,
      opened_at INTEGER NOT NULL,
      resolved_at INTEGER,
      ack_by TEXT,
      ack_at INTEGER,
      ack_note TEXT,
      ack_via TEXT,
      sensor_ids TEXT NOT NULL,
      affected_dependents INTEGER NOT NULL,
      escalation_step INTEGER NOT NULL,
      next_due_at INTEGER,
      reminders INTEGER NOT NULL,
      data TEXT NOT NULL
    );
    CREATE INDEX alert_opened ON alert (opened_at DESC, id DESC);
    CREATE INDEX alert_active ON alert (state) WHERE state <> 'resolved';`,
  },
  {
    version: 2,
    name: 'tracked conditions (threshold starts, flapping history)',
    sql: `CREATE TABLE alert_condition (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  },
];

const COLUMNS = 'id, rule_name, node_id, title, state, severity, opened_at, resolved_at, ack_by, ack_at, ack_note, ack_via, sensor_ids, affected_dependents, escalation_step, next_due_at, reminders, data';

export function openSqliteAlertStore(db: Database.Database): AlertStore {
  migrateSqliteModule(db, 'alerting', SQLITE_ALERTING_MIGRATIONS);
  const upsert = db.prepare<[AlertRow]>(
    `INSERT INTO alert (${COLUMNS}) VALUES (@id, @rule_name, @node_id, @title, @state, @severity, @opened_at, @resolved_at, @ack_by, @ack_at, @ack_note, @ack_via, @sensor_ids, @affected_dependents, @escalation_step, @next_due_at, @reminders, @data)
     ON CONFLICT (id) DO UPDATE SET rule_name = excluded.rule_name, node_id = excluded.node_id, title = excluded.title, state = excluded.state,
       severity = excluded.severity, opened_at = excluded.opened_at, resolved_at = excluded.resolved_at, ack_by = excluded.ack_by, ack_at = excluded.ack_at,
       ack_note = excluded.ack_note, ack_via = excluded.ack_via, sensor_ids = excluded.sensor_ids, affected_dependents = excluded.affected_dependents,
       escalation_step = excluded.escalation_step, next_due_at = excluded.next_due_at, reminders = excluded.reminders, data = excluded.data`,
  );
  const save = db.transaction((alerts: readonly StoredAlert[]) => {
    for (const a of alerts) upsert.run(toAlertRow(a));
  });
  const one = db.prepare<[string], AlertRow>(`SELECT ${COLUMNS} FROM alert WHERE id = ?`);
  const active = db.prepare<[], AlertRow>(`SELECT ${COLUMNS} FROM alert WHERE state <> 'resolved' ORDER BY opened_at, id`);
  const purge = db.prepare<[number]>(`DELETE FROM alert WHERE state = 'resolved' AND resolved_at < ?`);
  const setCond = db.prepare<[string, string]>('INSERT INTO alert_condition (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  const delCond = db.prepare<[string]>('DELETE FROM alert_condition WHERE key = ?');
  const allCond = db.prepare<[], { key: string; value: string }>('SELECT key, value FROM alert_condition ORDER BY key');
  const saveCond = db.transaction((set: readonly StoredCondition[], remove: readonly string[]) => {
    for (const k of remove) delCond.run(k);
    for (const c of set) setCond.run(c.key, JSON.stringify(c.value));
  });

  return {
    async saveAlerts(alerts) {
      if (alerts.length > 0) save.immediate(alerts);
    },
    async alert(id) {
      const row = one.get(id);
      return row ? fromAlertRow(row) : undefined;
    },
    async alerts(q: AlertQuery) {
      const where: string[] = [];
      const args: unknown[] = [];
      if (q.state !== undefined) {
        where.push('state = ?');
        args.push(q.state);
      }
      if (q.nodeId !== undefined) {
        // "At or below": the node itself, anything whose id starts with "node/", or a grouped alert listing it.
        where.push("(node_id = ? OR substr(node_id, 1, ?) = ? OR instr(sensor_ids, ?) > 0)");
        args.push(q.nodeId, q.nodeId.length + 1, `${q.nodeId}/`, JSON.stringify(q.nodeId));
      }
      if (q.before !== undefined) {
        where.push('(opened_at, id) < (SELECT opened_at, id FROM alert WHERE id = ?)');
        args.push(q.before);
      }
      const sql = `SELECT ${COLUMNS} FROM alert ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY opened_at DESC, id DESC LIMIT ?`;
      args.push(alertLimit(q));
      return db.prepare<unknown[], AlertRow>(sql).all(...args).map(fromAlertRow);
    },
    async active() {
      return active.all().map(fromAlertRow);
    },
    async deleteResolvedBefore(before) {
      return purge.run(before).changes;
    },
    async saveConditions(set, remove) {
      if (set.length > 0 || remove.length > 0) saveCond.immediate(set, remove);
    },
    async conditions() {
      return allCond.all().map((r) => ({ key: r.key, value: JSON.parse(r.value) as unknown }));
    },
    // One process owns a SQLite file: it always leads.
    lease: () => ({ acquire: async () => true, onLost: () => undefined, release: async () => undefined }),
  };
}
