// The HTTP server: Fastify with the read API (tree, sensors, history, events, health) and a small
// live status page at /, until the full console (web/) takes over.

import { readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance } from 'fastify';
import { problem, sendProblem } from './problem.ts';
import type { ApiServices } from './services.ts';
import { eventRoutes } from './routes/events.ts';
import { sensorRoutes } from './routes/sensors.ts';
import { treeRoutes } from './routes/tree.ts';
import { pushRoutes } from '../receivers/push/route.ts';
import { messageRoutes } from './routes/messages.ts';

const page = readFileSync(new URL('./static/index.html', import.meta.url), 'utf8');
const script = readFileSync(new URL('./static/status.js', import.meta.url), 'utf8');

export interface ApiOptions {
  readonly logger?: boolean;
}

export async function buildApi(svc: ApiServices, opts: ApiOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({ logger: opts.logger ?? false, routerOptions: { maxParamLength: 1000 } });
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('X-Frame-Options', 'DENY');
    reply.header('Content-Security-Policy', "default-src 'self'; frame-ancestors 'none'; base-uri 'none'");
    return payload;
  });
  app.setNotFoundHandler((req, reply) => sendProblem(reply, problem('NOT_FOUND', `no route ${req.method} ${req.url}`)));
  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
    const status = err.statusCode ?? 500;
    return sendProblem(reply, problem(status >= 500 ? 'INTERNAL' : 'BAD_REQUEST', err.message, status));
  });
  app.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send(page));
  app.get('/status.js', async (_req, reply) => reply.type('text/javascript; charset=utf-8').send(script));
  app.get('/api/health', async () => ({ status: 'ok', version: svc.version, time: svc.clock.now(), probe: svc.monitor.health() }));
  treeRoutes(app, svc);
  sensorRoutes(app, svc);
  eventRoutes(app, svc);
  messageRoutes(app, svc);
  pushRoutes(app, { inbox: svc.inbox, now: () => svc.clock.now() });
  await app.ready();
  return app;
}
