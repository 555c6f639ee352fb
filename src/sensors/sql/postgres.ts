// PostgreSQL driver of the sql kind (node-postgres): connect, BEGIN READ ONLY, SET LOCAL
// statement_timeout, the user's query over the extended protocol (one statement only, so no
// "COMMIT; DELETE ..." can escape the transaction), ROLLBACK, close — on every path.

import pg from 'pg';
import net, { type Socket } from 'node:net';
import { abortFailure, round, statementTimeoutMs, transportFailure, type SqlRun, type SqlRunOptions } from './run.ts';

interface PgError {
  readonly code?: string;
  readonly message: string;
}

function sqlState(err: unknown): string | undefined {
  const code = (err as PgError | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

function dbFailure(err: unknown, connectMs?: number): SqlRun {
  const state = sqlState(err);
  const message = (err as PgError).message;
  const withConnect = connectMs !== undefined ? { connectMs } : {};
  if (state === undefined) {
    if (/timeout expired/i.test(message)) return { ok: false, error: 'CONNECT_TIMEOUT', message: 'no connection within the timeout', ...withConnect };
    if (/does not support SSL/i.test(message)) return { ok: false, error: 'TLS_HANDSHAKE', message: `PostgreSQL: ${message} (tls is set for this sensor)`, ...withConnect };
    if (/Connection terminated/i.test(message)) return { ok: false, error: 'CLOSED_EARLY', message: `the server closed the connection: ${message}`, ...withConnect };
    return transportFailure(err, 'PostgreSQL', connectMs);
  }
  if (state === '28P01' || state === '28000') return { ok: false, error: 'SQL_AUTH', message: `PostgreSQL refused the login: ${message}`, ...withConnect };
  if (state === '3D000') return { ok: false, error: 'SQL_UNKNOWN_DATABASE', message: `PostgreSQL: ${message}`, ...withConnect };
  if (state === '57014') return { ok: false, error: 'SQL_TIMEOUT', message: `PostgreSQL: ${message}`, ...withConnect };
  if (state === '25006') return { ok: false, error: 'SQL_READ_ONLY', message: `PostgreSQL refused a write (nothing was changed): ${message}`, ...withConnect };
  return { ok: false, error: 'SQL_ERROR', message: `PostgreSQL error ${state}: ${message}`, ...withConnect };
}

/** Asks the server to cancel the running statement (protocol CancelRequest on a new connection): otherwise the backend would keep working until its statement timeout. */
function sendCancel(o: SqlRunOptions, processID: number | undefined, secretKey: number | undefined): void {
  if (processID === undefined || secretKey === undefined) return;
  const packet = Buffer.alloc(16);
  packet.writeInt32BE(16, 0);
  packet.writeInt32BE(80877102, 4);
  packet.writeInt32BE(processID, 8);
  packet.writeInt32BE(secretKey, 12);
  const socket = net.connect({ host: o.host, port: o.port }, () => socket.end(packet));
  socket.setTimeout(2000, () => socket.destroy());
  socket.on('error', () => {});
  socket.unref();
}

export async function runPostgres(o: SqlRunOptions): Promise<SqlRun> {
  if (o.signal.aborted) return abortFailure(o.signal);
  const client = new pg.Client({
    host: o.host,
    port: o.port,
    database: o.database,
    user: o.user,
    ...(o.password !== undefined ? { password: o.password } : {}),
    connectionTimeoutMillis: Math.max(1, Math.ceil(o.connectTimeoutMs)),
    application_name: 'wardwatch',
    ...(o.tls ? { ssl: { rejectUnauthorized: o.tls.verify, ...(o.tls.ca ? { ca: o.tls.ca } : {}), ...(o.tls.cert ? { cert: o.tls.cert } : {}), ...(o.tls.key ? { key: o.tls.key } : {}), ...(o.tls.servername ? { servername: o.tls.servername } : {}) } } : {}),
  });
  // a server going away mid-check surfaces as a rejected query; the 'error' event must not crash the probe
  client.on('error', () => {});
  // on abort the socket is destroyed outright: a polite Terminate would wait for a busy backend
  const stream = (client as unknown as { connection: { stream: Socket } }).connection.stream;
  let connectMs: number | undefined;
  let connected = false;
  const kill = () => {
    const keys = client as unknown as { processID?: number; secretKey?: number };
    if (connected) sendCancel(o, keys.processID, keys.secretKey);
    stream.destroy();
  };
  o.signal.addEventListener('abort', kill, { once: true });
  try {
    const t0 = o.now();
    try {
      await client.connect();
    } catch (e) {
      if (o.signal.aborted) return abortFailure(o.signal);
      return dbFailure(e);
    }
    connected = true;
    connectMs = round(o.now() - t0);
    await client.query('BEGIN READ ONLY');
    await client.query(`SET LOCAL statement_timeout = ${statementTimeoutMs(o.timeoutMs, connectMs)}`);
    const t1 = o.now();
    // queryMode is supported by pg >= 8.11 but missing from its type definitions
    const config: pg.QueryArrayConfig & { queryMode: 'extended' } = { text: o.query, rowMode: 'array', queryMode: 'extended' };
    const res = await client.query<unknown[]>(config);
    const executionMs = round(o.now() - t1);
    return { ok: true, connectMs, executionMs, result: { columns: (res.fields ?? []).map((f) => f.name), rows: res.rows ?? [] } };
  } catch (e) {
    if (o.signal.aborted) return abortFailure(o.signal, connectMs);
    return dbFailure(e, connectMs);
  } finally {
    o.signal.removeEventListener('abort', kill);
    if (connected && !o.signal.aborted) {
      await client.query('ROLLBACK').catch(() => {});
      await client.end().catch(() => {});
    } else stream.destroy();
  }
}
