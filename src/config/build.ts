// Builds the normalised Tree from a schema-valid config document: gives every node its full id
// (parent id + "/" + slug), checks that ids are unique, parses each sensor's kind settings with the
// kind's own schema (defaults applied, host filled from the device) and checks channel overrides.

import type { ChannelOverride, CredentialRef, InheritableSettings, MaintenanceSchedule, MaintenanceWindow, SensorNode, Tree, TreeNode } from '../core/tree.ts';
import { maintenanceProblem } from '../core/maintenance.ts';
import type { AnySensorKind } from '../sensors/sensor.ts';
import type { ConfigDocument, DocDevice, DocGroup, DocInheritable, DocMaintenance, DocNode, DocSensor } from './document.ts';
import { slug } from './document.ts';
import type { PathSegment, Problem } from './issues.ts';
import { createErrorMap, issuesToProblems, suggest } from './issues.ts';
import { COMMON_SENSOR_KEYS, settingsShape } from './schema.ts';

export interface BuildResult {
  readonly tree: Tree;
  readonly problems: Problem[];
  readonly warnings: Problem[];
  /** Where each node is in the document (for semantic checks' positions). */
  readonly paths: ReadonlyMap<string, readonly PathSegment[]>;
}

export function toSettings(d: DocInheritable): InheritableSettings {
  return {
    ...(d.interval !== undefined ? { intervalS: d.interval } : {}),
    ...(d.timeout !== undefined ? { timeoutS: d.timeout } : {}),
    ...(d.retries !== undefined ? { retries: d.retries } : {}),
    ...(d.credentials !== undefined ? { credentials: d.credentials } : {}),
    ...(d.tags !== undefined ? { tags: [...d.tags] } : {}),
    ...(d.dependsOn !== undefined ? { dependsOn: d.dependsOn } : {}),
    ...(d.maintenance !== undefined ? { maintenance: [...d.maintenance] } : {}),
    ...(d.paused !== undefined ? { paused: d.paused } : {}),
  };
}

function toSchedule(m: DocMaintenance): MaintenanceSchedule {
  if (m.once) return { type: 'once', start: m.once.start, end: m.once.end };
  if (m.weekly) return { type: 'weekly', days: [...m.weekly.days], start: m.weekly.start, durationMin: Number(m.weekly.duration) / 60 };
  return { type: 'cron', cron: m.cron ?? '', durationMin: Number(m.duration) / 60 };
}

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let cur = root;
  for (const seg of path) cur = typeof cur === 'object' && cur !== null ? (cur as Record<PathSegment, unknown>)[seg] : undefined;
  return cur;
}

