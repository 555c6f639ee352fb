// The alerting leader lease on PostgreSQL: a session-level advisory lock held on a dedicated
// connection. Several core processes on one database contend for it; the holder decides and sends,
// the others stand by. The lock dies with its session, so a leader that crashes, or whose
// connection is cut (pg_terminate_backend, network loss), frees it for the next contender.

import pg from 'pg';
import type { LeaderLease } from '../../alerting/engine/alert-store.ts';

export function pgLeaderLease(pool: pg.Pool, schema: string): LeaderLease {
  const key = `wardwatch:alerting-leader:${schema}`;
  let client: pg.Client | undefined;
  let held = false;
  let released = false;
  const listeners: ((reason: string) => void)[] = [];

  const gone = (c: pg.Client, reason: string): void => {
    if (client !== c) return;
    client = undefined;
    c.end().catch(() => undefined);
    if (!held) return;
    held = false;
    for (const fn of listeners) fn(reason);
  };

  return {
    async acquire() {
      if (released) return false;
      if (held && client) return true;
      try {
        if (!client) {
          // Keepalive: a leader cut off without a reset still learns that its session (and lock) is gone.
          const c = new pg.Client({ ...pool.options, application_name: 'wardwatch alerting lease', keepAlive: true });
          // Without a listener an 'error' on an idle client would crash the process.
          c.on('error', (err) => gone(c, `lease connection failed: ${err.message}`));
          c.on('end', () => gone(c, 'lease connection closed'));
          client = c;
          await c.connect();
        }
        const res = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [key]);
        held = res.rows[0]?.ok === true;
        return held;
      } catch {
        // Unreachable database or a connection that died mid-query: not the leader, try again later.
        const c = client;
        held = false;
        client = undefined;
        c?.end().catch(() => undefined);
        return false;
      }
    },
    onLost(fn) {
      listeners.push(fn);
    },
    async release() {
      released = true;
      const c = client;
      client = undefined;
      held = false;
      // Ending the session frees the advisory lock.
      if (c) await c.end().catch(() => undefined);
    },
  };
}
