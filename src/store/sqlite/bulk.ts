// Multi-row statements: N rows go to SQLite in about N/128 native calls instead of N. With one
// statement per row, binding and crossing into native code (~1 µs a call) cost more than the insert.

import type Database from 'better-sqlite3';

/** Rows per statement; 128 rows x 3 columns stays far below SQLite's 32,766 parameters. */
const MAX_ROWS = 128;

export class BulkStatement {
  readonly #db: Database.Database;
  readonly #width: number;
  readonly #sql: (tuples: string) => string;
  /** One prepared statement per row count used: 128 and the powers of two below it. */
  readonly #bySize = new Map<number, Database.Statement<number[]>>();

  /** `sql` receives the VALUES tuples ("(?, ?, ?), (?, ?, ?)") and returns the whole statement. */
  constructor(db: Database.Database, width: number, sql: (tuples: string) => string) {
    this.#db = db;
    this.#width = width;
    this.#sql = sql;
  }

  /** Runs the statement over `args`: rows of `width` values laid end to end. */
  run(args: readonly number[]): void {
    const rows = args.length / this.#width;
    let done = 0;
    const exec = (size: number): void => {
      this.#statement(size).run(...args.slice(done * this.#width, (done + size) * this.#width));
      done += size;
    };
    while (rows - done >= MAX_ROWS) exec(MAX_ROWS);
    // The rest by powers of two: at most 8 statements per table are ever prepared.
    for (let size = MAX_ROWS >> 1; size >= 1; size >>= 1) if (rows - done >= size) exec(size);
  }

  #statement(rows: number): Database.Statement<number[]> {
    let stmt = this.#bySize.get(rows);
    if (stmt === undefined) {
      const tuple = `(${new Array<string>(this.#width).fill('?').join(', ')})`;
      stmt = this.#db.prepare<number[]>(this.#sql(new Array<string>(rows).fill(tuple).join(', ')));
      this.#bySize.set(rows, stmt);
    }
    return stmt;
  }
}
