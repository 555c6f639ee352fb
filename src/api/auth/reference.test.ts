// The auth layer's routes in the OpenAPI reference: declared in the server's route table, the
// public ones marked public there (the same flag the auth hook obeys), each with its success status,
// and no response schema naming a stored secret (password hash, sealed TOTP secret, token hash,
// credential value); the only secrets shown are the one-time ones (a new token's, a TOTP enrolment's).

import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.ts';
import { openSqliteStore, type SqliteStore } from '../../store/sqlite/index.ts';
import { openApiDocument } from '../openapi/document.ts';
import { RouteTable } from '../routes/define.ts';
import { registerAuth } from './index.ts';
import { createTestAuthServices, createTestUser, sessionFor } from './testing.ts';

type Op = { security?: unknown[]; responses: Record<string, { content?: Record<string, { schema: unknown }> }>; requestBody?: unknown };
type Doc = { paths: Record<string, Record<string, Op>>; components: { schemas: Record<string, unknown> } };

const open: { app: FastifyInstance; store: SqliteStore }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) {
    await o.app.close();
    await o.store.close();
  }
});

async function setup() {
  const clock = new ManualClock();
  const store = openSqliteStore({ path: ':memory:', clock });
  const svc = await createTestAuthServices({ store, clock });
  const app = Fastify();
  open.push({ app, store });
  const routes = new RouteTable(app);
  registerAuth(app, svc, { routes });
  await app.ready();
  return { app, svc, routes, doc: openApiDocument(routes.declared, { version: 't' }) as Doc };
}

describe('the auth layer in the reference', () => {
  it('documents all its routes, with the public ones marked public and their success status', async () => {
    const { doc } = await setup();
    const ops = Object.entries(doc.paths).flatMap(([path, m]) => Object.entries(m).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, op })));
    expect(ops.length).toBe(29);
    expect(ops.filter((o) => o.op.security?.length === 0).map((o) => o.key)).toEqual(['GET /api/auth/state', 'POST /api/auth/setup', 'POST /api/auth/login']);
    const status = (key: string) => Object.keys(ops.find((o) => o.key === key)?.op.responses ?? {}).filter((s) => s !== 'default');
    expect(status('POST /api/auth/setup')).toEqual(['201']);
    expect(status('POST /api/users')).toEqual(['201']);
    expect(status('POST /api/tokens')).toEqual(['201']);
    expect(status('DELETE /api/roles/{id}')).toEqual(['204']);
    expect(status('POST /api/auth/logout')).toEqual(['204']);
    expect(Object.keys(ops.find((o) => o.key === 'GET /api/audit')?.op.responses['200']?.content ?? {})).toEqual(['application/json', 'text/csv']);
  });

  it('names no stored secret in any answer', async () => {
    const { doc } = await setup();
    // Every property name of every answer (and of the components the answers refer to).
    const names = new Set<string>();
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v !== null && typeof v === 'object') {
        for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
          if (k === 'properties' && x !== null && typeof x === 'object') for (const name of Object.keys(x)) names.add(name);
          walk(x);
        }
      }
    };
    walk([Object.values(doc.paths).flatMap((m) => Object.values(m).map((op) => op.responses)), doc.components.schemas]);
    expect(names).toContain('csrfToken');
    for (const field of ['passwordHash', 'password', 'secretHash', 'totpSecretSealed', 'sealed', 'value']) expect(names.has(field), field).toBe(false);
    // The one-time secrets, and only they.
    expect(Object.keys((doc.components.schemas.NewApiToken as { properties: object }).properties)).toEqual(['token', 'secret']);
    expect(Object.keys((doc.components.schemas.TotpEnrolment as { properties: object }).properties)).toEqual(['secret', 'otpauthUrl']);
  });

  it('is public where the reference says so, and nowhere else', async () => {
    const { app, doc, svc } = await setup();
    const anonymous: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const method of Object.keys(methods)) {
        const url = path.replace(/\{[^}]+\}/g, 'x');
        const res = await app.inject({ method: method.toUpperCase() as 'GET', url, ...(method === 'get' || method === 'delete' ? {} : { payload: {} }) });
        if (res.statusCode !== 401) anonymous.push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(anonymous).toEqual(['GET /api/auth/state', 'POST /api/auth/setup', 'POST /api/auth/login']);
    // And the answers carry no-store, refusals included (this context's hook, kept by the table).
    const { user } = await createTestUser(svc, { roles: ['read-only'] });
    const s = await sessionFor(svc, user);
    const refused = await app.inject({ url: '/api/users', headers: s.headers });
    expect([refused.statusCode, refused.headers['cache-control']]).toEqual([403, 'no-store']);
    const bad = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { login: '' } });
    expect([bad.statusCode, bad.headers['cache-control'], bad.json<{ errors: { path: string }[] }>().errors.map((e) => e.path)]).toEqual([400, 'no-store', ['body.login', 'body.password']]);
  });
});
