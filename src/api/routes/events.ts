// GET /api/events: state changes, newest first, paged with ?before=<id>; only the sensors the caller
// may read (for a restricted user the store is read in rounds until the page is full).

import { z } from 'zod';
import type { StoredEvent } from '../../store/store.ts';
import { requireLevel } from '../auth/index.ts';
import { visibility, type RouteContext } from './context.ts';
import { eventListSchema } from './schemas.ts';

const eventsQuery = z.strictObject({
  sensor: z.string().min(1).optional().describe('Only this sensor'),
  node: z.string().min(1).optional().describe('Only sensors at or below this object (a device page)'),
  from: z.coerce.number().int().optional().describe('Epoch ms'),
  to: z.coerce.number().int().optional().describe('Epoch ms'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  before: z.coerce.number().int().optional().describe('Cursor: events older than this id (the `next` of the previous page)'),
});

/** Store reads per request when most events are not the caller's to see. */
const MAX_ROUNDS = 10;

export function eventRoutes(ctx: RouteContext): void {
  const { svc, routes, index } = ctx;
  routes.add({
    method: 'GET',
    url: '/api/events',
    tag: 'events',
    summary: 'State changes, newest first, paged by cursor',
    access: 'read on the sensor; without `sensor`, only readable sensors',
    query: eventsQuery,
    response: eventListSchema,
    handler: async (req, _reply, { query }) => {
      const tree = index.tree();
      const { sensor, node, from, to, limit } = query;
      if (sensor !== undefined) requireLevel(req, tree, sensor, 'read');
      if (node !== undefined) requireLevel(req, tree, node, 'read');
      const under = node === undefined ? undefined : `${node}/`;
      const vis = visibility(req, tree, index);
      const out: StoredEvent[] = [];
      let before = query.before;
      let exhausted = false;
      for (let round = 0; round < MAX_ROUNDS && out.length < limit && !exhausted; round++) {
        const batch = await svc.events.events({ ...(sensor !== undefined ? { sensorId: sensor } : {}), ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}), limit, ...(before !== undefined ? { beforeId: before } : {}) });
        exhausted = batch.length < limit;
        for (const e of batch) {
          if (under !== undefined && e.sensorId !== node && !e.sensorId.startsWith(under)) continue;
          if (out.length < limit && (sensor !== undefined || vis.canRead(e.sensorId))) out.push(e);
        }
        before = batch.at(-1)?.id;
        if (before === undefined) exhausted = true;
      }
      const next = exhausted && out.length < limit ? null : (out.length === limit ? out.at(-1)?.id : before) ?? null;
      return { events: out, next };
    },
  });
}
