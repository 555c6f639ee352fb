// GET /api/tree: the monitored tree with each sensor's state and, for every other node, the count
// of its sensors per state (so a collapsed group still shows that something under it is Down).

import type { FastifyInstance } from 'fastify';
import type { SensorStatus, State } from '../../core/model.ts';
import type { Tree, TreeNode } from '../../core/tree.ts';
import type { ApiServices } from '../services.ts';
import { problem, sendProblem } from '../problem.ts';

export type StateCounts = Record<State, number> & { acknowledged: number };

export interface TreeView {
  readonly id: string;
  readonly type: TreeNode['type'];
  readonly name: string;
  readonly system?: string;
  readonly host?: string;
  readonly kind?: string;
  readonly timezone?: string;
  readonly state?: State;
  readonly pauseReason?: string;
  readonly acknowledged?: boolean;
  readonly message?: string;
  readonly since?: number;
  readonly counts: StateCounts;
  readonly children: TreeView[];
}

function zero(): StateCounts {
  return { up: 0, warning: 0, down: 0, paused: 0, unknown: 0, acknowledged: 0 };
}

export function buildTreeView(tree: Tree, statusOf: (id: string) => SensorStatus | undefined, rootId?: string): TreeView[] {
  const build = (id: string): TreeView | undefined => {
    const n = tree.nodes.get(id);
    if (!n) return undefined;
    const children = n.children.map(build).filter((c): c is TreeView => c !== undefined);
    const counts = zero();
    const extra: { -readonly [K in keyof TreeView]?: TreeView[K] } = {};
    if (n.type === 'sensor') {
      const st = statusOf(n.id);
      const state = st?.state ?? 'unknown';
      counts[state]++;
      if (st?.acknowledged) counts.acknowledged++;
      Object.assign(extra, { kind: n.kind, state, ...(st?.pauseReason ? { pauseReason: st.pauseReason } : {}), ...(st?.acknowledged ? { acknowledged: true } : {}), ...(st?.message !== undefined ? { message: st.message } : {}), ...(st ? { since: st.since } : {}) });
    } else {
      for (const c of children) for (const k of Object.keys(counts) as (keyof StateCounts)[]) counts[k] += c.counts[k];
    }
    if (n.type === 'group') extra.system = n.system;
    if (n.type === 'device') extra.host = n.host;
    if (n.type === 'site') extra.timezone = n.timezone;
    return { id: n.id, type: n.type, name: n.name, ...extra, counts, children };
  };
  const roots = rootId !== undefined ? [rootId] : tree.roots;
  return roots.map(build).filter((v): v is TreeView => v !== undefined);
}

export function treeRoutes(app: FastifyInstance, svc: ApiServices): void {
  app.get<{ Querystring: { root?: string } }>('/api/tree', async (req, reply) => {
    const tree = svc.monitor.tree();
    const root = req.query.root;
    if (root !== undefined && !tree.nodes.has(root)) return sendProblem(reply, problem('NOT_FOUND', `no object with id "${root}"`));
    return { generatedAt: svc.clock.now(), roots: buildTreeView(tree, (id) => svc.monitor.status(id), root) };
  });
}
