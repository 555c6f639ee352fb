// The sql kind against the real PostgreSQL and MariaDB on this machine: values, row counts,
// column channels, writes refused (and verified unwritten), statement timeouts, login and
// database errors, refused ports and settings errors.

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sqlKind } from './index.ts';
import { makeContext } from '../testing/contract.ts';
import { closedPort } from '../testing/peers.ts';
import { MARIADB_DOWN, MY, PG, myAdmin, pgAdmin, reachable, sqlCredential, uniqueName } from './testing.ts';
import { camelKey, toNumber } from './result.ts';
import type { Reading } from '../../core/model.ts';
import type { CheckContext } from '../sensor.ts';

const run = (settings: unknown, ctx: Partial<CheckContext> = {}): Promise<Reading> => sqlKind.check(sqlKind.settings.parse(settings), makeContext(ctx));
const ch = (r: Reading, key: string): number | undefined => r.channels.find((c) => c.key === key)?.value;

describe('sql settings', () => {
  it('rejects an unknown driver with the exact message', () => {
    const r = sqlKind.settings.safeParse({ driver: 'oracle', host: 'db', database: 'x', query: 'select 1' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe('expected postgres or mysql, got "oracle"');
  });
  it('rejects an empty query and an inline password', () => {
    const empty = sqlKind.settings.safeParse({ driver: 'postgres', host: 'db', database: 'x', query: '  ' });
    expect(empty.error?.issues[0]?.message).toBe('expected an SQL query, got an empty string');
    const pw = sqlKind.settings.safeParse({ driver: 'postgres', host: 'db', database: 'x', query: 'select 1', password: 'secret' });
    expect(pw.success).toBe(false);
    expect(pw.error?.issues[0]?.code).toBe('unrecognized_keys');
  });
  it('needs a user from settings or a credential, and a credential of type sql', async () => {
    const base = { driver: 'postgres', host: '127.0.0.1', database: 'test', query: 'select 1' };
    expect((await run(base)).message).toBe('no user: set `user` or a credential of type sql with a user');
    const r = await run(base, { credential: { name: 'snmpv3', type: 'snmp', values: { user: 'x' } } });
    expect(r.error).toBe('BAD_SETTINGS');
    expect(r.message).toBe('credential "snmpv3" is of type snmp, expected sql');
  });
  it('reads numbers the way drivers return them and camelCases column names', () => {
    expect([toNumber('12.50'), toNumber(7n), toNumber(true), toNumber('abc'), toNumber(null), toNumber('')]).toEqual([12.5, 7, 1, undefined, undefined, undefined]);
    expect([camelKey('free_space_mb'), camelKey('Free Space'), camelKey('queue-length'), camelKey('2xx')]).toEqual(['freeSpaceMb', 'freeSpace', 'queueLength', 'c2xx']);
  });
});

describe('sql on PostgreSQL', () => {
  const table = uniqueName('ww_sql');
  const base = { driver: 'postgres', host: PG.host, port: PG.port, database: PG.database, user: PG.user };
  beforeAll(async () => {
    await pgAdmin(async (c) => {
      await c.query(`CREATE TABLE ${table} (id int, queue_length int, label text)`);
      await c.query(`INSERT INTO ${table} VALUES (1, 42, 'a'), (2, 7, 'b'), (3, 0, 'c')`);
    });
  });
  afterAll(async () => {
    await pgAdmin((c) => c.query(`DROP TABLE IF EXISTS ${table}`));
  });

  it('reports value (first column), rowCount and timings', async () => {
    const r = await run({ ...base, query: `SELECT queue_length, label FROM ${table} ORDER BY id` });
    expect(r.error, r.message).toBeUndefined();
    expect(ch(r, 'value')).toBe(42);
    expect(ch(r, 'rowCount')).toBe(3);
    expect(ch(r, 'executionTimeMs')).toBeGreaterThanOrEqual(0);
    expect(ch(r, 'connectMs')).toBeGreaterThanOrEqual(0);
    expect(r.message).toMatch(/^3 row\(s\) in \d+ ms, value 42$/);
  });

  it('takes a named column of a chosen row, bigint and numeric included', async () => {
    const r = await run({ ...base, query: `SELECT count(*) AS n, sum(queue_length)::numeric / 4 AS avg_q FROM ${table}`, valueColumn: 'avg_q' });
    expect(ch(r, 'value')).toBe(12.25);
    const r2 = await run({ ...base, query: `SELECT label, queue_length FROM ${table} ORDER BY id`, valueColumn: 'queue_length', row: 1 });
    expect(ch(r2, 'value')).toBe(7);
  });

  it('reports one channel per numeric column with columnsAsChannels', async () => {
    const r = await run({ ...base, query: `SELECT count(*) AS total_rows, max(queue_length) AS "Max Queue", 'x' AS label FROM ${table}`, columnsAsChannels: true });
    expect(r.error).toBeUndefined();
    expect(r.channels.filter((c) => c.unit === 'value').map((c) => [c.key, c.value])).toEqual([
      ['totalRows', 3],
      ['maxQueue', 42],
    ]);
  });

  it('leaves out the value when the first column is not numeric, but fails a named one', async () => {
    const r = await run({ ...base, query: `SELECT label FROM ${table} ORDER BY id` });
    expect(r.error).toBeUndefined();
    expect(ch(r, 'value')).toBeUndefined();
    const named = await run({ ...base, query: `SELECT label FROM ${table} ORDER BY id`, valueColumn: 'label' });
    expect(named.error).toBe('SQL_NOT_NUMERIC');
    expect(named.message).toBe('column "label" is not a number: "a"');
    const missing = await run({ ...base, query: `SELECT label FROM ${table}`, valueColumn: 'nope' });
    expect(missing.message).toBe('the result has no column "nope" (columns: label)');
    const none = await run({ ...base, query: `SELECT id FROM ${table} WHERE id < 0`, valueColumn: 'id' });
    expect(none.error).toBe('SQL_NO_ROWS');
    expect(ch(none, 'rowCount')).toBe(0);
  });

  it('refuses an INSERT with SQL_READ_ONLY and writes nothing', async () => {
    const r = await run({ ...base, query: `INSERT INTO ${table} VALUES (99, 99, 'evil')` });
    expect(r.error).toBe('SQL_READ_ONLY');
    expect(r.message).toContain('cannot execute INSERT in a read-only transaction');
    const escape = await run({ ...base, query: `COMMIT; INSERT INTO ${table} VALUES (98, 98, 'evil')` });
    expect(escape.error).toBe('SQL_ERROR');
    expect(escape.message).toContain('cannot insert multiple commands into a prepared statement');
    const count = await pgAdmin((c) => c.query(`SELECT count(*)::int AS n FROM ${table}`));
    expect(count.rows[0]).toEqual({ n: 3 });
  });

  it('stops a long query with the statement timeout (SQL_TIMEOUT)', async () => {
    const r = await run({ ...base, query: 'SELECT pg_sleep(30)' }, { timeoutMs: 600 });
    expect(r.error).toBe('SQL_TIMEOUT');
    expect(r.message).toContain('canceling statement due to statement timeout');
  });

  it('reports an unknown database, a syntax error and a refused port', async () => {
    const db = await run({ ...base, database: uniqueName('nodb'), query: 'select 1' });
    expect(db.error).toBe('SQL_UNKNOWN_DATABASE');
    const syntax = await run({ ...base, query: 'SELEC 1' });
    expect(syntax.error).toBe('SQL_ERROR');
    expect(syntax.message).toBe('postgres://127.0.0.1:5432/test: PostgreSQL error 42601: syntax error at or near "SELEC"');
    const refused = await run({ ...base, port: await closedPort(), query: 'select 1' });
    expect(refused.error).toBe('ECONNREFUSED');
  });

  it('on abort mid-query, returns TIMEOUT and cancels the statement on the server', async () => {
    const marker = uniqueName('ww_abort');
    const controller = new AbortController();
    const pending = run({ ...base, query: `SELECT pg_sleep(60) AS ${marker}` }, { signal: controller.signal, timeoutMs: 120_000 });
    const running = () => pgAdmin(async (c) => (await c.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE '%AS ${marker}' AND state = 'active'`)).rows[0] as { n: number });
    await vi.waitFor(async () => expect(await running()).toEqual({ n: 1 }), { timeout: 5000, interval: 20 });
    controller.abort(new DOMException('timed out', 'TimeoutError'));
    const r = await pending;
    expect(r.error).toBe('TIMEOUT');
    try {
      await vi.waitFor(async () => expect(await running()).toEqual({ n: 0 }), { timeout: 5000, interval: 20 });
    } finally {
      // should the cancel not work, the test must not leave a busy backend behind
      await pgAdmin((c) => c.query(`SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE '%AS ${marker}' AND pid <> pg_backend_pid()`));
    }
  });

  it('reports TLS_HANDSHAKE when tls is set and this server has no TLS', async () => {
    const r = await run({ ...base, query: 'select 1', tls: { verify: false } });
    expect(r.error).toBe('TLS_HANDSHAKE');
    expect(r.message).toBe('postgres://127.0.0.1:5432/test: PostgreSQL: The server does not support SSL connections (tls is set for this sensor)');
  });

  it('maps a refused login to SQL_AUTH', async () => {
    // this server trusts every local login, so the role that cannot log in stands in for a wrong password
    const role = uniqueName('ww_nologin');
    await pgAdmin((c) => c.query(`CREATE ROLE ${role} NOLOGIN`));
    try {
      const r = await run({ driver: 'postgres', host: PG.host, database: PG.database, query: 'select 1' }, { credential: sqlCredential(role, 'wrong') });
      expect(r.error).toBe('SQL_AUTH');
      expect(r.message).toContain(`role "${role}" is not permitted to log in`);
    } finally {
      await pgAdmin((c) => c.query(`DROP ROLE ${role}`));
    }
  });
});

describe('sql on MariaDB', () => {
  const table = uniqueName('ww_sql');
  const base = { driver: 'mysql', host: MY.host, port: MY.port, database: MY.database, user: MY.user };
  beforeAll(async () => {
    if (!(await reachable(MY.port))) throw new Error(MARIADB_DOWN);
    await myAdmin(async (c) => {
      await c.query(`CREATE TABLE ${table} (id int, queue_length int, label varchar(10)) ENGINE=InnoDB`);
      await c.query(`INSERT INTO ${table} VALUES (1, 42, 'a'), (2, 7, 'b'), (3, 0, 'c')`);
    });
  });
  afterAll(async () => {
    if (await reachable(MY.port)) await myAdmin((c) => c.query(`DROP TABLE IF EXISTS ${table}`));
  });

  it('reports value, rowCount and column channels', async () => {
    const r = await run({ ...base, query: `SELECT queue_length, label FROM ${table} ORDER BY id` });
    expect(r.error, r.message).toBeUndefined();
    expect(ch(r, 'value')).toBe(42);
    expect(ch(r, 'rowCount')).toBe(3);
    const cols = await run({ ...base, query: `SELECT count(*) AS total_rows, sum(queue_length) / 4 AS avg_queue FROM ${table}`, columnsAsChannels: true });
    expect(cols.channels.filter((c) => c.unit === 'value').map((c) => [c.key, c.value])).toEqual([
      ['totalRows', 3],
      ['avgQueue', 12.25],
    ]);
  });

  it('refuses an INSERT with SQL_READ_ONLY and writes nothing', async () => {
    const r = await run({ ...base, query: `INSERT INTO ${table} VALUES (99, 99, 'evil')` });
    expect(r.error).toBe('SQL_READ_ONLY');
    expect(r.message).toContain('Cannot execute statement in a READ ONLY transaction');
    const escape = await run({ ...base, query: `COMMIT; INSERT INTO ${table} VALUES (98, 98, 'evil')` });
    expect(escape.error).toBe('SQL_ERROR');
    const [rows] = await myAdmin((c) => c.query(`SELECT count(*) AS n FROM ${table}`));
    expect(rows).toEqual([{ n: 3 }]);
  });

  it('stops a long query with the statement timeout (SQL_TIMEOUT)', async () => {
    const r = await run({ ...base, query: `SELECT count(*) FROM ${table} a, ${table} b WHERE SLEEP(10) = 0` }, { timeoutMs: 600 });
    expect(r.error, r.message).toBe('SQL_TIMEOUT');
    expect(r.message).toContain('max_statement_time exceeded');
  });

  it('reports TLS_HANDSHAKE when tls is set and this server has no TLS', async () => {
    const r = await run({ ...base, query: 'select 1', tls: { verify: false } });
    expect(r.error, r.message).toBe('TLS_HANDSHAKE');
  });

  it('on abort mid-query, returns ABORTED and kills the statement on the server', async () => {
    const marker = uniqueName('ww_abort');
    const controller = new AbortController();
    const pending = run({ ...base, query: `SELECT BENCHMARK(1000000000000, MD5('x')) AS ${marker}` }, { signal: controller.signal, timeoutMs: 120_000 });
    const running = () => myAdmin(async (c) => (await c.query(`SELECT count(*) AS n FROM information_schema.processlist WHERE info LIKE '%AS ${marker}' AND command = 'Query'`))[0]);
    await vi.waitFor(async () => expect(await running()).toEqual([{ n: 1 }]), { timeout: 5000, interval: 20 });
    controller.abort();
    const r = await pending;
    expect(r.error).toBe('ABORTED');
    try {
      await vi.waitFor(async () => expect(await running()).toEqual([{ n: 0 }]), { timeout: 5000, interval: 20 });
    } finally {
      // should the kill not work, the test must not leave a busy thread behind
      await myAdmin(async (c) => {
        const [left] = await c.query(`SELECT id FROM information_schema.processlist WHERE info LIKE '%AS ${marker}' AND command = 'Query' AND id <> CONNECTION_ID()`);
        for (const { id } of left as { id: number }[]) await c.query(`KILL QUERY ${id}`);
      });
    }
  });

  it('maps a wrong password to SQL_AUTH, an unknown database and a refused port', async () => {
    const auth = await run({ driver: 'mysql', host: MY.host, database: MY.database, query: 'select 1' }, { credential: sqlCredential('root', 'wrong-password') });
    expect(auth.error).toBe('SQL_AUTH');
    expect(auth.message).toContain("Access denied for user 'root'@'127.0.0.1' (using password: YES)");
    const db = await run({ ...base, database: uniqueName('nodb'), query: 'select 1' });
    expect(db.error).toBe('SQL_UNKNOWN_DATABASE');
    const refused = await run({ ...base, port: await closedPort(), query: 'select 1' });
    expect(refused.error).toBe('ECONNREFUSED');
  });
});
