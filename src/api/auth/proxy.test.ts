// The client address behind a reverse proxy (X-Forwarded-For believed only from trusted proxies),
// as the audit trail and the login limits see it, and login limits that survive a restart.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.ts';
import { openSqliteStore } from '../../store/sqlite/index.ts';
import { clientAddress, trustedProxies } from './proxy.ts';
import type { AuthServices } from './services.ts';
import { buildTestAuthApp, createTestAuthServices } from './testing.ts';

describe('trusted proxies', () => {
  it('accepts addresses, CIDR ranges and presets, and names a bad entry', () => {
    const t = trustedProxies(['10.0.0.0/8', '192.0.2.7', 'loopback', 'fd00::/8']);
    expect(['10.200.0.1', '192.0.2.7', '127.0.0.1', '::1', '::ffff:10.1.1.1', 'fd12::1'].map(t)).toEqual([true, true, true, true, true, true]);
    expect(['11.0.0.1', '192.0.2.8', 'fe80::1', 'nonsense', ''].map(t)).toEqual([false, false, false, false, false]);
    expect(() => trustedProxies(['10.0.0.1', 'proxy.local'])).toThrow('trustProxy[1]: "proxy.local" is not an IP address, a CIDR range or one of loopback, linklocal, uniquelocal');
    expect(() => trustedProxies(['10.0.0.0/33'])).toThrow('trustProxy[0]: "10.0.0.0/33" has a bad prefix length');
    expect(trustedProxies([])('127.0.0.1')).toBe(false);
  });

  it('walks X-Forwarded-For from the right while the hop is trusted', () => {
    const t = trustedProxies(['10.0.0.0/8']);
    expect(clientAddress('203.0.113.5', '198.51.100.1', t)).toBe('203.0.113.5'); // not from a proxy: header ignored
    expect(clientAddress('10.0.0.2', '198.51.100.1', t)).toBe('198.51.100.1');
    expect(clientAddress('10.0.0.2', '6.6.6.6, 198.51.100.1, 10.0.0.9', t)).toBe('198.51.100.1'); // a forged left part is not believed
    expect(clientAddress('::ffff:10.0.0.2', ['198.51.100.1'], t)).toBe('198.51.100.1');
    expect(clientAddress('10.0.0.2', 'garbage, 10.0.0.3', t)).toBe('10.0.0.3');
    expect(clientAddress('10.0.0.2', undefined, t)).toBe('10.0.0.2');
  });
});

async function failedLoginIps(svc: AuthServices): Promise<(string | undefined)[]> {
  await svc.audit.flush();
  return (await svc.audit.query({ action: 'login.failed' })).map((r) => r.ip).reverse();
}

describe('client address in the audit trail and the login limits', () => {
  const attempt = (app: Awaited<ReturnType<typeof buildTestAuthApp>>['app'], remoteAddress: string, xff?: string) =>
    app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress, payload: { login: 'ghost', password: 'wrong-password' }, headers: xff !== undefined ? { 'x-forwarded-for': xff } : {} });

  it('ignores X-Forwarded-For without trusted proxies: a client cannot pick the address it is seen from', async () => {
    const clock = new ManualClock();
    const store = openSqliteStore({ path: ':memory:', clock });
    const svc = await createTestAuthServices({ store, clock, policy: { ipAttempts: 2, accountAttempts: 100 } });
    const { app } = await buildTestAuthApp(svc);
    try {
      expect((await attempt(app, '10.0.0.2', '198.51.100.1')).statusCode).toBe(401);
      expect((await attempt(app, '10.0.0.2', '198.51.100.2')).statusCode).toBe(401);
      // Rotating the header does not escape the per-address limit.
      expect((await attempt(app, '10.0.0.2', '198.51.100.3')).statusCode).toBe(429);
      expect(await failedLoginIps(svc)).toEqual(['10.0.0.2', '10.0.0.2', '10.0.0.2']);
    } finally {
      await app.close();
      await store.close();
    }
  });

  it('behind a trusted proxy sees each client: audited and limited per client, not per proxy', async () => {
    const clock = new ManualClock();
    const store = openSqliteStore({ path: ':memory:', clock });
    const svc = await createTestAuthServices({ store, clock, policy: { ipAttempts: 2, accountAttempts: 100 }, trustProxy: ['10.0.0.0/8'] });
    const { app } = await buildTestAuthApp(svc);
    try {
      for (const client of ['198.51.100.1', '198.51.100.2', '198.51.100.3']) expect((await attempt(app, '10.0.0.2', client)).statusCode).toBe(401);
      expect((await attempt(app, '10.0.0.2', '198.51.100.1')).statusCode).toBe(401);
      expect((await attempt(app, '10.0.0.2', '198.51.100.1')).statusCode).toBe(429);
      // A direct caller outside the proxy list is seen as itself.
      expect((await attempt(app, '203.0.113.9', '198.51.100.2')).statusCode).toBe(401);
      expect(await failedLoginIps(svc)).toEqual(['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.1', '198.51.100.1', '203.0.113.9']);
    } finally {
      await app.close();
      await store.close();
    }
  });

  it('works on a real socket with the loopback preset', async () => {
    const clock = new ManualClock();
    const store = openSqliteStore({ path: ':memory:', clock });
    const svc = await createTestAuthServices({ store, clock, trustProxy: ['loopback'] });
    const { app } = await buildTestAuthApp(svc);
    try {
      const url = await app.listen({ host: '127.0.0.1', port: 0 });
      const res = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.44' }, body: JSON.stringify({ login: 'ghost', password: 'wrong-password' }) });
      expect(res.status).toBe(401);
      const direct = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'ghost', password: 'wrong-password' }) });
      expect(direct.status).toBe(401);
      expect(await failedLoginIps(svc)).toEqual(['192.0.2.44', '127.0.0.1']);
    } finally {
      await app.close();
      await store.close();
    }
  });
});

describe('login limits across a restart', () => {
  it('keeps counting a brute force after the process restarts, until the window passes', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ww-limits-')), 'wardwatch.db');
    const keyFile = join(mkdtempSync(join(tmpdir(), 'ww-limits-key-')), 'wardwatch.key');
    const clock = new ManualClock();
    const policy = { ipAttempts: 3, accountAttempts: 100, attemptWindowMs: 60_000 };
    const login = (app: Awaited<ReturnType<typeof buildTestAuthApp>>['app']) => app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: '10.6.6.6', payload: { login: 'ghost', password: 'wrong-password' } });

    const first = openSqliteStore({ path, clock });
    const a = await buildTestAuthApp(await createTestAuthServices({ store: first, clock, policy, keyFile }));
    for (let i = 0; i < 3; i++) expect((await login(a.app)).statusCode).toBe(401);
    await a.app.close();
    await first.close();

    await clock.advance(20_000);
    const second = openSqliteStore({ path, clock });
    const svc = await createTestAuthServices({ store: second, clock, policy, keyFile });
    const b = await buildTestAuthApp(svc);
    try {
      const limited = await login(b.app);
      expect([limited.statusCode, limited.headers['retry-after']]).toEqual([429, '40']);
      await clock.advance(40_000);
      expect(await svc.purgeExpiredSessions()).toBe(0);
      expect(second.connection.prepare<[], { n: number }>('SELECT count(*) AS n FROM auth_login_windows').get()?.n).toBe(0);
      expect((await login(b.app)).statusCode).toBe(401);
    } finally {
      await b.app.close();
      await second.close();
    }
  });
});
