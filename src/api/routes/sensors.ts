// GET /api/sensors/:id (settings, channels with last values and limits, state) and
// GET /api/sensors/:id/history (values at the resolution that fits the range).

import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { effectiveChannels, pathOf, resolveSettings } from '../../core/tree.ts';
import { RESOLUTIONS } from '../../store/store.ts';
import type { ApiServices } from '../services.ts';
import { problem, sendProblem } from '../problem.ts';

const historyQuery = z.strictObject({
  channel: z.string().min(1).optional(),
  from: z.coerce.number().int().optional(),
  to: z.coerce.number().int().optional(),
  points: z.coerce.number().int().min(1).max(10_000).default(500),
  resolution: z.enum(RESOLUTIONS).optional(),
});

export function sensorRoutes(app: FastifyInstance, svc: ApiServices): void {
  app.get<{ Params: { id: string } }>('/api/sensors/:id', async (req, reply) => {
    const tree = svc.monitor.tree();
    const node = tree.nodes.get(req.params.id);
    if (!node || node.type !== 'sensor') return sendProblem(reply, problem('NOT_FOUND', `no sensor with id "${req.params.id}"`));
    const kind = svc.monitor.kindOf(node.kind);
    const status = svc.monitor.status(node.id);
    const specs = effectiveChannels(kind?.channels ?? [], node.channels);
    const known = new Set(specs.map((s) => s.key));
    const discovered = Object.keys(status?.lastValues ?? {}).filter((k) => !known.has(k)).map((key) => ({ key, name: key, unit: 'value' as const }));
    return {
      id: node.id,
      name: node.name,
      kind: node.kind,
      kindTitle: kind?.title,
      path: pathOf(tree, node.id).map((n) => ({ id: n.id, type: n.type, name: n.name })),
      settings: node.kindSettings,
      effective: resolveSettings(tree, node.id),
      status: status ?? null,
      channels: [...specs, ...discovered].map((c) => ({ ...c, lastValue: status?.lastValues?.[c.key] ?? null })),
    };
  });

  app.get<{ Params: { id: string }; Querystring: Record<string, string> }>('/api/sensors/:id/history', async (req, reply) => {
    const tree = svc.monitor.tree();
    const node = tree.nodes.get(req.params.id);
    if (!node || node.type !== 'sensor') return sendProblem(reply, problem('NOT_FOUND', `no sensor with id "${req.params.id}"`));
    const q = historyQuery.safeParse(req.query);
    if (!q.success) return sendProblem(reply, problem('BAD_REQUEST', q.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')));
    const now = svc.clock.now();
    const to = q.data.to ?? now;
    const from = q.data.from ?? to - 3_600_000;
    if (from >= to) return sendProblem(reply, problem('BAD_REQUEST', 'from must be before to'));
    const kind = svc.monitor.kindOf(node.kind);
    const channel = q.data.channel ?? kind?.channels.find((c) => c.primary)?.key ?? kind?.channels[0]?.key;
    if (channel === undefined) return sendProblem(reply, problem('BAD_REQUEST', 'channel is required for this sensor'));
    const result = await svc.history.history({ sensorId: node.id, channel, from, to, maxPoints: q.data.points, ...(q.data.resolution ? { resolution: q.data.resolution } : {}) });
    return { sensorId: node.id, channel, from, to, ...result };
  });
}
