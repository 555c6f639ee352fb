// The HTTP server: Fastify with the auth layer, the REST API (declared once in routes/, validated
// with zod, documented as OpenAPI 3.1 from the same schemas), the live stream, /metrics, and the
// console (web/dist when built, else the small status page). Every answer carries the security
// headers; errors are RFC 9457 problem details.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerOptions as HttpsOptions } from 'node:https';
import Fastify, { type FastifyInstance } from 'fastify';
import { pushRoutes } from '../receivers/push/route.ts';
import { registerAuth } from './auth/index.ts';
import { securityHeaders } from './tls.ts';
import { StateIndex } from './live/counts.ts';
import { liveRoutes } from './live/stream.ts';
import { metricsRoutes } from './metrics.ts';
import { DOCS_CSS, DOCS_HTML, DOCS_JS } from './openapi/docs.ts';
import { openApiDocument } from './openapi/document.ts';
import { problem, sendProblem, type Problem } from './problem.ts';
import { alertRoutes } from './routes/alerts.ts';
import { configRoutes, IMPORT_MAX_BYTES } from './routes/config.ts';
import { consoleRoutes, DEFAULT_CONSOLE_ROOT } from './routes/console.ts';
import type { RouteContext } from './routes/context.ts';
import { RouteTable } from './routes/define.ts';
import { eventRoutes } from './routes/events.ts';
import { listRoutes } from './routes/lists.ts';
import { messageRoutes } from './routes/messages.ts';
import { nodeRoutes } from './routes/nodes.ts';
import { notificationRoutes } from './routes/notifications.ts';
import { overviewRoutes } from './routes/overview.ts';
import { searchRoutes } from './routes/search.ts';
import { sensorRoutes } from './routes/sensors.ts';
import { treeRoutes } from './routes/tree.ts';
import type { ApiServices } from './services.ts';

export interface ApiOptions {
  readonly logger?: boolean;
  /** TLS for the listener (app.ts passes the generated or configured certificate); adds HSTS. */
  readonly https?: HttpsOptions;
  /** Folder of the built console (default web/dist); the status page is served while it is not built. */
  readonly consoleRoot?: string;
  /**
   * Extra routes registered on the same server after the API (security, probes), so that they share
   * auth and error handling; declared through `routes`, they are validated and documented like the rest.
   */
  readonly extraRoutes?: readonly ((app: FastifyInstance, routes: RouteTable) => void)[];
}


function problemOf(err: unknown): Problem | undefined {
  const p = (err as { problem?: unknown } | null)?.problem;
  return typeof p === 'object' && p !== null && typeof (p as Problem).status === 'number' && typeof (p as Problem).code === 'string' ? (p as Problem) : undefined;
}

export async function buildApi(svc: ApiServices, opts: ApiOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    // Behind trusted reverse proxies req.ip is the client's address (audit trail, login limits).
    ...(svc.auth.trustProxy.length > 0 ? { trustProxy: [...svc.auth.trustProxy] } : {}),
    logger: opts.logger ?? false,
    routerOptions: { maxParamLength: 1000 },
    bodyLimit: IMPORT_MAX_BYTES,
    // Malformed URLs and the like, before any route runs, are problems like every other error.
    frameworkErrors: (err, req, reply) => {
      void sendProblem(reply, problem('BAD_REQUEST', `${req.method} ${req.url.split('?')[0]}: ${err.message}`, 400));
    },
    ...(opts.https ? { https: opts.https } : {}),
  }) as unknown as FastifyInstance;
  const secure = opts.https !== undefined;

  const headers = Object.entries(securityHeaders(secure));
  app.addHook('onSend', async (_req, reply, payload) => {
    // A route that answers a page of its own (the acknowledgement link) brings its own CSP.
    for (const [k, v] of headers) if (k !== 'Content-Security-Policy' || !reply.hasHeader(k)) reply.header(k, v);
    return payload;
  });
  // YAML for import, and the plain form the acknowledgement page posts.
  app.addContentTypeParser(['text/yaml', 'application/yaml', 'application/x-yaml', 'text/plain'], { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))));
  app.setNotFoundHandler((req, reply) => sendProblem(reply, problem('NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`)));
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string; headers?: Record<string, string> }, req, reply) => {
    const p = problemOf(err);
    if (p) {
      for (const [k, v] of Object.entries(err.headers ?? {})) reply.header(k, v);
      return sendProblem(reply, p);
    }
    const status = err.statusCode ?? 500;
    if (status >= 500) req.log.error(err);
    return sendProblem(reply, problem(status >= 500 ? 'INTERNAL' : 'BAD_REQUEST', status >= 500 ? `${req.method} ${req.url.split('?')[0]} failed: ${err.message}` : err.message, status));
  });

  const routes = new RouteTable(app);
  // The tree lets users make their own API tokens, checked against their rights on it. A route is
  // public when its config says so: `public: true` in its declaration (login, setup, push...).
  registerAuth(app, svc.auth, { routes, tree: () => svc.monitor.tree() });
  const ctx: RouteContext = { app, svc, routes, index: new StateIndex(svc.monitor, svc.live, () => svc.clock.now()) };

  routes.add({
    method: 'GET',
    url: '/api/health',
    tag: 'health',
    summary: 'Liveness and the probe’s own figures',
    access: 'public',
    public: true,
    handler: async () => ({ status: 'ok', version: svc.version, time: svc.clock.now(), probe: svc.monitor.health() }),
  });
  overviewRoutes(ctx);
  treeRoutes(ctx);
  searchRoutes(ctx);
  nodeRoutes(ctx);
  sensorRoutes(ctx);
  eventRoutes(ctx);
  messageRoutes(ctx);
  alertRoutes(ctx);
  notificationRoutes(ctx);
  listRoutes(ctx);
  configRoutes(ctx);
  liveRoutes(ctx);
  metricsRoutes(ctx);
  pushRoutes(app, { inbox: svc.inbox, now: () => svc.clock.now() }, routes);
  for (const extra of opts.extraRoutes ?? []) extra(app, routes);

  // Built on first request, after ready: every route, the extra ones included, is declared by then.
  let spec: Record<string, unknown> | undefined;
  routes.add({
    method: 'GET',
    url: '/api/openapi.json',
    tag: 'reference',
    summary: 'This API as OpenAPI 3.1',
    access: 'public',
    public: true,
    handler: async () => (spec ??= openApiDocument(routes.declared, { version: svc.version })),
  });
  app.get('/api/docs', { config: { public: true } }, async (_req, reply) => reply.type('text/html; charset=utf-8').send(DOCS_HTML));
  app.get('/api/docs/docs.js', { config: { public: true } }, async (_req, reply) => reply.type('text/javascript; charset=utf-8').send(DOCS_JS));
  app.get('/api/docs/docs.css', { config: { public: true } }, async (_req, reply) => reply.type('text/css; charset=utf-8').send(DOCS_CSS));

  const consoleRoot = opts.consoleRoot ?? DEFAULT_CONSOLE_ROOT;
  if (existsSync(join(consoleRoot, 'index.html'))) consoleRoutes(app, { root: consoleRoot });
  else {
    const page = readFileSync(new URL('./static/index.html', import.meta.url), 'utf8');
    const script = readFileSync(new URL('./static/status.js', import.meta.url), 'utf8');
    app.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send(page));
    app.get('/status.js', async (_req, reply) => reply.type('text/javascript; charset=utf-8').send(script));
  }
  await app.ready();
  return app;
}
