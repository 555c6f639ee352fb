// The routes a server really registers, as Fastify announces them: shared by the tests that must
// cover every route (the OpenAPI coverage, the access matrix), so that a route added anywhere,
// declared through the route table or not, is seen.

import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { FastifyInstance, RouteOptions } from 'fastify';

/** Records the routes of every Fastify instance created while `build` runs (Fastify announces each new instance on this channel). */
export async function withRoutes<T>(build: () => Promise<T>): Promise<{ value: T; routes: string[] }> {
  const routes: string[] = [];
  const onInit = (message: unknown) => {
    const { fastify } = message as { fastify: FastifyInstance };
    fastify.addHook('onRoute', (r: RouteOptions) => {
      for (const m of [r.method].flat()) routes.push(`${m} ${r.url}`);
    });
  };
  subscribe('fastify.initialization', onInit);
  try {
    return { value: await build(), routes };
  } finally {
    unsubscribe('fastify.initialization', onInit);
  }
}

/** "METHOD /openapi/{path}" of each route under /api; HEAD, which Fastify adds to every GET, is the GET's. */
export function apiRoutes(registered: readonly string[]): string[] {
  const out = new Set<string>();
  for (const r of registered) {
    const [method = '', url = ''] = r.split(' ');
    if (url !== '/api' && !url.startsWith('/api/')) continue;
    if (method === 'HEAD' && registered.includes(`GET ${url}`)) continue;
    out.add(`${method} ${url.replace(/:([A-Za-z_]\w*)/g, '{$1}')}`);
  }
  return [...out].sort();
}
