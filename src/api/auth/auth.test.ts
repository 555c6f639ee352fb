// The auth layer on a small Fastify instance over an in-memory SQLite store: setup, login, cookie
// flags, CSRF, 401 on protected routes, rate limit and lockout, TOTP, session expiry, guards.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { Tree } from '../../core/tree.ts';
import { ManualClock } from '../../shared/clock.ts';
import { openSqliteStore, type SqliteStore } from '../../store/sqlite/index.ts';
import { requireAdmin, requireLevel, visibleFilter } from './index.ts';
import type { AuthPolicy, AuthServices } from './services.ts';
import { bearerFor, buildTestAuthApp, createTestAuthServices, createTestRole, createTestUser, sessionFor } from './testing.ts';
import { totpCode, TOTP_STEP_MS } from './totp.ts';

/** The fields the tests read from answers (problem documents, login results). */
type J = { code: string; detail: string; csrfToken: string };

const tree = {
  nodes: new Map<string, { parentId?: string }>([
    ['site-a', {}],
    ['dev-a1', { parentId: 'site-a' }],
    ['site-b', {}],
    ['dev-b1', { parentId: 'site-b' }],
  ]),
} as unknown as Pick<Tree, 'nodes'>;

interface Ctx {
  app: FastifyInstance;
  svc: AuthServices;
  clock: ManualClock;
  store: SqliteStore;
}

const open: Ctx[] = [];

async function setup(policy: Partial<AuthPolicy> = {}, secureCookie = false): Promise<Ctx> {
  const clock = new ManualClock();
  const store = openSqliteStore({ path: ':memory:', clock });
  const svc = await createTestAuthServices({ store, clock, policy, secureCookie });
  const { app } = await buildTestAuthApp(svc, (a) => {
    a.get('/api/probe', async (req) => ({ who: req.principal?.name ?? null, kind: req.principal?.kind ?? null }));
    a.post('/api/probe', async (req) => ({ who: req.principal?.name ?? null }));
    a.get<{ Params: { id: string } }>('/api/nodes/:id', async (req) => {
      requireLevel(req, tree, req.params.id, 'read');
      return { ok: true };
    });
    a.post<{ Params: { id: string } }>('/api/nodes/:id/ack', async (req) => {
      requireLevel(req, tree, req.params.id, 'acknowledge');
      return { ok: true };
    });
    a.get('/api/admin-only', async (req) => {
      requireAdmin(req);
      return { ok: true };
    });
    a.get('/api/visible', async (req) => {
      const f = visibleFilter(req, tree);
      return [...tree.nodes.keys()].filter(f);
    });
    a.get('/api/ack/:token', { config: { public: true } }, async () => ({ public: true }));
    a.get('/', async () => 'static');
    a.get('/metrics', async (req) => ({ who: req.principal?.name ?? null }));
  });
  const ctx = { app, svc, clock, store };
  open.push(ctx);
  return ctx;
}

afterEach(async () => {
  for (const c of open.splice(0)) {
    await c.app.close();
    await c.store.close();
  }
});

function cookieOf(setCookie: string | string[] | undefined): string {
  const v = Array.isArray(setCookie) ? setCookie[0] : setCookie;
  if (v === undefined) throw new Error('no Set-Cookie header');
  return v.split(';')[0] ?? '';
}

async function login(c: Ctx, login: string, password: string, extra: Record<string, unknown> = {}, ip = '10.0.0.1') {
  return c.app.inject({ method: 'POST', url: '/api/auth/login', payload: { login, password, ...extra }, remoteAddress: ip });
}

