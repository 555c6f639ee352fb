// The difference between two configurations, node by node (by full id), for the import preview:
// what would be added, changed (and which fields) and removed; plus the global lists.

import { isDeepStrictEqual } from 'node:util';
import type { NodeType } from '../../core/model.ts';
import type { Tree, TreeNode } from '../../core/tree.ts';

export interface NodeRef {
  readonly id: string;
  readonly type: NodeType;
  readonly name: string;
}

export interface ChangedNode extends NodeRef {
  /** Fields that differ: name, settings.intervalS, kindSettings.port, channels.value, host... */
  readonly fields: readonly string[];
}

export interface ConfigDiff {
  readonly added: readonly NodeRef[];
  readonly changed: readonly ChangedNode[];
  readonly removed: readonly NodeRef[];
  readonly maintenance: { readonly added: readonly string[]; readonly changed: readonly string[]; readonly removed: readonly string[] };
  readonly defaultsChanged: boolean;
}

const ref = (n: TreeNode): NodeRef => ({ id: n.id, type: n.type, name: n.name });

/** Own fields of a node, flattened one level for nested records (settings, kindSettings, channels). */
function fieldsOf(n: TreeNode): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(n)) {
    if (k === 'children' || k === 'id' || k === 'parentId') continue;
    if ((k === 'settings' || k === 'kindSettings' || k === 'channels') && typeof v === 'object' && v !== null) {
      for (const [sk, sv] of Object.entries(v as Record<string, unknown>)) out.set(`${k}.${sk}`, sv);
    } else out.set(k, v);
  }
  return out;
}

export function changedFields(a: TreeNode, b: TreeNode): string[] {
  const fa = fieldsOf(a);
  const fb = fieldsOf(b);
  const keys = new Set([...fa.keys(), ...fb.keys()]);
  return [...keys].filter((k) => !isDeepStrictEqual(fa.get(k), fb.get(k))).sort();
}

export function diffTrees(before: Tree, after: Tree): ConfigDiff {
  const added: NodeRef[] = [];
  const changed: ChangedNode[] = [];
  const removed: NodeRef[] = [];
  for (const [id, n] of after.nodes) {
    const old = before.nodes.get(id);
    if (!old) added.push(ref(n));
    else {
      const fields = old.type !== n.type ? ['type'] : changedFields(old, n);
      if (fields.length > 0) changed.push({ ...ref(n), fields });
    }
  }
  for (const [id, n] of before.nodes) if (!after.nodes.has(id)) removed.push(ref(n));
  const mAdded = [...after.maintenance.keys()].filter((k) => !before.maintenance.has(k));
  const mRemoved = [...before.maintenance.keys()].filter((k) => !after.maintenance.has(k));
  const mChanged = [...after.maintenance.keys()].filter((k) => before.maintenance.has(k) && !isDeepStrictEqual(before.maintenance.get(k), after.maintenance.get(k)));
  return { added, changed, removed, maintenance: { added: mAdded, changed: mChanged, removed: mRemoved }, defaultsChanged: !isDeepStrictEqual(before.defaults, after.defaults) };
}

/** Every node id the diff touches (for access checks on an import). */
export function touchedIds(d: ConfigDiff): string[] {
  return [...d.added, ...d.changed, ...d.removed].map((n) => n.id);
}
