// Credentials (administrators only): write-only secrets. The list shows names and kinds; a value
// goes in with PUT and never comes back out through the API.

import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireAdmin } from '../auth/index.ts';
import { CREDENTIAL_KINDS, CREDENTIAL_NAME } from '../auth/credentials.ts';
import { ProblemError, clientIp } from '../auth/http.ts';
import type { AuthServices } from '../auth/services.ts';
import { parseInput } from '../auth/validate.ts';

const Params = z.object({ name: z.string().regex(CREDENTIAL_NAME, 'letters, digits, ".", "_" or "-" (at most 128)') });
const PutBody = z.object({ kind: z.enum(CREDENTIAL_KINDS), value: z.string().min(1).max(8192), description: z.string().max(1000).optional() });

export function credentialRoutes(app: FastifyInstance, svc: AuthServices): void {
  app.get('/api/credentials', async (req) => {
    requireAdmin(req);
    return svc.credentials.list();
  });

  app.put('/api/credentials/:name', async (req, reply) => {
    const actor = requireAdmin(req);
    const { name } = parseInput(Params, req.params, 'path');
    const body = parseInput(PutBody, req.body, 'body');
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
  });

  app.delete('/api/credentials/:name', async (req, reply) => {
    const actor = requireAdmin(req);
    const { name } = parseInput(Params, req.params, 'path');
    const before = await svc.credentials.info(name);
    if (!before) throw new ProblemError('NOT_FOUND', `no credential ${JSON.stringify(name)}`);
    await svc.credentials.delete(name);
    await svc.audit.record({ actor: actor.name, actorId: actor.id, action: 'credential.delete', target: `credential:${name}`, ip: clientIp(req), outcome: 'ok', before });
    return reply.code(204).send();
  });
}
