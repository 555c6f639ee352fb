import { describe, expect, it } from 'vitest';
import type { Tree } from '../core/tree.ts';
import { levelAt, type Principal } from './access.ts';

// site → radiology → pacs → pacs/echo, and site → lab
const parents: Record<string, string | undefined> = { site: undefined, 'site/radiology': 'site', 'site/radiology/pacs': 'site/radiology', 'site/radiology/pacs/echo': 'site/radiology/pacs', 'site/lab': 'site' };
const tree = { nodes: new Map(Object.entries(parents).map(([id, parentId]) => [id, parentId === undefined ? { id } : { id, parentId }])) } as unknown as Pick<Tree, 'nodes'>;
const user = (grants: Principal['grants'], admin = false): Principal => ({ kind: 'user', id: 'u', name: 'u', grants, admin, method: 'password' });

describe('levelAt', () => {
  it('takes the nearest grant of one role: a role can narrow itself below', () => {
    const p = user([
      { nodeId: '*', level: 'acknowledge', source: 'r1' },
      { nodeId: 'site/radiology', level: 'write', source: 'r1' },
      { nodeId: 'site/radiology/pacs', level: 'none', source: 'r1' },
    ]);
    expect(levelAt(p, tree, 'site/lab')).toBe('acknowledge');
    expect(levelAt(p, tree, 'site/radiology')).toBe('write');
    expect(levelAt(p, tree, 'site/radiology/pacs/echo')).toBe('none');
  });

  it('adds up several roles: a read-only role on a subtree never lowers an operator role', () => {
    const p = user([
      { nodeId: '*', level: 'acknowledge', source: 'operator@*' },
      { nodeId: 'site/radiology', level: 'read', source: 'read-only@site/radiology' },
    ]);
    expect(levelAt(p, tree, 'site/radiology/pacs')).toBe('acknowledge');
  });

  it('gives nothing outside a subtree grant, and full to an administrator', () => {
    expect(levelAt(user([{ nodeId: 'site/radiology', level: 'write', source: 'x' }]), tree, 'site/lab')).toBe('none');
    expect(levelAt(user([], true), tree, 'site/lab')).toBe('full');
  });
});
