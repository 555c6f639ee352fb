// Opens the security tables on whichever store the deployment runs (SQLite file or PostgreSQL).

import { forDialect } from '../store/open.ts';
import type { AnyStore } from '../store/open.ts';
import { openPgSecurityStore } from '../store/postgres/security.ts';
import { openSqliteSecurityStore } from '../store/sqlite/security.ts';
import type { SecurityStore } from './store.ts';

export function openSecurityStore(store: AnyStore): Promise<SecurityStore> {
  return forDialect(store, { sqlite: openSqliteSecurityStore, postgres: openPgSecurityStore });
}
