// Finds a tree node's entry in the config document by its full id, with the same id rules as the
// loader (the explicit id, else the slug of the name, joined with "/"), and says which list of its
// parent a new child of a given type goes into.

import type { NodeType } from '../../core/model.ts';
import { slug } from '../document.ts';
import type { PathSegment } from '../issues.ts';

/** Where children of each type live under each parent type in the YAML. */
export const CHILD_LISTS: Readonly<Record<NodeType, Partial<Record<NodeType, string>>>> = {
  site: { probe: 'probes' },
  probe: { group: 'groups' },
  group: { group: 'groups', device: 'devices' },
  device: { sensor: 'sensors' },
  sensor: {},
};

const LISTS_OF: Readonly<Record<NodeType, readonly (readonly [string, NodeType])[]>> = {
  site: [['probes', 'probe']],
  probe: [['groups', 'group']],
  group: [
    ['groups', 'group'],
    ['devices', 'device'],
  ],
  device: [['sensors', 'sensor']],
  sensor: [],
};

export interface Located {
  readonly path: readonly PathSegment[];
  readonly type: NodeType;
  readonly entry: Readonly<Record<string, unknown>>;
}

function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** The local id segment an entry gets. */
export function segmentOf(entry: Readonly<Record<string, unknown>>): string {
  return typeof entry.id === 'string' ? entry.id : typeof entry.name === 'string' ? slug(entry.name) : '';
}

/** The entry of the node with this full id, or undefined. */
export function locateNode(document: unknown, id: string): Located | undefined {
  const segs = id.split('/');
  let lists: readonly (readonly [string, NodeType])[] = [['sites', 'site']];
  let container: Record<string, unknown> | undefined = record(document);
  let path: PathSegment[] = [];
  let found: Located | undefined;
  for (const seg of segs) {
    found = undefined;
    for (const [key, type] of lists) {
      const items = container?.[key];
      if (!Array.isArray(items)) continue;
      const i = items.findIndex((e) => {
        const r = record(e);
        return r !== undefined && segmentOf(r) === seg;
      });
      if (i >= 0) {
        found = { path: [...path, key, i], type, entry: record(items[i])! };
        break;
      }
    }
    if (!found) return undefined;
    container = found.entry;
    path = [...found.path];
    lists = LISTS_OF[found.type];
  }
  return found;
}
