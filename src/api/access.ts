// Who may do what, where: the access model shared by the auth layer (which establishes the
// Principal of a request), the routes (which ask for a level on a node) and the audit trail.
// Rights are per subtree, as PRTG's per-object rights: the grant nearest to a node wins.

import type { Tree } from '../core/tree.ts';

/** Ordered: each level includes the ones before it. */
export const ACCESS_LEVELS = ['none', 'read', 'acknowledge', 'write', 'full'] as const;
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

/**
 * What each level allows:
 * - read: see the node, its states, history, events, findings;
 * - acknowledge: also acknowledge alerts, pause/resume, check now;
 * - write: also create/edit nodes, limits, rules, maintenance windows below the grant;
 * - full: also delete nodes and import configuration for the subtree.
 * Administration (users, roles, tokens, credentials, settings, audit log) needs `admin`.
 */
export function atLeast(have: AccessLevel, need: AccessLevel): boolean {
  return ACCESS_LEVELS.indexOf(have) >= ACCESS_LEVELS.indexOf(need);
}

/** The whole tree; a grant on a node id covers that node and everything below it. */
export const ALL_NODES = '*';

export interface Grant {
  /** A node id of the tree, or ALL_NODES. */
  readonly nodeId: string;
  readonly level: AccessLevel;
  /**
   * Which role assignment the grant comes from. Within one source the nearest grant wins (a role may
   * narrow itself below); across sources the highest wins (a second role never takes rights away).
   */
  readonly source?: string;
}

export interface Principal {
  readonly kind: 'user' | 'token';
  /** User id, or token id for API tokens. */
  readonly id: string;
  /** Shown in the audit trail: login name, or "token:<name> (user)". */
  readonly name: string;
  readonly grants: readonly Grant[];
  /** Administers users, roles, tokens, credentials, settings and reads the audit log. */
  readonly admin: boolean;
  readonly method: 'password' | 'ldap' | 'token';
}

/**
 * The level a principal has on a node. Per source (role assignment): the grant on the node itself
 * or its nearest ancestor wins (so a role can narrow as well as widen below), then that source's
 * ALL_NODES grant, else none. Several grants of one source on the same node combine to the highest,
 * and so do the sources: holding two roles never gives less than either alone.
 */
export function levelAt(p: Principal, tree: Pick<Tree, 'nodes'>, nodeId: string): AccessLevel {
  if (p.admin) return 'full';
  const bySource = new Map<string, Map<string, AccessLevel>>();
  for (const g of p.grants) {
    const key = g.source ?? '';
    let byNode = bySource.get(key);
    if (!byNode) bySource.set(key, (byNode = new Map<string, AccessLevel>()));
    const prev = byNode.get(g.nodeId);
    if (prev === undefined || atLeast(g.level, prev)) byNode.set(g.nodeId, g.level);
  }
  let best: AccessLevel = 'none';
  for (const byNode of bySource.values()) {
    const l = nearest(byNode, tree, nodeId);
    if (atLeast(l, best)) best = l;
  }
  return best;
}

function nearest(byNode: ReadonlyMap<string, AccessLevel>, tree: Pick<Tree, 'nodes'>, nodeId: string): AccessLevel {
  let id: string | undefined = nodeId;
  while (id !== undefined) {
    const l = byNode.get(id);
    if (l !== undefined) return l;
    id = tree.nodes.get(id)?.parentId;
  }
  return byNode.get(ALL_NODES) ?? 'none';
}

export function can(p: Principal, tree: Pick<Tree, 'nodes'>, nodeId: string, need: AccessLevel): boolean {
  return atLeast(levelAt(p, tree, nodeId), need);
}

/** One line of the audit trail, as a route or the auth layer reports it. */
export interface AuditEntry {
  /** Login name, or "anonymous" / the attempted login name for failed logins. */
  readonly actor: string;
  readonly actorId?: string;
  /** Dotted verb: "login", "login.failed", "sensor.update", "alert.acknowledge", "config.export"... */
  readonly action: string;
  /** What it acted on: a node id, "user:<id>", "rule:<name>"... */
  readonly target?: string;
  /** Client address as seen by the server. */
  readonly ip?: string;
  readonly outcome: 'ok' | 'denied' | 'failed';
  readonly before?: unknown;
  readonly after?: unknown;
  readonly detail?: string;
}

export interface AuditSink {
  record(entry: AuditEntry): Promise<void>;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth layer for every authenticated request; undefined on public routes. */
    principal?: Principal;
  }
}
