// Users, roles, tokens and credentials routes: administrators only, every change audited with
// before/after, token scope and expiry, write-only credentials sealed in the database.

import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { Tree } from '../../core/tree.ts';
import { ManualClock } from '../../shared/clock.ts';
import { openSqliteStore, type SqliteStore } from '../../store/sqlite/index.ts';
import { requireLevel } from './index.ts';
import type { AuthServices } from './services.ts';
import { bearerFor, buildTestAuthApp, createTestAuthServices, createTestUser, sessionFor, type TestSession } from './testing.ts';

/** The fields the tests read from answers (problem documents, login results). */
type J = { code: string; detail: string; csrfToken: string };

const tree = { nodes: new Map<string, { parentId?: string }>([['site-a', {}], ['dev-a1', { parentId: 'site-a' }], ['site-b', {}]]) } as unknown as Pick<Tree, 'nodes'>;

interface Ctx {
  app: FastifyInstance;
  svc: AuthServices;
  clock: ManualClock;
  store: SqliteStore;
  admin: TestSession;
}

const open: Ctx[] = [];

async function setup(): Promise<Ctx> {
  const clock = new ManualClock();
  const store = openSqliteStore({ path: ':memory:', clock });
  const svc = await createTestAuthServices({ store, clock });
  const { app } = await buildTestAuthApp(svc, (a) => {
    a.post<{ Params: { id: string } }>('/api/nodes/:id/ack', async (req) => {
      requireLevel(req, tree, req.params.id, 'acknowledge');
      return { ok: true, by: req.principal?.name };
    });
  });
  const { user } = await createTestUser(svc, { login: 'admin', roles: ['administrator'] });
  const ctx = { app, svc, clock, store, admin: await sessionFor(svc, user) };
  open.push(ctx);
  return ctx;
}

afterEach(async () => {
  for (const c of open.splice(0)) {
    await c.app.close();
    await c.store.close();
  }
});

