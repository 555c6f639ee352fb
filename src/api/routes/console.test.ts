// The console's static files over a real socket: hashed assets cached for a year, index.html never
// cached and served for client routes, API paths and missing assets left as problems, no way out
// of the console folder, and a clear 503 when the console is not built.

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brotliCompressSync, brotliDecompressSync, gzipSync } from 'node:zlib';
import { acceptedEncodings, consoleRoutes } from './console.ts';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  raw: Buffer;
}

/** A GET with the path sent exactly as written (fetch would normalise "/../"). */
function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: raw.toString('utf8'), raw });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

async function serve(root: string): Promise<{ app: FastifyInstance; port: number }> {
  const app = Fastify();
  consoleRoutes(app, { root });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  return { app, port: typeof addr === 'object' && addr ? addr.port : 0 };
}

describe('console static files', () => {
  let dir: string;
  let app: FastifyInstance;
  let port: number;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wardwatch-console-'));
    await mkdir(join(dir, 'dist', 'assets'), { recursive: true });
    await writeFile(join(dir, 'dist', 'index.html'), '<!doctype html><title>Wardwatch</title><script type="module" src="/assets/index-abc123.js"></script>');
    await writeFile(join(dir, 'dist', 'assets', 'index-abc123.js'), 'console.log("console")');
    await writeFile(join(dir, 'dist', 'assets', 'index-abc123.css'), 'body{}');
    await writeFile(join(dir, 'dist', 'assets', 'index-abc123.js.br'), brotliCompressSync('console.log("console")'));
    await writeFile(join(dir, 'dist', 'assets', 'index-abc123.js.gz'), gzipSync('console.log("console")'));
    await writeFile(join(dir, 'secret.txt'), 'outside the console folder');
    ({ app, port } = await serve(join(dir, 'dist')));
  });

  afterAll(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves index.html at / without caching', async () => {
    const r = await get(port, '/');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['cache-control']).toBe('no-cache');
    expect(r.body).toContain('<title>Wardwatch</title>');
  });

  it('serves hashed assets with a year-long immutable cache and their type', async () => {
    const js = await get(port, '/assets/index-abc123.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.body).toBe('console.log("console")');
    const css = await get(port, '/assets/index-abc123.css?v=1');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it('sends the precompressed copy of an asset that the browser accepts', async () => {
    const br = await get(port, '/assets/index-abc123.js', { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(br.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(brotliDecompressSync(br.raw).toString()).toBe('console.log("console")');
    const gz = await get(port, '/assets/index-abc123.js', { 'accept-encoding': 'gzip, br;q=0' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    const plain = await get(port, '/assets/index-abc123.js', { 'accept-encoding': 'identity' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe('console.log("console")');
    // No copy on disk: the file as it is.
    const css = await get(port, '/assets/index-abc123.css', { 'accept-encoding': 'br' });
    expect(css.headers['content-encoding']).toBeUndefined();
    expect(css.body).toBe('body{}');
  });

  it('reads Accept-Encoding with its weights', () => {
    expect(acceptedEncodings('gzip, deflate, br')).toEqual(['br', 'gzip']);
    expect(acceptedEncodings('br;q=0, gzip;q=0.5')).toEqual(['gzip']);
    expect(acceptedEncodings('*')).toEqual(['br', 'gzip']);
    expect(acceptedEncodings('*;q=0, identity')).toEqual([]);
    expect(acceptedEncodings(undefined)).toEqual([]);
    expect(acceptedEncodings(['gzip', 'br'])).toEqual(['br', 'gzip']);
  });

  it('answers client routes with index.html so that a reload keeps the page', async () => {
    for (const path of ['/tree', '/sensors/main%2Fcore%2Fpacs%2Fc-echo', '/setup?token=abc', '/alerts/']) {
      const r = await get(port, path);
      expect(r.status, path).toBe(200);
      expect(r.body, path).toContain('<title>Wardwatch</title>');
    }
  });

  it('leaves unknown API paths and missing assets as 404 problems', async () => {
    const api = await get(port, '/api/no-such-route');
    expect(api.status).toBe(404);
    expect(api.headers['content-type']).toContain('application/problem+json');
    expect(JSON.parse(api.body)).toMatchObject({ code: 'NOT_FOUND', detail: 'no route GET /api/no-such-route' });
    const asset = await get(port, '/assets/index-old999.js');
    expect(asset.status).toBe(404);
    expect(JSON.parse(asset.body)).toMatchObject({ code: 'NOT_FOUND', detail: 'no file /assets/index-old999.js' });
  });

  it('never serves a file outside the console folder', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/..%5csecret.txt']) {
      const r = await get(port, path);
      expect(r.body, path).not.toContain('outside the console folder');
    }
    // A malformed escape is refused (by Fastify's router before the route) and the server carries on.
    const malformed = await get(port, '/%E0%A4%A');
    expect(malformed.status).toBe(400);
    expect((await get(port, '/')).status).toBe(200);
  });

  it('says how to build the console when it is not built', async () => {
    const empty = await serve(join(dir, 'not-built'));
    try {
      const r = await get(empty.port, '/');
      expect(r.status).toBe(503);
      const p = JSON.parse(r.body) as { code: string; title: string; detail: string };
      expect(p.code).toBe('CONSOLE_NOT_BUILT');
      expect(p.title).toContain('node scripts/build-web.mjs');
      expect(p.detail).toBe(`no index.html in ${join(dir, 'not-built')}`);
    } finally {
      await empty.app.close();
    }
  });
});
