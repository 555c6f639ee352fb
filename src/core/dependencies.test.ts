import { describe, expect, it } from 'vitest';
import { dependencyPauses, dependencyRoot, describeCycle, findDependencyCycles, type DependencyView, type MasterCondition } from './dependencies.ts';

function view(deps: Record<string, string>, conds: Record<string, MasterCondition>): DependencyView {
  return { dependsOn: (id) => deps[id], condition: (id) => conds[id] };
}

describe('dependency pauses', () => {
  it('a Down master pauses its dependents', () => {
    const v = view({ ris: 'core-switch', pacs: 'core-switch' }, { 'core-switch': 'down', ris: 'other', pacs: 'down' });
    expect(dependencyPauses(['core-switch', 'ris', 'pacs'], v)).toEqual(new Map([['ris', 'core-switch'], ['pacs', 'core-switch']]));
  });
  it('an Up, Warning or Unknown master pauses nobody', () => {
    const v = view({ ris: 'core-switch' }, { 'core-switch': 'other', ris: 'down' });
    expect(dependencyPauses(['ris'], v).size).toBe(0);
  });
  it('a master paused by a user or maintenance pauses nobody', () => {
    const v = view({ ris: 'core-switch' }, { 'core-switch': 'paused', ris: 'other' });
    expect(dependencyRoot('ris', v)).toBeUndefined();
  });
  it('a master paused by dependency passes the pause on (transitive), naming the Down root', () => {
    // router (Down) ← switch ← ris ← ris-worklist
    const v = view({ switch: 'router', ris: 'switch', 'ris-worklist': 'ris' }, { router: 'down', switch: 'down', ris: 'other', 'ris-worklist': 'other' });
    expect(dependencyPauses(['ris-worklist', 'ris', 'switch', 'router'], v)).toEqual(
      new Map([
        ['ris-worklist', 'router'],
        ['ris', 'router'],
        ['switch', 'router'],
      ]),
    );
  });
  it('a chain broken by a user pause stops there', () => {
    const v = view({ switch: 'router', ris: 'switch' }, { router: 'down', switch: 'paused', ris: 'other' });
    // switch keeps its user pause (higher priority), and ris is not paused by a paused master.
    expect(dependencyPauses(['ris', 'switch'], v)).toEqual(new Map());
  });
  it('an unknown master pauses nobody', () => {
    const v = view({ ris: 'gone' }, { ris: 'other' });
    expect(dependencyRoot('ris', v)).toBeUndefined();
  });
  it('never loops on a cycle; a cycle member pauses nobody through the cycle', () => {
    const v = view({ a: 'b', b: 'c', c: 'a', x: 'a' }, { a: 'down', b: 'other', c: 'down', x: 'other' });
    const p = dependencyPauses(['a', 'b', 'c', 'x'], v);
    // The cycle's own edges are ignored (else a Down member could pause itself round the loop);
    // x, outside the cycle, depends on a, which is Down.
    expect(p).toEqual(new Map([['x', 'a']]));
    const self = view({ a: 'a' }, { a: 'down' });
    expect(dependencyRoot('a', self)).toBeUndefined();
  });
  it('shares work through the memo across calls', () => {
    let calls = 0;
    const deps: Record<string, string> = { s1: 'm', s2: 'm', s3: 'm' };
    const v: DependencyView = {
      dependsOn: (id) => {
        calls++;
        return deps[id];
      },
      condition: (id) => (id === 'm' ? 'down' : 'other'),
    };
    const memo = new Map<string, string | null>();
    for (const id of ['s1', 's2', 's3']) expect(dependencyRoot(id, v, memo)).toBe('m');
    // m is looked up once; each dependent three times (fast path, walk, resolve): no repeated chain walks.
    expect(calls).toBe(10);
  });
});

describe('findDependencyCycles', () => {
  it('finds none in a forest', () => {
    expect(findDependencyCycles(new Map([['a', 'b'], ['b', 'c'], ['d', 'c'], ['c', undefined]]))).toEqual([]);
  });
  it('lists each cycle once, from its smallest id', () => {
    const deps = new Map<string, string>([
      ['c', 'a'],
      ['a', 'b'],
      ['b', 'c'],
      ['x', 'a'],
      ['s', 's'],
      ['p', 'q'],
      ['q', 'p'],
    ]);
    expect(findDependencyCycles(deps)).toEqual([['a', 'b', 'c'], ['s'], ['p', 'q']]);
    expect(describeCycle(['a', 'b', 'c'])).toBe('dependency cycle: a → b → c → a');
  });
  it('handles long chains without recursion', () => {
    const deps = new Map<string, string>();
    for (let i = 0; i < 20_000; i++) deps.set(`s${i}`, `s${i + 1}`);
    expect(findDependencyCycles(deps)).toEqual([]);
    deps.set('s20000', 's0');
    expect(findDependencyCycles(deps)[0]).toHaveLength(20_001);
    const v: DependencyView = { dependsOn: (id) => deps.get(id), condition: () => 'other' };
    expect(dependencyRoot('s0', v)).toBeUndefined();
  });
});
