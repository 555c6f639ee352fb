// The part of the tree a remote probe runs: its site (for the time zone and inherited settings),
// the probe node and everything under it, plus the maintenance windows and credential references
// those nodes name. Serialised as plain JSON for NATS and for the probe's last-config file.

import { pathOf, type CredentialRef, type InheritableSettings, type MaintenanceWindow, type ProbeNode, type Tree, type TreeNode } from '../core/tree.ts';
import type { Credential } from '../sensors/sensor.ts';

/** The sensor kind a remote probe does not run itself: the core writes it from heartbeats. */
export const CORE_WRITTEN_KIND = 'probe-health';

export interface TreeJson {
  readonly nodes: readonly TreeNode[];
  readonly roots: readonly string[];
  readonly maintenance: readonly MaintenanceWindow[];
  readonly credentials: readonly CredentialRef[];
  readonly defaults: InheritableSettings;
}

/** What the core sends an approved probe. */
export interface ProbeConfig {
  /** Probe node id in the core's tree (undefined: no probe node matches the name yet). */
  readonly probeNodeId?: string;
  /** Stable fingerprint, so that an unchanged configuration is not re-applied. */
  readonly fingerprint: string;
  readonly tree: TreeJson;
  /** Secrets of the credential sets the subtree names (the link is TLS; the probe keeps them 0600). */
  readonly credentials: readonly Credential[];
}

export function treeToJson(tree: Tree): TreeJson {
  return { nodes: [...tree.nodes.values()], roots: [...tree.roots], maintenance: [...tree.maintenance.values()], credentials: [...tree.credentials.values()], defaults: tree.defaults };
}

export function treeFromJson(j: TreeJson): Tree {
  return {
    nodes: new Map(j.nodes.map((n) => [n.id, n])),
    roots: j.roots,
    maintenance: new Map(j.maintenance.map((m) => [m.name, m])),
    credentials: new Map(j.credentials.map((c) => [c.name, c])),
    defaults: j.defaults,
  };
}

/**
 * The probe node a remote probe called `name` runs: the node whose id is the name, else the one so
 * named, else the one whose last id segment is the name in lower case. Ambiguity is an error.
 */
export function findProbeNode(tree: Tree, name: string): { node?: ProbeNode; error?: string } {
  const probes = [...tree.nodes.values()].filter((n): n is ProbeNode => n.type === 'probe');
  for (const match of [(p: ProbeNode) => p.id === name, (p: ProbeNode) => p.name === name, (p: ProbeNode) => p.id.split('/').at(-1) === name.toLowerCase()]) {
    const found = probes.filter(match);
    if (found.length === 1) return { node: found[0]! };
    if (found.length > 1) return { error: `probe name "${name}" matches several probe nodes (${found.map((p) => p.id).join(', ')}): give the probe node an explicit id` };
  }
  return {};
}

/** Ids of the probe node and every node below it. */
export function subtreeIds(tree: Tree, rootId: string): Set<string> {
  const out = new Set<string>();
  const stack = [rootId];
  while (stack.length > 0) {
    const id = stack.pop()!;
    const n = tree.nodes.get(id);
    if (!n || out.has(id)) continue;
    out.add(id);
    stack.push(...n.children);
  }
  return out;
}

/**
 * The tree a probe runs: ancestors of the probe node (with only the probe as child) and its subtree,
 * without its `probe-health` sensors: those the core writes from the probe's heartbeats (only the
 * core can tell that the probe is disconnected), see health-readings.ts.
 */
export function probeSubtree(tree: Tree, probeNodeId: string): Tree {
  const inside = subtreeIds(tree, probeNodeId);
  for (const id of inside) {
    const n = tree.nodes.get(id);
    if (n?.type === 'sensor' && n.kind === CORE_WRITTEN_KIND) inside.delete(id);
  }
  const nodes = new Map<string, TreeNode>();
  const chain = pathOf(tree, probeNodeId);
  chain.forEach((n, i) => {
    if (n.id === probeNodeId) return;
    const child = chain[i + 1];
    nodes.set(n.id, { ...n, children: child ? [child.id] : [] });
  });
  for (const id of inside) {
    const n = tree.nodes.get(id)!;
    nodes.set(id, n.children.some((c) => !inside.has(c)) ? { ...n, children: n.children.filter((c) => inside.has(c)) } : n);
  }
  const windows = new Set<string>();
  const creds = new Set<string>();
  for (const n of nodes.values()) {
    for (const w of n.settings.maintenance ?? []) windows.add(w);
    if (n.settings.credentials !== undefined) creds.add(n.settings.credentials);
  }
  for (const w of tree.defaults.maintenance ?? []) windows.add(w);
  if (tree.defaults.credentials !== undefined) creds.add(tree.defaults.credentials);
  return {
    nodes,
    roots: chain[0] ? [chain[0].id] : [],
    maintenance: new Map([...tree.maintenance].filter(([k]) => windows.has(k))),
    credentials: new Map([...tree.credentials].filter(([k]) => creds.has(k))),
    defaults: tree.defaults,
  };
}

/** The tree without the subtrees of the given probe nodes: what the core's own engine runs. */
export function withoutProbes(tree: Tree, probeNodeIds: Iterable<string>): Tree {
  const drop = new Set<string>();
  for (const id of probeNodeIds) for (const x of subtreeIds(tree, id)) drop.add(x);
  if (drop.size === 0) return tree;
  const nodes = new Map<string, TreeNode>();
  for (const [id, n] of tree.nodes) {
    if (drop.has(id)) continue;
    nodes.set(id, n.children.some((c) => drop.has(c)) ? { ...n, children: n.children.filter((c) => !drop.has(c)) } : n);
  }
  return { ...tree, nodes };
}

/** A stable text for fingerprinting (Map order is insertion order, the same for the same tree). */
export function stableJson(value: unknown): string {
  return JSON.stringify(value);
}
