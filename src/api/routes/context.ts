// What every route module receives: the services, the route table, the state-count index, and the
// helpers that every route shares (who is asking, what they may see, auditing, config edits).

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SensorNode, Tree, TreeNode } from '../../core/tree.ts';
import { formatPath } from '../../config/positions.ts';
import type { PathSegment, Problem as ConfigProblem } from '../../config/issues.ts';
import { ConfigApplyError, ConfigFileChangedError, type EditOutcome, type RunningConfig } from '../../config/edit/service.ts';
import { registerErrors } from '../../core/errors.ts';
import type { EditPlan } from '../../config/edit/nodes.ts';
import { valueAt } from '../../config/edit/ops.ts';
import { requireLevel } from '../auth/index.ts';
import { ALL_NODES, atLeast, levelAt, type AccessLevel, type AuditEntry, type Principal } from '../access.ts';
import type { StateIndex, StateCounts } from '../live/counts.ts';
import { addCounts, zeroCounts } from '../live/counts.ts';
import { ApiProblem, problem, validationProblem, type FieldError } from '../problem.ts';
import type { ApiServices } from '../services.ts';
import type { RouteTable } from './define.ts';

registerErrors({
  CONFIG_NOT_APPLIED: { message: 'The change could not be put into service; nothing was changed', http: 500 },
});

/** Config service failures as problems: a changed file is a conflict; a refused apply changed nothing. */
export function configFailure(e: unknown): unknown {
  if (e instanceof ConfigFileChangedError) return new ApiProblem(problem('API_CONFLICT', e.message));
  if (e instanceof ConfigApplyError) return new ApiProblem(problem('CONFIG_NOT_APPLIED', e.message));
  return e;
}

export interface RouteContext {
  readonly app: FastifyInstance;
  readonly svc: ApiServices;
  readonly routes: RouteTable;
  readonly index: StateIndex;
}

export function principalOf(req: FastifyRequest): Principal {
  const p = req.principal;
  if (!p) throw new ApiProblem(problem('AUTH_REQUIRED', `${req.method} ${req.url.split('?')[0]} needs a session cookie or an Authorization: Bearer token`));
  return p;
}

/** What one principal may see of the tree, worked out once per request. */
export interface Visibility {
  /** Reads the whole tree: the index's counts are theirs. */
  readonly all: boolean;
  canRead(id: string): boolean;
  /** Shown in the tree: readable, or on the way down to something readable. */
  shows(id: string): boolean;
  counts(id: string): Readonly<StateCounts>;
  /** The largest readable subtrees (nothing granted differently below them), for whole-tree summaries. */
  readableRoots(): readonly string[];
}

/**
 * The same rule as access.ts levelAt (the grant nearest to a node wins, several grants on one node
 * combine to the highest, then the whole-tree grant), with the grants indexed once per request:
 * list routes ask it for every node of a 100,000-sensor tree. Counts for a restricted principal
 * descend only along the nodes above their grants; everything else is a whole subtree of the index.
 */
export function visibility(req: FastifyRequest, tree: Tree, index: StateIndex): Visibility {
  const p = principalOf(req);
  const byNode = new Map<string, AccessLevel>();
  for (const g of p.grants) {
    const prev = byNode.get(g.nodeId);
    if (prev === undefined || atLeast(g.level, prev)) byNode.set(g.nodeId, g.level);
  }
  const star = p.admin ? 'full' : (byNode.get(ALL_NODES) ?? 'none');
  byNode.delete(ALL_NODES);
  for (const id of [...byNode.keys()]) if (!tree.nodes.has(id)) byNode.delete(id);
  const all = p.admin || (atLeast(star, 'read') && [...byNode.values()].every((l) => atLeast(l, 'read')));
  const levelOf = (id: string | undefined): AccessLevel => {
    for (let cur = id; cur !== undefined; cur = tree.nodes.get(cur)?.parentId) {
      const l = byNode.get(cur);
      if (l !== undefined) return l;
    }
    return star;
  };
  const canRead = (id: string) => all || atLeast(levelOf(id), 'read');
  // Strict ancestors of granted nodes; and those on the way down to a readable grant.
  const below = new Set<string>();
  const wayTo = new Set<string>();
  for (const [nodeId, level] of byNode) {
    for (let id = tree.nodes.get(nodeId)?.parentId; id !== undefined; id = tree.nodes.get(id)?.parentId) {
      below.add(id);
      if (atLeast(level, 'read')) wayTo.add(id);
    }
  }
  const inherited = (id: string) => levelOf(tree.nodes.get(id)?.parentId);
  const scan = (id: string, from: AccessLevel): StateCounts => {
    const n = tree.nodes.get(id);
    if (!n) return zeroCounts();
    const level = byNode.get(id) ?? from;
    if (!below.has(id)) return atLeast(level, 'read') ? { ...index.counts(id) } : zeroCounts();
    const c = zeroCounts();
    for (const child of n.children) addCounts(c, scan(child, level));
    return c;
  };
  const roots = (): string[] => {
    const out: string[] = [];
    const visit = (id: string, from: AccessLevel) => {
      const level = byNode.get(id) ?? from;
      if (!below.has(id)) {
        if (atLeast(level, 'read')) out.push(id);
        return;
      }
      for (const child of tree.nodes.get(id)?.children ?? []) visit(child, level);
    };
    for (const r of tree.roots) visit(r, star);
    return out;
  };
  return {
    all,
    canRead,
    shows: (id) => all || canRead(id) || wayTo.has(id),
    counts: (id) => (all ? index.counts(id) : scan(id, inherited(id))),
    readableRoots: () => (all ? tree.roots : roots()),
  };
}

