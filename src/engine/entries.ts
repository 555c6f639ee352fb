// What the engine keeps per sensor, and how a tree's sensor node becomes that: its kind, effective
// settings (with the kind's default interval when the tree sets none) and channel specs.

import type { ChannelSpec } from '../core/model.ts';
import { DEFAULT_SETTINGS, effectiveChannels, pathOf, resolveSettings, type EffectiveSettings, type SensorNode, type Tree } from '../core/tree.ts';
import type { AnySensorKind } from '../sensors/sensor.ts';
import type { CheckHandle } from './handle.ts';

export interface SensorEntry {
  readonly id: string;
  node: SensorNode;
  readonly kind: AnySensorKind | undefined;
  settings: EffectiveSettings;
  specs: readonly ChannelSpec[];
  /** Per-sensor memory shared by the check and the listener; reset when the kind settings change. */
  memory: Map<string, unknown>;
  /** kind + kind settings, to tell whether the check itself changed. */
  fingerprint: string;
  /** Queued or running: a due run is skipped rather than overlap. */
  busy: boolean;
  /** The in-flight check's controller (aborted on removal and stop). */
  controller: CheckHandle | undefined;
}

export interface SensorPlan {
  readonly kind: AnySensorKind | undefined;
  readonly settings: EffectiveSettings;
  readonly specs: readonly ChannelSpec[];
  readonly fingerprint: string;
}

/** Effective settings of a sensor; a kind's defaultIntervalS applies when no level of the tree sets an interval. */
export function settingsFor(tree: Tree, id: string, kind: AnySensorKind | undefined): EffectiveSettings {
  const resolved = resolveSettings(tree, id);
  if (kind?.defaultIntervalS === undefined) return resolved;
  const layers = [tree.defaults, ...pathOf(tree, id).map((n) => n.settings)];
  if (layers.some((s) => s.intervalS !== undefined)) return resolved;
  let timeoutS: number = DEFAULT_SETTINGS.timeoutS;
  for (const s of layers) if (s.timeoutS !== undefined) timeoutS = s.timeoutS;
  const intervalS = kind.defaultIntervalS;
  return { ...resolved, intervalS, timeoutS: Math.min(timeoutS, intervalS) };
}

export function planSensor(tree: Tree, node: SensorNode, kindOf: (kind: string) => AnySensorKind | undefined): SensorPlan {
  const kind = kindOf(node.kind);
  return {
    kind,
    settings: settingsFor(tree, node.id, kind),
    // Sensors without overrides share their kind's list (100,000 copies add up).
    specs: Object.keys(node.channels).length === 0 ? (kind?.channels ?? []) : effectiveChannels(kind?.channels ?? [], node.channels),
    fingerprint: `${node.kind}\u0000${JSON.stringify(node.kindSettings)}`,
  };
}

export function newEntry(node: SensorNode, plan: SensorPlan): SensorEntry {
  return {
    id: node.id,
    node,
    kind: plan.kind,
    settings: plan.settings,
    specs: plan.specs,
    memory: new Map(),
    fingerprint: plan.fingerprint,
    busy: false,
    controller: undefined,
  };
}
