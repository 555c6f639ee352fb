// The last administrator counted through every admin role (built-in or custom, on role change and
// deletion and user disable), and API tokens that users make for themselves within their own rights.

import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { Tree } from '../../core/tree.ts';
import { ManualClock } from '../../shared/clock.ts';
import { openSqliteStore, type SqliteStore } from '../../store/sqlite/index.ts';
import { requireLevel } from './index.ts';
import type { AuthServices } from './services.ts';
import { buildTestAuthApp, createTestAuthServices, createTestRole, createTestUser, sessionFor, type TestSession } from './testing.ts';

type J = { code: string; detail: string };

const tree = {
  nodes: new Map<string, { parentId?: string }>([
    ['site-a', {}],
    ['dev-a1', { parentId: 'site-a' }],
    ['site-b', {}],
  ]),
} as unknown as Pick<Tree, 'nodes'>;

interface Ctx {
  app: FastifyInstance;
  svc: AuthServices;
  store: SqliteStore;
}

const open: Ctx[] = [];

async function setup(withTree = true): Promise<Ctx> {
  const clock = new ManualClock();
  const store = openSqliteStore({ path: ':memory:', clock });
  const svc = await createTestAuthServices({ store, clock });
  const { app } = await buildTestAuthApp(
    svc,
    (a) => {
      a.post<{ Params: { id: string } }>('/api/nodes/:id/ack', async (req) => {
        requireLevel(req, tree, req.params.id, 'acknowledge');
        return { ok: true };
      });
    },
    withTree ? { tree: () => tree } : {},
  );
  const ctx = { app, svc, store };
  open.push(ctx);
  return ctx;
}

afterEach(async () => {
  for (const c of open.splice(0)) {
    await c.app.close();
    await c.store.close();
  }
});

describe('the last administrator, through any admin role', () => {
  it('refuses to strip, delete or disable the only admin role holder, then allows it once another admin exists', async () => {
    const c = await setup();
    const custom = await createTestRole(c.svc, [], { name: 'IT security', admin: true });
    const { user: boss } = await createTestUser(c.svc, { login: 'boss', roles: [custom.id] });
    const h = (await sessionFor(c.svc, boss)).headers;
    const last = 'would leave no administrator: give another user the built-in administrator role first';

    const strip = await c.app.inject({ method: 'PATCH', url: `/api/roles/${custom.id}`, headers: h, payload: { admin: false } });
    expect([strip.statusCode, strip.json<J>().detail]).toEqual([409, `changing role "IT security" ${last}`]);
    const del = await c.app.inject({ method: 'DELETE', url: `/api/roles/${custom.id}`, headers: h });
    expect([del.statusCode, del.json<J>().detail]).toEqual([409, `deleting role "IT security" ${last}`]);
    const disable = await c.app.inject({ method: 'PATCH', url: `/api/users/${boss.id}`, headers: h, payload: { disabled: true } });
    expect([disable.statusCode, disable.json<J>().detail]).toEqual([409, 'this is the last administrator: give another user the administrator role first']);
    // Renaming the role or changing its grants keeps the admin flag: allowed.
    expect((await c.app.inject({ method: 'PATCH', url: `/api/roles/${custom.id}`, headers: h, payload: { name: 'ITSec' } })).statusCode).toBe(200);
    expect((await c.svc.store.role(custom.id))?.admin).toBe(true);

    // A disabled holder of the built-in role does not count...
    await createTestUser(c.svc, { login: 'old', roles: ['administrator'], disabled: true });
    expect((await c.app.inject({ method: 'DELETE', url: `/api/roles/${custom.id}`, headers: h })).statusCode).toBe(409);
    // ...an enabled one does.
    await createTestUser(c.svc, { login: 'second', roles: ['administrator'] });
    expect((await c.app.inject({ method: 'DELETE', url: `/api/roles/${custom.id}`, headers: h })).statusCode).toBe(204);
  });

  it('lets only one of two administrators demoting each other at the same moment succeed', async () => {
    const c = await setup();
    const a = await createTestUser(c.svc, { login: 'a', roles: ['administrator'] });
    const b = await createTestUser(c.svc, { login: 'b', roles: ['administrator'] });
    const ha = (await sessionFor(c.svc, a.user)).headers;
    const hb = (await sessionFor(c.svc, b.user)).headers;
    // The store answers after a turn of the event loop, as a networked database would: without
    // serialisation both requests would read "two administrators" before either writes.
    const users = c.svc.store.users.bind(c.svc.store);
    c.svc.store.users = async () => {
      const list = await users();
      await new Promise<void>((resolve) => setImmediate(resolve));
      return list;
    };
    const [x, y] = await Promise.all([
      c.app.inject({ method: 'PATCH', url: `/api/users/${b.user.id}`, headers: ha, payload: { roles: [{ roleId: 'read-only' }] } }),
      c.app.inject({ method: 'PATCH', url: `/api/users/${a.user.id}`, headers: hb, payload: { roles: [{ roleId: 'read-only' }] } }),
    ]);
    expect([x.statusCode, y.statusCode].sort()).toEqual([200, 409]);
    const admins = (await c.svc.store.users()).filter((u) => u.roles.some((r) => r.roleId === 'administrator'));
    expect(admins).toHaveLength(1);
  });
});

