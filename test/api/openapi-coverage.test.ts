// Every route the server answers under /api is in its own OpenAPI document: the application is
// started as `wardwatch start` starts it (src/app.ts, with the security part and the probe routes),
// every route Fastify registers is collected through its onRoute hook, and each one (method and
// path, Fastify's `:id` as OpenAPI's `{id}`) must be a documented operation, but for the few listed
// below with their reason. A plain app.get('/api/...') added anywhere fails here.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../src/api/server.ts';
import { startApp, type App } from '../../src/app.ts';
import { startHarness, type Harness } from './harness.ts';
import { apiRoutes, withRoutes } from './registered-routes.ts';

/** Documented on purpose nowhere: not part of the API a client programs against. */
const UNDOCUMENTED: Readonly<Record<string, string>> = {
  'GET /api/docs': 'the reference page itself (HTML for a browser)',
  'GET /api/docs/docs.js': 'the reference page’s script',
  'GET /api/docs/docs.css': 'the reference page’s style sheet',
};

type Spec = { paths: Record<string, Record<string, unknown>> };

function documented(spec: Spec): Set<string> {
  return new Set(Object.entries(spec.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)));
}

/** Registered routes the document lacks, beyond the listed ones. */
function missing(routes: readonly string[], spec: Spec): string[] {
  const doc = documented(spec);
  return routes.filter((r) => !doc.has(r) && UNDOCUMENTED[r] === undefined);
}

describe('OpenAPI coverage of the application as app.ts wires it', () => {
  let dir: string;
  let app: App;
  let routes: string[];
  let spec: Spec;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ww-openapi-coverage-'));
    await writeFile(join(dir, 'hospital.yaml'), `sites:
  - name: Site
    probes:
      - name: P
        groups:
          - name: G
            devices:
              - name: D
                host: 127.0.0.1
                sensors:
                  - { name: Wave, kind: synthetic, base: 1, amplitude: 0 }
`);
    const started = await withRoutes(() => startApp({ configPath: join(dir, 'hospital.yaml'), dataDir: join(dir, 'data'), host: '127.0.0.1', port: 0, log: () => undefined, insecureHttp: true }));
    app = started.value;
    routes = apiRoutes(started.routes);
    const res = await fetch(`${app.url}api/openapi.json`);
    expect(res.status).toBe(200);
    spec = (await res.json()) as Spec;
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('sees the routes of every part, the security part’s and the probes’ among them', () => {
    expect(routes).toEqual(expect.arrayContaining(['GET /api/health', 'GET /api/probes', 'POST /api/probes/{name}/approve', 'POST /api/security/feeds', 'PUT /api/security/findings/{id}/analysis', 'GET /api/openapi.json', 'GET /api/auth/state']));
    expect(routes.length).toBeGreaterThan(80);
  });

  it('documents every route under /api but the listed ones', () => {
    expect(missing(routes, spec)).toEqual([]);
  });

  it('resolves every $ref of the whole document, the security part’s schemas included', () => {
    const refs = JSON.stringify(spec).match(/"\$ref":"[^"]+"/g) ?? [];
    const schemas = (spec as Spec & { components: { schemas: Record<string, unknown> } }).components.schemas;
    expect(refs.some((r) => r.includes('/Finding"'))).toBe(true);
    expect([...new Set(refs)].map((r) => r.slice('"$ref":"'.length, -1)).filter((r) => !r.startsWith('#/components/schemas/') || schemas[r.slice('#/components/schemas/'.length)] === undefined)).toEqual([]);
  });

  it('lists only routes that exist and are still undocumented', () => {
    const doc = documented(spec);
    const listed = Object.keys(UNDOCUMENTED);
    expect(listed.filter((r) => !routes.includes(r))).toEqual([]);
    expect(listed.filter((r) => doc.has(r))).toEqual([]);
  });
});

describe('OpenAPI coverage check', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());

  it('fails for a plain route under /api, and not for a declared one or one outside /api', async () => {
    const { value: api, routes } = await withRoutes(() =>
      buildApi(h.services, {
        extraRoutes: [
          (app, table) => {
            app.get('/api/plain/:id', async () => ({}));
            app.post('/metrics/plain', async () => ({}));
            table.add({ method: 'GET', url: '/api/declared/:id', tag: 'test', summary: 'declared', access: 'public', handler: async () => ({}) });
          },
        ],
      }),
    );
    try {
      const spec = (await api.inject({ url: '/api/openapi.json' })).json<Spec>();
      expect(missing(apiRoutes(routes), spec)).toEqual(['GET /api/plain/{id}']);
    } finally {
      await api.close();
    }
  });
});