describe('users', () => {
  it('creates, reads, updates and deletes users, audits each change without secrets', async () => {
    const c = await setup();
    const h = c.admin.headers;
    const created = await c.app.inject({ method: 'POST', url: '/api/users', headers: h, payload: { login: 'nurse', name: 'Night Nurse', password: 'a long enough password', roles: [{ roleId: 'operator', nodeId: 'site-a' }] } });
    expect(created.statusCode).toBe(201);
    const u = created.json<{ id: string }>();
    expect(created.json()).toMatchObject({ login: 'nurse', method: 'password', admin: false, roles: [{ roleId: 'operator', nodeId: 'site-a', source: 'manual' }] });
    expect(JSON.stringify(created.json())).not.toContain('scrypt');

    const dup = await c.app.inject({ method: 'POST', url: '/api/users', headers: h, payload: { login: 'NURSE', name: 'x', password: 'a long enough password' } });
    expect(dup.statusCode).toBe(409);
    const badRole = await c.app.inject({ method: 'POST', url: '/api/users', headers: h, payload: { login: 'x1', name: 'x', password: 'a long enough password', roles: [{ roleId: 'nope' }] } });
    expect(badRole.json()).toMatchObject({ code: 'BAD_REQUEST', detail: 'body.roles[0].roleId: no role "nope"' });
    const badLogin = await c.app.inject({ method: 'POST', url: '/api/users', headers: h, payload: { login: 'a b', name: 'x' } });
    expect(badLogin.json<J>().detail).toBe('body.login: letters, digits, ".", "_", "@" or "-" (at most 64)');

    expect((await c.app.inject({ url: '/api/users', headers: h })).json<unknown[]>()).toHaveLength(2);
    expect((await c.app.inject({ url: `/api/users/${u.id}`, headers: h })).json()).toMatchObject({ name: 'Night Nurse' });

    // The user logs in, then the administrator disables the account: its sessions end.
    const login = await c.app.inject({ method: 'POST', url: '/api/auth/login', payload: { login: 'nurse', password: 'a long enough password' } });
    const cookie = String(login.headers['set-cookie']).split(';')[0] ?? '';
    const ack = await c.app.inject({ method: 'POST', url: '/api/nodes/dev-a1/ack', headers: { cookie, 'x-csrf-token': login.json<J>().csrfToken } });
    expect(ack.json()).toEqual({ ok: true, by: 'nurse' });
    const patched = await c.app.inject({ method: 'PATCH', url: `/api/users/${u.id}`, headers: h, payload: { name: 'Nurse N.', disabled: true } });
    expect(patched.json()).toMatchObject({ name: 'Nurse N.', disabled: true });
    expect((await c.app.inject({ url: '/api/auth/state', headers: { cookie } })).json()).toEqual({ setupRequired: false });

    expect((await c.app.inject({ method: 'DELETE', url: `/api/users/${u.id}`, headers: h })).statusCode).toBe(204);
    expect((await c.app.inject({ url: `/api/users/${u.id}`, headers: h })).statusCode).toBe(404);

    await c.svc.audit.flush();
    const rows = await c.svc.audit.query({ action: 'user.' });
    expect(rows.map((r) => r.action)).toEqual(['user.delete', 'user.update', 'user.create']);
    expect(JSON.parse(rows[1]?.before ?? '{}')).toMatchObject({ name: 'Night Nurse', disabled: false });
    expect(JSON.parse(rows[1]?.after ?? '{}')).toMatchObject({ name: 'Nurse N.', disabled: true });
    expect(rows.every((r) => !`${r.before}${r.after}`.includes('scrypt'))).toBe(true);
    expect(rows[0]?.actor).toBe('admin');
  });

  it('keeps the last administrator and refuses non-administrators', async () => {
    const c = await setup();
    const users = (await c.app.inject({ url: '/api/users', headers: c.admin.headers })).json<{ id: string }[]>();
    const adminId = users[0]?.id ?? '';
    const del = await c.app.inject({ method: 'DELETE', url: `/api/users/${adminId}`, headers: c.admin.headers });
    expect(del.statusCode).toBe(409);
    const demote = await c.app.inject({ method: 'PATCH', url: `/api/users/${adminId}`, headers: c.admin.headers, payload: { roles: [{ roleId: 'read-only' }] } });
    expect(demote.json<J>().detail).toBe('this is the last administrator: give another user the administrator role first');

    const { user } = await createTestUser(c.svc, { roles: ['operator'] });
    const op = await sessionFor(c.svc, user);
    for (const [method, url] of [['GET', '/api/users'], ['GET', '/api/roles'], ['GET', '/api/credentials'], ['GET', '/api/audit'], ['GET', '/api/audit/verify'], ['POST', '/api/users'], ['DELETE', `/api/users/${adminId}`]] as const) {
      const res = await c.app.inject({ method, url, headers: op.headers, ...(method === 'POST' ? { payload: {} } : {}) });
      expect([method, url, res.statusCode, res.json<J>().code]).toEqual([method, url, 403, 'FORBIDDEN']);
    }
    // Tokens are self-service: an operator sees their own (none), not the administrator's.
    expect((await c.app.inject({ url: '/api/tokens', headers: op.headers })).json()).toEqual([]);
  });
});

