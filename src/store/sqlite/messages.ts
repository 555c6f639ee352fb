// The MessageLog role in SQLite: messages that arrived on their own (syslog lines, SNMP traps,
// ATNA audit records), appended in batches, searched newest first by device, receiver, time and
// case-insensitive text, and swept after a retention period in small transactions.

import type Database from 'better-sqlite3';
import type { MessageQuery, ReceivedMessage, StoredMessage } from '../store.ts';
import { fromMessageRow, messageLimit, searchableText, type MessageRow } from '../rows.ts';

export { DEFAULT_MESSAGE_RETENTION_DAYS } from '../rows.ts';

const DAY_MS = 86_400_000;
const SWEEP_CHUNK = 5_000;

export class SqliteMessageLog {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement<unknown[]>;
  readonly #sweep: Database.Statement<[number, number]>;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#insert = db.prepare(
      'INSERT INTO message (ts, receiver, source, device_id, severity, text, data, text_lc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.#sweep = db.prepare('DELETE FROM message WHERE id IN (SELECT id FROM message WHERE ts < ? ORDER BY ts LIMIT ?)');
  }

  append(messages: readonly ReceivedMessage[]): void {
    if (messages.length === 0) return;
    this.#db.transaction(() => {
      for (const m of messages) {
        const data = m.data === undefined ? null : JSON.stringify(m.data);
        this.#insert.run(m.ts, m.receiver, m.source, m.deviceId ?? null, m.severity, m.text, data, searchableText(m, data));
      }
    })();
  }

  query(q: MessageQuery): StoredMessage[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const add = (clause: string, arg: string | number | undefined) => {
      if (arg === undefined) return;
      where.push(clause);
      args.push(arg);
    };
    add('receiver = ?', q.receiver);
    add('device_id = ?', q.deviceId);
    add('source = ?', q.source);
    add('ts >= ?', q.from);
    add('ts <= ?', q.to);
    add('id < ?', q.beforeId);
    // instr() rather than LIKE: no wildcard escaping, and '%' or '_' in a search mean themselves.
    add('instr(text_lc, ?) > 0', q.text === undefined || q.text === '' ? undefined : q.text.toLowerCase());
    const limit = messageLimit(q);
    const sql = `SELECT id, ts, receiver, source, device_id, severity, text, data FROM message${
      where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''
    } ORDER BY id DESC LIMIT ${limit}`;
    return (this.#db.prepare(sql).all(...args) as MessageRow[]).map(fromMessageRow);
  }

  /** Deletes messages older than `days` before `now`, yielding between chunks; returns the rows deleted. */
  async sweep(now: number, days: number): Promise<number> {
    const bound = now - days * DAY_MS;
    let deleted = 0;
    for (;;) {
      if (!this.#db.open) return deleted;
      const n = this.#sweep.run(bound, SWEEP_CHUNK).changes;
      deleted += n;
      if (n < SWEEP_CHUNK) return deleted;
      await new Promise<void>((r) => setImmediate(r));
    }
  }
}
