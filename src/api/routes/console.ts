// Serves the built console (web/dist): hashed assets under /assets/ with a year-long immutable
// cache, and index.html (never cached, so a new build is picked up at the next load) for every
// other GET that is not an API route, so that client-side routes (/sensors/x, /alerts) survive a reload.

import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { registerErrors } from '../../core/errors.ts';
import { problem, sendProblem } from '../problem.ts';

registerErrors({
  CONSOLE_NOT_BUILT: { message: 'The web console is not built (run `node scripts/build-web.mjs`)', http: 503 },
});

export interface ConsoleOptions {
  /** Folder of the built console; defaults to web/dist of this checkout. */
  readonly root?: string;
}

export const DEFAULT_CONSOLE_ROOT = fileURLToPath(new URL('../../../web/dist', import.meta.url));

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

const YEAR_S = 31_536_000;

/** The precompressed encodings a request accepts, best first ("br;q=0" refuses br). */
export function acceptedEncodings(header: string | string[] | undefined): ('br' | 'gzip')[] {
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  const q = new Map<string, number>();
  for (const part of text.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const qp = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    q.set(name, qp ? Number(qp.slice(2)) || 0 : 1);
  }
  return (['br', 'gzip'] as const).filter((e) => (q.get(e) ?? q.get('*') ?? 0) > 0);
}

interface Cached {
  readonly mtimeMs: number;
  readonly body: Buffer;
}

export function consoleRoutes(app: FastifyInstance, opts: ConsoleOptions = {}): void {
  const root = resolve(opts.root ?? DEFAULT_CONSOLE_ROOT);
  // Files are small and few; keeping them in memory (revalidated by mtime) keeps first paint fast.
  const cache = new Map<string, Cached>();

  const load = async (path: string): Promise<Buffer | undefined> => {
    let st;
    try {
      st = await stat(path);
    } catch {
      return undefined;
    }
    if (!st.isFile()) return undefined;
    const hit = cache.get(path);
    if (hit && hit.mtimeMs === st.mtimeMs) return hit.body;
    const body = await readFile(path);
    cache.set(path, { mtimeMs: st.mtimeMs, body });
    return body;
  };

  const sendIndex = async (reply: FastifyReply): Promise<FastifyReply> => {
    const body = await load(join(root, 'index.html'));
    if (!body) return sendProblem(reply, problem('CONSOLE_NOT_BUILT', `no index.html in ${root}`));
    return reply.header('Cache-Control', 'no-cache').type(TYPES['.html']!).send(body);
  };

  app.get('/', async (_req, reply) => sendIndex(reply));
  app.get('/*', async (req, reply) => {
    const urlPath = req.url.split('?')[0] ?? '/';
    // Unknown API paths stay problems, never the console's HTML.
    if (urlPath === '/api' || urlPath.startsWith('/api/')) return sendProblem(reply, problem('NOT_FOUND', `no route GET ${urlPath}`));
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      return sendProblem(reply, problem('BAD_REQUEST', `malformed URL path ${JSON.stringify(urlPath)}`));
    }
    const file = resolve(root, `.${decoded}`);
    // Only files inside the console folder: "/../" and encoded variants resolve outside it.
    if (decoded.includes('\0') || (file !== root && !file.startsWith(root + sep))) return sendProblem(reply, problem('NOT_FOUND', `no file ${urlPath}`));
    const ext = extname(file);
    const body = ext !== '' ? await load(file) : undefined;
    if (body) {
      const immutable = decoded.startsWith('/assets/');
      reply.header('Cache-Control', immutable ? `public, max-age=${YEAR_S}, immutable` : 'no-cache').type(TYPES[ext] ?? 'application/octet-stream');
      // The build leaves .br and .gz copies of text assets (scripts/build-web.mjs); send the smallest the browser takes.
      if (immutable && ext !== '.br' && ext !== '.gz') {
        reply.header('Vary', 'Accept-Encoding');
        for (const enc of acceptedEncodings(req.headers['accept-encoding'])) {
          const packed = await load(`${file}${enc === 'br' ? '.br' : '.gz'}`);
          if (packed) return reply.header('Content-Encoding', enc).send(packed);
        }
      }
      return reply.send(body);
    }
    // A missing asset is a 404 (a stale page asking for an old hash); any other path is a client route.
    if (decoded.startsWith('/assets/') || ext === '.js' || ext === '.css') return sendProblem(reply, problem('NOT_FOUND', `no file ${urlPath}`));
    return sendIndex(reply);
  });
}
