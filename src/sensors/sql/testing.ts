// Test helpers for the sql kind: contexts, the local PostgreSQL and MariaDB servers, and a check
// that MariaDB is up which fails loudly (with how to start it) instead of skipping.

import net from 'node:net';
import pg from 'pg';
import mysql from 'mysql2/promise';
import type { Credential } from '../sensor.ts';

export const PG = { host: '127.0.0.1', port: 5432, database: 'test', user: 'postgres' } as const;
export const MY = { host: '127.0.0.1', port: 3306, database: 'test', user: 'root' } as const;

export const MARIADB_DOWN = 'MariaDB is not reachable on 127.0.0.1:3306: start it with `start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd` and run the tests again';

export function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export function sqlCredential(user: string, password: string): Credential {
  return { name: 'db', type: 'sql', values: { user, password } };
}

/** A unique name for a test's table, so parallel runs never collide. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
}

export async function pgAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ ...PG });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function myAdmin<T>(fn: (c: mysql.Connection) => Promise<T>): Promise<T> {
  const c = await mysql.createConnection({ ...MY, password: '' });
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}
