// Opens the store a deployment asked for: the embedded SQLite file (default) or PostgreSQL given by
// a postgres:// URL, and gives the parts that keep tables of their own the matching connection.

import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type pg from 'pg';
import type { Clock } from '../core/clock.ts';
import { openPostgresStore, type PostgresStore } from './postgres/index.ts';
import { openSqliteStore, type SqliteStore } from './sqlite/index.ts';

export type AnyStore = SqliteStore | PostgresStore;

export interface OpenStoreOptions {
  /** postgres://... for PostgreSQL; otherwise the SQLite file is dataDir/wardwatch.db. */
  readonly url?: string;
  readonly dataDir: string;
  readonly clock?: Pick<Clock, 'now'>;
}

export async function openStore(opts: OpenStoreOptions): Promise<AnyStore> {
  if (opts.url !== undefined && /^postgres(ql)?:\/\//.test(opts.url)) {
    return openPostgresStore({ connectionString: opts.url, ...(opts.clock ? { clock: opts.clock } : {}) });
  }
  if (opts.url !== undefined && opts.url !== '' && !opts.url.startsWith('sqlite:')) {
    throw new Error(`store URL ${JSON.stringify(opts.url)}: expected postgres://user@host:5432/db or sqlite:PATH`);
  }
  const path = opts.url?.startsWith('sqlite:') ? opts.url.slice('sqlite:'.length) : join(opts.dataDir, 'wardwatch.db');
  return openSqliteStore({ path, ...(opts.clock ? { clock: opts.clock } : {}) });
}

/** A part's dialect implementations, picked by the store it runs on. */
export interface ByDialect<T> {
  sqlite(db: Database.Database): T | Promise<T>;
  postgres(pool: pg.Pool, schema: string): T | Promise<T>;
}

export async function forDialect<T>(store: AnyStore, impl: ByDialect<T>): Promise<T> {
  return store.dialect === 'sqlite' ? impl.sqlite(store.connection) : impl.postgres(store.connection, store.schema);
}