describe('roles', () => {
  it('creates custom roles with subtree grants; built-in roles are fixed', async () => {
    const c = await setup();
    const h = c.admin.headers;
    const list = (await c.app.inject({ url: '/api/roles', headers: h })).json<{ id: string; builtin: boolean }[]>();
    expect(list.map((r) => r.id)).toEqual(['administrator', 'operator', 'read-only']);
    const bad = await c.app.inject({ method: 'POST', url: '/api/roles', headers: h, payload: { name: 'Radiology', grants: [{ nodeId: 'site-a', level: 'owner' }] } });
    expect(bad.json<J>().detail).toMatch(/^body\.grants\[0\]\.level: /);
    const res = await c.app.inject({ method: 'POST', url: '/api/roles', headers: h, payload: { name: 'Radiology', grants: [{ nodeId: 'site-a', level: 'write' }] } });
    expect(res.statusCode).toBe(201);
    const role = res.json<{ id: string }>();
    const upd = await c.app.inject({ method: 'PATCH', url: `/api/roles/${role.id}`, headers: h, payload: { grants: [{ nodeId: 'site-a', level: 'acknowledge' }] } });
    expect(upd.json()).toMatchObject({ name: 'Radiology', grants: [{ nodeId: 'site-a', level: 'acknowledge' }] });
    expect((await c.app.inject({ method: 'PATCH', url: '/api/roles/operator', headers: h, payload: { name: 'x' } })).statusCode).toBe(400);
    expect((await c.app.inject({ method: 'DELETE', url: '/api/roles/administrator', headers: h })).statusCode).toBe(400);
    expect((await c.app.inject({ method: 'POST', url: '/api/roles', headers: h, payload: { name: 'radiology' } })).statusCode).toBe(409);
    expect((await c.app.inject({ method: 'DELETE', url: `/api/roles/${role.id}`, headers: h })).statusCode).toBe(204);
    await c.svc.audit.flush();
    expect((await c.svc.audit.query({ action: 'role.*' })).map((r) => r.action)).toEqual(['role.delete', 'role.update', 'role.create']);
  });
});

describe('API tokens', () => {
  it('shows the secret once, stores only its hash, acts within its scope, expires, and can be revoked', async () => {
    const c = await setup();
    const h = c.admin.headers;
    const res = await c.app.inject({ method: 'POST', url: '/api/tokens', headers: h, payload: { name: 'grafana', scope: { grants: [{ nodeId: 'site-a', level: 'acknowledge' }] }, expiresInDays: 1 } });
    expect(res.statusCode).toBe(201);
    const { token, secret } = res.json<{ token: { id: string; expiresAt: number }; secret: string }>();
    expect(secret).toMatch(/^wwt_[A-Za-z0-9_-]{43}$/);
    expect(token.expiresAt).toBe(c.clock.now() + 86_400_000);
    expect(JSON.stringify((await c.app.inject({ url: '/api/tokens', headers: h })).json())).not.toContain(secret.slice(4));
    const stored = c.store.connection.prepare<[], { secret_hash: string }>('SELECT secret_hash FROM auth_tokens').get();
    expect(stored?.secret_hash).toMatch(/^[0-9a-f]{64}$/);

    const bearer = { authorization: `Bearer ${secret}` };
    expect((await c.app.inject({ method: 'POST', url: '/api/nodes/dev-a1/ack', headers: bearer })).json()).toEqual({ ok: true, by: 'token:grafana (admin)' });
    expect((await c.app.inject({ method: 'POST', url: '/api/nodes/site-b/ack', headers: bearer })).statusCode).toBe(403);
    // Scoped to grants: no administration, even though an administrator made it.
    expect((await c.app.inject({ url: '/api/users', headers: bearer })).statusCode).toBe(403);

    await c.clock.advance(86_400_000);
    const expired = await c.app.inject({ method: 'POST', url: '/api/nodes/dev-a1/ack', headers: bearer });
    expect(expired.statusCode).toBe(401);
    expect(expired.json<J>().detail).toBe(`API token "grafana" expired at ${new Date(c.clock.now()).toISOString()}`);

    // The administrator's session ended in that day too: log in afresh.
    const adminUser = await c.svc.store.userByLogin('admin');
    if (!adminUser) throw new Error('admin missing');
    const h2 = (await sessionFor(c.svc, adminUser)).headers;
    expect((await c.app.inject({ url: '/api/tokens', headers: h })).statusCode).toBe(401);
    const adminTok = await c.app.inject({ method: 'POST', url: '/api/tokens', headers: h2, payload: { name: 'automation', scope: { roleId: 'administrator' } } });
    const auto = { authorization: `Bearer ${adminTok.json<{ secret: string }>().secret}` };
    expect((await c.app.inject({ url: '/api/users', headers: auto })).statusCode).toBe(200);
    const id = adminTok.json<{ token: { id: string } }>().token.id;
    expect((await c.app.inject({ method: 'DELETE', url: `/api/tokens/${id}`, headers: h2 })).statusCode).toBe(204);
    expect((await c.app.inject({ url: '/api/users', headers: auto })).statusCode).toBe(401);
    expect((await c.app.inject({ method: 'POST', url: '/api/tokens', headers: h2, payload: { name: 'x', scope: { roleId: 'ghost' } } })).json<J>().detail).toBe('body.scope.roleId: no role "ghost"');
    await c.svc.audit.flush();
    expect((await c.svc.audit.query({ action: 'token.' })).map((r) => r.action)).toEqual(['token.delete', 'token.create', 'token.create']);
  });

  it('a read-only token cannot acknowledge; the testing helper gives a user exactly their rights', async () => {
    const c = await setup();
    const { user } = await createTestUser(c.svc, { roles: [{ roleId: 'operator', nodeId: 'site-b' }] });
    const t = await bearerFor(c.svc, user);
    expect((await c.app.inject({ method: 'POST', url: '/api/nodes/site-b/ack', headers: t.headers })).statusCode).toBe(200);
    expect((await c.app.inject({ method: 'POST', url: '/api/nodes/dev-a1/ack', headers: t.headers })).statusCode).toBe(403);
    const ro = await bearerFor(c.svc, user, { roleId: 'read-only' });
    expect((await c.app.inject({ method: 'POST', url: '/api/nodes/site-b/ack', headers: ro.headers })).statusCode).toBe(403);
  });
});

