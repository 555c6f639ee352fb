// The auth, credentials and audit store modules on SQLite: the shared contracts, each test on a
// fresh in-memory database.

import { runAuditContract } from '../testing/contract-audit.ts';
import { runAuthContract } from '../testing/contract-auth.ts';
import { openSqliteAuditStore } from './audit.ts';
import { openSqliteAuthStore } from './auth.ts';
import { openSqliteCredentialStore } from './credentials.ts';
import { openSqliteStore } from './index.ts';

runAuthContract('sqlite', async () => {
  const store = openSqliteStore({ path: ':memory:' });
  return { auth: openSqliteAuthStore(store.connection), credentials: openSqliteCredentialStore(store.connection), close: async () => store.close() };
});

runAuditContract('sqlite', async () => {
  const store = openSqliteStore({ path: ':memory:' });
  const db = store.connection;
  return {
    audit: openSqliteAuditStore(db),
    exec: async (sql) => void db.exec(sql),
    tamper: async (sql) => {
      db.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;');
      db.exec(sql);
    },
    close: async () => store.close(),
  };
});
