// GET /api/live?nodes=a,b&alerts=true: Server-Sent Events with the deltas a page needs — never the
// whole tree: `state` for sensors at or below the requested nodes, `values` for the requested sensors
// and the sensors of requested devices, `counts` for requested non-sensor nodes whose subtree
// changed, and, asked for with `alerts`, `alert` for every alert opened, acknowledged, escalated or
// resolved; each filtered by what the caller may read. A comment line every heartbeat keeps proxies open.
// Every delta carries an id; a client reconnecting with Last-Event-ID gets what it missed from a
// bounded ring of recent events, or a fresh snapshot when its id is older than the ring (or from
// an earlier run of the server: ids start with a per-server epoch).

import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import type { TimerHandle } from '../../core/clock.ts';
import type { Tree } from '../../core/tree.ts';
import { ApiProblem, problem } from '../problem.ts';
import { ALERT_CHANGES } from '../../alerting/service.ts';
import type { LiveEvent } from '../services.ts';
import { csv } from '../routes/define.ts';
import { principalOf, visibility, type RouteContext, type Visibility } from '../routes/context.ts';
import { summarize } from '../routes/tree.ts';

export const HEARTBEAT_MS = 15_000;
/** Most nodes one stream may follow (a page shows a few hundred rows at most). */
export const MAX_LIVE_NODES = 1000;
/** A client this far behind is cut off rather than buffered without bound. */
export const MAX_BUFFERED_BYTES = 1 << 20;

/** Recent live events kept for reconnecting clients (a few seconds of a busy hospital). */
export const REPLAY_EVENTS = 4096;

