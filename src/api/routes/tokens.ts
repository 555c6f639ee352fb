// API tokens: a scope (a role, or explicit grants) and an expiry; the secret is shown once at
// creation and stored only as its SHA-256. Sent as "Authorization: Bearer <secret>". Users create,
// list and revoke their own tokens (never with more rights than they have); administrators all.

import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Tree } from '../../core/tree.ts';
import { ACCESS_LEVELS, type Principal } from '../access.ts';
import { requireAdmin } from '../auth/index.ts';
import { ProblemError, clientIp } from '../auth/http.ts';
import { grantsOf, principalForUser, rolesById } from '../auth/principal.ts';
import { scopeExcess } from '../auth/scope.ts';
import { hashSecret } from '../auth/secrets.ts';
import type { AuthServices } from '../auth/services.ts';
import type { TokenRecord, TokenScope } from '../auth/types.ts';
import { fieldError } from '../auth/validate.ts';
import { tokenView } from '../auth/views.ts';
import { newTokenSchema, tokenSchema } from './auth-schemas.ts';
import type { RouteTable } from './define.ts';

const GrantSchema = z.object({ nodeId: z.string().min(1).max(1000).describe('A node id, or * for the whole tree'), level: z.enum(ACCESS_LEVELS) });
const ScopeSchema = z
  .union([z.object({ roleId: z.string().min(1) }).strict(), z.object({ grants: z.array(GrantSchema).min(1).max(1000) }).strict()])
  .describe('A role, or explicit grants: never more than the owner has');
const CreateBody = z.object({
  name: z.string().min(1).max(100),
  scope: ScopeSchema,
  expiresAt: z
    .union([z.number().int().positive(), z.iso.datetime({ offset: true })])
    .optional()
    .describe('Epoch ms or an ISO 8601 time; or expiresInDays. A token without either never expires'),
  expiresInDays: z.number().positive().max(3650).optional(),
  userId: z.string().min(1).optional().describe('Administrators only: the user the token acts for (default: the caller)'),
});
const Params = z.object({ id: z.string().min(1).describe('The token’s id (t-...), not its secret') });

const TAG = 'users';
const MANAGER = 'administrator (every token), or a logged-in user (their own; not through an API token)';

export const TOKEN_PREFIX = 'wwt_';

