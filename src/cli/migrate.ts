// `wardwatch migrate --from sqlite:./data/wardwatch.db --to postgres://…`: moves a SQLite data file
// into PostgreSQL, printing progress; Ctrl-C (or any interruption) keeps what was moved, and the
// same command resumes.

import { parseArgs } from 'node:util';
import { MigrateInterrupted, migrateSqliteToPostgres, type MigrateOptions } from '../store/migrate.ts';
import type { Io } from './io.ts';

const USAGE = 'usage: wardwatch migrate --from sqlite:PATH --to postgres://USER@HOST:5432/DB [--schema NAME] [--chunk ROWS]\n';

export interface MigrateCommandOptions {
  readonly signal?: AbortSignal;
  readonly prepareModules?: MigrateOptions['prepareModules'];
}

export async function migrateCommand(argv: readonly string[], io: Io, extra: MigrateCommandOptions = {}): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: [...argv], strict: true, options: { from: { type: 'string' }, to: { type: 'string' }, schema: { type: 'string' }, chunk: { type: 'string' } } }));
  } catch (e) {
    io.err(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.from === undefined || values.to === undefined) {
    io.err(`--from and --to are both required\n${USAGE}`);
    return 2;
  }
  if (!values.from.startsWith('sqlite:')) {
    io.err(`--from: expected sqlite:PATH (the SQLite data file), got ${JSON.stringify(values.from)}\n`);
    return 2;
  }
  if (!/^postgres(ql)?:\/\//.test(values.to)) {
    io.err(`--to: expected postgres://USER@HOST:PORT/DATABASE, got ${JSON.stringify(values.to)}\n`);
    return 2;
  }
  const chunkRows = values.chunk === undefined ? undefined : Number(values.chunk);
  if (chunkRows !== undefined && (!Number.isInteger(chunkRows) || chunkRows < 1)) {
    io.err(`--chunk: expected a positive integer, got ${JSON.stringify(values.chunk)}\n`);
    return 2;
  }
  const controller = new AbortController();
  const stop = () => controller.abort();
  extra.signal?.addEventListener('abort', stop);
  process.once('SIGINT', stop);
  let lastLine = 0;
  try {
    const result = await migrateSqliteToPostgres({
      from: values.from.slice('sqlite:'.length),
      to: values.to,
      ...(values.schema ? { schema: values.schema } : {}),
      ...(chunkRows ? { chunkRows } : {}),
      signal: controller.signal,
      ...(extra.prepareModules ? { prepareModules: extra.prepareModules } : {}),
      onProgress: (p) => {
        const finished = p.rows >= p.total;
        // One line per table when it finishes, and at most one a second while it moves.
        if (!finished && p.elapsedMs - lastLine < 1000) return;
        lastLine = p.elapsedMs;
        const pct = p.total === 0 ? 100 : Math.floor((100 * p.rows) / p.total);
        io.out(`${p.table}: ${p.rows}/${p.total} rows (${pct}%)${p.resumed ? ' resumed' : ''}  ${(p.elapsedMs / 1000).toFixed(1)} s\n`);
      },
    });
    const rows = result.tables.reduce((a, t) => a + t.rows, 0);
    io.out(`migrated ${rows} rows in ${result.tables.length} tables in ${(result.elapsedMs / 1000).toFixed(1)} s; start with: wardwatch start --store ${values.to}\n`);
    return 0;
  } catch (e) {
    io.err(`wardwatch migrate: ${(e as Error).message}\n`);
    return e instanceof MigrateInterrupted ? 3 : 1;
  } finally {
    process.off('SIGINT', stop);
    extra.signal?.removeEventListener('abort', stop);
  }
}
