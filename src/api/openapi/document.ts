// OpenAPI 3.1 from the route declarations (../routes/define.ts): the zod schemas that validate a
// request's params, query and body become its parameters and request body, through zod 4's
// JSON Schema output — the reference cannot disagree with what the server checks.

import { z } from 'zod';
import type { DeclaredRoute } from '../routes/define.ts';

type Json = Record<string, unknown>;

function toSchema(s: z.ZodType): Json {
  return z.toJSONSchema(s, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' });
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

function parameters(where: 'path' | 'query', s: z.ZodType | undefined): Json[] {
  if (!s) return [];
  const js = toSchema(s);
  const props = (js.properties ?? {}) as Record<string, Json>;
  const required = new Set((js.required as string[] | undefined) ?? []);
  return Object.entries(props).map(([name, schema]) => {
    const { description, ...rest } = schema;
    return { name, in: where, required: where === 'path' || required.has(name), ...(typeof description === 'string' ? { description } : {}), schema: rest };
  });
}

export interface OpenApiInfo {
  readonly version: string;
  readonly title?: string;
}

export function openApiDocument(routes: readonly DeclaredRoute[], info: OpenApiInfo): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const r of routes) {
    const path = r.url.replace(/:([A-Za-z_]\w*)/g, '{$1}');
    const op: Json = {
      operationId: `${r.method.toLowerCase()}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      summary: r.summary,
      ...(r.description !== undefined ? { description: r.description } : {}),
      tags: [r.tag],
      'x-access': r.access,
      parameters: [...parameters('path', r.params), ...parameters('query', r.query)],
      responses: {
        [String(r.status ?? 200)]: {
          description: 'OK',
          content: Object.fromEntries<Json>([['application/json', { schema: r.response ? toSchema(r.response) : {} }], ...(r.produces ?? []).map((t): [string, Json] => [t, { schema: { type: 'string' } }])]),
        },
        default: { description: 'Problem', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
      },
      ...(r.public === true ? { security: [] } : {}),
    };
    if (r.body) {
      const schema = toSchema(r.body);
      op.requestBody = {
        required: !(r.body instanceof z.ZodOptional),
        content: Object.fromEntries<Json>([['application/json', { schema }], ...(r.consumes ?? []).map((t): [string, Json] => [t, { schema: t.includes('form') ? schema : { type: 'string' } }])]),
      };
    }
    (paths[path] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: info.title ?? 'Wardwatch API', version: info.version, description: 'Monitoring for hospital IT and clinical engineering. Authenticate with the session cookie (console) or `Authorization: Bearer <token>`; unsafe methods with a session need the X-CSRF-Token header.' },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: '/' }],
    components: {
      schemas: { Problem: problemSchema },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API token (scope and expiry set when it is created)' },
        session: { type: 'apiKey', in: 'cookie', name: 'ww_session' },
      },
    },
    security: [{ bearer: [] }, { session: [] }],
    paths,
  };
}