export function buildTree(cfg: ConfigDocument, raw: unknown, kinds: readonly AnySensorKind[]): BuildResult {
  const nodes = new Map<string, TreeNode>();
  const paths = new Map<string, readonly PathSegment[]>();
  const idPaths = new Map<string, readonly PathSegment[]>();
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  const roots: string[] = [];
  // What the loader needs per kind, worked out once rather than per sensor (configs hold tens of thousands).
  const kindOf = new Map(kinds.map((k) => [k.kind, kindInfo(k)]));

  /** Registers a node's id; returns the id, or undefined (with a problem) when it cannot have one. */
  const claimId = (n: DocNode, parentId: string | undefined, path: readonly PathSegment[]): string | undefined => {
    const seg = n.id ?? slug(n.name);
    const at = [...path, n.id !== undefined ? 'id' : 'name'];
    if (seg === '') {
      problems.push({ path: at, message: `the name ${JSON.stringify(n.name)} gives an empty id: add an id` });
      return undefined;
    }
    const id = parentId === undefined ? seg : `${parentId}/${seg}`;
    const first = idPaths.get(id);
    if (first) {
      problems.push({ path: at, message: `duplicate id "${id}"`, related: first });
      return undefined;
    }
    idPaths.set(id, at);
    paths.set(id, path);
    return id;
  };

  const base = (n: DocNode, id: string, parentId: string | undefined, children: string[]) => ({
    id,
    name: n.name,
    ...(parentId !== undefined ? { parentId } : {}),
    settings: toSettings(n),
    children,
    ...(n.description !== undefined ? { description: n.description } : {}),
  });

  const addSensor = (s: DocSensor, device: DocDevice, parentId: string, path: readonly PathSegment[]): string | undefined => {
    const id = claimId(s, parentId, path);
    const info = kindOf.get(s.kind);
    if (id === undefined || !info) return undefined;
    const { kind, channelKeys: known } = info;
    const kindSettings = parseKindSettings(info, valueAt(raw, path), device.host, path, problems);
    const channels: Record<string, ChannelOverride> = {};
    for (const [key, o] of Object.entries(s.channels ?? {})) {
      channels[key] = { ...(o.name !== undefined ? { name: o.name } : {}), ...(o.limits !== undefined ? { limits: o.limits } : {}) };
      if (known.includes(key)) continue;
      const hint = suggest(key, known);
      const detail = `${hint ? ` (did you mean "${hint}"?)` : ''}; ${kind.kind} has ${known.length ? known.join(', ') : 'no fixed channels'}`;
      if (kind.dynamicChannels === true) warnings.push({ path: [...path, 'channels', key], onKey: true, message: `channel "${key}" is not one of the default channels${detail} (kept: this kind discovers channels when it runs)` });
      else problems.push({ path: [...path, 'channels', key], onKey: true, message: `unknown channel "${key}"${detail}` });
    }
    const node: SensorNode = { type: 'sensor', ...base(s, id, parentId, []), kind: s.kind, kindSettings: kindSettings ?? {}, channels };
    nodes.set(id, node);
    return id;
  };

  const addDevice = (d: DocDevice, parentId: string, path: readonly PathSegment[]): string | undefined => {
    const id = claimId(d, parentId, path);
    if (id === undefined) return undefined;
    const children: string[] = [];
    nodes.set(id, { type: 'device', ...base(d, id, parentId, children), host: d.host });
    d.sensors?.forEach((s, i) => pushDefined(children, addSensor(s, d, id, [...path, 'sensors', i])));
    return id;
  };

  const addGroup = (g: DocGroup, parentId: string, path: readonly PathSegment[]): string | undefined => {
    const id = claimId(g, parentId, path);
    if (id === undefined) return undefined;
    const children: string[] = [];
    nodes.set(id, { type: 'group', ...base(g, id, parentId, children), system: g.system });
    g.groups?.forEach((c, i) => pushDefined(children, addGroup(c, id, [...path, 'groups', i])));
    g.devices?.forEach((c, i) => pushDefined(children, addDevice(c, id, [...path, 'devices', i])));
    return id;
  };

  cfg.sites.forEach((site, si) => {
    const sitePath = ['sites', si];
    const id = claimId(site, undefined, sitePath);
    if (id === undefined) return;
    roots.push(id);
    const children: string[] = [];
    nodes.set(id, { type: 'site', ...base(site, id, undefined, children), timezone: site.timezone });
    site.probes?.forEach((probe, pi) => {
      const probePath = [...sitePath, 'probes', pi];
      const pid = claimId(probe, id, probePath);
      if (pid === undefined) return;
      children.push(pid);
      const groups: string[] = [];
      nodes.set(pid, { type: 'probe', ...base(probe, pid, id, groups) });
      probe.groups?.forEach((g, gi) => pushDefined(groups, addGroup(g, pid, [...probePath, 'groups', gi])));
    });
  });

  const maintenance = new Map<string, MaintenanceWindow>();
  cfg.maintenance?.forEach((m, i) => {
    if (maintenance.has(m.name)) {
      problems.push({ path: ['maintenance', i, 'name'], message: `duplicate maintenance window "${m.name}"`, related: ['maintenance', cfg.maintenance!.findIndex((x) => x.name === m.name), 'name'] });
      return;
    }
    const w: MaintenanceWindow = { name: m.name, schedule: toSchedule(m), ...(m.timezone !== undefined ? { timezone: m.timezone } : {}), ...(m.description !== undefined ? { description: m.description } : {}) };
    // The schema checked the form; the maintenance engine has the last word on whether it can run it.
    const problem = maintenanceProblem(w);
    if (problem !== undefined) problems.push({ path: ['maintenance', i], message: problem });
    maintenance.set(m.name, w);
  });
  const credentials = new Map<string, CredentialRef>();
  cfg.credentials?.forEach((c, i) => {
    if (credentials.has(c.name)) {
      problems.push({ path: ['credentials', i, 'name'], message: `duplicate credential "${c.name}"`, related: ['credentials', cfg.credentials!.findIndex((x) => x.name === c.name), 'name'] });
      return;
    }
    credentials.set(c.name, { name: c.name, type: c.type });
  });

  const tree: Tree = { nodes, roots, maintenance, credentials, defaults: toSettings(cfg.defaults ?? {}) };
  return { tree, problems, warnings, paths };
}

function pushDefined(list: string[], id: string | undefined): void {
  if (id !== undefined) list.push(id);
}

interface KindInfo {
  readonly kind: AnySensorKind;
  readonly shape: ReturnType<typeof settingsShape>;
  readonly channelKeys: readonly string[];
}

function kindInfo(kind: AnySensorKind): KindInfo {
  return { kind, shape: settingsShape(kind.settings), channelKeys: kind.channels.map((c) => c.key) };
}

/**
 * Parses a sensor's kind settings with the kind's own schema, from the raw entry, so that the kind's
 * defaults, transforms and object-level rules apply exactly as the kind defines them.
 */
function parseKindSettings({ kind, shape }: KindInfo, rawEntry: unknown, deviceHost: string, path: readonly PathSegment[], problems: Problem[]): Record<string, unknown> | undefined {
  const entry = (typeof rawEntry === 'object' && rawEntry !== null ? rawEntry : {}) as Record<string, unknown>;
  const subset: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entry)) {
    // The schema guarantees kind settings never share a name with the common fields.
    if (shape ? key in shape : !COMMON_SENSOR_KEYS.has(key)) subset[key] = value;
  }
  if (kind.usesHost && subset.host === undefined && (!shape || 'host' in shape)) subset.host = deviceHost;
  const known = new WeakMap<object, readonly string[]>();
  const r = kind.settings.safeParse(subset, { error: createErrorMap(known), reportInput: true });
  if (r.success) return r.data as Record<string, unknown>;
  for (const p of issuesToProblems(r.error.issues, known)) problems.push({ ...p, path: [...path, ...p.path] });
  return undefined;
}
