// The MessageLog role in SQLite: messages that arrived on their own (syslog lines, SNMP traps,
// ATNA audit records), appended in batches, searched newest first by device, receiver, time and
// case-insensitive text, and swept after a retention period in small transactions.

import type Database from 'better-sqlite3';
import type { MessageQuery, ReceivedMessage, StoredMessage } from '../store.ts';

/** Messages are kept this many days unless the store is told otherwise. */
export const DEFAULT_MESSAGE_RETENTION_DAYS = 90;
const DAY_MS = 86_400_000;
const SWEEP_CHUNK = 5_000;
const MAX_LIMIT = 10_000;

interface Row {
  readonly id: number;
  readonly ts: number;
  readonly receiver: string;
  readonly source: string;
  readonly device_id: string | null;
  readonly severity: ReceivedMessage['severity'];
  readonly text: string;
  readonly data: string | null;
}

/** What search runs over: the text and the data, lower-cased (JS lower-casing covers non-ASCII, SQLite's LIKE does not). */
function searchable(m: ReceivedMessage, data: string | null): string {
  return (data === null ? m.text : `${m.text}\n${data}`).toLowerCase();
}

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
        this.#insert.run(m.ts, m.receiver, m.source, m.deviceId ?? null, m.severity, m.text, data, searchable(m, data));
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
    const limit = Math.max(1, Math.min(MAX_LIMIT, Math.floor(q.limit ?? 100)));
    const sql = `SELECT id, ts, receiver, source, device_id, severity, text, data FROM message${
      where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''
    } ORDER BY id DESC LIMIT ${limit}`;
    return (this.#db.prepare(sql).all(...args) as Row[]).map(toMessage);
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

function toMessage(r: Row): StoredMessage {
  return {
    id: r.id,
    receiver: r.receiver,
    ts: r.ts,
    source: r.source,
    ...(r.device_id === null ? {} : { deviceId: r.device_id }),
    severity: r.severity,
    text: r.text,
    ...(r.data === null ? {} : { data: JSON.parse(r.data) as Record<string, unknown> }),
  };
}
