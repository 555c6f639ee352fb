// The monitored tree (site → probe → group → device → sensor) in normalised form, and how settings
// inherit downwards. The config loader and the API build a Tree; the engine and the store read it.

import type { ChannelSpec, ClinicalSystem, Limits, NodeType } from './model.ts';

/** Settings every level may set; a level that leaves one out inherits it from above. */
export interface InheritableSettings {
  readonly intervalS?: number;
  readonly timeoutS?: number;
  /** Failed runs re-checked at once before the sensor goes Down (PRTG's confirm-before-down). */
  readonly retries?: number;
  /** Name of a credential set; the secret itself lives in the credential store, never copied. */
  readonly credentials?: string;
  /** Tags accumulate downwards: a sensor carries its own and every ancestor's. */
  readonly tags?: readonly string[];
  /** Sensor id whose Down state pauses this subtree (Paused by dependency). */
  readonly dependsOn?: string;
  /** Maintenance window names; they accumulate downwards. */
  readonly maintenance?: readonly string[];
  /** Paused by a user. */
  readonly paused?: boolean;
}

export const DEFAULT_SETTINGS = {
  intervalS: 60,
  timeoutS: 10,
  retries: 1,
} as const;

export interface EffectiveSettings {
  readonly intervalS: number;
  readonly timeoutS: number;
  readonly retries: number;
  readonly credentials?: string;
  readonly tags: readonly string[];
  readonly dependsOn?: string;
  readonly maintenance: readonly string[];
  readonly paused: boolean;
  /** Time zone of the site, for maintenance windows and schedules. */
  readonly timezone: string;
}

interface NodeBase {
  readonly id: string;
  readonly name: string;
  readonly parentId?: string;
  readonly settings: InheritableSettings;
  readonly children: readonly string[];
  readonly description?: string;
}

export interface SiteNode extends NodeBase {
  readonly type: 'site';
  readonly timezone: string;
}
export interface ProbeNode extends NodeBase {
  readonly type: 'probe';
}
export interface GroupNode extends NodeBase {
  readonly type: 'group';
  readonly system: ClinicalSystem;
}
export interface DeviceNode extends NodeBase {
  readonly type: 'device';
  readonly host: string;
}
/** Per-channel overrides of a sensor: limits and display name. */
export interface ChannelOverride {
  readonly name?: string;
  readonly limits?: Limits;
}
export interface SensorNode extends NodeBase {
  readonly type: 'sensor';
  readonly kind: string;
  /** Kind-specific settings as validated by the kind's schema (host filled from the device). */
  readonly kindSettings: Readonly<Record<string, unknown>>;
  readonly channels: Readonly<Record<string, ChannelOverride>>;
}

export type TreeNode = SiteNode | ProbeNode | GroupNode | DeviceNode | SensorNode;

export interface MaintenanceWindow {
  readonly name: string;
  readonly schedule: MaintenanceSchedule;
  /** Overrides the site's time zone. */
  readonly timezone?: string;
  readonly description?: string;
}

export type MaintenanceSchedule =
  | { readonly type: 'once'; readonly start: string; readonly end: string }
  | { readonly type: 'weekly'; readonly days: readonly Weekday[]; readonly start: string; readonly durationMin: number }
  | { readonly type: 'cron'; readonly cron: string; readonly durationMin: number };

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface CredentialRef {
  readonly name: string;
  readonly type: string;
}

export interface Tree {
  readonly nodes: ReadonlyMap<string, TreeNode>;
  readonly roots: readonly string[];
  readonly maintenance: ReadonlyMap<string, MaintenanceWindow>;
  readonly credentials: ReadonlyMap<string, CredentialRef>;
  readonly defaults: InheritableSettings;
}

export function emptyTree(): Tree {
  return { nodes: new Map(), roots: [], maintenance: new Map(), credentials: new Map(), defaults: {} };
}

/** Ancestors from the root down to the node itself. */
export function pathOf(tree: Tree, id: string): TreeNode[] {
  const chain: TreeNode[] = [];
  let cur = tree.nodes.get(id);
  while (cur) {
    chain.push(cur);
    cur = cur.parentId === undefined ? undefined : tree.nodes.get(cur.parentId);
  }
  return chain.reverse();
}

export function ancestorOfType<T extends NodeType>(tree: Tree, id: string, type: T): Extract<TreeNode, { type: T }> | undefined {
  return pathOf(tree, id).find((n): n is Extract<TreeNode, { type: T }> => n.type === type);
}

/** Nearest group's clinical system (groups nest; the innermost wins). */
export function clinicalSystemOf(tree: Tree, id: string): ClinicalSystem | undefined {
  const groups = pathOf(tree, id).filter((n): n is GroupNode => n.type === 'group');
  return groups.at(-1)?.system;
}

export function resolveSettings(tree: Tree, id: string): EffectiveSettings {
  const chain = pathOf(tree, id);
  const layers = [tree.defaults, ...chain.map((n) => n.settings)];
  let intervalS: number = DEFAULT_SETTINGS.intervalS;
  let timeoutS: number = DEFAULT_SETTINGS.timeoutS;
  let retries: number = DEFAULT_SETTINGS.retries;
  let credentials: string | undefined;
  let dependsOn: string | undefined;
  let paused = false;
  const tags = new Set<string>();
  const maintenance = new Set<string>();
  for (const s of layers) {
    if (s.intervalS !== undefined) intervalS = s.intervalS;
    if (s.timeoutS !== undefined) timeoutS = s.timeoutS;
    if (s.retries !== undefined) retries = s.retries;
    if (s.credentials !== undefined) credentials = s.credentials;
    if (s.dependsOn !== undefined) dependsOn = s.dependsOn;
    // A pause anywhere above pauses the subtree; a lower level cannot un-pause it.
    if (s.paused === true) paused = true;
    for (const t of s.tags ?? []) tags.add(t);
    for (const m of s.maintenance ?? []) maintenance.add(m);
  }
  // A sensor never depends on itself (a master listed on its own group would otherwise pause itself).
  if (dependsOn === id) dependsOn = undefined;
  const site = chain.find((n): n is SiteNode => n.type === 'site');
  return {
    intervalS,
    timeoutS: Math.min(timeoutS, intervalS),
    retries,
    ...(credentials !== undefined ? { credentials } : {}),
    ...(dependsOn !== undefined ? { dependsOn } : {}),
    tags: [...tags],
    maintenance: [...maintenance],
    paused,
    timezone: site?.timezone ?? 'UTC',
  };
}

export function sensorsOf(tree: Tree): SensorNode[] {
  const out: SensorNode[] = [];
  for (const n of tree.nodes.values()) if (n.type === 'sensor') out.push(n);
  return out;
}

/** Channel specs of a sensor: the kind's defaults with the sensor's overrides applied. */
export function effectiveChannels(defaults: readonly ChannelSpec[], overrides: Readonly<Record<string, ChannelOverride>>): ChannelSpec[] {
  return defaults.map((c) => {
    const o = overrides[c.key];
    if (!o) return c;
    return { ...c, ...(o.name !== undefined ? { name: o.name } : {}), ...(o.limits !== undefined ? { limits: o.limits } : {}) };
  });
}
