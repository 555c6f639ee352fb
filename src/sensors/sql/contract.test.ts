// The sensor contract for sql, once per driver: the real PostgreSQL and MariaDB, a closed port, and a
// TCP peer that accepts and never answers (PostgreSQL clients speak first, MySQL servers do).

import { afterAll, beforeAll } from 'vitest';
import { sqlKind } from './index.ts';
import { runSensorContract } from '../testing/contract.ts';
import { closedPort, startTcpServer, type TestServer } from '../testing/peers.ts';
import { MARIADB_DOWN, MY, PG, reachable } from './testing.ts';

let silent: TestServer;
beforeAll(async () => {
  silent = await startTcpServer();
});
afterAll(async () => {
  await silent.close();
});

const pgBase = { driver: 'postgres', host: PG.host, database: PG.database, user: PG.user, query: 'SELECT 1 AS one' };
runSensorContract(sqlKind, {
  good: async () => ({ ...pgBase, port: PG.port }),
  refused: async () => ({ ...pgBase, port: await closedPort() }),
  refusedError: 'ECONNREFUSED',
  hang: async () => ({ settings: { ...pgBase, port: silent.port }, accepted: silent.nextRequest() }),
});

const myBase = { driver: 'mysql', host: MY.host, database: MY.database, user: MY.user, query: 'SELECT 1 AS one' };
runSensorContract(sqlKind, {
  good: async () => {
    if (!(await reachable(MY.port))) throw new Error(MARIADB_DOWN);
    return { ...myBase, port: MY.port };
  },
  refused: async () => ({ ...myBase, port: await closedPort() }),
  refusedError: 'ECONNREFUSED',
  hang: async () => ({ settings: { ...myBase, port: silent.port }, accepted: silent.nextConnection() }),
});