export function tokenRoutes(routes: RouteTable, svc: AuthServices, tree?: () => Pick<Tree, 'nodes'>): void {
  /** The user a principal acts for: itself, or a token's owner. */
  const ownerOf = async (p: Principal): Promise<string> => (p.kind === 'user' ? p.id : ((await svc.store.token(p.id))?.userId ?? p.id));
  /** Administrators manage every token; users manage their own, from a session (a token cannot mint tokens). */
  const manager = async (req: FastifyRequest): Promise<{ actor: Principal; userId: string; all: boolean }> => {
    const p = req.principal;
    if (p?.admin === true) return { actor: p, userId: await ownerOf(p), all: true };
    if (p?.kind !== 'user') return { actor: requireAdmin(req), userId: '', all: true }; // audits and throws
    return { actor: p, userId: p.id, all: false };
  };
  const load = async (req: FastifyRequest, id: string): Promise<{ actor: Principal; token: TokenRecord }> => {
    const m = await manager(req);
    const t = await svc.store.token(id);
    // Someone else's token is "not found": its existence is not told to a non-administrator.
    if (!t || (!m.all && t.userId !== m.userId)) throw new ProblemError('NOT_FOUND', `no token ${JSON.stringify(id)}`);
    return { actor: m.actor, token: t };
  };

  routes.add({
    method: 'GET',
    url: '/api/tokens',
    tag: TAG,
    summary: 'API tokens (without their secrets): every one for an administrator, one’s own for a user',
    access: MANAGER,
    guard: manager,
    response: z.array(tokenSchema),
    handler: async (req) => {
      const m = await manager(req);
      const all = await svc.store.tokens();
      return (m.all ? all : all.filter((t) => t.userId === m.userId)).map(tokenView);
    },
  });

  routes.add({
    method: 'GET',
    url: '/api/tokens/:id',
    tag: TAG,
    summary: 'One API token (without its secret)',
    description: 'Another user’s token is 404 to a user who is not an administrator, as an unknown one.',
    access: MANAGER,
    guard: manager,
    params: Params,
    response: tokenSchema,
    handler: async (req, _reply, { params: { id } }) => tokenView((await load(req, id)).token),
  });

  routes.add({
    method: 'POST',
    url: '/api/tokens',
    tag: TAG,
    summary: 'Create an API token with a scope and an expiry; its secret is shown this once (audited)',
    description: 'The token never has more rights than its owner: checked here and again at every use.',
    access: MANAGER,
    guard: manager,
    body: CreateBody,
    response: newTokenSchema,
    status: 201,
    handler: async (req, reply, { body }) => {
      const m = await manager(req);
      const actor = m.actor;
      const scope = body.scope as TokenScope;
      const roles = await rolesById(svc.store);
      if ('roleId' in scope && !roles.has(scope.roleId)) throw fieldError('body.scope.roleId', `no role ${JSON.stringify(scope.roleId)}`);
      if (body.userId !== undefined && !m.all && body.userId !== m.userId) throw new ProblemError('FORBIDDEN', 'body.userId: only an administrator creates tokens for other users');
      const ownerId = body.userId ?? m.userId;
      const owner = await svc.store.user(ownerId);
      if (!owner || owner.disabled) throw fieldError('body.userId', `no enabled user ${JSON.stringify(ownerId)}`);
      const ownerRights = await principalForUser(svc.store, owner);
      if (!ownerRights.admin) {
        // A token never gives more than its owner has: checked here and again at every use.
        if (!tree) throw new ProblemError('BAD_REQUEST', 'tokens of users who are not administrators need the node tree to check their scope: the server was started without it');
        const grants = 'roleId' in scope ? grantsOf([{ roleId: scope.roleId, source: 'manual' }], roles).grants : scope.grants;
        const excess = 'roleId' in scope && roles.get(scope.roleId)?.admin === true ? 'administrator rights' : scopeExcess(grants, ownerRights, tree());
        if (excess !== undefined) throw new ProblemError('FORBIDDEN', `body.scope: a token cannot have more rights than its owner ${owner.login}: it would give ${excess}`);
      }
      const now = svc.clock.now();
      let expiresAt: number | undefined;
      if (body.expiresAt !== undefined) expiresAt = typeof body.expiresAt === 'number' ? body.expiresAt : Date.parse(body.expiresAt);
      if (body.expiresInDays !== undefined) expiresAt = now + body.expiresInDays * 86_400_000;
      if (expiresAt !== undefined && expiresAt <= now) throw fieldError('body.expiresAt', 'must be in the future');
      const secret = TOKEN_PREFIX + randomBytes(32).toString('base64url');
      const token: TokenRecord = { id: `t-${randomBytes(8).toString('hex')}`, name: body.name, secretHash: hashSecret(secret), userId: ownerId, scope, ...(expiresAt !== undefined ? { expiresAt } : {}), createdAt: now };
      await svc.store.createToken(token);
      await svc.audit.record({ actor: actor.name, actorId: actor.id, action: 'token.create', target: `token:${token.id}`, ip: clientIp(req), outcome: 'ok', after: tokenView(token) });
      return reply.code(201).send({ token: tokenView(token), secret });
    },
  });

  routes.add({
    method: 'DELETE',
    url: '/api/tokens/:id',
    tag: TAG,
    summary: 'Revoke an API token (audited)',
    access: MANAGER,
    guard: manager,
    params: Params,
    status: 204,
    handler: async (req, reply, { params: { id } }) => {
      const { actor, token } = await load(req, id);
      await svc.store.deleteToken(token.id);
      await svc.audit.record({ actor: actor.name, actorId: actor.id, action: 'token.delete', target: `token:${token.id}`, ip: clientIp(req), outcome: 'ok', before: tokenView(token) });
      return reply.code(204).send();
    },
  });
}
