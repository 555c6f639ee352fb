// API tokens (administrators only): a scope (a role, or explicit grants) and an expiry; the secret
// is shown once at creation and stored only as its SHA-256. Sent as "Authorization: Bearer <secret>".

import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ACCESS_LEVELS } from '../access.ts';
import { requireAdmin } from '../auth/index.ts';
import { ProblemError, clientIp } from '../auth/http.ts';
import { hashSecret } from '../auth/secrets.ts';
import type { AuthServices } from '../auth/services.ts';
import type { TokenRecord, TokenScope } from '../auth/types.ts';
import { parseInput } from '../auth/validate.ts';
import { tokenView } from '../auth/views.ts';

const GrantSchema = z.object({ nodeId: z.string().min(1).max(1000), level: z.enum(ACCESS_LEVELS) });
const ScopeSchema = z.union([z.object({ roleId: z.string().min(1) }).strict(), z.object({ grants: z.array(GrantSchema).min(1).max(1000) }).strict()]);
const CreateBody = z.object({
  name: z.string().min(1).max(100),
  scope: ScopeSchema,
  /** Epoch ms or an ISO 8601 time; or expiresInDays. A token without either never expires. */
  expiresAt: z.union([z.number().int().positive(), z.iso.datetime({ offset: true })]).optional(),
  expiresInDays: z.number().positive().max(3650).optional(),
});
const Params = z.object({ id: z.string().min(1) });

export const TOKEN_PREFIX = 'wwt_';

export function tokenRoutes(app: FastifyInstance, svc: AuthServices): void {
  app.get('/api/tokens', async (req) => {
    requireAdmin(req);
    return (await svc.store.tokens()).map(tokenView);
  });

  app.get('/api/tokens/:id', async (req) => {
    requireAdmin(req);
    const { id } = parseInput(Params, req.params, 'path');
    const t = await svc.store.token(id);
    if (!t) throw new ProblemError('NOT_FOUND', `no token ${JSON.stringify(id)}`);
    return tokenView(t);
  });

  app.post('/api/tokens', async (req, reply) => {
    const actor = requireAdmin(req);
    const body = parseInput(CreateBody, req.body, 'body');
    const scope = body.scope as TokenScope;
    if ('roleId' in scope && !(await svc.store.role(scope.roleId))) throw new ProblemError('BAD_REQUEST', `body.scope.roleId: no role ${JSON.stringify(scope.roleId)}`);
    const now = svc.clock.now();
    let expiresAt: number | undefined;
    if (body.expiresAt !== undefined) expiresAt = typeof body.expiresAt === 'number' ? body.expiresAt : Date.parse(body.expiresAt);
    if (body.expiresInDays !== undefined) expiresAt = now + body.expiresInDays * 86_400_000;
    if (expiresAt !== undefined && expiresAt <= now) throw new ProblemError('BAD_REQUEST', 'body.expiresAt: must be in the future');
    // A token created by a token acts for that token's owner.
    const ownerId = actor.kind === 'user' ? actor.id : ((await svc.store.token(actor.id))?.userId ?? actor.id);
    const secret = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const token: TokenRecord = { id: `t-${randomBytes(8).toString('hex')}`, name: body.name, secretHash: hashSecret(secret), userId: ownerId, scope, ...(expiresAt !== undefined ? { expiresAt } : {}), createdAt: now };
    await svc.store.createToken(token);
    await svc.audit.record({ actor: actor.name, actorId: actor.id, action: 'token.create', target: `token:${token.id}`, ip: clientIp(req), outcome: 'ok', after: tokenView(token) });
    return reply.code(201).send({ token: tokenView(token), secret });
  });

  app.delete('/api/tokens/:id', async (req, reply) => {
    const actor = requireAdmin(req);
    const { id } = parseInput(Params, req.params, 'path');
    const before = await svc.store.token(id);
    if (!before) throw new ProblemError('NOT_FOUND', `no token ${JSON.stringify(id)}`);
    await svc.store.deleteToken(id);
    await svc.audit.record({ actor: actor.name, actorId: actor.id, action: 'token.delete', target: `token:${id}`, ip: clientIp(req), outcome: 'ok', before: tokenView(before) });
    return reply.code(204).send();
  });
}
