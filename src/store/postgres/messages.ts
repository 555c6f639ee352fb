// The MessageLog role in PostgreSQL (syslog lines, SNMP traps, ATNA audit records), with the SQLite
// store's semantics: newest first by id, filters by receiver/device/source/time, and a
// case-insensitive literal substring search over the text and the data JSON.

import type { Pool } from 'pg';
import type { MessageQuery, ReceivedMessage, StoredMessage } from '../store.ts';
import { fromMessageRow, messageLimit, searchableText, type MessageRow } from '../rows.ts';

export { DEFAULT_MESSAGE_RETENTION_DAYS } from '../rows.ts';

export class PgMessageLog {
  readonly #pool: Pool;

  constructor(pool: Pool) {
    this.#pool = pool;
  }

  async append(messages: readonly ReceivedMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const data = messages.map((m) => (m.data === undefined ? null : JSON.stringify(m.data)));
    await this.#pool.query(
      `INSERT INTO message (ts, receiver, source, device_id, severity, text, data, text_lc)
       SELECT t, r, s, d, v, x, j, l FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
         WITH ORDINALITY AS u(t, r, s, d, v, x, j, l, o) ORDER BY o`,
      [
        messages.map((m) => m.ts),
        messages.map((m) => m.receiver),
        messages.map((m) => m.source),
        messages.map((m) => m.deviceId ?? null),
        messages.map((m) => m.severity),
        messages.map((m) => m.text),
        data,
        // Lower-cased in JavaScript: the same folding as the SQLite store, whatever the database locale.
        messages.map((m, i) => searchableText(m, data[i] ?? null)),
      ],
    );
  }

  async query(q: MessageQuery): Promise<StoredMessage[]> {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const filter = (clause: string, value: string | number): void => {
      args.push(value);
      where.push(clause.replace('?', `$${args.length}`));
    };
    if (q.receiver !== undefined) filter('receiver = ?', q.receiver);
    if (q.deviceId !== undefined) filter('device_id = ?', q.deviceId);
    if (q.source !== undefined) filter('source = ?', q.source);
    if (q.from !== undefined) filter('ts >= ?', q.from);
    if (q.to !== undefined) filter('ts <= ?', q.to);
    if (q.beforeId !== undefined) filter('id < ?', q.beforeId);
    // strpos() rather than LIKE: '%' and '_' in a search mean themselves.
    if (q.text !== undefined && q.text !== '') filter('strpos(text_lc, ?) > 0', q.text.toLowerCase());
    const limit = messageLimit(q);
    const res = await this.#pool.query<MessageRow>(
      `SELECT id::float8 AS id, ts::float8 AS ts, receiver, source, device_id, severity, text, data FROM message
       ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${limit}`,
      args,
    );
    return res.rows.map(fromMessageRow);
  }
}
