// Exports a Tree back to the YAML document shape ("export the running config as YAML"): the output
// loads into the same Tree. It stays close to what a person would write: ids only where they differ
// from the name's slug, durations as "30s"/"2h", kind settings only where they differ from the default.

import { isDeepStrictEqual } from 'node:util';
import type { InheritableSettings, MaintenanceWindow, Tree, TreeNode } from '../core/tree.ts';
import { SENSOR_KINDS } from '../sensors/registry.ts';
import type { AnySensorKind } from '../sensors/sensor.ts';
import { formatDuration, slug } from './document.ts';
import { settingsShape } from './schema.ts';

type Doc = Record<string, unknown>;

function settingsDoc(s: InheritableSettings): Doc {
  return {
    ...(s.intervalS !== undefined ? { interval: formatDuration(s.intervalS) } : {}),
    ...(s.timeoutS !== undefined ? { timeout: formatDuration(s.timeoutS) } : {}),
    ...(s.retries !== undefined ? { retries: s.retries } : {}),
    ...(s.credentials !== undefined ? { credentials: s.credentials } : {}),
    ...(s.tags !== undefined ? { tags: [...s.tags] } : {}),
    ...(s.dependsOn !== undefined ? { dependsOn: s.dependsOn } : {}),
    ...(s.maintenance !== undefined ? { maintenance: [...s.maintenance] } : {}),
    ...(s.paused !== undefined ? { paused: s.paused } : {}),
  };
}

function head(n: TreeNode): Doc {
  const local = n.id.slice(n.id.lastIndexOf('/') + 1);
  return { name: n.name, ...(local !== slug(n.name) ? { id: local } : {}), ...(n.description !== undefined ? { description: n.description } : {}) };
}

function maintenanceDoc(m: MaintenanceWindow): Doc {
  const s = m.schedule;
  const form =
    s.type === 'once'
      ? { once: { start: s.start, end: s.end } }
      : s.type === 'weekly'
        ? { weekly: { days: [...s.days], start: s.start, duration: formatDuration(s.durationMin * 60) } }
        : { cron: s.cron, duration: formatDuration(s.durationMin * 60) };
  return { name: m.name, ...(m.description !== undefined ? { description: m.description } : {}), ...form, ...(m.timezone !== undefined ? { timezone: m.timezone } : {}) };
}

/** Kind settings without the values the kind would fill in anyway (its defaults, the device's host). */
function kindSettingsDoc(kind: AnySensorKind | undefined, settings: Readonly<Record<string, unknown>>, deviceHost: string | undefined): Doc {
  const shape = kind ? settingsShape(kind.settings) : undefined;
  const out: Doc = {};
  for (const [key, value] of Object.entries(settings)) {
    if (key === 'host' && kind?.usesHost && value === deviceHost) continue;
    const field = shape?.[key];
    const dflt = field?.safeParse(undefined);
    if (dflt?.success && dflt.data !== undefined && isDeepStrictEqual(dflt.data, value)) continue;
    out[key] = value;
  }
  return out;
}

export function treeToDocument(tree: Tree, kinds: readonly AnySensorKind[] = SENSOR_KINDS): Doc {
  const kindOf = new Map(kinds.map((k) => [k.kind, k]));
  const childrenOf = (n: TreeNode, type: TreeNode['type']) =>
    n.children.map((id) => tree.nodes.get(id)).filter((c): c is TreeNode => c !== undefined && c.type === type);
  const list = (key: string, items: Doc[]): Doc => (items.length > 0 ? { [key]: items } : {});

  const nodeDoc = (n: TreeNode): Doc => {
    switch (n.type) {
      case 'site':
        return { ...head(n), timezone: n.timezone, ...settingsDoc(n.settings), ...list('probes', childrenOf(n, 'probe').map(nodeDoc)) };
      case 'probe':
        return { ...head(n), ...settingsDoc(n.settings), ...list('groups', childrenOf(n, 'group').map(nodeDoc)) };
      case 'group':
        return { ...head(n), system: n.system, ...settingsDoc(n.settings), ...list('groups', childrenOf(n, 'group').map(nodeDoc)), ...list('devices', childrenOf(n, 'device').map(nodeDoc)) };
      case 'device':
        return { ...head(n), host: n.host, ...settingsDoc(n.settings), ...list('sensors', childrenOf(n, 'sensor').map(nodeDoc)) };
      case 'sensor': {
        const parent = n.parentId === undefined ? undefined : tree.nodes.get(n.parentId);
        const host = parent?.type === 'device' ? parent.host : undefined;
        const channels = Object.keys(n.channels).length > 0 ? { channels: structuredClone(n.channels) } : {};
        return { ...head(n), kind: n.kind, ...kindSettingsDoc(kindOf.get(n.kind), n.kindSettings, host), ...settingsDoc(n.settings), ...channels };
      }
    }
  };

  const defaults = settingsDoc(tree.defaults);
  return {
    ...(Object.keys(defaults).length > 0 ? { defaults } : {}),
    ...list('credentials', [...tree.credentials.values()].map((c) => ({ name: c.name, type: c.type }))),
    ...list('maintenance', [...tree.maintenance.values()].map(maintenanceDoc)),
    sites: tree.roots.map((id) => tree.nodes.get(id)).filter((n): n is TreeNode => n !== undefined).map(nodeDoc),
  };
}
