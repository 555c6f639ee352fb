// The push receiver: POST /api/push/<token> (JSON body) and GET /api/push/<token>?value=..
// (for devices that can only fetch a URL). Validates, then publishes to the inbox on
// `push:<token>`; 202 when a push sensor listens for the token, 404 when none does. Declared in a
// route table: on the API server it is public and documented there; a remote probe's own listener
// gets a table and a problem-answering error handler of its own.

import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ApiProblem, problem, sendProblem } from '../../api/problem.ts';
import { RouteTable } from '../../api/routes/define.ts';
import type { Inbox } from '../../sensors/sensor.ts';
import { MAX_VALUES, PUSH_STATUSES, RESERVED_KEYS, TOKEN_PATTERN, TOKEN_RULE, VALUE_KEY_PATTERN, pushTopic, type PushMessage } from '../../sensors/push/message.ts';

export interface PushRouteDeps {
  readonly inbox: Inbox;
  /** Wall-clock epoch ms (a ManualClock's now in tests). */
  now(): number;
}

const MAX_MESSAGE = 1000;
const BODY_LIMIT = 16 * 1024;
const NUMBER_TEXT = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : typeof v;
}

const finite = z.number({ error: (i) => `expected a number, got ${show(i.input)}` }).refine(Number.isFinite, { error: 'expected a finite number' });
const status = z.enum(PUSH_STATUSES, { error: (i) => `expected up, warning or down, got ${show(i.input)}` });
const message = z.string({ error: (i) => `expected text, got ${show(i.input)}` }).max(MAX_MESSAGE, { error: `longer than ${MAX_MESSAGE} characters` });
/** Why a value key is not allowed, or undefined. */
function keyProblem(k: string): string | undefined {
  if (!VALUE_KEY_PATTERN.test(k)) return `expected a camelCase key such as queueLength, got ${show(k)}`;
  if (RESERVED_KEYS.has(k) || k === 'value') return `${show(k)} is reserved`;
  return undefined;
}

/** A query parameter given twice arrives as a list. */
function once(what: (input: unknown) => string): (i: { readonly input: unknown }) => string {
  return (i) => (Array.isArray(i.input) ? 'given more than once' : what(i.input));
}

const pushBody = z.strictObject(
  {
    value: finite.optional(),
    values: z
      .record(z.string(), finite, { error: (i) => `expected an object of numbers, got ${show(i.input)}` })
      .superRefine((r, ctx) => {
        const keys = Object.keys(r);
        if (keys.length > MAX_VALUES) ctx.addIssue({ code: 'custom', message: `at most ${MAX_VALUES} values` });
        for (const k of keys) {
          const p = keyProblem(k);
          if (p) ctx.addIssue({ code: 'custom', message: p, path: [k] });
        }
      })
      .optional(),
    status: status.optional(),
    message: message.optional(),
  },
  { error: (i) => (i.code === 'unrecognized_keys' ? `unknown field ${i.keys.map((k) => JSON.stringify(k)).join(', ')}` : `expected a JSON object, got ${show(i.input)}`) },
)
  // A bare POST (no body, or a JSON null) is a plain heartbeat.
  .nullish()
  .describe('Values, a status and a message, all optional; no body: a plain heartbeat');

const pushQuery = z.strictObject(
  {
    value: z
      .string({ error: once((v) => `expected a number, got ${show(v)}`) })
      .regex(NUMBER_TEXT, { error: (i) => `expected a number, got ${show(i.input)}` })
      .transform(Number)
      .optional()
      .describe('A number: the channel `value`'),
    status: z.enum(PUSH_STATUSES, { error: once((v) => `expected up, warning or down, got ${show(v)}`) }).optional(),
    message: z
      .string({ error: once((v) => `expected text, got ${show(v)}`) })
      .max(MAX_MESSAGE, { error: `longer than ${MAX_MESSAGE} characters` })
      .optional(),
  },
  { error: (i) => (i.code === 'unrecognized_keys' ? `unknown parameter ${i.keys.map((k) => JSON.stringify(k)).join(', ')}` : 'expected query parameters') },
);

const tokenParams = z.strictObject({ token: z.string().regex(TOKEN_PATTERN, { error: TOKEN_RULE }).describe('The push sensor’s token (a long random string): it is the credential') });

const acceptedSchema = z.object({ accepted: z.literal(true) }).meta({ id: 'PushAccepted' });

function accept(deps: PushRouteDeps, reply: FastifyReply, token: string, data: z.output<typeof pushBody>, from: string): FastifyReply {
  const d = data ?? {};
  const values: Record<string, number> = { ...(d.values ?? {}), ...(d.value !== undefined ? { value: d.value } : {}) };
  const msg: PushMessage = { receivedAt: deps.now(), values, ...(d.status ? { status: d.status } : {}), ...(d.message !== undefined ? { message: d.message } : {}), from };
  const listeners = deps.inbox.publish(pushTopic(token), msg);
  // the same answer for a well-formed token nobody listens for as for a wrong one: no token probing
  if (listeners === 0) return sendProblem(reply, problem('NOT_FOUND', 'no push sensor has this token'));
  return reply.code(202).send({ accepted: true });
}

function declare(routes: RouteTable, deps: PushRouteDeps): void {
  const common = {
    url: '/api/push/:token',
    tag: 'push',
    access: 'public (the token in the URL is the credential)',
    public: true,
    params: tokenParams,
    response: acceptedSchema,
    status: 202,
  } as const;
  routes.add({
    ...common,
    method: 'POST',
    summary: 'A push report: values, status and message for the push sensor with this token',
    description: '202 when a push sensor listens for the token; 404 (the same for a wrong token) when none does.',
    bodyLimit: BODY_LIMIT,
    body: pushBody,
    handler: async (req, reply, { params, body }) => accept(deps, reply, params.token, body, req.ip),
  });
  routes.add({
    ...common,
    method: 'GET',
    summary: 'A push report in the query string, for devices that can only fetch a URL',
    description: '202 when a push sensor listens for the token; 404 (the same for a wrong token) when none does.',
    query: pushQuery,
    handler: async (req, reply, { params, query }) => accept(deps, reply, params.token, query, req.ip),
  });
}

/** What a server of its own (a remote probe's push listener) answers for an error: a problem, as the API server does. */
function answerProblem(err: FastifyError, _req: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (err instanceof ApiProblem) return sendProblem(reply, err.problem);
  const status = err.statusCode ?? 500;
  return sendProblem(reply, problem(status >= 500 ? 'INTERNAL' : 'BAD_REQUEST', err.message, status));
}

/**
 * The push routes. `routes`: the API server's table (its hooks make them public, its error handler
 * answers). Without it, on a listener of their own, they get a context on `app` that answers problems.
 */
export function pushRoutes(app: FastifyInstance, deps: PushRouteDeps, routes?: RouteTable): void {
  if (routes !== undefined) {
    declare(routes, deps);
    return;
  }
  app.register(async (own) => {
    own.setErrorHandler(answerProblem);
    declare(new RouteTable(own), deps);
  });
}
