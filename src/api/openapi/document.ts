// OpenAPI 3.1 from the route declarations (../routes/define.ts): the zod schemas that validate a
// request's params, query and body become its parameters and request body, through zod 4's
// JSON Schema output — the reference cannot disagree with what the server checks. What a route
// answers comes from its zod response schema too; schemas with an id (.meta({ id })) are listed
// once under components.schemas and referred to with $ref.

import { z } from 'zod';
import type { DeclaredRoute } from '../routes/define.ts';

type Json = Record<string, unknown>;

/**
 * Moves the named definitions of one generated schema into the document's components (zod puts
 * them in a local $defs, whose #/$defs refs would not resolve inside the document), renaming one
 * whose name is already taken by a different definition (an input and an output form of one id).
 */
class Components {
  readonly schemas: Record<string, Json> = {};

  add(js: Json, io: 'input' | 'output'): Json {
    const { $schema: _dialect, $defs, ...rest } = js as Json & { $defs?: Record<string, Json> };
    const defs = Object.entries($defs ?? {});
    // A definition is the one already listed when it reads the same once its own refs point into
    // the document; a rename inside one can make its container differ, hence the repeat.
    const names = new Map<string, string>(defs.map(([name]) => [name, name]));
    for (let renamed = true; renamed; ) {
      renamed = false;
      for (const [name, def] of defs) {
        const taken = this.schemas[name];
        if (names.get(name) !== name || taken === undefined || JSON.stringify(taken) === JSON.stringify(rewrite(def))) continue;
        names.set(name, `${name}${io === 'input' ? 'Input' : 'Output'}`);
        renamed = true;
      }
    }
    function rewrite(v: unknown): unknown {
      if (Array.isArray(v)) return v.map(rewrite);
      if (v === null || typeof v !== 'object') return v;
      const out: Json = {};
      for (const [k, x] of Object.entries(v as Json)) {
        const local = k === '$ref' && typeof x === 'string' && x.startsWith('#/$defs/') ? names.get(x.slice('#/$defs/'.length)) : undefined;
        out[k] = local !== undefined ? `#/components/schemas/${local}` : rewrite(x);
      }
      return out;
    }
    for (const [name, def] of defs) this.schemas[names.get(name)!] = rewrite(def) as Json;
    return rewrite(rest) as Json;
  }
}

function toSchema(s: z.ZodType, components: Components, io: 'input' | 'output' = 'input'): Json {
  return components.add(z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'draft-2020-12' }), io);
}

const problemSchema: Json = {
  type: 'object',
  description: 'RFC 9457 problem details with the catalogue code',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string' },
    errors: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } }, required: ['path', 'message'] } },
  },
  required: ['type', 'title', 'status', 'code'],
};

function parameters(where: 'path' | 'query', s: z.ZodType | undefined, components: Components): Json[] {
  if (!s) return [];
  const js = toSchema(s, components);
  const props = (js.properties ?? {}) as Record<string, Json>;
  const required = new Set((js.required as string[] | undefined) ?? []);
  return Object.entries(props).map(([name, schema]) => {
    const { description, ...rest } = schema;
    return { name, in: where, required: where === 'path' || required.has(name), ...(typeof description === 'string' ? { description } : {}), schema: rest };
  });
}

function sizeText(bytes: number): string {
  for (const [unit, n] of [['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]] as const) if (bytes >= n && bytes % n === 0) return `${bytes / n} ${unit}`;
  return `${bytes} bytes`;
}

export interface OpenApiInfo {
  readonly version: string;
  readonly title?: string;
}

export function openApiDocument(routes: readonly DeclaredRoute[], info: OpenApiInfo): Json {
  const paths: Record<string, Record<string, Json>> = {};
  const components = new Components();
  for (const r of routes) {
    const path = r.url.replace(/:([A-Za-z_]\w*)/g, '{$1}');
    const op: Json = {
      operationId: `${r.method.toLowerCase()}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      summary: r.summary,
      ...(r.description !== undefined ? { description: r.description } : {}),
      tags: [r.tag],
      'x-access': r.access,
      parameters: [...parameters('path', r.params, components), ...parameters('query', r.query, components)],
      responses: {
        [String(r.status ?? 200)]: r.status === 204
          ? { description: 'Done; no content' }
          : {
              description: 'OK',
              content: Object.fromEntries<Json>([['application/json', { schema: r.response ? toSchema(r.response, components, 'output') : {} }], ...(r.produces ?? []).map((t): [string, Json] => [t, { schema: { type: 'string' } }])]),
            },
        default: { description: 'Problem', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
      },
      ...(r.public === true ? { security: [] } : {}),
    };
    if (r.body) {
      const schema = toSchema(r.body, components);
      const limit = r.bodyLimit !== undefined ? `At most ${sizeText(r.bodyLimit)}.` : undefined;
      if (r.rawBody === true) {
        // The text is handed on as sent: as JSON it is any document (the route's reader checks it).
        const { description, ...text } = schema;
        op.requestBody = {
          required: !(r.body instanceof z.ZodOptional),
          description: [typeof description === 'string' ? description.replace(/([^.])$/, '$1.') : undefined, limit].filter((x) => x !== undefined).join(' '),
          content: Object.fromEntries<Json>([['application/json', { schema: {} }], ...(r.consumes ?? []).map((t): [string, Json] => [t, { schema: text }])]),
        };
      } else {
        op.requestBody = {
          required: !(r.body instanceof z.ZodOptional),
          ...(limit !== undefined ? { description: limit } : {}),
          content: Object.fromEntries<Json>([['application/json', { schema }], ...(r.consumes ?? []).map((t): [string, Json] => [t, { schema: t.includes('form') ? schema : { type: 'string' } }])]),
        };
      }
    }
    (paths[path] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: info.title ?? 'Wardwatch API', version: info.version, description: 'Monitoring for hospital IT and clinical engineering. Authenticate with the session cookie (console) or `Authorization: Bearer <token>`; unsafe methods with a session need the X-CSRF-Token header.' },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: '/' }],
    components: {
      schemas: { ...components.schemas, Problem: problemSchema },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API token (scope and expiry set when it is created)' },
        session: { type: 'apiKey', in: 'cookie', name: 'ww_session' },
      },
    },
    security: [{ bearer: [] }, { session: [] }],
    paths,
  };
}
