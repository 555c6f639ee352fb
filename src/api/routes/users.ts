// Users (administrators only): create local or directory accounts, give roles on the whole tree or
// a subtree, disable, unlock, reset TOTP, delete. The last administrator (through any admin role)
// can neither go, be disabled nor lose rights.

import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requireAdmin } from '../auth/index.ts';
import { ProblemError, clientIp } from '../auth/http.ts';
import { hashPassword, passwordProblem } from '../auth/passwords.ts';
import { rolesById } from '../auth/principal.ts';
import type { AuthServices } from '../auth/services.ts';
import type { RoleAssignment, UserRecord } from '../auth/types.ts';
import { fieldError } from '../auth/validate.ts';
import { LAST_ADMIN, anotherAdminRemains, userView } from '../auth/views.ts';
import { userSchema } from './auth-schemas.ts';
import type { RouteTable } from './define.ts';

const Assignment = z.object({ roleId: z.string().min(1), nodeId: z.string().min(1).optional().describe('The subtree the role applies to; absent or *: the whole tree') });
const CreateBody = z.object({
  login: z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, 'letters, digits, ".", "_", "@" or "-" (at most 64)'),
  name: z.string().min(1).max(200),
  method: z.enum(['password', 'ldap']).default('password'),
  password: z.string().max(1024).optional().describe('Required for a local account: at least 12 characters, without the login name in it; none for a directory account'),
  roles: z.array(Assignment).default([]),
  disabled: z.boolean().default(false),
});
const PatchBody = z.object({
  name: z.string().min(1).max(200).optional(),
  password: z.string().max(1024).optional().describe('A new password (local accounts): the user’s sessions end'),
  roles: z.array(Assignment).optional().describe('Replaces the manual assignments; those from directory groups stay'),
  disabled: z.boolean().optional().describe('true also ends the user’s sessions'),
  unlock: z.literal(true).optional().describe('Lifts a lockout after failed logins'),
  resetTotp: z.literal(true).optional().describe('Turns two-factor authentication off (a lost phone)'),
});
const Params = z.object({ id: z.string().min(1).describe('The user’s id (u-...)') });

const TAG = 'users';
const ADMIN = 'administrator';

/** The audit trail's picture of a user: no hashes, no secrets. */
function auditable(u: UserRecord): Record<string, unknown> {
  return { login: u.login, name: u.name, method: u.method, roles: u.roles, disabled: u.disabled, totp: u.totpEnabled };
}

