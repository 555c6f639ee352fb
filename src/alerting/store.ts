// Opens the alerting part's own tables on whichever store the deployment runs (SQLite or
// PostgreSQL), and the key that signs acknowledgement links, created once and kept in the data dir.

import { randomBytes } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { forDialect, type AnyStore } from '../store/open.ts';
import { openPgAlertStore } from '../store/postgres/alerting.ts';
import { openSqliteAlertStore } from '../store/sqlite/alerting.ts';
import type { AlertStore } from './engine/alert-store.ts';

export type { AlertStore, StoredAlert } from './engine/alert-store.ts';

export function openAlertStore(store: AnyStore): Promise<AlertStore> {
  return forDialect(store, { sqlite: (db) => openSqliteAlertStore(db), postgres: (pool, schema) => openPgAlertStore(pool, schema) });
}

/**
 * Reads the acknowledgement-link key from `path`, or creates a random 32-byte one there (mode 0600).
 * Losing the file only invalidates links already sent.
 */
export async function loadOrCreateAckKey(path: string): Promise<Buffer> {
  try {
    const key = await readFile(path);
    if (key.length < 16) throw new Error(`acknowledgement link key ${path}: expected at least 16 bytes, found ${key.length}; delete the file to have a new one made`);
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const key = randomBytes(32);
  // "wx": never overwrite a key another process has just written.
  await writeFile(path, key, { flag: 'wx', mode: 0o600 }).catch(async (err: unknown) => {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  });
  await chmod(path, 0o600);
  return readFile(path);
}
