// Roles (administrators only): the three built-in ones are fixed; custom roles carry grants per
// subtree with the levels of access.ts. A custom admin role that the last administrators hold
// cannot lose its admin flag or be deleted.

import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ACCESS_LEVELS } from '../access.ts';
import { requireAdmin } from '../auth/index.ts';
import { ProblemError, clientIp } from '../auth/http.ts';
import type { AuthServices } from '../auth/services.ts';
import type { Role } from '../auth/types.ts';
import { rolesById } from '../auth/principal.ts';
import { enabledAdmins } from '../auth/views.ts';
import { roleSchema } from './auth-schemas.ts';
import type { RouteTable } from './define.ts';

const GrantSchema = z.object({ nodeId: z.string().min(1).max(1000).describe('A node id, or * for the whole tree'), level: z.enum(ACCESS_LEVELS) });
const CreateBody = z.object({
  name: z.string().min(1).max(100),
  description: z.string().max(1000).optional(),
  admin: z.boolean().default(false).describe('Administers users, roles, tokens, credentials, settings and the audit trail'),
  grants: z.array(GrantSchema).max(10_000).default([]),
});
const PatchBody = z.object({ name: z.string().min(1).max(100).optional(), description: z.string().max(1000).optional(), admin: z.boolean().optional(), grants: z.array(GrantSchema).max(10_000).optional().describe('Replaces all the grants') });
const Params = z.object({ id: z.string().min(1).describe('The role’s id (administrator, operator, read-only or role-...)') });

const TAG = 'users';
const ADMIN = 'administrator';

export function roleRoutes(routes: RouteTable, svc: AuthServices): void {
  const load = async (id: string): Promise<Role> => {
    const r = await svc.store.role(id);
    if (!r) throw new ProblemError('NOT_FOUND', `no role ${JSON.stringify(id)}`);
    return r;
  };
  const nameFree = async (name: string, exceptId?: string): Promise<void> => {
    const clash = (await svc.store.roles()).find((r) => r.name.toLowerCase() === name.toLowerCase() && r.id !== exceptId);
    if (clash) throw new ProblemError('CONFLICT', `body.name: a role ${JSON.stringify(name)} exists already`);
  };

  routes.add({
    method: 'GET',
    url: '/api/roles',
    tag: TAG,
    summary: 'Every role: the three built-in ones and the custom ones with their grants',
    access: ADMIN,
    guard: requireAdmin,
    response: z.array(roleSchema),
    handler: async (req) => {
      requireAdmin(req);
      return svc.store.roles();
    },
  });

  routes.add({
    method: 'GET',
    url: '/api/roles/:id',
    tag: TAG,
    summary: 'One role',
    access: ADMIN,
    guard: requireAdmin,
    params: Params,
    response: roleSchema,
    handler: async (req, _reply, { params: { id } }) => {
      requireAdmin(req);
      return load(id);
    },
  });

  routes.add({
    method: 'POST',
    url: '/api/roles',
    tag: TAG,
    summary: 'Create a custom role with levels of access per subtree (audited)',
    access: ADMIN,
    guard: requireAdmin,
    body: CreateBody,
    response: roleSchema,
    status: 201,
    handler: async (req, reply, { body }) => {
      const actor = requireAdmin(req);
      await nameFree(body.name);
      const role: Role = { id: `role-${randomBytes(6).toString('hex')}`, name: body.name, ...(body.description !== undefined ? { description: body.description } : {}), admin: body.admin, grants: body.grants, builtin: false };
      await svc.store.createRole(role);
      await svc.audit.record({ actor: actor.name, actorId: actor.id, action: 'role.create', target: `role:${role.id}`, ip: clientIp(req), outcome: 'ok', after: role });
      return reply.code(201).send(role);
    },
  });

  /** Refuses a role change or deletion after which no enabled user would administer any more. */
  const keepAnAdmin = async (change: (roles: Map<string, Role>) => void, what: string): Promise<void> => {
    const users = await svc.store.users();
    const roles = await rolesById(svc.store);
    const before = enabledAdmins(users, roles);
    change(roles);
    if (before > 0 && enabledAdmins(users, roles) === 0) {
      throw new ProblemError('CONFLICT', `${what} would leave no administrator: give another user the built-in administrator role first`);
    }
  };

  const patchRole = async (req: FastifyRequest, id: string, body: z.output<typeof PatchBody>) => {
    const actor = requireAdmin(req);
    const before = await load(id);
    if (before.builtin) throw new ProblemError('BAD_REQUEST', `role ${JSON.stringify(before.name)} is built in and cannot be changed: create a custom role`);
    if (body.name !== undefined) await nameFree(body.name, id);
    const next: Role = {
      ...before,
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.description !== undefined ? { description: body.description } : {}),
      ...(body.admin !== undefined ? { admin: body.admin } : {}),
      ...(body.grants !== undefined ? { grants: body.grants } : {}),
    };
    await keepAnAdmin((roles) => roles.set(id, next), `changing role ${JSON.stringify(before.name)}`);
    await svc.store.updateRole(next);
    await svc.audit.record({ actor: actor.name, actorId: actor.id, action: 'role.update', target: `role:${id}`, ip: clientIp(req), outcome: 'ok', before, after: next });
    return next;
  };
  for (const method of ['PATCH', 'PUT'] as const) {
    routes.add({
      method,
      url: '/api/roles/:id',
      tag: TAG,
      summary: 'Change a custom role (audited; not one the last administrators need for their rights)',
      description: 'Only the fields sent change (PUT is the same as PATCH). Built-in roles cannot be changed.',
      access: ADMIN,
      guard: requireAdmin,
      params: Params,
      body: PatchBody,
      response: roleSchema,
      // Serialised with the user changes: see AuthServices.exclusive.
      handler: (req, _reply, { params: { id }, body }) => svc.exclusive(() => patchRole(req, id, body)),
    });
  }

  routes.add({
    method: 'DELETE',
    url: '/api/roles/:id',
    tag: TAG,
    summary: 'Delete a custom role (audited; not one the last administrators need)',
    access: ADMIN,
    guard: requireAdmin,
    params: Params,
    status: 204,
    handler: (req, reply, { params: { id } }) =>
      svc.exclusive(async () => {
        const actor = requireAdmin(req);
        const before = await load(id);
        if (before.builtin) throw new ProblemError('BAD_REQUEST', `role ${JSON.stringify(before.name)} is built in and cannot be deleted`);
        await keepAnAdmin((roles) => roles.delete(id), `deleting role ${JSON.stringify(before.name)}`);
        await svc.store.deleteRole(id);
        await svc.audit.record({ actor: actor.name, actorId: actor.id, action: 'role.delete', target: `role:${id}`, ip: clientIp(req), outcome: 'ok', before });
        return reply.code(204).send();
      }),
  });
}
