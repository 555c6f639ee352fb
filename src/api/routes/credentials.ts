// Credentials (administrators only): write-only secrets. The list shows names and kinds; a value
// goes in with PUT and never comes back out through the API.

import { z } from 'zod';
import { requireAdmin } from '../auth/index.ts';
import { CREDENTIAL_KINDS, CREDENTIAL_NAME } from '../auth/credentials.ts';
import { ProblemError, clientIp } from '../auth/http.ts';
import type { AuthServices } from '../auth/services.ts';
import { credentialSchema } from './auth-schemas.ts';
import type { RouteTable } from './define.ts';

const Params = z.object({ name: z.string().regex(CREDENTIAL_NAME, 'letters, digits, ".", "_" or "-" (at most 128)').describe('The name sensors and channels refer to it by') });
const PutBody = z.object({ kind: z.enum(CREDENTIAL_KINDS), value: z.string().min(1).max(8192).describe('The secret: sealed before it is stored, never shown again'), description: z.string().max(1000).optional() });

const TAG = 'credentials';

export function credentialRoutes(routes: RouteTable, svc: AuthServices): void {
  routes.add({
    method: 'GET',
    url: '/api/credentials',
    tag: TAG,
    summary: 'Stored secrets by name and kind, never their values',
    access: 'administrator',
    guard: requireAdmin,
    response: z.array(credentialSchema),
    handler: async (req) => {
      requireAdmin(req);
      return svc.credentials.list();
    },
  });

  routes.add({
    method: 'PUT',
    url: '/api/credentials/:name',
    tag: TAG,
    summary: 'Store or replace a secret (audited, without its value)',
    description: '201 when the name is new, 200 when it replaces a value. The answer, like the list, never holds the value.',
    access: 'administrator',
    guard: requireAdmin,
    params: Params,
    body: PutBody,
    response: credentialSchema,
    handler: async (req, reply, { params: { name }, body }) => {
      const actor = requireAdmin(req);
      const before = await svc.credentials.info(name);
      const { outcome, info } = await svc.credentials.put(name, body.kind, body.value, actor.name, body.description);
      await svc.audit.record({
        actor: actor.name,
        actorId: actor.id,
        action: outcome === 'created' ? 'credential.create' : 'credential.update',
        target: `credential:${name}`,
        ip: clientIp(req),
        outcome: 'ok',
        ...(before ? { before } : {}),
        after: info,
        detail: 'secret value not recorded',
      });
      return reply.code(outcome === 'created' ? 201 : 200).send(info);
    },
  });

  routes.add({
    method: 'DELETE',
    url: '/api/credentials/:name',
    tag: TAG,
    summary: 'Delete a secret (audited)',
    access: 'administrator',
    guard: requireAdmin,
    params: Params,
    status: 204,
    handler: async (req, reply, { params: { name } }) => {
      const actor = requireAdmin(req);
      const before = await svc.credentials.info(name);
      if (!before) throw new ProblemError('NOT_FOUND', `no credential ${JSON.stringify(name)}`);
      await svc.credentials.delete(name);
      await svc.audit.record({ actor: actor.name, actorId: actor.id, action: 'credential.delete', target: `credential:${name}`, ip: clientIp(req), outcome: 'ok', before });
      return reply.code(204).send();
    },
  });
}
