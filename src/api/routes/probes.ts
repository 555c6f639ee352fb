// Remote probes through the API (PRTG's probe approval): which probes said hello to the core, whether
// an administrator approved them, and how each one is doing (its last heartbeat). Approving gives a
// probe its subtree to run; rejecting takes it away. Both are for administrators and are audited.

import { z } from 'zod';
import type { ClusterCore } from '../../cluster/core.ts';
import { PROBE_APPROVALS, UnknownProbeError, type ProbeRecord } from '../../cluster/registry.ts';
import { PROBE_NAME } from '../../cluster/subjects.ts';
import type { ProbeHealth } from '../../cluster/watch.ts';
import { ALL_NODES } from '../access.ts';
import { clientIp } from '../auth/http.ts';
import { ProblemError, requireAdmin, requireLevel, type AuthServices } from '../auth/index.ts';
import type { RouteTable } from './define.ts';

export interface ProbeRouteDeps {
  /** Undefined when no NATS link is configured: no remote probes can connect. */
  readonly cluster: Pick<ClusterCore, 'registry' | 'approve' | 'reject' | 'health'> | undefined;
  readonly auth: AuthServices;
}

// Probe names are NATS subject tokens; anything else was never a probe's name.
const nameParams = z.strictObject({ name: z.string().regex(PROBE_NAME, { error: 'a probe name is 1–64 letters, digits, "-" or "_"' }).describe('The probe’s name (its NATS subject token)') });

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

const epochMs = z.number().int().describe('Epoch milliseconds');

/** What a probe looks like in the answers (documentation only, like ./schemas.ts). */
export const probeViewSchema = z
  .object({
    name: z.string(),
    state: z.enum(PROBE_APPROVALS).describe('The administrator’s decision'),
    firstSeen: epochMs,
    lastSeen: epochMs,
    decidedBy: z.string().nullable(),
    decidedAt: epochMs.nullable(),
    health: z
      .object({
        connected: z.boolean(),
        lastHeartbeat: epochMs.nullable(),
        disconnectedSince: epochMs.nullable(),
        bufferDepth: z.number().int().nullable().describe('Readings held while the link to the core is down'),
        bufferBytes: z.number().int().nullable(),
        bufferDropped: z.number().int().nullable(),
        cpuPct: z.number().nullable(),
        configFingerprint: z.string().nullable().describe('Of the subtree the probe runs'),
      })
      .nullable()
      .describe('Last heartbeat of an approved probe; null for the others'),
  })
  .meta({ id: 'Probe' });

const probeListSchema = z
  .object({ enabled: z.boolean().describe('False when this Wardwatch has no NATS link: no remote probe can connect'), probes: z.array(probeViewSchema) })
  .meta({ id: 'ProbeList' });

export function probeRoutes(routes: RouteTable, deps: ProbeRouteDeps): void {
  const { cluster, auth } = deps;

  routes.add({
    method: 'GET',
    url: '/api/probes',
    tag: 'probes',
    summary: 'Remote probes that said hello to the core, pending first, with their last heartbeat',
    access: 'read on the whole tree',
    response: probeListSchema,
    handler: async (req) => {
      if (req.principal?.admin !== true) requireLevel(req, WHOLE_TREE, ALL_NODES, 'read');
      if (!cluster) return { enabled: false, probes: [] };
      const list = await cluster.registry.list();
      // Waiting probes first: they are what an administrator comes here for.
      const order = { pending: 0, approved: 1, rejected: 2 } as const;
      list.sort((a, b) => order[a.approval] - order[b.approval] || a.name.localeCompare(b.name));
      return { enabled: true, probes: list.map((p) => view(p, cluster.health(p.name))) };
    },
  });

  const decide = (verb: 'approve' | 'reject') =>
    routes.add({
      method: 'POST',
      url: `/api/probes/:name/${verb}`,
      tag: 'probes',
      summary: verb === 'approve' ? 'Approve a probe: it gets its subtree to run (audited)' : 'Reject a probe: its subtree is taken away (audited)',
      access: 'administrator',
      params: nameParams,
      response: probeViewSchema,
      handler: async (req, _reply, { params: { name } }) => {
        const principal = requireAdmin(req);
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
      },
    });
  decide('approve');
  decide('reject');
}