describe('first start and setup', () => {
  it('creates no user, offers a one-time setup token, and setup makes the first administrator', async () => {
    const c = await setup();
    const token = c.svc.setupToken;
    expect(token).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect((await c.app.inject({ url: '/api/auth/state' })).json()).toEqual({ setupRequired: true });

    const wrong = await c.app.inject({ method: 'POST', url: '/api/auth/setup', payload: { token: 'nope', login: 'admin', password: 'correct horse battery', name: 'Admin' } });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json()).toMatchObject({ code: 'SETUP_TOKEN_INVALID' });

    const weak = await c.app.inject({ method: 'POST', url: '/api/auth/setup', payload: { token, login: 'admin', password: 'short', name: 'Admin' } });
    expect(weak.statusCode).toBe(400);
    expect(weak.json<J>().detail).toBe('body.password: the password must be at least 12 characters long');
    // Named as a field, as the schemas' own errors are: the console shows it at the password field.
    expect(weak.json<{ errors: unknown }>().errors).toEqual([{ path: 'body.password', message: 'the password must be at least 12 characters long' }]);
    const malformed = await c.app.inject({ method: 'POST', url: '/api/auth/setup', payload: { token, login: 'no spaces', password: 'correct horse battery' } });
    expect(malformed.json<{ errors: unknown }>().errors).toEqual([
      { path: 'body.login', message: 'letters, digits, ".", "_", "@" or "-"' },
      { path: 'body.name', message: 'Invalid input: expected string, received undefined' },
    ]);

    const ok = await c.app.inject({ method: 'POST', url: '/api/auth/setup', payload: { token, login: 'admin', password: 'correct horse battery', name: 'Admin' } });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ user: { login: 'admin', admin: true, method: 'password', totp: false } });
    expect(ok.json<J>().csrfToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(c.svc.setupToken).toBeUndefined();

    const state = await c.app.inject({ url: '/api/auth/state', headers: { cookie: cookieOf(ok.headers['set-cookie']) } });
    expect(state.json()).toMatchObject({ setupRequired: false, user: { login: 'admin', admin: true }, csrfToken: ok.json<J>().csrfToken });

    const again = await c.app.inject({ method: 'POST', url: '/api/auth/setup', payload: { token, login: 'x', password: 'correct horse battery', name: 'X' } });
    expect(again.statusCode).toBe(409);
    expect(again.json<J>().code).toBe('SETUP_DONE');
    await c.svc.audit.flush();
    expect((await c.svc.audit.query({})).map((r) => r.action)).toEqual(['login', 'setup', 'setup.failed']);
  });

  it('lets only one of two racing setup requests create an administrator', async () => {
    const c = await setup();
    const payload = (login: string) => ({ token: c.svc.setupToken, login, password: 'correct horse battery', name: login });
    const [a, b] = await Promise.all([c.app.inject({ method: 'POST', url: '/api/auth/setup', payload: payload('one') }), c.app.inject({ method: 'POST', url: '/api/auth/setup', payload: payload('two') })]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([201, 403]);
    expect(await c.svc.store.countUsers()).toBe(1);
  });

  it('makes no setup token when a user exists, and refuses to start with another key file', async () => {
    const clock = new ManualClock();
    const store = openSqliteStore({ path: ':memory:', clock });
    const keyFile = join(mkdtempSync(join(tmpdir(), 'ww-key-')), 'wardwatch.key');
    const first = await createTestAuthServices({ store, clock, keyFile });
    await createTestUser(first, { roles: ['administrator'] });
    const second = await createTestAuthServices({ store, clock, keyFile });
    expect(second.setupToken).toBeUndefined();
    expect(second.checkSetupToken(first.setupToken ?? '')).toBe(false);
    const otherKey = join(mkdtempSync(join(tmpdir(), 'ww-key-')), 'wardwatch.key');
    await expect(createTestAuthServices({ store, clock, keyFile: otherKey })).rejects.toThrow(
      new RegExp(`^the secrets key file ${otherKey} \\(key [0-9a-f]{16}\\) is not the key this database's credentials were sealed with: restore the original key file$`),
    );
    await store.close();
  });
});