describe('credentials', () => {
  it('are write-only: listed by name and kind, sealed in the database, values never returned', async () => {
    const c = await setup();
    const h = c.admin.headers;
    const value = 'public-but-secret-community-4711';
    const put = await c.app.inject({ method: 'PUT', url: '/api/credentials/snmp-core', headers: h, payload: { kind: 'snmp-community', value, description: 'core switches' } });
    expect(put.statusCode).toBe(201);
    expect((await c.app.inject({ method: 'PUT', url: '/api/credentials/snmp-core', headers: h, payload: { kind: 'snmp-community', value: value + '!' } })).statusCode).toBe(200);
    const list = await c.app.inject({ url: '/api/credentials', headers: h });
    expect(list.json()).toEqual([{ name: 'snmp-core', kind: 'snmp-community', createdAt: c.clock.now(), updatedAt: c.clock.now(), updatedBy: 'admin' }]);
    expect(list.body).not.toContain(value);
    expect(await c.svc.credentials.reveal('snmp-core')).toBe(value + '!');

    const dump = JSON.stringify(c.store.connection.prepare('SELECT * FROM credentials').all());
    expect(dump).not.toContain(value);
    expect(dump).toContain('v1:');
    await c.svc.audit.flush();
    const audit = JSON.stringify(await c.svc.audit.query({}));
    expect(audit).not.toContain(value);

    const bad = await c.app.inject({ method: 'PUT', url: '/api/credentials/snmp-core', headers: h, payload: { kind: 'telepathy', value: 'x' } });
    expect(bad.json<J>().detail).toMatch(/^body\.kind: /);
    expect((await c.app.inject({ method: 'PUT', url: '/api/credentials/bad%20name', headers: h, payload: { kind: 'other', value: 'x' } })).json<J>().detail).toBe('params.name: letters, digits, ".", "_" or "-" (at most 128)');
    expect((await c.app.inject({ method: 'DELETE', url: '/api/credentials/snmp-core', headers: h })).statusCode).toBe(204);
    expect((await c.app.inject({ method: 'DELETE', url: '/api/credentials/snmp-core', headers: h })).statusCode).toBe(404);
    expect((await c.svc.audit.query({ action: 'credential.*' })).map((r) => r.action)).toEqual(['credential.delete', 'credential.update', 'credential.create']);
  });
});
