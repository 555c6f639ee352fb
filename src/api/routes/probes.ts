// Remote probes through the API (PRTG's probe approval): which probes said hello to the core, whether
// an administrator approved them, and how each one is doing (its last heartbeat). Approving gives a
// probe its subtree to run; rejecting takes it away. Both are for administrators and are audited.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ClusterCore } from '../../cluster/core.ts';
import { UnknownProbeError, type ProbeRecord } from '../../cluster/registry.ts';
import { PROBE_NAME } from '../../cluster/subjects.ts';
import type { ProbeHealth } from '../../cluster/watch.ts';
import { ALL_NODES } from '../access.ts';
import { clientIp } from '../auth/http.ts';
import { ProblemError, requireAdmin, requireLevel, type AuthServices } from '../auth/index.ts';

export interface ProbeRouteDeps {
  /** Undefined when no NATS link is configured: no remote probes can connect. */
  readonly cluster: Pick<ClusterCore, 'registry' | 'approve' | 'reject' | 'health'> | undefined;
  readonly auth: AuthServices;
}

// Probe names are NATS subject tokens; anything else was never a probe's name.
const nameParams = z.strictObject({ name: z.string().regex(PROBE_NAME, { error: 'a probe name is 1–64 letters, digits, "-" or "_"' }) });

/** Read on the whole tree: a probe runs a subtree, but which one is only known to administrators. */
const WHOLE_TREE = { nodes: new Map<string, never>() };

function view(p: ProbeRecord, health: ProbeHealth | undefined) {
  const hb = health?.heartbeat;
  return {
    name: p.name,
    state: p.approval,
    firstSeen: p.firstSeen,
    lastSeen: p.lastSeen,
    decidedBy: p.decidedBy ?? null,
    decidedAt: p.decidedAt ?? null,
    // Only approved probes send heartbeats the core tracks; the others have no health to show.
    health: health
      ? {
          connected: health.connected,
          lastHeartbeat: health.lastSeen ?? null,
          disconnectedSince: health.disconnectedSince ?? null,
          bufferDepth: hb?.bufferDepth ?? null,
          bufferBytes: hb?.bufferBytes ?? null,
          bufferDropped: hb?.bufferDropped ?? null,
          cpuPct: hb?.cpuPct ?? null,
          configFingerprint: hb?.configFingerprint ?? null,
        }
      : null,
  };
}

export type ProbeView = ReturnType<typeof view>;

function paramsOf(req: FastifyRequest): { name: string } {
  const r = nameParams.safeParse(req.params);
  if (r.success) return r.data;
  throw new ProblemError('BAD_REQUEST', r.error.issues.map((i) => `params.${i.path.map(String).join('.')}: ${i.message}`).join('; '));
}

export function probeRoutes(app: FastifyInstance, deps: ProbeRouteDeps): void {
  const { cluster, auth } = deps;

  app.get('/api/probes', async (req) => {
    if (req.principal?.admin !== true) requireLevel(req, WHOLE_TREE, ALL_NODES, 'read');
    if (!cluster) return { enabled: false, probes: [] };
    const list = await cluster.registry.list();
    // Waiting probes first: they are what an administrator comes here for.
    const order = { pending: 0, approved: 1, rejected: 2 } as const;
    list.sort((a, b) => order[a.approval] - order[b.approval] || a.name.localeCompare(b.name));
    return { enabled: true, probes: list.map((p) => view(p, cluster.health(p.name))) };
  });

  const decide = (verb: 'approve' | 'reject') =>
    app.post(`/api/probes/:name/${verb}`, async (req) => {
      const principal = requireAdmin(req);
      const { name } = paramsOf(req);
      if (!cluster) throw new ProblemError('API_UNAVAILABLE', 'remote probes are not configured in this Wardwatch (no cluster.nats link)');
      const before = await cluster.registry.get(name);
      if (!before) throw new ProblemError('NOT_FOUND', `probe "${name}" is not known: it appears once it has connected to the core's NATS`);
      let rec: ProbeRecord;
      try {
        rec = verb === 'approve' ? await cluster.approve(name, principal.name) : await cluster.reject(name, principal.name);
      } catch (e) {
        // Forgotten between the look-up and the decision (another core, `wardwatch probes remove`).
        if (e instanceof UnknownProbeError) throw new ProblemError('NOT_FOUND', e.message);
        throw e;
      }
      await auth.audit.record({
        actor: principal.name,
        actorId: principal.id,
        action: `probe.${verb}`,
        target: `probe:${name}`,
        ip: clientIp(req),
        outcome: 'ok',
        before: { state: before.approval },
        after: { state: rec.approval },
        detail: `remote probe "${name}" ${rec.approval} (was ${before.approval})`,
      });
      return view(rec, cluster.health(name));
    });
  decide('approve');
  decide('reject');
}