describe('login, cookie, logout', () => {
  it('sets an HttpOnly SameSite=Strict cookie, Secure only over HTTPS', async () => {
    for (const secure of [false, true]) {
      const c = await setup({}, secure);
      const { password } = await createTestUser(c.svc, { login: 'nurse', roles: ['read-only'] });
      const res = await login(c, 'nurse', password);
      expect(res.statusCode).toBe(200);
      const sc = String(res.headers['set-cookie']);
      expect(sc).toMatch(/^ww_session=[A-Za-z0-9_-]{40,}; Path=\/; HttpOnly; SameSite=Strict/);
      expect(sc.includes('; Secure')).toBe(secure);
      expect(res.json()).toMatchObject({ user: { login: 'nurse', admin: false } });
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.json<J>().csrfToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
    }
  });

  it('answers 401 AUTH_REQUIRED on protected /api routes, not on public ones or static files', async () => {
    const c = await setup();
    const res = await c.app.inject({ url: '/api/probe' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ code: 'AUTH_REQUIRED', status: 401, detail: 'GET /api/probe needs a session cookie or an Authorization: Bearer token' });
    expect((await c.app.inject({ url: '/api/ack/abc' })).json()).toEqual({ public: true });
    expect((await c.app.inject({ url: '/' })).body).toBe('static');
    expect((await c.app.inject({ url: '/api/probe', headers: { cookie: 'ww_session=forged' } })).statusCode).toBe(401);
    // An unknown /api route says 401 to strangers (no map of the API) and 404 to users.
    expect((await c.app.inject({ method: 'DELETE', url: '/api/nope?x=1' })).json<J>().code).toBe('AUTH_REQUIRED');
    const { user } = await createTestUser(c.svc, { roles: ['read-only'] });
    const s = await sessionFor(c.svc, user);
    expect((await c.app.inject({ url: '/api/nope', headers: s.headers })).statusCode).toBe(404);
    // Outside /api the route decides, but it learns who is calling.
    expect((await c.app.inject({ url: '/metrics' })).json()).toEqual({ who: null });
    expect((await c.app.inject({ url: '/metrics', headers: s.headers })).json()).toEqual({ who: user.login });
    // HEAD goes with GET: a public GET route's twin is public too.
    expect((await c.app.inject({ method: 'HEAD', url: '/api/auth/state' })).statusCode).toBe(200);
  });

  it('does not tell an unknown login from a wrong password, and audits both', async () => {
    const c = await setup();
    await createTestUser(c.svc, { login: 'nurse', roles: ['read-only'] });
    const a = await login(c, 'nurse', 'wrong-password-123');
    const b = await login(c, 'ghost', 'wrong-password-123');
    expect(a.statusCode).toBe(401);
    expect(b.statusCode).toBe(401);
    expect(a.json()).toEqual(b.json());
    expect(a.json<J>().code).toBe('LOGIN_FAILED');
    await c.svc.audit.flush();
    const rows = await c.svc.audit.query({ action: 'login.failed' });
    expect(rows.map((r) => [r.actor, r.detail, r.ip])).toEqual([
      ['ghost', 'unknown login', '10.0.0.1'],
      ['nurse', 'wrong password', '10.0.0.1'],
    ]);
  });

  it('logout invalidates the session in the store', async () => {
    const c = await setup();
    const { password, user } = await createTestUser(c.svc, { login: 'nurse', roles: ['read-only'] });
    const res = await login(c, 'nurse', password);
    const cookie = cookieOf(res.headers['set-cookie']);
    const csrf = res.json<J>().csrfToken;
    expect((await c.app.inject({ url: '/api/probe', headers: { cookie } })).json()).toEqual({ who: 'nurse', kind: 'user' });
    const out = await c.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie, 'x-csrf-token': csrf } });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toContain('Max-Age=0');
    expect((await c.app.inject({ url: '/api/probe', headers: { cookie } })).statusCode).toBe(401);
    // An API token has no session to end: 204, and no "logout" in the audit trail.
    const bearer = await bearerFor(c.svc, user);
    expect((await c.app.inject({ method: 'POST', url: '/api/auth/logout', headers: bearer.headers })).statusCode).toBe(204);
    await c.svc.audit.flush();
    expect((await c.svc.audit.query({ action: 'logout' })).length).toBe(1);
  });

  it('ends a session after the idle time and after the absolute time', async () => {
    const c = await setup({ sessionIdleMs: 10 * 60_000, sessionAbsoluteMs: 60 * 60_000 });
    const { user } = await createTestUser(c.svc, { roles: ['read-only'] });
    const s = await sessionFor(c.svc, user);
    await c.clock.advance(9 * 60_000);
    expect((await c.app.inject({ url: '/api/probe', headers: s.headers })).statusCode).toBe(200);
    await c.clock.advance(9 * 60_000); // 9 min since the last use: still alive
    expect((await c.app.inject({ url: '/api/probe', headers: s.headers })).statusCode).toBe(200);
    await c.clock.advance(10 * 60_000 + 1);
    expect((await c.app.inject({ url: '/api/probe', headers: s.headers })).statusCode).toBe(401);

    const t = await sessionFor(c.svc, user);
    for (let i = 0; i < 6; i++) {
      await c.clock.advance(9 * 60_000);
      expect((await c.app.inject({ url: '/api/probe', headers: t.headers })).statusCode).toBe(200);
    }
    await c.clock.advance(9 * 60_000); // 63 min after login
    expect((await c.app.inject({ url: '/api/probe', headers: t.headers })).statusCode).toBe(401);
  });
});