describe('own API tokens', () => {
  async function people(c: Ctx): Promise<{ admin: TestSession; nurse: TestSession; nurseId: string; otherId: string }> {
    const { user: admin } = await createTestUser(c.svc, { login: 'admin', roles: ['administrator'] });
    const { user: nurse } = await createTestUser(c.svc, { login: 'nurse', roles: [{ roleId: 'operator', nodeId: 'site-a' }] });
    const { user: other } = await createTestUser(c.svc, { login: 'other', roles: ['read-only'] });
    return { admin: await sessionFor(c.svc, admin), nurse: await sessionFor(c.svc, nurse), nurseId: nurse.id, otherId: other.id };
  }

  it('a user creates, lists and revokes their own tokens, never wider than their own rights; all audited', async () => {
    const c = await setup();
    const p = await people(c);
    const make = (headers: TestSession['headers'], payload: unknown) => c.app.inject({ method: 'POST', url: '/api/tokens', headers, payload: payload as Record<string, unknown> });

    const ok = await make(p.nurse.headers, { name: 'pager', scope: { grants: [{ nodeId: 'dev-a1', level: 'acknowledge' }] }, expiresInDays: 30 });
    expect(ok.statusCode).toBe(201);
    const { token, secret } = ok.json<{ token: { id: string; userId: string }; secret: string }>();
    expect(token.userId).toBe(p.nurseId);
    const bearer = { authorization: `Bearer ${secret}` };
    expect((await c.app.inject({ method: 'POST', url: '/api/nodes/dev-a1/ack', headers: bearer })).statusCode).toBe(200);

    const wider = await make(p.nurse.headers, { name: 'x', scope: { grants: [{ nodeId: 'site-a', level: 'write' }] } });
    expect([wider.statusCode, wider.json<J>().detail]).toEqual([403, 'body.scope: a token cannot have more rights than its owner nurse: it would give write on site-a where the owner has acknowledge']);
    const elsewhere = await make(p.nurse.headers, { name: 'x', scope: { grants: [{ nodeId: 'site-b', level: 'read' }] } });
    expect(elsewhere.json<J>().detail).toBe('body.scope: a token cannot have more rights than its owner nurse: it would give read on site-b where the owner has none');
    const everywhere = await make(p.nurse.headers, { name: 'x', scope: { roleId: 'read-only' } });
    expect(everywhere.json<J>().detail).toBe('body.scope: a token cannot have more rights than its owner nurse: it would give read on the whole tree where the owner has none');
    expect((await make(p.nurse.headers, { name: 'x', scope: { roleId: 'administrator' } })).json<J>().detail).toBe('body.scope: a token cannot have more rights than its owner nurse: it would give administrator rights');
    expect((await make(p.nurse.headers, { name: 'x', userId: p.otherId, scope: { grants: [{ nodeId: 'site-a', level: 'read' }] } })).statusCode).toBe(403);
    // A token does not mint tokens, even within its owner's rights.
    expect((await make(bearer as unknown as TestSession['headers'], { name: 'x', scope: { grants: [{ nodeId: 'dev-a1', level: 'read' }] } })).statusCode).toBe(403);

    // The administrator's token and another user's token stay invisible to the nurse.
    const adminTok = (await make(p.admin.headers, { name: 'automation', scope: { roleId: 'administrator' } })).json<{ token: { id: string } }>().token.id;
    const otherTok = (await make(p.admin.headers, { name: 'for-other', userId: p.otherId, scope: { grants: [{ nodeId: 'site-b', level: 'read' }] } })).json<{ token: { id: string; userId: string } }>().token;
    expect(otherTok.userId).toBe(p.otherId);
    expect((await make(p.admin.headers, { name: 'too-wide', userId: p.otherId, scope: { roleId: 'operator' } })).statusCode).toBe(403);
    const mine = (await c.app.inject({ url: '/api/tokens', headers: p.nurse.headers })).json<{ id: string }[]>();
    expect(mine.map((t) => t.id)).toEqual([token.id]);
    expect((await c.app.inject({ url: `/api/tokens/${adminTok}`, headers: p.nurse.headers })).statusCode).toBe(404);
    expect((await c.app.inject({ method: 'DELETE', url: `/api/tokens/${adminTok}`, headers: p.nurse.headers })).statusCode).toBe(404);
    expect((await c.app.inject({ url: '/api/tokens', headers: p.admin.headers })).json<unknown[]>()).toHaveLength(3);

    expect((await c.app.inject({ method: 'DELETE', url: `/api/tokens/${token.id}`, headers: p.nurse.headers })).statusCode).toBe(204);
    expect((await c.app.inject({ method: 'POST', url: '/api/nodes/dev-a1/ack', headers: bearer })).statusCode).toBe(401);
    // The administrator revokes anyone's token.
    expect((await c.app.inject({ method: 'DELETE', url: `/api/tokens/${otherTok.id}`, headers: p.admin.headers })).statusCode).toBe(204);

    await c.svc.audit.flush();
    const rows = await c.svc.audit.query({ action: 'token.' });
    expect(rows.map((r) => [r.action, r.actor, r.target?.slice(0, 6)])).toEqual([
      ['token.delete', 'admin', 'token:'],
      ['token.delete', 'nurse', 'token:'],
      ['token.create', 'admin', 'token:'],
      ['token.create', 'admin', 'token:'],
      ['token.create', 'nurse', 'token:'],
    ]);
  });

  it('a token stops working when its owner loses the rights it carries', async () => {
    const c = await setup();
    const p = await people(c);
    const res = await c.app.inject({ method: 'POST', url: '/api/tokens', headers: p.nurse.headers, payload: { name: 'pager', scope: { grants: [{ nodeId: 'site-a', level: 'acknowledge' }] } } });
    const bearer = { authorization: `Bearer ${res.json<{ secret: string }>().secret}` };
    expect((await c.app.inject({ method: 'POST', url: '/api/nodes/dev-a1/ack', headers: bearer })).statusCode).toBe(200);
    await c.app.inject({ method: 'PATCH', url: `/api/users/${p.nurseId}`, headers: p.admin.headers, payload: { roles: [{ roleId: 'read-only', nodeId: 'site-a' }] } });
    const after = await c.app.inject({ method: 'POST', url: '/api/nodes/dev-a1/ack', headers: bearer });
    expect([after.statusCode, after.json<J>().detail]).toEqual([401, `API token "pager" would give acknowledge on site-a where the owner has read (nurse's rights were reduced): create a new token`]);
  });

  it('without the node tree, only administrators make tokens', async () => {
    const c = await setup(false);
    const p = await people(c);
    const res = await c.app.inject({ method: 'POST', url: '/api/tokens', headers: p.nurse.headers, payload: { name: 'x', scope: { grants: [{ nodeId: 'dev-a1', level: 'read' }] } } });
    expect([res.statusCode, res.json<J>().detail]).toEqual([400, 'tokens of users who are not administrators need the node tree to check their scope: the server was started without it']);
    expect((await c.app.inject({ method: 'POST', url: '/api/tokens', headers: p.admin.headers, payload: { name: 'x', scope: { roleId: 'operator' } } })).statusCode).toBe(201);
  });
});
