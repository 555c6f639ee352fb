// Checks that need the whole tree: references by name (credentials, maintenance windows) and by id
// (dependsOn must name a sensor), and dependency cycles, which would leave sensors paused for ever.

import type { InheritableSettings, Tree } from '../core/tree.ts';
import { describeCycle, findDependencyCycles } from '../core/dependencies.ts';
import { pathOf, resolveSettings, sensorsOf } from '../core/tree.ts';
import type { PathSegment, Problem } from './issues.ts';
import { suggest } from './issues.ts';

function hint(word: string, candidates: readonly string[]): string {
  const s = suggest(word, candidates);
  return s ? ` (did you mean "${s}"?)` : '';
}

/** A likely typo gets a suggestion; otherwise the names that exist. */
function hintOrList(word: string, names: Iterable<string>): string {
  const list = [...names];
  return hint(word, list) || (list.length ? ` (defined: ${list.join(', ')})` : ' (none are defined)');
}

export function checkReferences(tree: Tree, paths: ReadonlyMap<string, readonly PathSegment[]>): Problem[] {
  const problems: Problem[] = [];
  const sensorIds = sensorsOf(tree).map((s) => s.id);
  const levels: [readonly PathSegment[], InheritableSettings, string | undefined][] = [[['defaults'], tree.defaults, undefined]];
  for (const [id, node] of tree.nodes) levels.push([paths.get(id) ?? [], node.settings, node.type === 'sensor' ? id : undefined]);

  for (const [path, s, sensorId] of levels) {
    if (s.credentials !== undefined && !tree.credentials.has(s.credentials)) {
      problems.push({ path: [...path, 'credentials'], message: `unknown credential "${s.credentials}"${hintOrList(s.credentials, tree.credentials.keys())}` });
    }
    s.maintenance?.forEach((name, i) => {
      if (!tree.maintenance.has(name)) problems.push({ path: [...path, 'maintenance', i], message: `unknown maintenance window "${name}"${hintOrList(name, tree.maintenance.keys())}` });
    });
    if (s.dependsOn !== undefined) {
      const target = tree.nodes.get(s.dependsOn);
      if (!target) problems.push({ path: [...path, 'dependsOn'], message: `unknown sensor "${s.dependsOn}"${hint(s.dependsOn, sensorIds)}` });
      else if (target.type !== 'sensor') problems.push({ path: [...path, 'dependsOn'], message: `"${s.dependsOn}" is a ${target.type}, not a sensor: dependsOn names a sensor` });
      else if (s.dependsOn === sensorId) problems.push({ path: [...path, 'dependsOn'], message: 'a sensor cannot depend on itself' });
    }
  }
  problems.push(...checkCycles(tree, paths));
  return problems;
}

function checkCycles(tree: Tree, paths: ReadonlyMap<string, readonly PathSegment[]>): Problem[] {
  const masterOf = new Map<string, string>();
  const sensors = sensorsOf(tree);
  for (const s of sensors) {
    const master = resolveSettings(tree, s.id).dependsOn;
    if (master !== undefined && tree.nodes.get(master)?.type === 'sensor') masterOf.set(s.id, master);
  }
  return findDependencyCycles(masterOf).map((cycle) => {
    const first = cycle[0]!;
    // Point at the level that gives the first sensor its master (the sensor itself or an ancestor).
    const source = pathOf(tree, first).reverse().find((n) => n.settings.dependsOn !== undefined);
    const at = source ? (paths.get(source.id) ?? []) : ['defaults'];
    return { path: [...at, 'dependsOn'], message: describeCycle(cycle) };
  });
}
