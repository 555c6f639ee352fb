// Whether an API token's scope stays within its owner's rights. Levels change only at nodes that
// some grant names (below them every node inherits), so comparing the two at those nodes, and at
// a node no grant names (the whole-tree level), compares them everywhere in the tree.

import type { Tree } from '../../core/tree.ts';
import { ALL_NODES, atLeast, levelAt, type Grant, type Principal } from '../access.ts';

/** An id no grant can name: where only whole-tree grants apply. */
const UNNAMED = '\u0000unnamed';

/**
 * Undefined when `scope` gives nowhere more than `owner` has (always so for an administrator);
 * else where it does, as "<level> on <node> where the owner has <level>".
 */
export function scopeExcess(scope: readonly Grant[], owner: Principal, tree: Pick<Tree, 'nodes'>): string | undefined {
  if (owner.admin) return undefined;
  const token: Principal = { kind: 'token', id: '', name: '', grants: scope, admin: false, method: 'token' };
  const named = new Set<string>([UNNAMED, ...scope.map((g) => g.nodeId), ...owner.grants.map((g) => g.nodeId)]);
  named.delete(ALL_NODES);
  for (const n of [UNNAMED, ...[...named].filter((x) => x !== UNNAMED).sort()]) {
    const t = levelAt(token, tree, n);
    const o = levelAt(owner, tree, n);
    if (!atLeast(o, t)) return `${t} on ${n === UNNAMED ? 'the whole tree' : n} where the owner has ${o}`;
  }
  return undefined;
}
