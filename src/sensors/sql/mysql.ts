// MySQL / MariaDB driver of the sql kind (mysql2): connect, max_statement_time for the session,
// START TRANSACTION READ ONLY, the user's query (multipleStatements off: one statement only),
// ROLLBACK, close — on every path, and destroy on abort.

import mysql from 'mysql2';
import { abortFailure, round, statementTimeoutMs, transportFailure, type SqlRun, type SqlRunOptions } from './run.ts';

interface MysqlError {
  readonly code?: string;
  readonly errno?: number;
  readonly sqlState?: string;
  readonly sqlMessage?: string;
  readonly message: string;
}

const ER_ACCESS_DENIED = 1045;
const ER_DBACCESS_DENIED = 1044;
const ER_BAD_DB = 1049;
const ER_READ_ONLY_TRANSACTION = 1792;
/** MariaDB's max_statement_time and MySQL's max_execution_time. */
const STATEMENT_TIMEOUTS = new Set([1969, 3024]);

function dbFailure(err: unknown, connectMs?: number): SqlRun {
  const e = err as MysqlError;
  const withConnect = connectMs !== undefined ? { connectMs } : {};
  const text = e.sqlMessage ?? e.message;
  if (e.errno === ER_ACCESS_DENIED || e.errno === ER_DBACCESS_DENIED) return { ok: false, error: 'SQL_AUTH', message: `MySQL refused the login: ${text}`, ...withConnect };
  if (e.errno === ER_BAD_DB) return { ok: false, error: 'SQL_UNKNOWN_DATABASE', message: `MySQL: ${text}`, ...withConnect };
  if (e.errno !== undefined && STATEMENT_TIMEOUTS.has(e.errno)) return { ok: false, error: 'SQL_TIMEOUT', message: `MySQL: ${text}`, ...withConnect };
  if (e.errno === ER_READ_ONLY_TRANSACTION) return { ok: false, error: 'SQL_READ_ONLY', message: `MySQL refused a write (nothing was changed): ${text}`, ...withConnect };
  if (e.sqlState !== undefined && e.errno !== undefined) return { ok: false, error: 'SQL_ERROR', message: `MySQL error ${e.errno} (${e.sqlState}): ${text}`, ...withConnect };
  if (e.code === 'ETIMEDOUT' && connectMs === undefined) return { ok: false, error: 'CONNECT_TIMEOUT', message: 'no connection within the timeout' };
  if (e.code === 'HANDSHAKE_NO_SSL_SUPPORT') return { ok: false, error: 'TLS_HANDSHAKE', message: `MySQL: ${text} (tls is set for this sensor)`, ...withConnect };
  if (e.code === 'PROTOCOL_CONNECTION_LOST') return { ok: false, error: 'CLOSED_EARLY', message: `the server closed the connection: ${text}`, ...withConnect };
  return transportFailure(err, 'MySQL', connectMs);
}

type ConnectionConfig = Parameters<typeof mysql.createConnection>[0];

/** Kills the running statement from a second connection: otherwise the server keeps working on it until max_statement_time. */
function killQuery(config: ConnectionConfig, threadId: number | null): void {
  if (threadId === null) return;
  const killer = mysql.createConnection(config);
  killer.on('error', () => {});
  killer.query(`KILL QUERY ${Math.trunc(threadId)}`, () => killer.end(() => {}));
}

export async function runMysql(o: SqlRunOptions): Promise<SqlRun> {
  if (o.signal.aborted) return abortFailure(o.signal);
  const config: ConnectionConfig = {
    host: o.host,
    port: o.port,
    database: o.database,
    user: o.user,
    password: o.password ?? '',
    connectTimeout: Math.max(1, Math.ceil(o.connectTimeoutMs)),
    multipleStatements: false,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    ...(o.tls ? { ssl: { rejectUnauthorized: o.tls.verify, ...(o.tls.ca ? { ca: o.tls.ca } : {}), ...(o.tls.cert ? { cert: o.tls.cert } : {}), ...(o.tls.key ? { key: o.tls.key } : {}) } } : {}),
  };
  const conn = mysql.createConnection(config);
  conn.on('error', () => {});
  // destroy() does not call pending callbacks (a handshake or query in flight would hang): every
  // wait below also ends when the signal aborts
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => (onAbort = () => reject(new Error('aborted'))));
  aborted.catch(() => {});
  let connected = false;
  const kill = () => {
    if (connected) killQuery(config, conn.threadId);
    conn.destroy();
    onAbort();
  };
  o.signal.addEventListener('abort', kill, { once: true });
  const query = (sql: string, rowsAsArray = false) =>
    Promise.race([
      aborted,
      new Promise<unknown>((resolve, reject) => {
        conn.query({ sql, rowsAsArray }, (err, rows, fields) => (err ? reject(err) : resolve({ rows, fields })));
      }),
    ]);
  let connectMs: number | undefined;
  try {
    const t0 = o.now();
    try {
      await Promise.race([aborted, new Promise<void>((resolve, reject) => conn.connect((err) => (err ? reject(err) : resolve())))]);
    } catch (e) {
      if (o.signal.aborted) return abortFailure(o.signal);
      return dbFailure(e);
    }
    connected = true;
    connectMs = round(o.now() - t0);
    // seconds, fractional allowed; MariaDB and MySQL >= 5.7 differ in name: MariaDB first, MySQL's as a fallback
    const limitMs = statementTimeoutMs(o.timeoutMs, connectMs);
    await query(`SET SESSION max_statement_time = ${(limitMs / 1000).toFixed(3)}`).catch(() => query(`SET SESSION max_execution_time = ${limitMs}`));
    await query('START TRANSACTION READ ONLY');
    const t1 = o.now();
    const { rows, fields } = (await query(o.query, true)) as { rows: unknown; fields?: readonly { name: string }[] };
    const executionMs = round(o.now() - t1);
    return { ok: true, connectMs, executionMs, result: { columns: (fields ?? []).map((f) => f.name), rows: Array.isArray(rows) ? (rows as unknown[][]) : [] } };
  } catch (e) {
    if (o.signal.aborted) return abortFailure(o.signal, connectMs);
    return dbFailure(e, connectMs);
  } finally {
    o.signal.removeEventListener('abort', kill);
    if (connected && !o.signal.aborted) {
      await query('ROLLBACK').catch(() => {});
      await new Promise<void>((resolve) => conn.end(() => resolve()));
    } else conn.destroy();
  }
}