describe('own password and session cleanup', () => {
  it('changes the own password with the current one, ends the other sessions, keeps this one', async () => {
    const c = await setup();
    const { user, password } = await createTestUser(c.svc, { login: 'nurse', roles: ['read-only'] });
    const here = await sessionFor(c.svc, user);
    const elsewhere = await sessionFor(c.svc, user);
    const url = '/api/auth/password';
    const wrong = await c.app.inject({ method: 'POST', url, headers: here.headers, payload: { current: 'not-it', password: 'a brand new passphrase' } });
    expect(wrong.json<J>().detail).toBe('body.current: the current password is wrong');
    const weak = await c.app.inject({ method: 'POST', url, headers: here.headers, payload: { current: password, password: 'short' } });
    expect(weak.json<J>().detail).toBe('body.password: the password must be at least 12 characters long');
    const ok = await c.app.inject({ method: 'POST', url, headers: here.headers, payload: { current: password, password: 'a brand new passphrase' } });
    expect(ok.statusCode).toBe(204);
    expect((await c.app.inject({ url: '/api/probe', headers: here.headers })).statusCode).toBe(200);
    expect((await c.app.inject({ url: '/api/probe', headers: elsewhere.headers })).statusCode).toBe(401);
    expect((await login(c, 'nurse', password)).statusCode).toBe(401);
    expect((await login(c, 'nurse', 'a brand new passphrase')).statusCode).toBe(200);
  });

  it('purges sessions past their idle or absolute time', async () => {
    const c = await setup({ sessionIdleMs: 10 * 60_000, sessionAbsoluteMs: 60 * 60_000 });
    const { user } = await createTestUser(c.svc, { roles: ['read-only'] });
    await sessionFor(c.svc, user);
    await c.clock.advance(5 * 60_000);
    await sessionFor(c.svc, user);
    await c.clock.advance(6 * 60_000);
    expect(await c.svc.purgeExpiredSessions()).toBe(1);
    expect(await c.svc.purgeExpiredSessions()).toBe(0);
  });
});

describe('CSRF', () => {
  it('rejects unsafe methods of a cookie session without the matching X-CSRF-Token', async () => {
    const c = await setup();
    const { user } = await createTestUser(c.svc, { login: 'op', roles: ['operator'] });
    const s = await sessionFor(c.svc, user);
    const none = await c.app.inject({ method: 'POST', url: '/api/probe', headers: { cookie: s.cookie } });
    expect(none.statusCode).toBe(403);
    expect(none.json<J>().code).toBe('CSRF_INVALID');
    const wrong = await c.app.inject({ method: 'POST', url: '/api/probe', headers: { cookie: s.cookie, 'x-csrf-token': 'x'.repeat(32) } });
    expect(wrong.statusCode).toBe(403);
    const right = await c.app.inject({ method: 'POST', url: '/api/probe', headers: s.headers });
    expect(right.json()).toEqual({ who: 'op' });
    // GET needs no token; bearer tokens are not exposed to CSRF and need none either.
    expect((await c.app.inject({ url: '/api/probe', headers: { cookie: s.cookie } })).statusCode).toBe(200);
    await c.svc.audit.flush();
    expect((await c.svc.audit.query({ action: 'csrf.rejected' })).length).toBe(2);
  });
});

