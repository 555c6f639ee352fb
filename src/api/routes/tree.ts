// GET /api/tree: one level of the tree at a time (the children of a node, paged), each child with
// its sensors' state counts, so that a console can virtualise 100,000 sensors and open a branch
// only when asked. GET /api/tree/full: the whole tree nested, for small installations and scripts.

import { z } from 'zod';
import type { SensorStatus } from '../../core/model.ts';
import type { Tree, TreeNode } from '../../core/tree.ts';
import type { StateCounts } from '../live/counts.ts';
import { ApiProblem, problem } from '../problem.ts';
import { paging } from './define.ts';
import { visibility, type RouteContext, type Visibility } from './context.ts';
import { treePageSchema } from './schemas.ts';

/** Largest tree /api/tree/full answers; beyond it the paged form is the only sensible one. */
export const FULL_TREE_MAX_NODES = 5000;

export interface NodeSummary {
  readonly id: string;
  readonly type: TreeNode['type'];
  readonly name: string;
  readonly system?: string;
  readonly host?: string;
  readonly kind?: string;
  readonly timezone?: string;
  readonly state?: SensorStatus['state'];
  readonly pauseReason?: string;
  readonly acknowledged?: boolean;
  readonly message?: string;
  readonly since?: number;
  readonly childCount: number;
  readonly counts: Readonly<StateCounts>;
}

export function summarize(tree: Tree, n: TreeNode, status: (id: string) => SensorStatus | undefined, vis: Visibility): NodeSummary {
  const extra: Record<string, unknown> = {};
  if (n.type === 'sensor') {
    const st = status(n.id);
    Object.assign(extra, {
      kind: n.kind,
      state: st?.state ?? 'unknown',
      ...(st?.pauseReason ? { pauseReason: st.pauseReason } : {}),
      ...(st?.acknowledged ? { acknowledged: true } : {}),
      ...(st?.message !== undefined ? { message: st.message } : {}),
      ...(st ? { since: st.since } : {}),
    });
  }
  if (n.type === 'group') extra.system = n.system;
  if (n.type === 'device') extra.host = n.host;
  if (n.type === 'site') extra.timezone = n.timezone;
  const childCount = vis.all ? n.children.length : n.children.filter((c) => vis.shows(c)).length;
  return { id: n.id, type: n.type, name: n.name, ...extra, childCount, counts: vis.counts(n.id) };
}

const treeQuery = z.strictObject({
  parent: z.string().min(1).optional().describe('Node whose children to list; the sites when absent'),
  ...paging,
});

const fullQuery = z.strictObject({ root: z.string().min(1).optional().describe('Subtree to return; the whole tree when absent') });

interface Nested extends NodeSummary {
  readonly children: Nested[];
}

export function treeRoutes(ctx: RouteContext): void {
  const { svc, routes, index } = ctx;
  routes.add({
    method: 'GET',
    url: '/api/tree',
    tag: 'tree',
    summary: 'Children of a node, paged, with state counts per subtree',
    access: 'read on the node, or on something below it; children shown only where readable or on the way to something readable',
    query: treeQuery,
    response: treePageSchema,
    handler: async (req, _reply, { query }) => {
      const tree = index.tree();
      const vis = visibility(req, tree, index);
      let ids: readonly string[];
      let parent: NodeSummary | null = null;
      if (query.parent !== undefined) {
        const n = tree.nodes.get(query.parent);
        // Unknown and hidden answer alike, so that ids outside one's rights cannot be probed.
        if (!n || !vis.shows(n.id)) throw new ApiProblem(problem('NOT_FOUND', `no object with id "${query.parent}"`));
        parent = summarize(tree, n, (id) => svc.monitor.status(id), vis);
        ids = n.children;
      } else ids = tree.roots;
      const shown = vis.all ? ids : ids.filter((id) => vis.shows(id));
      const items = shown.slice(query.offset, query.offset + query.limit).map((id) => summarize(tree, tree.nodes.get(id)!, (s) => svc.monitor.status(s), vis));
      return { generatedAt: svc.clock.now(), parent, items, total: shown.length, limit: query.limit, offset: query.offset };
    },
  });

  routes.add({
    method: 'GET',
    url: '/api/tree/full',
    tag: 'tree',
    summary: `The whole tree nested (at most ${FULL_TREE_MAX_NODES} nodes; use /api/tree beyond)`,
    access: 'read; only readable nodes and the way to them',
    query: fullQuery,
    handler: async (req, _reply, { query }) => {
      const tree = index.tree();
      const vis = visibility(req, tree, index);
      if (query.root !== undefined && (!tree.nodes.has(query.root) || !vis.shows(query.root))) throw new ApiProblem(problem('NOT_FOUND', `no object with id "${query.root}"`));
      const roots = query.root !== undefined ? [query.root] : tree.roots;
      let budget = FULL_TREE_MAX_NODES;
      const build = (id: string): Nested | undefined => {
        const n = tree.nodes.get(id);
        if (!n || !vis.shows(id)) return undefined;
        if (--budget < 0) throw new ApiProblem(problem('BAD_REQUEST', `the tree has more than ${FULL_TREE_MAX_NODES} nodes: page through it with /api/tree?parent=…`, 413));
        const children = n.children.map(build).filter((c): c is Nested => c !== undefined);
        return { ...summarize(tree, n, (s) => svc.monitor.status(s), vis), children };
      };
      return { generatedAt: svc.clock.now(), roots: roots.map(build).filter((v): v is Nested => v !== undefined) };
    },
  });
}