/** The last REPLAY_EVENTS live events with their sequence numbers. */
class ReplayRing {
  readonly #items: ({ readonly seq: number; readonly event: LiveEvent } | undefined)[] = new Array<undefined>(REPLAY_EVENTS);
  #seq = 0;
  get seq(): number {
    return this.#seq;
  }
  push(event: LiveEvent): number {
    const seq = ++this.#seq;
    this.#items[seq % REPLAY_EVENTS] = { seq, event };
    return seq;
  }
  /** The events after `seq`, oldest first; undefined when some of them have already left the ring. */
  after(seq: number): { readonly seq: number; readonly event: LiveEvent }[] | undefined {
    if (seq > this.#seq || seq < this.#seq - REPLAY_EVENTS) return undefined;
    const out = [];
    for (let s = seq + 1; s <= this.#seq; s++) out.push(this.#items[s % REPLAY_EVENTS]!);
    return out;
  }
}

const liveQuery = z.strictObject({
  nodes: csv()
    .optional()
    .describe(`Ids of the nodes the page shows, comma-separated (at most ${MAX_LIVE_NODES}); may be left out when \`alerts\` is asked for`),
  alerts: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1')
    .describe('true (or 1): also send an `alert` event for every alert opened, acknowledged, escalated, resolved or otherwise changed whose object the caller may read (the alerts page)'),
});

function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export function liveRoutes(ctx: RouteContext): void {
  const { svc, routes, index, app } = ctx;
  const open = new Set<() => void>();
  // One subscription feeds the ring and then every open stream, so that an event's id is known to all.
  const epoch = randomBytes(4).toString('hex');
  const ring = new ReplayRing();
  const streams = new Set<(e: LiveEvent, seq: number) => void>();
  const unsubscribeRing = svc.live.subscribe((e) => {
    const seq = ring.push(e);
    for (const fn of streams) fn(e, seq);
  });
  app.addHook('onClose', async () => unsubscribeRing());
  const idOf = (seq: number) => `${epoch}-${seq}`;
  /** The sequence number of a Last-Event-ID of this server run, or undefined. */
  const seqOf = (header: unknown): number | undefined => {
    if (typeof header !== 'string') return undefined;
    const m = /^([0-9a-f]+)-(\d{1,15})$/.exec(header.trim());
    return m && m[1] === epoch ? Number(m[2]) : undefined;
  };
  // preClose: the server waits for open connections before onClose, and a stream never ends by itself.
  app.addHook('preClose', async () => {
    for (const close of [...open]) close();
  });

  routes.add({
    method: 'GET',
    url: '/api/live',
    tag: 'live',
    summary: 'Server-Sent Events: state, value and count deltas for the nodes a page shows, alert changes on request; resumes after Last-Event-ID',
    description: `An \`alert\` event carries \`{change, alert}\`: change is one of ${ALERT_CHANGES.map((c) => `\`${c}\``).join(', ')} and alert the alert as \`GET /api/alerts/{id}\` answers it. Every delta has an id. Reconnecting with the Last-Event-ID header replays the deltas missed since then (the last ${REPLAY_EVENTS} events of the server are kept); an id older than that, or from before a restart, gets a fresh \`snapshot\` event instead.`,
    access: 'read on the nodes (events of unreadable sensors are never sent); alert events only for alerts whose object the caller reads',
    query: liveQuery,
    produces: ['text/event-stream'],
    handler: async (req, reply, { query }) => {
      principalOf(req);
      const wanted = new Set(query.nodes);
      const alerts = query.alerts;
      const least = alerts ? 0 : 1;
      if (wanted.size < least || wanted.size > MAX_LIVE_NODES) throw new ApiProblem(problem('BAD_REQUEST', `query.nodes: expected ${least} to ${MAX_LIVE_NODES} node ids${alerts ? '' : ' (or alerts=true)'}, got ${wanted.size}`, 400, [{ path: 'query.nodes', message: `expected ${least} to ${MAX_LIVE_NODES} node ids` }]));
      if (alerts && !svc.alerting) throw new ApiProblem(problem('API_UNAVAILABLE', 'query.alerts: alerting is not running in this Wardwatch'));
      let tree: Tree = index.tree();
      let vis: Visibility = visibility(req, tree, index);
      // Unknown and hidden answer alike, so that ids outside one's rights cannot be probed.
      const unknown = [...wanted].filter((id) => !tree.nodes.has(id) || !vis.shows(id));
      if (unknown.length > 0) throw new ApiProblem(problem('NOT_FOUND', `query.nodes: no object with id ${unknown.map((u) => `"${u}"`).join(', ')}`));

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
      let id = '';
      const emit = (event: string, data: unknown) => send(`id: ${id}\n${frame(event, data)}`);
      const onEvent = (e: LiveEvent, seq: number) => {
        id = idOf(seq);
        if (e.type === 'alert') {
          if (!alerts) return;
          refresh();
          // The rule of GET /api/alerts: read on the alert's object (the sensor, or a grouped alert's parent).
          if (vis.canRead(e.alert.nodeId)) emit('alert', { change: e.change, alert: e.alert });
          return;
        }
        if (wanted.size === 0) return;
        refresh();
        const sensorId = e.type === 'state' ? e.event.sensorId : e.reading.sensorId;
        const node = tree.nodes.get(sensorId);
        if (!node || !vis.canRead(sensorId)) return;
        if (e.type === 'reading') {
          if (!wanted.has(sensorId) && !(node.parentId !== undefined && wanted.has(node.parentId))) return;
          const values: Record<string, number> = {};
          for (const c of e.reading.channels) if (Number.isFinite(c.value)) values[c.key] = c.value;
          if (Object.keys(values).length === 0) return;
          emit('values', { sensorId, ts: e.reading.ts, values, ...(e.reading.message !== undefined ? { message: e.reading.message } : {}) });
          return;
        }
        const hits: string[] = [];
        for (let id: string | undefined = sensorId; id !== undefined; id = tree.nodes.get(id)?.parentId) if (wanted.has(id)) hits.push(id);
        if (hits.length === 0) return;
        const st = e.status;
        emit('state', {
          sensorId,
          from: e.event.from,
          to: e.event.to,
          reason: e.event.reason,
          state: st.state,
          since: st.since,
          ...(st.pauseReason ? { pauseReason: st.pauseReason } : {}),
          ...(st.message !== undefined ? { message: st.message } : {}),
          ...(st.acknowledged ? { acknowledged: st.acknowledged } : {}),
        });
        for (const nodeId of hits) if (nodeId !== sensorId) emit('counts', { nodeId, counts: vis.counts(nodeId) });
      };
      const beat = () => {
        send(`: heartbeat ${svc.clock.now()}\n\n`);
        if (!closed) timer = svc.clock.setTimeout(beat, HEARTBEAT_MS);
      };
      streams.add(onEvent);
      function close() {
        if (closed) return;
        closed = true;
        streams.delete(onEvent);
        if (timer !== undefined) svc.clock.clearTimeout(timer);
        open.delete(close);
        res.end();
      }
      open.add(close);
      // The response's close: the client went away (the request's close fires once its body is read).
      res.on('close', close);
      res.on('error', close);
      send('retry: 5000\n\n');
      // A reconnect within the ring gets what it missed; otherwise the snapshot first, so that the
      // page and the deltas start from the same point.
      const since = seqOf(req.headers['last-event-id']);
      const missed = since !== undefined ? ring.after(since) : undefined;
      if (missed) for (const m of missed) onEvent(m.event, m.seq);
      else {
        id = idOf(ring.seq);
        emit('snapshot', { at: svc.clock.now(), nodes: [...wanted].map((n) => summarize(tree, tree.nodes.get(n)!, (s) => svc.monitor.status(s), vis)) });
      }
      timer = svc.clock.setTimeout(beat, HEARTBEAT_MS);
      return reply;
    },
  });
}
