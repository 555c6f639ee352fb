// GET /api/overview: the first screen of a night shift: state counts per clinical system and per
// site, what is Down now and since when (unacknowledged first), and the open alerts.

import { z } from 'zod';
import { CLINICAL_SYSTEMS, type ClinicalSystem } from '../../core/model.ts';
import { pathOf } from '../../core/tree.ts';
import { addCounts, zeroCounts, type StateCounts } from '../live/counts.ts';
import { visibility, type RouteContext } from './context.ts';
import { overviewSchema } from './schemas.ts';

const overviewQuery = z.strictObject({
  downLimit: z.coerce.number().int().min(0).max(1000).default(50).describe('Most Down sensors to list'),
  downOffset: z.coerce.number().int().min(0).default(0),
});

export function overviewRoutes(ctx: RouteContext): void {
  const { svc, routes, index } = ctx;
  routes.add({
    method: 'GET',
    url: '/api/overview',
    tag: 'overview',
    summary: 'State counts per clinical system and per site, Down now (unacknowledged first), open alerts',
    access: 'any signed-in user; counts and lists cover what the user may read',
    query: overviewQuery,
    response: overviewSchema,
    handler: async (req, _reply, { query }) => {
      const tree = index.tree();
      const vis = visibility(req, tree, index);
      const bySystem = new Map<ClinicalSystem, StateCounts>();
      if (vis.all) for (const [s, c] of index.bySystem()) bySystem.set(s, { ...c });
      else {
        // Only the readable subtrees are walked: a user of one ward costs one ward.
        const walk = (id: string) => {
          const n = tree.nodes.get(id);
          if (!n) return;
          if (n.type !== 'sensor') return n.children.forEach(walk);
          const s = index.systemOf(n.id);
          if (s === undefined) return;
          let c = bySystem.get(s);
          if (!c) bySystem.set(s, (c = zeroCounts()));
          addCounts(c, index.counts(n.id));
        };
        vis.readableRoots().forEach(walk);
      }
      const totals = zeroCounts();
      const sites = tree.roots.filter((id) => vis.shows(id)).map((id) => {
        const counts = vis.counts(id);
        addCounts(totals, counts);
        return { id, name: tree.nodes.get(id)!.name, counts };
      });
      const down = index
        .downNow()
        .filter((id) => vis.canRead(id))
        .map((id) => ({ id, st: svc.monitor.status(id) }))
        .sort((a, b) => Number(a.st?.acknowledged !== undefined) - Number(b.st?.acknowledged !== undefined) || (b.st?.since ?? 0) - (a.st?.since ?? 0) || a.id.localeCompare(b.id));
      const downItems = down.slice(query.downOffset, query.downOffset + query.downLimit).map(({ id, st }) => {
        const path = pathOf(tree, id);
        return {
          id,
          name: path.at(-1)?.name ?? id,
          path: path.map((p) => p.name),
          system: index.systemOf(id) ?? null,
          since: st?.since ?? null,
          message: st?.message ?? null,
          error: st?.error ?? null,
          acknowledged: st?.acknowledged ?? null,
        };
      });
      let alerts: unknown = null;
      if (svc.alerting) {
        const open = (await svc.alerting.alerts({ state: 'open', limit: 200 })).filter((a) => vis.canRead(a.nodeId));
        const acked = (await svc.alerting.alerts({ state: 'acknowledged', limit: 200 })).filter((a) => vis.canRead(a.nodeId));
        alerts = { unacknowledged: open.length, acknowledged: acked.length, items: [...open, ...acked].slice(0, 50) };
      }
      return {
        generatedAt: svc.clock.now(),
        totals,
        bySystem: CLINICAL_SYSTEMS.filter((s) => bySystem.has(s)).map((s) => ({ system: s, counts: bySystem.get(s)! })),
        bySite: sites,
        down: { items: downItems, total: down.length, limit: query.downLimit, offset: query.downOffset },
        alerts,
      };
    },
  });
}
