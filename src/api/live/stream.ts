// GET /api/live?nodes=a,b: Server-Sent Events with the deltas a page needs — never the whole tree:
// `state` for sensors at or below the requested nodes, `values` for the requested sensors and the
// sensors of requested devices, `counts` for requested non-sensor nodes whose subtree changed;
// each filtered by what the caller may read. A comment line every heartbeat keeps proxies open.

import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import type { TimerHandle } from '../../core/clock.ts';
import type { Tree } from '../../core/tree.ts';
import { ApiProblem, problem } from '../problem.ts';
import type { LiveEvent } from '../services.ts';
import { csv } from '../routes/define.ts';
import { principalOf, visibility, type RouteContext, type Visibility } from '../routes/context.ts';
import { summarize } from '../routes/tree.ts';

export const HEARTBEAT_MS = 15_000;
/** Most nodes one stream may follow (a page shows a few hundred rows at most). */
export const MAX_LIVE_NODES = 1000;
/** A client this far behind is cut off rather than buffered without bound. */
export const MAX_BUFFERED_BYTES = 1 << 20;

const liveQuery = z.strictObject({
  nodes: csv().describe(`Ids of the nodes the page shows, comma-separated (at most ${MAX_LIVE_NODES})`),
});

function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export function liveRoutes(ctx: RouteContext): void {
  const { svc, routes, index, app } = ctx;
  const open = new Set<() => void>();
  // preClose: the server waits for open connections before onClose, and a stream never ends by itself.
  app.addHook('preClose', async () => {
    for (const close of [...open]) close();
  });

  routes.add({
    method: 'GET',
    url: '/api/live',
    tag: 'live',
    summary: 'Server-Sent Events: state, value and count deltas for the nodes a page shows',
    access: 'read on the nodes (events of unreadable sensors are never sent)',
    query: liveQuery,
    produces: ['text/event-stream'],
    handler: async (req, reply, { query }) => {
      principalOf(req);
      const wanted = new Set(query.nodes);
      if (wanted.size === 0 || wanted.size > MAX_LIVE_NODES) throw new ApiProblem(problem('BAD_REQUEST', `query.nodes: expected 1 to ${MAX_LIVE_NODES} node ids, got ${wanted.size}`, 400, [{ path: 'query.nodes', message: `expected 1 to ${MAX_LIVE_NODES} node ids` }]));
      let tree: Tree = index.tree();
      const unknown = [...wanted].filter((id) => !tree.nodes.has(id));
      if (unknown.length > 0) throw new ApiProblem(problem('NOT_FOUND', `query.nodes: no object with id ${unknown.map((u) => `"${u}"`).join(', ')}`));
      let vis: Visibility = visibility(req, tree, index);
      const denied = [...wanted].filter((id) => !vis.shows(id));
      if (denied.length > 0) throw new ApiProblem(problem('FORBIDDEN', `needs read on ${denied.join(', ')}`));

      reply.hijack();
      const res: ServerResponse = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no', 'x-content-type-options': 'nosniff' });
      let closed = false;
      let timer: TimerHandle | undefined;
      const send = (chunk: string) => {
        if (closed) return;
        if (res.writableLength > MAX_BUFFERED_BYTES) {
          close();
          return;
        }
        res.write(chunk);
      };
      const refresh = () => {
        const t = index.tree();
        if (t !== tree) {
          tree = t;
          vis = visibility(req, tree, index);
        }
      };
      const onEvent = (e: LiveEvent) => {
        refresh();
        const sensorId = e.type === 'state' ? e.event.sensorId : e.reading.sensorId;
        const node = tree.nodes.get(sensorId);
        if (!node || !vis.canRead(sensorId)) return;
        if (e.type === 'reading') {
          if (!wanted.has(sensorId) && !(node.parentId !== undefined && wanted.has(node.parentId))) return;
          const values: Record<string, number> = {};
          for (const c of e.reading.channels) if (Number.isFinite(c.value)) values[c.key] = c.value;
          if (Object.keys(values).length === 0) return;
          send(frame('values', { sensorId, ts: e.reading.ts, values, ...(e.reading.message !== undefined ? { message: e.reading.message } : {}) }));
          return;
        }
        const hits: string[] = [];
        for (let id: string | undefined = sensorId; id !== undefined; id = tree.nodes.get(id)?.parentId) if (wanted.has(id)) hits.push(id);
        if (hits.length === 0) return;
        const st = e.status;
        send(
          frame('state', {
            sensorId,
            from: e.event.from,
            to: e.event.to,
            reason: e.event.reason,
            state: st.state,
            since: st.since,
            ...(st.pauseReason ? { pauseReason: st.pauseReason } : {}),
            ...(st.message !== undefined ? { message: st.message } : {}),
            ...(st.acknowledged ? { acknowledged: st.acknowledged } : {}),
          }),
        );
        for (const id of hits) if (id !== sensorId) send(frame('counts', { nodeId: id, counts: vis.counts(id) }));
      };
      const beat = () => {
        send(`: heartbeat ${svc.clock.now()}\n\n`);
        if (!closed) timer = svc.clock.setTimeout(beat, HEARTBEAT_MS);
      };
      const unsubscribe = svc.live.subscribe(onEvent);
      function close() {
        if (closed) return;
        closed = true;
        unsubscribe();
        if (timer !== undefined) svc.clock.clearTimeout(timer);
        open.delete(close);
        res.end();
      }
      open.add(close);
      // The response's close: the client went away (the request's close fires once its body is read).
      res.on('close', close);
      res.on('error', close);
      // The snapshot first, so that the page and the deltas start from the same point.
      send('retry: 5000\n\n');
      send(frame('snapshot', { at: svc.clock.now(), nodes: [...wanted].map((id) => summarize(tree, tree.nodes.get(id)!, (s) => svc.monitor.status(s), vis)) }));
      timer = svc.clock.setTimeout(beat, HEARTBEAT_MS);
      return reply;
    },
  });
}