describe('rate limit and lockout', () => {
  it('locks an account after N failures for M minutes (423 + Retry-After), then lets it in again', async () => {
    const c = await setup({ maxFailures: 3, lockoutMs: 15 * 60_000, accountAttempts: 100, ipAttempts: 100 });
    const { password } = await createTestUser(c.svc, { login: 'nurse', roles: ['read-only'] });
    for (let i = 0; i < 3; i++) expect((await login(c, 'nurse', 'bad-password-xyz')).statusCode).toBe(401);
    const locked = await login(c, 'nurse', password);
    expect(locked.statusCode).toBe(423);
    expect(locked.json<J>().code).toBe('ACCOUNT_LOCKED');
    expect(locked.headers['retry-after']).toBe('900');
    await c.clock.advance(15 * 60_000);
    const ok = await login(c, 'nurse', password);
    expect(ok.statusCode).toBe(200);
    // A success resets the count: two more failures do not lock.
    for (let i = 0; i < 2; i++) await login(c, 'nurse', 'bad-password-xyz');
    expect((await login(c, 'nurse', password)).statusCode).toBe(200);
  });

  it('throttles per client address and per account with 429 + Retry-After', async () => {
    const c = await setup({ ipAttempts: 3, accountAttempts: 5, attemptWindowMs: 60_000, maxFailures: 100 });
    await createTestUser(c.svc, { login: 'nurse', roles: ['read-only'] });
    for (let i = 0; i < 3; i++) expect((await login(c, `u${i}`, 'x', {}, '10.9.9.9')).statusCode).toBe(401);
    const limited = await login(c, 'u9', 'x', {}, '10.9.9.9');
    expect(limited.statusCode).toBe(429);
    expect(limited.json<J>().code).toBe('RATE_LIMITED');
    expect(limited.headers['retry-after']).toBe('60');
    // another address is not affected...
    expect((await login(c, 'nurse', 'x', {}, '10.1.1.1')).statusCode).toBe(401);
    // ...but one account attacked from many addresses is.
    for (let i = 2; i <= 5; i++) await login(c, 'nurse', 'x', {}, `10.1.1.${i}`);
    expect((await login(c, 'nurse', 'x', {}, '10.1.1.77')).statusCode).toBe(429);
    await c.clock.advance(60_000);
    expect((await login(c, 'u9', 'x', {}, '10.9.9.9')).statusCode).toBe(401);
  });
});

