// The push receiver: POST /api/push/<token> (JSON body) and GET /api/push/<token>?value=..
// (for devices that can only fetch a URL). Validates, then publishes to the inbox on
// `push:<token>`; 202 when a push sensor listens for the token, 404 when none does.

import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { problem, sendProblem } from '../../api/problem.ts';
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
);

const pushQuery = z.strictObject(
  {
    value: z
      .string()
      .regex(NUMBER_TEXT, { error: (i) => `expected a number, got ${show(i.input)}` })
      .transform(Number)
      .optional(),
    status: status.optional(),
    message: message.optional(),
  },
  { error: (i) => (i.code === 'unrecognized_keys' ? `unknown parameter ${i.keys.map((k) => JSON.stringify(k)).join(', ')}` : 'expected query parameters') },
);

type Parsed = { readonly ok: true; readonly data: z.infer<typeof pushBody> } | { readonly ok: false; readonly detail: string };

function parse(schema: z.ZodType<z.infer<typeof pushBody>>, input: unknown, where: string): Parsed {
  const r = schema.safeParse(input);
  if (r.success) return { ok: true, data: r.data };
  return { ok: false, detail: r.error.issues.map((i) => `${i.path.length ? i.path.join('.') : where}: ${i.message}`).join('; ') };
}

function accept(deps: PushRouteDeps, reply: FastifyReply, token: string, data: z.infer<typeof pushBody>, from: string): FastifyReply {
  const values: Record<string, number> = { ...(data.values ?? {}), ...(data.value !== undefined ? { value: data.value } : {}) };
  const msg: PushMessage = { receivedAt: deps.now(), values, ...(data.status ? { status: data.status } : {}), ...(data.message !== undefined ? { message: data.message } : {}), from };
  const listeners = deps.inbox.publish(pushTopic(token), msg);
  // the same answer for a well-formed token nobody listens for as for a wrong one: no token probing
  if (listeners === 0) return sendProblem(reply, problem('NOT_FOUND', 'no push sensor has this token'));
  return reply.code(202).send({ accepted: true });
}

export function pushRoutes(app: FastifyInstance, deps: PushRouteDeps): void {
  const checkToken = (token: string, reply: FastifyReply): boolean => {
    if (TOKEN_PATTERN.test(token)) return true;
    void sendProblem(reply, problem('BAD_REQUEST', TOKEN_RULE));
    return false;
  };

  app.post<{ Params: { token: string } }>('/api/push/:token', { bodyLimit: BODY_LIMIT }, async (req, reply) => {
    if (!checkToken(req.params.token, reply)) return reply;
    // a bare POST (no body) is a plain heartbeat
    const parsed = parse(pushBody, req.body ?? {}, 'body');
    if (!parsed.ok) return sendProblem(reply, problem('BAD_REQUEST', parsed.detail));
    return accept(deps, reply, req.params.token, parsed.data, req.ip);
  });

  app.get<{ Params: { token: string }; Querystring: Record<string, unknown> }>('/api/push/:token', async (req, reply) => {
    if (!checkToken(req.params.token, reply)) return reply;
    const query = Object.entries(req.query);
    const repeated = query.find(([, v]) => Array.isArray(v));
    if (repeated) return sendProblem(reply, problem('BAD_REQUEST', `${repeated[0]}: given more than once`));
    const parsed = parse(pushQuery, req.query, 'query');
    if (!parsed.ok) return sendProblem(reply, problem('BAD_REQUEST', parsed.detail));
    return accept(deps, reply, req.params.token, parsed.data, req.ip);
  });
}
