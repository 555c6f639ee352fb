// GET /api/messages: what devices sent on their own (syslog, SNMP traps, IHE ATNA audit records),
// newest first, searchable by text, device, sender and receiver; paged with ?before=<id>. Messages
// of a device need read on it; messages from unknown senders need read on the whole tree.

import { z } from 'zod';
import { ALL_NODES } from '../access.ts';
import type { StoredMessage } from '../../store/store.ts';
import { requireLevel } from '../auth/index.ts';
import { visibility, type RouteContext } from './context.ts';

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

const MAX_ROUNDS = 10;

export function messageRoutes(ctx: RouteContext): void {
  const { svc, routes, index } = ctx;
  routes.add({
    method: 'GET',
    url: '/api/messages',
    tag: 'events',
    summary: 'Syslog lines, SNMP traps and ATNA records received, newest first, searchable',
    access: 'read on the device; without `device`, only readable devices (unknown senders: read on the whole tree)',
    query: messagesQuery,
    handler: async (req, _reply, { query }) => {
      const tree = index.tree();
      const { text, device, source, receiver, from, to, limit } = query;
      if (device !== undefined) requireLevel(req, tree, device, 'read');
      const vis = visibility(req, tree, index);
      const readsAll = vis.all || vis.canRead(ALL_NODES);
      const out: StoredMessage[] = [];
      let before = query.before;
      let exhausted = false;
      for (let round = 0; round < MAX_ROUNDS && out.length < limit && !exhausted; round++) {
        const batch = await svc.messages.messages({
          limit,
          ...(text !== undefined ? { text } : {}),
          ...(device !== undefined ? { deviceId: device } : {}),
          ...(source !== undefined ? { source } : {}),
          ...(receiver !== undefined ? { receiver } : {}),
          ...(from !== undefined ? { from } : {}),
          ...(to !== undefined ? { to } : {}),
          ...(before !== undefined ? { beforeId: before } : {}),
        });
        exhausted = batch.length < limit;
        for (const m of batch) {
          const ok = m.deviceId === undefined ? readsAll : device !== undefined || vis.canRead(m.deviceId);
          if (ok && out.length < limit) out.push(m);
        }
        before = batch.at(-1)?.id;
        if (before === undefined) exhausted = true;
      }
      const next = exhausted && out.length < limit ? null : (out.length === limit ? out.at(-1)?.id : before) ?? null;
      return { messages: out, next };
    },
  });
}
