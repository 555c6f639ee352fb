// What the alerting engine needs to know about the tree, computed once per tree: each sensor's
// ancestors, the sensors under each parent (for root-cause grouping), how many sensors depend on
// each master (directly or down a chain), and the names that go into a message.

import type { TemplateVars } from '../notification.ts';
import { resolveSettings, type Tree, type TreeNode } from '../../core/tree.ts';

export type NodeVars = Pick<TemplateVars, 'site' | 'group' | 'clinicalSystem' | 'device' | 'host' | 'sensor' | 'sensorId'>;

export class Topology {
  readonly tree: Tree;
  readonly #ancestors = new Map<string, readonly string[]>();
  readonly #under = new Map<string, string[]>();
  readonly #dependents = new Map<string, string[]>();
  readonly #transitive = new Map<string, number>();
  readonly #zones = new Map<string, string>();

  constructor(tree: Tree) {
    this.tree = tree;
    for (const n of tree.nodes.values()) {
      if (n.type !== 'sensor') continue;
      const chain = this.ancestors(n.id);
      for (const a of chain) {
        let list = this.#under.get(a);
        if (!list) this.#under.set(a, (list = []));
        list.push(n.id);
      }
      const s = resolveSettings(tree, n.id);
      this.#zones.set(n.id, s.timezone);
      if (s.dependsOn !== undefined) {
        let list = this.#dependents.get(s.dependsOn);
        if (!list) this.#dependents.set(s.dependsOn, (list = []));
        list.push(n.id);
      }
    }
  }

  node(id: string): TreeNode | undefined {
    return this.tree.nodes.get(id);
  }

  isSensor(id: string): boolean {
    return this.tree.nodes.get(id)?.type === 'sensor';
  }

  /** Ids from the root down to the parent (the node itself excluded). */
  ancestors(id: string): readonly string[] {
    const known = this.#ancestors.get(id);
    if (known) return known;
    const chain: string[] = [];
    let cur = this.tree.nodes.get(id);
    const seen = new Set<string>();
    while (cur?.parentId !== undefined && !seen.has(cur.parentId)) {
      seen.add(cur.parentId);
      chain.push(cur.parentId);
      cur = this.tree.nodes.get(cur.parentId);
    }
    chain.reverse();
    this.#ancestors.set(id, chain);
    return chain;
  }

  /** The node itself and its ancestors: what a rule's scope or exclude may name. */
  selfAndAncestors(id: string): readonly string[] {
    return [...this.ancestors(id), id];
  }

  /** Sensors at or below a node. */
  sensorsUnder(id: string): readonly string[] {
    if (this.isSensor(id)) return [id];
    return this.#under.get(id) ?? [];
  }

  /** Sensors that depend on this master, directly or through a chain of dependencies. */
  dependentsOf(masterId: string): number {
    const known = this.#transitive.get(masterId);
    if (known !== undefined) return known;
    const seen = new Set<string>([masterId]);
    const stack = [masterId];
    while (stack.length > 0) {
      for (const d of this.#dependents.get(stack.pop()!) ?? []) {
        if (seen.has(d)) continue;
        seen.add(d);
        stack.push(d);
      }
    }
    this.#transitive.set(masterId, seen.size - 1);
    return seen.size - 1;
  }

  /** The time zones the tree's sensors are in (their sites'). */
  zones(): string[] {
    return [...new Set(this.#zones.values())];
  }

  timezoneOf(id: string): string {
    return this.#zones.get(id) ?? resolveSettings(this.tree, id).timezone;
  }

  name(id: string): string {
    return this.tree.nodes.get(id)?.name ?? id;
  }

  vars(id: string): NodeVars {
    const out: Record<string, string> = {};
    for (const aid of this.selfAndAncestors(id)) {
      const n = this.tree.nodes.get(aid);
      if (!n) continue;
      if (n.type === 'site') out.site = n.name;
      else if (n.type === 'group') {
        out.group = n.name;
        out.clinicalSystem = n.system;
      } else if (n.type === 'device') {
        out.device = n.name;
        out.host = n.host;
      } else if (n.type === 'sensor') {
        out.sensor = n.name;
        out.sensorId = n.id;
      }
    }
    return out;
  }
}
