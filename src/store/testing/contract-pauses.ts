// The PauseStore contract, run against SQLite and PostgreSQL alike: put replaces a node's pause,
// remove says whether there was one, list is soonest first and round-trips every field.

import { expect, it } from 'vitest';
import type { PauseStore } from '../pauses.ts';

const T0 = Date.UTC(2026, 5, 1, 8);

export function runPauseContract(open: () => Promise<PauseStore>): void {
  it('keeps one timed pause per node, soonest first, with its note', async () => {
    const s = await open();
    expect(await s.list()).toEqual([]);
    await s.put({ nodeId: 'site-a/p1/icu', until: T0 + 7_200_000, by: 'nurse', note: 'bed move "ward 3"' });
    await s.put({ nodeId: 'site-b/p1/lab/analyzer', until: T0 + 60_000, by: 'token:ops (admin)' });
    expect(await s.list()).toEqual([
      { nodeId: 'site-b/p1/lab/analyzer', until: T0 + 60_000, by: 'token:ops (admin)' },
      { nodeId: 'site-a/p1/icu', until: T0 + 7_200_000, by: 'nurse', note: 'bed move "ward 3"' },
    ]);
    // Pausing again for longer replaces the earlier pause rather than adding one.
    await s.put({ nodeId: 'site-b/p1/lab/analyzer', until: T0 + 9_000_000, by: 'admin' });
    expect((await s.list()).map((p) => [p.nodeId, p.until, p.by, p.note])).toEqual([
      ['site-a/p1/icu', T0 + 7_200_000, 'nurse', 'bed move "ward 3"'],
      ['site-b/p1/lab/analyzer', T0 + 9_000_000, 'admin', undefined],
    ]);
  });

  it('removes a pause and reports whether there was one', async () => {
    const s = await open();
    await s.put({ nodeId: 'a', until: T0, by: 'x' });
    expect(await s.remove('a')).toBe(true);
    expect(await s.remove('a')).toBe(false);
    expect(await s.remove('never')).toBe(false);
    expect(await s.list()).toEqual([]);
  });
}