describe('TOTP', () => {
  it('enrols, confirms, then requires the code at login, with drift and without reuse', async () => {
    const c = await setup({ maxFailures: 100 });
    const { user, password } = await createTestUser(c.svc, { login: 'doc', roles: ['read-only'] });
    const s = await sessionFor(c.svc, user);
    const enroll = await c.app.inject({ method: 'POST', url: '/api/auth/totp/enroll', headers: s.headers });
    expect(enroll.statusCode).toBe(200);
    const { secret, otpauthUrl } = enroll.json<{ secret: string; otpauthUrl: string }>();
    expect(otpauthUrl).toBe(`otpauth://totp/Wardwatch:doc?secret=${secret}&issuer=Wardwatch&algorithm=SHA1&digits=6&period=30`);
    // Pending enrolment does not yet require a code.
    expect((await login(c, 'doc', password)).statusCode).toBe(200);
    const bad = await c.app.inject({ method: 'POST', url: '/api/auth/totp/confirm', headers: s.headers, payload: { code: '000000' === totpCode(secret, c.clock.now()) ? '111111' : '000000' } });
    expect(bad.json<J>().code).toBe('TOTP_INVALID');
    const ok = await c.app.inject({ method: 'POST', url: '/api/auth/totp/confirm', headers: s.headers, payload: { code: totpCode(secret, c.clock.now()) } });
    expect(ok.json()).toEqual({ totp: true });

    const need = await login(c, 'doc', password);
    expect(need.statusCode).toBe(401);
    expect(need.json<J>().code).toBe('TOTP_REQUIRED');
    // The code used to confirm cannot be used again.
    expect((await login(c, 'doc', password, { totp: totpCode(secret, c.clock.now()) })).json<J>().code).toBe('LOGIN_FAILED');
    await c.clock.advance(TOTP_STEP_MS);
    // One step of drift (the phone is 30 s behind) is accepted...
    const drifted = await login(c, 'doc', password, { totp: totpCode(secret, c.clock.now() - TOTP_STEP_MS + 2 * TOTP_STEP_MS) });
    expect(drifted.statusCode).toBe(200);
    // ...and the same code again is refused.
    expect((await login(c, 'doc', password, { totp: totpCode(secret, c.clock.now() + TOTP_STEP_MS) })).statusCode).toBe(401);
    await c.clock.advance(5 * TOTP_STEP_MS);
    expect((await login(c, 'doc', password, { totp: totpCode(secret, c.clock.now() - 3 * TOTP_STEP_MS) })).statusCode).toBe(401);
    expect((await login(c, 'doc', password, { totp: totpCode(secret, c.clock.now()) })).json()).toMatchObject({ user: { totp: true } });
    // The secret is sealed in the store, not in clear.
    const row = c.store.connection.prepare<[string], { totp_secret: string }>('SELECT totp_secret FROM auth_users WHERE id = ?').get(user.id);
    expect(row?.totp_secret.startsWith('v1:')).toBe(true);
    expect(row?.totp_secret.includes(secret)).toBe(false);
  });
});

describe('guards', () => {
  it('requireLevel follows subtree grants, answers 403 FORBIDDEN and audits the refusal', async () => {
    const c = await setup();
    const role = await createTestRole(c.svc, [{ nodeId: 'site-a', level: 'acknowledge' }]);
    const { user } = await createTestUser(c.svc, { login: 'ward-a', roles: [role.id, { roleId: 'read-only', nodeId: 'site-b' }] });
    const s = await sessionFor(c.svc, user);
    const get = (url: string) => c.app.inject({ url, headers: s.headers });
    const post = (url: string) => c.app.inject({ method: 'POST', url, headers: s.headers });
    expect((await get('/api/nodes/dev-a1')).statusCode).toBe(200);
    expect((await post('/api/nodes/dev-a1/ack')).statusCode).toBe(200);
    expect((await get('/api/nodes/dev-b1')).statusCode).toBe(200);
    const denied = await post('/api/nodes/dev-b1/ack');
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toMatchObject({ code: 'FORBIDDEN', detail: 'needs acknowledge on dev-b1, has read' });
    expect((await get('/api/admin-only')).statusCode).toBe(403);
    expect((await get('/api/visible')).json()).toEqual(['site-a', 'dev-a1', 'site-b', 'dev-b1']);
    await c.svc.audit.flush();
    const rows = await c.svc.audit.query({ action: 'access.denied' });
    expect(rows.map((r) => [r.actor, r.target, r.outcome])).toEqual([
      ['ward-a', 'admin', 'denied'],
      ['ward-a', 'dev-b1', 'denied'],
    ]);

    const { user: other } = await createTestUser(c.svc, { roles: [{ roleId: 'read-only', nodeId: 'site-b' }] });
    const o = await sessionFor(c.svc, other);
    expect((await c.app.inject({ url: '/api/visible', headers: o.headers })).json()).toEqual(['site-b', 'dev-b1']);
    expect((await c.app.inject({ url: '/api/nodes/dev-a1', headers: o.headers })).statusCode).toBe(403);
  });
});
