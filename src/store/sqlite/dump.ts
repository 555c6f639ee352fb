// Reads a SQLite data file table by table, in key order and in chunks, for `wardwatch migrate`:
// the file is opened read-only, so a migration can never change the source.

import Database from 'better-sqlite3';
import { MIGRATIONS, schemaVersion } from './schema.ts';

export type Cell = string | number | bigint | boolean | Buffer | null;

export interface DumpTable {
  readonly name: string;
  readonly columns: readonly string[];
  /** Key columns the chunks are ordered by ('rowid' for ordinary tables). */
  readonly key: readonly string[];
}

/** Tables that are not data to move: SQLite's own, the per-module schema versions, and the id tables (re-created by name). */
const NOT_MOVED = new Set(['module_schema', 'sensor', 'series']);

export class SqliteDump {
  readonly #db: Database.Database;
  readonly path: string;

  constructor(path: string) {
    this.path = path;
    try {
      this.#db = new Database(path, { readonly: true, fileMustExist: true });
    } catch (e) {
      throw new Error(`${path}: cannot open the SQLite data file (${(e as Error).message})`);
    }
    const v = schemaVersion(this.#db);
    if (v === 0) throw new Error(`${path}: not a Wardwatch data file (schema version 0)`);
    if (v > MIGRATIONS.length) throw new Error(`${path}: schema version ${v} is newer than this Wardwatch supports (${MIGRATIONS.length}): upgrade Wardwatch first`);
  }

  schemaVersion(): number {
    return schemaVersion(this.#db);
  }

  tables(): DumpTable[] {
    const rows = this.#db.prepare<[], { name: string; sql: string }>("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all();
    return rows
      .filter((r) => !NOT_MOVED.has(r.name))
      .map((r) => {
        const info = this.#db.prepare<[], { name: string; pk: number }>(`SELECT name, pk FROM pragma_table_info('${r.name.replace(/'/g, "''")}')`).all();
        const withoutRowid = /WITHOUT\s+ROWID/i.test(r.sql);
        const pk = info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
        return { name: r.name, columns: info.map((c) => c.name), key: withoutRowid ? pk : ['rowid'] };
      });
  }

  count(table: string): number {
    return (this.#db.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n;
  }

  /** Sensor names by their id in this file. */
  sensors(): Map<number, string> {
    return new Map(this.#db.prepare<[], { id: number; name: string }>('SELECT id, name FROM sensor').all().map((r) => [r.id, r.name]));
  }

  /** (sensor name, channel) by series id in this file. */
  series(): Map<number, readonly [string, string]> {
    const rows = this.#db.prepare<[], { id: number; name: string; channel: string }>('SELECT s.id, n.name, s.channel FROM series s JOIN sensor n ON n.id = s.sensor_ref').all();
    return new Map(rows.map((r) => [r.id, [r.name, r.channel] as const]));
  }

  /** Up to `limit` rows after `after` (a key, or undefined for the start), in key order; each row has the key values last. */
  chunk(t: DumpTable, after: readonly Cell[] | undefined, limit: number): { rows: Cell[][]; last: Cell[] | undefined } {
    const cols = [...t.columns, ...t.key].map((c) => (c === 'rowid' ? 'rowid' : `"${c}"`)).join(', ');
    const keyList = t.key.map((c) => (c === 'rowid' ? 'rowid' : `"${c}"`)).join(', ');
    const where = after === undefined ? '' : `WHERE (${keyList}) > (${t.key.map(() => '?').join(', ')})`;
    const stmt = this.#db.prepare(`SELECT ${cols} FROM "${t.name}" ${where} ORDER BY ${keyList} LIMIT ${Math.max(1, Math.floor(limit))}`).raw(true);
    const rows = (after === undefined ? stmt.all() : stmt.all(...after)) as Cell[][];
    const lastRow = rows.at(-1);
    return { rows: rows.map((r) => r.slice(0, t.columns.length)), last: lastRow?.slice(t.columns.length) };
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