/** Throws 404 for an unknown node (before any access check, which would otherwise say 403 for it). */
export function nodeOr404(tree: Tree, id: string, type?: string) {
  const n = tree.nodes.get(id);
  if (!n || (type !== undefined && n.type !== type)) throw new ApiProblem(problem('NOT_FOUND', `no ${type ?? 'object'} with id "${id}"`));
  return n;
}

/**
 * A node the caller acts on: 404 when it does not exist and, with the same words, when the caller
 * may not even see it (not readable, not on the way to anything readable), so that probing ids
 * tells nothing about what exists outside one's rights; 403 only when they see it but lack `level`.
 */
export function requireOn(req: FastifyRequest, tree: Tree, index: StateIndex, id: string, level: AccessLevel, type?: string): TreeNode {
  const n = tree.nodes.get(id);
  const missing = () => new ApiProblem(problem('NOT_FOUND', `no ${type ?? 'object'} with id "${id}"`));
  if (!n || (type !== undefined && n.type !== type)) throw missing();
  const p = principalOf(req);
  if (!p.admin && !atLeast(levelAt(p, tree, id), 'read') && !visibility(req, tree, index).shows(id)) {
    // The refusal is audited as any other (access.denied); only the answer hides the object.
    try {
      requireLevel(req, tree, id, level);
    } catch {
      throw missing();
    }
    throw missing();
  }
  requireLevel(req, tree, id, level);
  return n;
}

/** requireOn for a sensor. */
export function requireSensor(req: FastifyRequest, tree: Tree, index: StateIndex, id: string, level: AccessLevel): SensorNode {
  requireOn(req, tree, index, id, level, 'sensor');
  return sensorOr404(tree, id);
}

export function sensorOr404(tree: Tree, id: string): SensorNode {
  const n = tree.nodes.get(id);
  if (!n || n.type !== 'sensor') throw new ApiProblem(problem('NOT_FOUND', `no sensor with id "${id}"`));
  return n;
}

/** The level a principal has where no node is named (global lists: maintenance windows, rules, import). */
export function globalLevel(p: Principal, tree: Tree): AccessLevel {
  return p.admin ? 'full' : levelAt(p, tree, ALL_NODES);
}

export async function audit(ctx: RouteContext, req: FastifyRequest, entry: Omit<AuditEntry, 'actor' | 'actorId' | 'ip'>): Promise<void> {
  const p = req.principal;
  await ctx.svc.auth.audit.record({ actor: p?.name ?? 'anonymous', ...(p ? { actorId: p.id } : {}), ip: req.ip, ...entry });
}

/** Config problems as field errors: those inside the edited entry are named against the request body. */
export function configFieldErrors(problems: readonly ConfigProblem[], entryPath: readonly PathSegment[], bodyName = 'body'): FieldError[] {
  return problems.map((p) => {
    const inside = p.path.length >= entryPath.length && entryPath.every((s, i) => p.path[i] === s);
    const rest = formatPath(p.path.slice(entryPath.length));
    const path = inside ? (rest === '' ? bodyName : rest.startsWith('[') ? `${bodyName}${rest}` : `${bodyName}.${rest}`) : `document.${formatPath(p.path)}`;
    return { path, message: p.message + (p.related ? ` (also at ${formatPath(p.related)})` : '') };
  });
}

export interface EditDone {
  readonly id?: string;
  readonly version: number;
  readonly before: unknown;
  readonly after: unknown;
  readonly config: RunningConfig;
  readonly warnings: readonly FieldError[];
}

/** Runs a config edit and answers its failures as problems; audits the outcome. */
export async function runEdit(ctx: RouteContext, req: FastifyRequest, action: string, target: string, plan: (c: RunningConfig) => EditPlan, bodyName = 'body'): Promise<EditDone> {
  let out: EditOutcome;
  try {
    out = await ctx.svc.config.edit(plan, `api:${principalOf(req).name}`);
  } catch (e) {
    const p = configFailure(e);
    if (p !== e) await audit(ctx, req, { action, target, outcome: 'failed', detail: e instanceof Error ? e.message : String(e) });
    throw p;
  }
  if (!out.ok) {
    await audit(ctx, req, { action, target, outcome: 'failed', detail: 'refusal' in out ? out.refusal.detail : `${out.problems.length} validation problem(s)` });
    if ('refusal' in out) {
      const r = out.refusal;
      if (r.code === 'BAD_REQUEST') throw new ApiProblem(validationProblem([{ path: r.field !== undefined ? `body.${r.field}` : bodyName, message: r.detail }]));
      throw new ApiProblem(problem(r.code === 'CONFLICT' ? 'API_CONFLICT' : 'NOT_FOUND', r.detail));
    }
    throw new ApiProblem(validationProblem(configFieldErrors(out.problems, out.plan.entryPath, bodyName), 422));
  }
  const before = valueAt(out.before.document, out.plan.entryPath);
  const removed = out.plan.ops.some((o) => o.op === 'delete' && o.path.length === out.plan.entryPath.length && o.path.every((s, i) => s === out.plan.entryPath[i]));
  const after = removed ? undefined : valueAt(out.config.document, out.plan.entryPath);
  await audit(ctx, req, { action, target, outcome: 'ok', ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}), detail: `configuration v${out.config.version}` });
  return { ...(out.plan.id !== undefined ? { id: out.plan.id } : {}), version: out.config.version, before, after, config: out.config, warnings: configFieldErrors(out.warnings, out.plan.entryPath, bodyName) };
}
