// The route table's per-route body options: a raw body arrives as the text that was sent whatever
// its content type (next to routes whose JSON is parsed as before), a route's own body limit, and
// what the OpenAPI document says about both.

import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openApiDocument } from '../openapi/document.ts';
import type { ApiProblem } from '../problem.ts';
import { RouteTable } from './define.ts';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
});

/** A server whose default body limit is 1 KiB, with a raw route, a parsed one and a limited one. */
async function server(): Promise<{ app: FastifyInstance; routes: RouteTable }> {
  const app = Fastify({ bodyLimit: 1024 });
  apps.push(app);
  app.setErrorHandler((err: Error & { statusCode?: number; problem?: ApiProblem['problem'] }, _req, reply) =>
    reply.code(err.statusCode ?? 500).send(err.problem ?? { detail: err.message }),
  );
  const routes = new RouteTable(app);
  routes.add({
    method: 'POST',
    url: '/raw',
    tag: 't',
    summary: 'raw',
    access: 'public',
    body: z.string().min(1, { error: 'expected a document, got an empty body' }).describe('A JSON document'),
    rawBody: true,
    bodyLimit: 4096,
    consumes: ['text/plain'],
    handler: async (req, _reply, { body }) => ({ text: body, contentType: req.headers['content-type'] ?? null }),
  });
  routes.add({
    method: 'POST',
    url: '/parsed',
    tag: 't',
    summary: 'parsed',
    access: 'public',
    body: z.strictObject({ n: z.number() }),
    handler: async (_req, _reply, { body }) => ({ n: body.n }),
  });
  routes.add({
    method: 'POST',
    url: '/big',
    tag: 't',
    summary: 'big',
    access: 'public',
    body: z.strictObject({ s: z.string() }),
    bodyLimit: 4096,
    handler: async (_req, _reply, { body }) => ({ length: body.s.length }),
  });
  routes.add({ method: 'DELETE', url: '/thing/:id', tag: 't', summary: 'gone', access: 'public', status: 204, handler: async (_req, reply) => reply.code(204).send() });
  await app.ready();
  return { app, routes };
}

