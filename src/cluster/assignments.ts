// What each remote probe runs, by the tree: its probe node, the sensors and devices below it, the
// probe-health sensors the core writes for it, and the configuration it is sent. Cached per tree
// object: the ingest asks for every readings row whether a sensor is the sending probe's.

import { createHash } from 'node:crypto';
import type { Tree } from '../core/tree.ts';
import { planSensor } from '../engine/entries.ts';
import { sensorKind } from '../sensors/registry.ts';
import type { Credential } from '../sensors/sensor.ts';
import { encodeConfig, type EncodedConfig } from './config-transfer.ts';
import type { HealthSensor } from './health-readings.ts';
import type { HelloAnswer } from './protocol.ts';
import { CORE_WRITTEN_KIND, findProbeNode, probeSubtree, subtreeIds, treeToJson, type ProbeConfig } from './tree-wire.ts';

export interface Assignment {
  readonly nodeId?: string;
  /** Why the probe has no node (no or several probe nodes of its name). */
  readonly problem?: string;
  readonly sensors: ReadonlySet<string>;
  readonly devices: ReadonlySet<string>;
  /** Sensors of kind probe-health below the probe: written by the core from heartbeats, not run by the probe. */
  readonly healthSensors: ReadonlySet<string>;
  readonly health: readonly HealthSensor[];
}

export interface ProbeConfigEntry {
  readonly answer: HelloAnswer;
  readonly config: EncodedConfig;
}

export class Assignments {
  readonly #tree: () => Tree;
  readonly #credentialOf: ((name: string) => Credential | undefined) | undefined;
  #of: { tree?: Tree; map: Map<string, Assignment> } = { map: new Map() };
  #configs: { tree?: Tree; map: Map<string, ProbeConfigEntry> } = { map: new Map() };

  constructor(tree: () => Tree, credentialOf?: (name: string) => Credential | undefined) {
    this.#tree = tree;
    this.#credentialOf = credentialOf;
  }

  of(probe: string): Assignment {
    const tree = this.#tree();
    if (this.#of.tree !== tree) this.#of = { tree, map: new Map() };
    const hit = this.#of.map.get(probe);
    if (hit) return hit;
    const found = findProbeNode(tree, probe);
    const sensors = new Set<string>();
    const healthSensors = new Set<string>();
    const health: HealthSensor[] = [];
    const devices = new Set<string>();
    if (found.node) {
      for (const id of subtreeIds(tree, found.node.id)) {
        const n = tree.nodes.get(id);
        if (n?.type === 'device') devices.add(id);
        if (n?.type !== 'sensor') continue;
        sensors.add(id);
        if (n.kind === CORE_WRITTEN_KIND) {
          healthSensors.add(id);
          const plan = planSensor(tree, n, sensorKind);
          health.push({ id, specs: plan.specs, intervalMs: plan.settings.intervalS * 1000, retries: plan.settings.retries, paused: plan.settings.paused });
        }
      }
    }
    const a: Assignment = { ...(found.node ? { nodeId: found.node.id } : {}), ...(found.error !== undefined ? { problem: found.error } : {}), sensors, devices, healthSensors, health };
    this.#of.map.set(probe, a);
    return a;
  }

  /** The encoded configuration an approved probe is sent (its subtree and the credentials it names). */
  configFor(probe: string): ProbeConfigEntry {
    const tree = this.#tree();
    if (this.#configs.tree !== tree) this.#configs = { tree, map: new Map() };
    const hit = this.#configs.map.get(probe);
    if (hit) return hit;
    const a = this.of(probe);
    let cfg: ProbeConfig;
    let problem: string | undefined;
    if (a.nodeId === undefined) {
      cfg = { fingerprint: 'empty', tree: { nodes: [], roots: [], maintenance: [], credentials: [], defaults: {} }, credentials: [] };
      problem = a.problem ?? `no probe node named "${probe}" in the configuration: the probe runs no sensors`;
    } else {
      const sub = probeSubtree(tree, a.nodeId);
      const credentials = [...sub.credentials.keys()].map((n) => this.#credentialOf?.(n)).filter((c): c is Credential => c !== undefined);
      const json = treeToJson(sub);
      const fingerprint = createHash('sha256').update(JSON.stringify({ json, credentials })).digest('hex').slice(0, 32);
      cfg = { probeNodeId: a.nodeId, fingerprint, tree: json, credentials };
    }
    const config = encodeConfig(cfg);
    const entry: ProbeConfigEntry = { answer: { approval: 'approved', config: config.manifest, ...(problem !== undefined ? { problem } : {}) }, config };
    this.#configs.map.set(probe, entry);
    return entry;
  }
}
