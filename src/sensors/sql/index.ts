// `sql`: runs one query against PostgreSQL or MySQL/MariaDB and reports its execution time, row
// count and numeric result. Read-only by construction: the query runs alone in a read-only
// transaction that is always rolled back, under a statement timeout taken from the check's timeout.

import { z } from 'zod';
import type { ChannelValue, Reading } from '../../core/model.ts';
import { host, port } from '../fields.ts';
import { loadTls } from '../hl7/settings.ts';
import { defineSensorKind, failed, type CheckContext } from '../sensor.ts';
import { runMysql } from './mysql.ts';
import { runPostgres } from './postgres.ts';
import { columnChannels, pickValue } from './result.ts';
import type { SqlDriver } from './run.ts';
import { clientTlsSettings } from './tls.ts';
import './errors.ts';

export const SQL_DRIVERS = ['postgres', 'mysql'] as const;
const DEFAULT_PORT = { postgres: 5432, mysql: 3306 } as const satisfies Record<(typeof SQL_DRIVERS)[number], number>;
const DRIVERS = { postgres: runPostgres, mysql: runMysql } as const satisfies Record<(typeof SQL_DRIVERS)[number], SqlDriver>;

export const sqlSettings = z.strictObject({
  driver: z.enum(SQL_DRIVERS, { error: (i) => `expected postgres or mysql, got ${JSON.stringify(i.input)}` }).describe('postgres, or mysql (MySQL and MariaDB)'),
  host,
  port: port().optional().describe('TCP port (default 5432 for postgres, 3306 for mysql)'),
  database: z.string().min(1, { error: 'expected a database name, got an empty string' }).describe('Database to connect to'),
  query: z.string().trim().min(1, { error: 'expected an SQL query, got an empty string' }).describe('One SQL statement; it runs in a read-only transaction that is rolled back'),
  user: z.string().min(1).optional().describe('User name (default: the credential\'s user); passwords only come from a credential of type sql'),
  tls: clientTlsSettings.optional(),
  valueColumn: z.string().min(1).optional().describe('Column for the value channel (default: the first column, when numeric)'),
  row: z.number().int().min(0).default(0).describe('Row (0 = first) the value and column channels are read from'),
  columnsAsChannels: z.boolean().default(false).describe('One channel per numeric column of the row, keys camelCased'),
});
export type SqlSettings = z.infer<typeof sqlSettings>;

function credentials(s: SqlSettings, ctx: CheckContext): { user: string; password?: string } | string {
  const c = ctx.credential;
  if (c && c.type !== 'sql') return `credential "${c.name}" is of type ${c.type}, expected sql`;
  const user = s.user ?? c?.values.user;
  if (!user) return 'no user: set `user` or a credential of type sql with a user';
  const password = c?.values.password;
  return { user, ...(password !== undefined ? { password } : {}) };
}

async function check(s: SqlSettings, ctx: CheckContext): Promise<Reading> {
  const login = credentials(s, ctx);
  if (typeof login === 'string') return failed('BAD_SETTINGS', login);
  let tls;
  try {
    tls = await loadTls(s.tls);
  } catch (e) {
    return failed('BAD_SETTINGS', `TLS files could not be read: ${(e as Error).message}`);
  }
  const p = s.port ?? DEFAULT_PORT[s.driver];
  const run = await DRIVERS[s.driver]({
    host: s.host,
    port: p,
    database: s.database,
    ...login,
    query: s.query,
    connectTimeoutMs: ctx.timeoutMs,
    timeoutMs: ctx.timeoutMs,
    ...(tls ? { tls } : {}),
    signal: ctx.signal,
    now: ctx.now,
  });
  const target = `${s.driver}://${s.host}:${p}/${s.database}`;
  if (!run.ok) {
    const connect: ChannelValue[] = run.connectMs !== undefined ? [{ key: 'connectMs', value: run.connectMs }] : [];
    return failed(run.error, `${target}: ${run.message}`, connect, run.connectMs !== undefined ? { connect: run.connectMs } : undefined);
  }
  const { result } = run;
  const channels: ChannelValue[] = [
    { key: 'executionTimeMs', value: run.executionMs },
    { key: 'connectMs', value: run.connectMs },
    { key: 'rowCount', value: result.rows.length },
  ];
  const phases = { connect: run.connectMs, query: run.executionMs };
  const picked = pickValue(result, s.row, s.valueColumn);
  if (!picked.ok) return failed(picked.error, picked.message, channels, phases);
  if (picked.value !== undefined) channels.push({ key: 'value', value: picked.value });
  if (s.columnsAsChannels) channels.push(...columnChannels(result, s.row, new Set(channels.map((c) => c.key))));
  const shown = picked.value !== undefined ? `, value ${picked.value}` : '';
  return { channels, phases, message: `${result.rows.length} row(s) in ${Math.round(run.executionMs)} ms${shown}` };
}

export const sqlKind = defineSensorKind({
  kind: 'sql',
  title: 'SQL query',
  description:
    'Runs one query against PostgreSQL or MySQL/MariaDB (a LIS queue length, the age of the last HL7 message an interface engine stored, replication lag) and reports execution time, row count and the numeric result. The query runs alone in a read-only transaction that is always rolled back, under a statement timeout taken from the check timeout: a sensor can never change data.',
  settings: sqlSettings,
  channels: [
    { key: 'executionTimeMs', name: 'Execution time', unit: 'ms', primary: true },
    { key: 'connectMs', name: 'Connect', unit: 'ms' },
    { key: 'rowCount', name: 'Rows', unit: 'count' },
    { key: 'value', name: 'Value', unit: 'value' },
  ],
  concurrency: 16,
  defaultIntervalS: 60,
  usesHost: true,
  dynamicChannels: true,
  check,
});