describe('RouteTable body options', () => {
  it('hands a raw route the body exactly as sent, whatever its content type, and still parses JSON elsewhere', async () => {
    const { app } = await server();
    const doc = '{ "bomFormat" :"CycloneDX",\n  "components": [] }';
    for (const type of ['application/json', 'text/plain', 'application/vnd.cyclonedx+json']) {
      const r = await app.inject({ method: 'POST', url: '/raw', headers: { 'content-type': type }, payload: doc });
      expect([r.statusCode, r.json()], type).toEqual([200, { text: doc, contentType: type }]);
    }
    // Not JSON at all: the route's reader, not the parser, says what is wrong with it.
    expect((await app.inject({ method: 'POST', url: '/raw', headers: { 'content-type': 'application/json' }, payload: 'not json' })).json()).toMatchObject({ text: 'not json' });
    const parsed = await app.inject({ method: 'POST', url: '/parsed', payload: { n: 3 } });
    expect(parsed.json()).toEqual({ n: 3 });
    const bad = await app.inject({ method: 'POST', url: '/parsed', payload: { n: 'three' } });
    expect([bad.statusCode, bad.json<{ errors: unknown }>().errors]).toEqual([400, [{ path: 'body.n', message: 'Invalid input: expected number, received string' }]]);
  });

  it('refuses an empty raw body with the standard validation problem naming the body', async () => {
    const { app } = await server();
    const empty = await app.inject({ method: 'POST', url: '/raw', headers: { 'content-type': 'application/json' }, payload: '' });
    expect([empty.statusCode, empty.json<{ detail: string }>().detail]).toEqual([400, 'body: expected a document, got an empty body']);
    const none = await app.inject({ method: 'POST', url: '/raw' });
    expect([none.statusCode, none.json<{ code: string }>().code]).toEqual([400, 'BAD_REQUEST']);
  });

  it('applies a route’s own body limit, raw or parsed, and the server’s to the others', async () => {
    const { app } = await server();
    const text = JSON.stringify({ s: 'x'.repeat(3000) });
    expect((await app.inject({ method: 'POST', url: '/raw', headers: { 'content-type': 'application/json' }, payload: text })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/big', headers: { 'content-type': 'application/json' }, payload: text })).json()).toEqual({ length: 3000 });
    const tooBig = JSON.stringify({ s: 'x'.repeat(5000) });
    expect((await app.inject({ method: 'POST', url: '/raw', headers: { 'content-type': 'text/plain' }, payload: tooBig })).statusCode).toBe(413);
    expect((await app.inject({ method: 'POST', url: '/big', headers: { 'content-type': 'application/json' }, payload: tooBig })).statusCode).toBe(413);
    // 3 KB is over the server's 1 KiB for a route without its own limit.
    expect((await app.inject({ method: 'POST', url: '/parsed', headers: { 'content-type': 'application/json' }, payload: `{"n":1,"pad":"${'x'.repeat(3000)}"}` })).statusCode).toBe(413);
  });

  it('documents a raw body as any JSON document or text, with its limit, and a 204 without content', async () => {
    const { routes } = await server();
    const doc = openApiDocument(routes.declared, { version: 't' }) as { paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>> };
    expect(doc.paths['/raw']?.post?.requestBody).toEqual({
      required: true,
      description: 'A JSON document. At most 4 KiB.',
      content: { 'application/json': { schema: {} }, 'text/plain': { schema: { type: 'string', minLength: 1 } } },
    });
    expect(doc.paths['/big']?.post?.requestBody).toMatchObject({ description: 'At most 4 KiB.', content: { 'application/json': { schema: { type: 'object' } } } });
    expect(doc.paths['/parsed']?.post?.requestBody).not.toHaveProperty('description');
    expect(doc.paths['/thing/{id}']?.delete?.responses['204']).toEqual({ description: 'Done; no content' });
  });
});

describe('RouteTable guards and contexts', () => {
  it('runs a route’s guard before its input is checked, and registers in a child context what the table documents', async () => {
    const app = Fastify();
    apps.push(app);
    app.setErrorHandler((err: Error & { statusCode?: number; problem?: ApiProblem['problem'] }, _req, reply) => reply.code(err.statusCode ?? 500).send(err.problem ?? { detail: err.message }));
    const routes = new RouteTable(app);
    const guarded = {
      tag: 't',
      summary: 'guarded',
      access: 'the key holder',
      body: z.strictObject({ n: z.number() }),
      guard: (req: { headers: Record<string, unknown> }) => {
        if (req.headers['x-key'] !== 'k') throw Object.assign(new Error('no key'), { statusCode: 403 });
      },
      handler: async (_req: unknown, _reply: unknown, { body }: { body: { n: number } }) => ({ n: body.n }),
    } as const;
    routes.add({ ...guarded, method: 'POST', url: '/root' });
    app.register(async (child) => {
      child.addHook('onSend', async (_req, reply, payload) => {
        reply.header('x-child', 'yes');
        return payload;
      });
      routes.within(child).add({ ...guarded, method: 'POST', url: '/child' });
    });
    await app.ready();
    for (const url of ['/root', '/child']) {
      // Without the key: refused whatever the body, so a stranger learns nothing of what it must be.
      expect((await app.inject({ method: 'POST', url, payload: { n: 'x' } })).statusCode, url).toBe(403);
      expect((await app.inject({ method: 'POST', url, headers: { 'x-key': 'k' }, payload: { n: 'x' } })).statusCode, url).toBe(400);
      expect((await app.inject({ method: 'POST', url, headers: { 'x-key': 'k' }, payload: { n: 2 } })).json(), url).toEqual({ n: 2 });
    }
    expect((await app.inject({ method: 'POST', url: '/child', headers: { 'x-key': 'k' }, payload: { n: 2 } })).headers['x-child']).toBe('yes');
    expect((await app.inject({ method: 'POST', url: '/root', headers: { 'x-key': 'k' }, payload: { n: 2 } })).headers['x-child']).toBeUndefined();
    expect(routes.declared.map((r) => r.url)).toEqual(['/root', '/child']);
    expect(routes.declared.some((r) => 'guard' in r)).toBe(false);
  });
});
