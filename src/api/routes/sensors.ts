// GET /api/sensors/:id (settings, channels with last values and limits, state),
// GET /api/sensors/:id/history (values at the resolution that fits the range; JSON or CSV), and
// POST /api/sensors/:id/acknowledge (a Down sensor is being taken care of).

import { z } from 'zod';
import { effectiveChannels, pathOf, resolveSettings } from '../../core/tree.ts';
import { RESOLUTIONS, type HistoryPoint } from '../../store/store.ts';
import { ApiProblem, problem } from '../problem.ts';
import { idParams } from './define.ts';
import { audit, principalOf, requireSensor, type RouteContext } from './context.ts';
import { historySchema, sensorDetailSchema } from './schemas.ts';

const historyQuery = z.strictObject({
  channel: z.string().min(1).optional().describe("Channel key (default: the kind's primary channel)"),
  from: z.coerce.number().int().optional().describe('Epoch ms (default: an hour before `to`)'),
  to: z.coerce.number().int().optional().describe('Epoch ms (default: now)'),
  points: z.coerce.number().int().min(1).max(10_000).default(500).describe('Most points wanted: picks the resolution'),
  resolution: z.enum(RESOLUTIONS).optional().describe('Force a resolution'),
  format: z.enum(['json', 'csv']).default('json'),
});

const ackBody = z.strictObject({ note: z.string().max(1000).optional().describe('Why, or what is being done') });

export function historyCsv(points: readonly HistoryPoint[]): string {
  const lines = ['ts,time,min,avg,max,count'];
  for (const p of points) lines.push(`${p.ts},${new Date(p.ts).toISOString()},${p.min},${p.avg},${p.max},${p.count}`);
  return `${lines.join('\r\n')}\r\n`;
}

export function sensorRoutes(ctx: RouteContext): void {
  const { svc, routes, index } = ctx;
  routes.add({
    method: 'GET',
    url: '/api/sensors/:id',
    tag: 'sensors',
    summary: 'A sensor: state, settings, channels with last values and limits',
    access: 'read on the sensor',
    params: idParams,
    response: sensorDetailSchema,
    handler: async (req, _reply, { params }) => {
      const tree = svc.monitor.tree();
      const node = requireSensor(req, tree, index, params.id, 'read');
      const kind = svc.monitor.kindOf(node.kind);
      const status = svc.monitor.status(node.id);
      const specs = effectiveChannels(kind?.channels ?? [], node.channels);
      const known = new Set(specs.map((s) => s.key));
      const discovered = Object.keys(status?.lastValues ?? {})
        .filter((k) => !known.has(k))
        .map((key) => ({ key, name: key, unit: 'value' as const }));
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
    },
  });

  routes.add({
    method: 'GET',
    url: '/api/sensors/:id/history',
    tag: 'sensors',
    summary: 'History of one channel over a range, at the finest stored resolution that fits `points`; JSON or CSV',
    access: 'read on the sensor',
    params: idParams,
    query: historyQuery,
    produces: ['text/csv'],
    response: historySchema,
    handler: async (req, reply, { params, query }) => {
      const tree = svc.monitor.tree();
      const node = requireSensor(req, tree, index, params.id, 'read');
      const to = query.to ?? svc.clock.now();
      const from = query.from ?? to - 3_600_000;
      if (from >= to) throw new ApiProblem(problem('BAD_REQUEST', 'query.from: must be before query.to', 400, [{ path: 'query.from', message: 'must be before query.to' }]));
      const kind = svc.monitor.kindOf(node.kind);
      const channel = query.channel ?? kind?.channels.find((c) => c.primary)?.key ?? kind?.channels[0]?.key;
      if (channel === undefined) throw new ApiProblem(problem('BAD_REQUEST', 'query.channel: required for this sensor (its kind has no default channel)', 400, [{ path: 'query.channel', message: 'required for this sensor' }]));
      const result = await svc.history.history({ sensorId: node.id, channel, from, to, maxPoints: query.points, ...(query.resolution ? { resolution: query.resolution } : {}) });
      if (query.format === 'csv') {
        await audit(ctx, req, { action: 'history.export', target: node.id, outcome: 'ok', detail: `${channel} ${new Date(from).toISOString()}–${new Date(to).toISOString()} at ${result.resolution}, CSV` });
        const file = `${node.id.replaceAll('/', '_')}-${channel}.csv`;
        return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${file}"`).send(historyCsv(result.points));
      }
      return { sensorId: node.id, channel, from, to, ...result };
    },
  });

  routes.add({
    method: 'POST',
    url: '/api/sensors/:id/acknowledge',
    tag: 'sensors',
    summary: 'Acknowledges a Down sensor (it stays Down, visibly taken care of)',
    access: 'acknowledge on the sensor',
    params: idParams,
    body: ackBody.optional(),
    handler: async (req, _reply, { params, body }) => {
      const tree = svc.monitor.tree();
      requireSensor(req, tree, index, params.id, 'acknowledge');
      const p = principalOf(req);
      const st = svc.monitor.acknowledge(params.id, p.name, body?.note);
      if (!st) {
        await audit(ctx, req, { action: 'sensor.acknowledge', target: params.id, outcome: 'failed', detail: `state is ${svc.monitor.status(params.id)?.state ?? 'unknown'}` });
        throw new ApiProblem(problem('SENSOR_NOT_DOWN', `sensor "${params.id}" is ${svc.monitor.status(params.id)?.state ?? 'unknown'}, not Down`));
      }
      await audit(ctx, req, { action: 'sensor.acknowledge', target: params.id, outcome: 'ok', ...(body?.note !== undefined ? { detail: body.note } : {}) });
      return { id: params.id, status: st };
    },
  });
}
