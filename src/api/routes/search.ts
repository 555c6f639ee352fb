// GET /api/search: objects by name, tag, state, clinical system, kind and type, paged with a total.
// A linear pass over the tree (tens of milliseconds at 100,000 sensors) with the cheap tests first.

import { z } from 'zod';
import { CLINICAL_SYSTEMS, NODE_TYPES, STATES, type ClinicalSystem, type State } from '../../core/model.ts';
import type { Tree, TreeNode } from '../../core/tree.ts';
import { csv, paging } from './define.ts';
import { visibility, type RouteContext } from './context.ts';
import { summarize } from './tree.ts';
import { searchResultSchema } from './schemas.ts';

const searchQuery = z.strictObject({
  q: z.string().min(1).max(200).optional().describe('Text in the name or id (case-insensitive)'),
  tag: csv().optional().describe('Tags, comma-separated: all must apply (tags inherit downwards)'),
  state: csv(z.enum(STATES)).optional().describe('Sensor states, comma-separated: any may match'),
  system: csv(z.enum(CLINICAL_SYSTEMS)).optional().describe('Clinical systems, comma-separated'),
  kind: csv().optional().describe('Sensor kinds, comma-separated'),
  type: csv(z.enum(NODE_TYPES)).optional().describe('Node types, comma-separated'),
  ...paging,
});

/** Effective tags (own and every ancestor's), memoised per node for one search. */
function tagLookup(tree: Tree): (n: TreeNode) => ReadonlySet<string> {
  const memo = new Map<string, ReadonlySet<string>>();
  const of = (n: TreeNode): ReadonlySet<string> => {
    const hit = memo.get(n.id);
    if (hit) return hit;
    const parent = n.parentId === undefined ? undefined : tree.nodes.get(n.parentId);
    const base = parent ? of(parent) : new Set(tree.defaults.tags ?? []);
    const own = n.settings.tags ?? [];
    const set = own.length === 0 ? base : new Set([...base, ...own]);
    memo.set(n.id, set);
    return set;
  };
  return of;
}

function systemLookup(tree: Tree): (n: TreeNode) => ClinicalSystem | undefined {
  const memo = new Map<string, ClinicalSystem | undefined>();
  const of = (n: TreeNode): ClinicalSystem | undefined => {
    if (n.type === 'group') return n.system;
    if (memo.has(n.id)) return memo.get(n.id);
    const parent = n.parentId === undefined ? undefined : tree.nodes.get(n.parentId);
    const s = parent ? of(parent) : undefined;
    memo.set(n.id, s);
    return s;
  };
  return of;
}

export function searchRoutes(ctx: RouteContext): void {
  const { svc, routes, index } = ctx;
  routes.add({
    method: 'GET',
    url: '/api/search',
    tag: 'tree',
    summary: 'Search objects by name, tag, state, clinical system, kind and type',
    access: 'any signed-in user; only readable objects are found',
    query: searchQuery,
    response: searchResultSchema,
    handler: async (req, _reply, { query }) => {
      const tree = index.tree();
      const vis = visibility(req, tree, index);
      const text = query.q?.toLowerCase();
      const states = query.state ? new Set<string>(query.state) : undefined;
      const kinds = query.kind ? new Set(query.kind) : undefined;
      const types = query.type ? new Set<string>(query.type) : undefined;
      const systems = query.system ? new Set<string>(query.system) : undefined;
      const tagsOf = query.tag ? tagLookup(tree) : undefined;
      const systemOf = systems ? systemLookup(tree) : undefined;
      const sensorsOnly = states !== undefined || kinds !== undefined;
      const found: TreeNode[] = [];
      // A state filter starts from the index's sensors in those states rather than the whole tree.
      const candidates: Iterable<TreeNode> = states ? [...states].flatMap((st) => [...index.inState(st as State)].map((id) => tree.nodes.get(id)).filter((x): x is TreeNode => x !== undefined)) : tree.nodes.values();
      for (const n of candidates) {
        if (types && !types.has(n.type)) continue;
        if (sensorsOnly && n.type !== 'sensor') continue;
        if (kinds && (n.type !== 'sensor' || !kinds.has(n.kind))) continue;
        if (text !== undefined && !n.name.toLowerCase().includes(text) && !n.id.includes(text)) continue;
        if (states && !states.has(svc.monitor.status(n.id)?.state ?? 'unknown')) continue;
        if (systemOf && !systems!.has(systemOf(n) ?? '')) continue;
        if (tagsOf) {
          const tags = tagsOf(n);
          if (!query.tag!.every((t) => tags.has(t))) continue;
        }
        if (!vis.canRead(n.id)) continue;
        found.push(n);
      }
      const items = found.slice(query.offset, query.offset + query.limit).map((n) => ({ ...summarize(tree, n, (id) => svc.monitor.status(id), vis), parentId: n.parentId ?? null }));
      return { items, total: found.length, limit: query.limit, offset: query.offset };
    },
  });
}
