// GET /api/messages: what devices sent on their own (syslog, SNMP traps, IHE ATNA audit records),
// newest first, searchable by text, device, sender and receiver; paged with ?before=<id>.

import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ApiServices } from '../services.ts';
import { problem, sendProblem } from '../problem.ts';

const messagesQuery = z.strictObject({
  text: z.string().min(1).max(200).optional(),
  device: z.string().min(1).optional(),
  source: z.string().min(1).optional(),
  receiver: z.string().min(1).optional(),
  from: z.coerce.number().int().optional(),
  to: z.coerce.number().int().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  before: z.coerce.number().int().optional(),
});

export function messageRoutes(app: FastifyInstance, svc: ApiServices): void {
  app.get<{ Querystring: Record<string, string> }>('/api/messages', async (req, reply) => {
    const q = messagesQuery.safeParse(req.query);
    if (!q.success) return sendProblem(reply, problem('BAD_REQUEST', q.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')));
    const { text, device, source, receiver, from, to, limit, before } = q.data;
    const messages = await svc.messages.messages({
      limit,
      ...(text !== undefined ? { text } : {}),
      ...(device !== undefined ? { deviceId: device } : {}),
      ...(source !== undefined ? { source } : {}),
      ...(receiver !== undefined ? { receiver } : {}),
      ...(from !== undefined ? { from } : {}),
      ...(to !== undefined ? { to } : {}),
      ...(before !== undefined ? { beforeId: before } : {}),
    });
    return { messages, next: messages.length === limit ? messages.at(-1)?.id : null };
  });
}