export function userRoutes(routes: RouteTable, svc: AuthServices): void {
  const checkRoles = async (roles: readonly { roleId: string }[], where: string): Promise<void> => {
    const known = await rolesById(svc.store);
    roles.forEach((r, i) => {
      if (!known.has(r.roleId)) throw fieldError(`${where}[${i}].roleId`, `no role ${JSON.stringify(r.roleId)}`);
    });
  };
  const assignments = (list: readonly { roleId: string; nodeId?: string | undefined }[], keep: readonly RoleAssignment[]): RoleAssignment[] => [
    ...list.map((r) => ({ roleId: r.roleId, ...(r.nodeId !== undefined && r.nodeId !== '*' ? { nodeId: r.nodeId } : {}), source: 'manual' as const })),
    ...keep.filter((r) => r.source === 'ldap'),
  ];
  const load = async (id: string): Promise<UserRecord> => {
    const u = await svc.store.user(id);
    if (!u) throw new ProblemError('NOT_FOUND', `no user ${JSON.stringify(id)}`);
    return u;
  };

  routes.add({
    method: 'GET',
    url: '/api/users',
    tag: TAG,
    summary: 'Every user with their roles',
    access: ADMIN,
    guard: requireAdmin,
    response: z.array(userSchema),
    handler: async (req) => {
      requireAdmin(req);
      const roles = await rolesById(svc.store);
      return (await svc.store.users()).map((u) => userView(u, roles));
    },
  });

  routes.add({
    method: 'GET',
    url: '/api/users/:id',
    tag: TAG,
    summary: 'One user',
    access: ADMIN,
    guard: requireAdmin,
    params: Params,
    response: userSchema,
    handler: async (req, _reply, { params: { id } }) => {
      requireAdmin(req);
      return userView(await load(id), await rolesById(svc.store));
    },
  });

  routes.add({
    method: 'POST',
    url: '/api/users',
    tag: TAG,
    summary: 'Create a local or directory (LDAP) account with roles on the tree or a subtree (audited)',
    access: ADMIN,
    guard: requireAdmin,
    body: CreateBody,
    response: userSchema,
    status: 201,
    handler: async (req, reply, { body }) => {
      const actor = requireAdmin(req);
      await checkRoles(body.roles, 'body.roles');
      if (await svc.store.userByLogin(body.login)) throw new ProblemError('CONFLICT', `body.login: a user ${JSON.stringify(body.login)} exists already`);
      let passwordHash: string | undefined;
      if (body.method === 'password') {
        if (body.password === undefined) throw fieldError('body.password', 'required for a local (password) account');
        const weak = passwordProblem(body.password, body.login);
        if (weak !== undefined) throw fieldError('body.password', weak);
        passwordHash = await hashPassword(body.password, svc.policy.scrypt);
      } else if (body.password !== undefined) throw fieldError('body.password', 'directory (LDAP) accounts have no local password');
      const now = svc.clock.now();
      const user: UserRecord = {
        id: `u-${randomBytes(8).toString('hex')}`,
        login: body.login,
        name: body.name,
        method: body.method,
        ...(passwordHash !== undefined ? { passwordHash } : {}),
        totpEnabled: false,
        totpLastStep: 0,
        disabled: body.disabled,
        failedLogins: 0,
        roles: assignments(body.roles, []),
        createdAt: now,
        updatedAt: now,
      };
      await svc.store.createUser(user);
      await svc.audit.record({ actor: actor.name, actorId: actor.id, action: 'user.create', target: `user:${user.id}`, ip: clientIp(req), outcome: 'ok', after: auditable(user) });
      return reply.code(201).send(userView(user, await rolesById(svc.store)));
    },
  });

  const patchUser = async (req: FastifyRequest, id: string, body: z.output<typeof PatchBody>) => {
    const actor = requireAdmin(req);
    const before = await load(id);
    if (body.roles) await checkRoles(body.roles, 'body.roles');
    let next: UserRecord = { ...before, updatedAt: svc.clock.now() };
    if (body.name !== undefined) next = { ...next, name: body.name };
    if (body.roles !== undefined) next = { ...next, roles: assignments(body.roles, before.roles) };
    if (body.disabled !== undefined) next = { ...next, disabled: body.disabled };
    if (body.unlock === true) {
      const { lockedUntil: _l, ...rest } = next;
      next = { ...rest, failedLogins: 0 };
    }
    if (body.resetTotp === true) {
      const { totpSecretSealed: _s, ...rest } = next;
      next = { ...rest, totpEnabled: false };
    }
    if (body.password !== undefined) {
      if (before.method !== 'password') throw fieldError('body.password', 'directory (LDAP) accounts have no local password');
      const weak = passwordProblem(body.password, before.login);
      if (weak !== undefined) throw fieldError('body.password', weak);
      next = { ...next, passwordHash: await hashPassword(body.password, svc.policy.scrypt) };
    }
    const roles = await rolesById(svc.store);
    if (userView(before, roles).admin && !before.disabled && (!userView(next, roles).admin || next.disabled) && !anotherAdminRemains(await svc.store.users(), roles, id)) {
      throw new ProblemError('CONFLICT', LAST_ADMIN);
    }
    await svc.store.updateUser(next);
    // A new password or a disabled account ends the user's sessions everywhere.
    if (body.password !== undefined || next.disabled) await svc.store.deleteUserSessions(id);
    const changed = [...Object.keys(body)].join(', ');
    await svc.audit.record({ actor: actor.name, actorId: actor.id, action: 'user.update', target: `user:${id}`, ip: clientIp(req), outcome: 'ok', before: auditable(before), after: auditable(next), detail: `changed ${changed}${body.password !== undefined ? ' (password not recorded)' : ''}` });
    return userView(next, roles);
  };
  for (const method of ['PATCH', 'PUT'] as const) {
    routes.add({
      method,
      url: '/api/users/:id',
      tag: TAG,
      summary: 'Change a user: name, password, roles, disabled; unlock; reset TOTP (audited; the last administrator stays)',
      description: 'Only the fields sent change (PUT is the same as PATCH). A new password or disabling ends the user’s sessions.',
      access: ADMIN,
      guard: requireAdmin,
      params: Params,
      body: PatchBody,
      response: userSchema,
      // Serialised: two administrators demoting each other at once must not both succeed.
      handler: (req, _reply, { params: { id }, body }) => svc.exclusive(() => patchUser(req, id, body)),
    });
  }

  routes.add({
    method: 'DELETE',
    url: '/api/users/:id',
    tag: TAG,
    summary: 'Delete a user (audited; not the last administrator)',
    access: ADMIN,
    guard: requireAdmin,
    params: Params,
    status: 204,
    handler: (req, reply, { params: { id } }) =>
      svc.exclusive(async () => {
        const actor = requireAdmin(req);
        const before = await load(id);
        const roles = await rolesById(svc.store);
        if (userView(before, roles).admin && !anotherAdminRemains(await svc.store.users(), roles, id)) {
          throw new ProblemError('CONFLICT', LAST_ADMIN);
        }
        await svc.store.deleteUser(id);
        await svc.audit.record({ actor: actor.name, actorId: actor.id, action: 'user.delete', target: `user:${id}`, ip: clientIp(req), outcome: 'ok', before: auditable(before) });
        return reply.code(204).send();
      }),
  });
}
