// The contract every ClusterTables implementation passes (SQLite and PostgreSQL run the same suite).

import { describe, expect, it } from 'vitest';
import { UnknownProbeError, type ClusterTables } from '../registry.ts';

export function runClusterTablesContract(name: string, open: () => Promise<ClusterTables>): void {
  describe(`${name} cluster tables`, () => {
    it('adds a probe that says hello for the first time as pending, and keeps its first sighting', async () => {
      const t = await open();
      const a = await t.seen('SITE-B', 1000);
      expect(a).toEqual({ name: 'SITE-B', approval: 'pending', firstSeen: 1000, lastSeen: 1000 });
      const b = await t.seen('SITE-B', 5000);
      expect(b).toMatchObject({ approval: 'pending', firstSeen: 1000, lastSeen: 5000 });
      // A late hello never moves last-seen backwards.
      expect((await t.seen('SITE-B', 3000)).lastSeen).toBe(5000);
      expect((await t.list()).map((p) => p.name)).toEqual(['SITE-B']);
    });

    it('approves and rejects known probes only, recording who and when', async () => {
      const t = await open();
      await t.seen('SITE-C', 1000);
      expect(await t.decide('SITE-C', 'approved', 'alice', 2000)).toMatchObject({ approval: 'approved', decidedBy: 'alice', decidedAt: 2000 });
      expect((await t.get('SITE-C'))?.approval).toBe('approved');
      // A hello after approval keeps the approval.
      expect((await t.seen('SITE-C', 3000)).approval).toBe('approved');
      expect((await t.decide('SITE-C', 'rejected', 'bob', 4000)).approval).toBe('rejected');
      await expect(t.decide('NOPE', 'approved', 'alice', 1)).rejects.toThrow(UnknownProbeError);
      await expect(t.decide('NOPE', 'approved', 'alice', 1)).rejects.toThrow('probe "NOPE" is not known');
      expect(await t.remove('SITE-C')).toBe(true);
      expect(await t.get('SITE-C')).toBeUndefined();
      expect(await t.remove('SITE-C')).toBe(false);
    });

    it('remembers applied message ids until pruned', async () => {
      const t = await open();
      await t.markApplied(['p.e.1', 'p.e.2'], 1000);
      await t.markApplied(['p.e.2', 'p.e.3'], 2000);
      expect([...(await t.applied(['p.e.1', 'p.e.3', 'p.e.4']))].sort()).toEqual(['p.e.1', 'p.e.3']);
      expect(await t.applied([])).toEqual(new Set());
      expect(await t.prune(1500)).toBe(2);
      expect([...(await t.applied(['p.e.1', 'p.e.3']))]).toEqual(['p.e.3']);
    });
  });
}
