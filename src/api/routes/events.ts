// GET /api/events: state changes, newest first, paged with ?before=<id>.

import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ApiServices } from '../services.ts';
import { problem, sendProblem } from '../problem.ts';

const eventsQuery = z.strictObject({
  sensor: z.string().min(1).optional(),
  from: z.coerce.number().int().optional(),
  to: z.coerce.number().int().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  before: z.coerce.number().int().optional(),
});

export function eventRoutes(app: FastifyInstance, svc: ApiServices): void {
  app.get<{ Querystring: Record<string, string> }>('/api/events', async (req, reply) => {
    const q = eventsQuery.safeParse(req.query);
    if (!q.success) return sendProblem(reply, problem('BAD_REQUEST', q.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')));
    const { sensor, from, to, limit, before } = q.data;
    const events = await svc.events.events({ ...(sensor ? { sensorId: sensor } : {}), ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}), limit, ...(before !== undefined ? { beforeId: before } : {}) });
    return { events, next: events.length === limit ? events.at(-1)?.id : null };
  });
}
