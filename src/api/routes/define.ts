// One way to declare a route: its method and URL, the zod schemas its params, query and body must
// satisfy, who may call it and what it answers. The same declaration validates the request (bad
// input becomes a problem naming each field: `query.limit`, `body.port`) and feeds the OpenAPI
// document (../openapi/document.ts), so that the reference can never drift from what is checked.

import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { z } from 'zod';
import { formatPath } from '../../config/positions.ts';
import { ApiProblem, validationProblem, type FieldError } from '../problem.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

type Schema = z.ZodType;
type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteInput<P, Q, B> {
  readonly params: Out<P>;
  readonly query: Out<Q>;
  readonly body: Out<B>;
}

export interface RouteDef<P extends Schema | undefined = undefined, Q extends Schema | undefined = undefined, B extends Schema | undefined = undefined> {
  readonly method: Method;
  /** Fastify form: /api/nodes/:id */
  readonly url: string;
  readonly summary: string;
  readonly description?: string;
  readonly tag: string;
  /** Who may call it, in words, for the reference ("read on the sensor", "administrator", "public"). */
  readonly access: string;
  /** Callable without a session or token (the signed acknowledgement link). */
  readonly public?: boolean;
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  /** What a 200 answer holds (documentation only). */
  readonly response?: Schema;
  /** Content types answered besides JSON (text/csv, text/yaml, text/event-stream...). */
  readonly produces?: readonly string[];
  /** Content types accepted for the body besides JSON. */
  readonly consumes?: readonly string[];
  /** Status of a successful answer (default 200). */
  readonly status?: number;
  /** Largest body accepted, in bytes, when it differs from the server's (SBOM and feed uploads). */
  readonly bodyLimit?: number;
  /**
   * The body as text, exactly as sent and whatever its content type (JSON is not parsed): for
   * documents the route hands on whole (SBOM, feeds, VEX), where parsing here would only be undone
   * and, for a feed of hundreds of megabytes, would hold it in memory twice more. `body` checks the text.
   */
  readonly rawBody?: boolean;
  /**
   * An access check run before the input is checked (requireAdmin): a caller without the rights is
   * refused, and the refusal audited, whatever they sent, and learns nothing of what the input must be.
   */
  readonly guard?: (req: FastifyRequest) => unknown;
  readonly handler: (req: FastifyRequest, reply: FastifyReply, input: RouteInput<P, Q, B>) => Promise<unknown>;
}

/** What the OpenAPI generator needs of each declared route. */
export type DeclaredRoute = Omit<RouteDef<Schema | undefined, Schema | undefined, Schema | undefined>, 'handler' | 'guard'>;

function fieldErrors(where: string, issues: readonly z.core.$ZodIssue[]): FieldError[] {
  return issues.map((i) => {
    const sub = formatPath(i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)));
    return { path: sub === '' ? where : sub.startsWith('[') ? `${where}${sub}` : `${where}.${sub}`, message: i.message };
  });
}

/** The routes of one server, declared and registered together. */
export class RouteTable {
  readonly #app: FastifyInstance;
  readonly #declared: DeclaredRoute[];

  constructor(app: FastifyInstance, declared: DeclaredRoute[] = []) {
    this.#app = app;
    this.#declared = declared;
  }

  /**
   * The same table registering on `context`, a plugin context of `app` with hooks or an error
   * handler of its own (the auth layer's no-store answers): its routes are documented with the rest.
   */
  within(context: FastifyInstance): RouteTable {
    return new RouteTable(context, this.#declared);
  }

  get declared(): readonly DeclaredRoute[] {
    return this.#declared;
  }

  add<P extends Schema | undefined = undefined, Q extends Schema | undefined = undefined, B extends Schema | undefined = undefined>(def: RouteDef<P, Q, B>): void {
    const { handler, guard, ...doc } = def;
    this.#declared.push(doc);
    const route: RouteOptions = {
      method: def.method,
      url: def.url,
      config: { public: def.public === true },
      ...(def.bodyLimit !== undefined ? { bodyLimit: def.bodyLimit } : {}),
      handler: async (req, reply) => {
        if (guard !== undefined) await guard(req);
        const errors: FieldError[] = [];
        const parse = (where: string, schema: Schema | undefined, value: unknown): unknown => {
          if (schema === undefined) return undefined;
          const r = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
          if (r.success) return r.data;
          errors.push(...fieldErrors(where, r.error.issues));
          return undefined;
        };
        const params = parse('params', def.params, req.params);
        const query = parse('query', def.query, req.query);
        const body = parse('body', def.body, req.body);
        if (errors.length > 0) throw new ApiProblem(validationProblem(errors));
        const input = { params, query, body } as RouteInput<P, Q, B>;
        const out = await handler(req, reply, input);
        if (reply.sent) return reply;
        if (def.status !== undefined) reply.code(def.status);
        return out;
      },
    };
    if (def.rawBody !== true) {
      this.#app.route(route);
      return;
    }
    // Content-type parsers belong to a Fastify context, not to a route: a raw-body route gets a
    // context of its own where every type is read as text. It inherits the server's hooks (auth,
    // headers) and error handler like any other route.
    this.#app.register(async (raw) => {
      raw.removeAllContentTypeParsers();
      raw.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
      raw.route(route);
    });
  }
}

/** A comma-separated list in a query string ("a,b,c"); each item checked by `item`. */
export function csv<T extends string = string>(item: z.ZodType<T> = z.string().min(1) as unknown as z.ZodType<T>) {
  return z.string().transform((s, tc) => {
    const out: T[] = [];
    for (const part of s.split(',').map((x) => x.trim()).filter((x) => x !== '')) {
      const r = item.safeParse(part);
      if (r.success) out.push(r.data);
      else tc.addIssue({ code: 'custom', message: `"${part}": ${r.error.issues[0]?.message ?? 'invalid'}` });
    }
    return out;
  });
}

/** limit/offset paging shared by every list. */
export const paging = {
  limit: z.coerce.number().int().min(1).max(1000).default(100).describe('Most items to return'),
  offset: z.coerce.number().int().min(0).default(0).describe('Items to skip'),
};

export interface Page<T> {
  readonly items: readonly T[];
  readonly total: number;
  readonly limit: number;
  readonly offset: number;
}

export function page<T>(all: readonly T[], limit: number, offset: number): Page<T> {
  return { items: all.slice(offset, offset + limit), total: all.length, limit, offset };
}

export const idParams = z.strictObject({ id: z.string().min(1).describe('Full id of the object, such as site/probe/group/device/sensor') });
