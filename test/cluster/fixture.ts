// Shared pieces of the cluster tests: a tree with remote probes of synthetic sensors, and a bounded
// wait on a condition (the link is real I/O: tests wait for what they need, never for a fixed time).

import { stringify } from 'yaml';
import { formatConfigError, parseConfig } from '../../src/config/load.ts';
import type { Tree } from '../../src/core/tree.ts';

export interface ProbeSpec {
  readonly name: string;
  readonly sensors: number;
  readonly intervalS?: number;
  readonly health?: boolean;
}

/** One site per probe; every sensor is a synthetic one on its own device. */
export function clusterTree(probes: readonly ProbeSpec[]): Tree {
  const doc = {
    sites: probes.map((p) => ({
      name: `Site ${p.name}`,
      timezone: 'UTC',
      probes: [
        {
          name: p.name,
          interval: `${p.intervalS ?? 1}s`,
          groups: [
            {
              name: 'Devices',
              system: 'other',
              devices: [
                ...Array.from({ length: p.sensors }, (_, i) => ({ name: `dev${i}`, host: '127.0.0.1', sensors: [{ name: 'value', kind: 'synthetic', base: i }] })),
                ...(p.health ? [{ name: 'probe', host: '127.0.0.1', sensors: [{ name: 'health', kind: 'probe-health' }] }] : []),
              ],
            },
          ],
        },
      ],
    })),
  };
  const parsed = parseConfig(stringify(doc), 'cluster-test.yaml');
  if (!parsed.ok) throw new Error(parsed.errors.map(formatConfigError).join('\n'));
  return parsed.tree;
}

export function sensorIds(tree: Tree, kind = 'synthetic'): string[] {
  return [...tree.nodes.values()].filter((n) => n.type === 'sensor' && n.kind === kind).map((n) => n.id);
}

/** Polls until `cond` holds; fails naming what it waited for after `ms` (a bound, not a timing). */
export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function collectLog(): { lines: string[]; log: (l: string) => void } {
  const lines: string[] = [];
  return { lines, log: (l) => lines.push(l) };
}
