import { describe, expect, it } from 'vitest';
import { ManualClock } from '../shared/clock.ts';
import { MasterStatuses } from './master-statuses.ts';

const MIN = 60_000;

function setup(maxAgeMs = 5 * MIN) {
  const clock = new ManualClock();
  const changed: string[] = [];
  const masters = new MasterStatuses({ clock, maxAgeMs, onChanged: (id) => changed.push(id) });
  return { clock, changed, masters };
}

describe('MasterStatuses (a probe\'s copies of masters run elsewhere)', () => {
  it('reports news once, not repeats', () => {
    const { masters, changed } = setup();
    masters.receive([{ id: 'gw', state: 'down' }]);
    masters.receive([{ id: 'gw', state: 'down' }]);
    expect(changed).toEqual(['gw']);
    expect(masters.statusOf('gw')).toEqual({ state: 'down' });
    masters.receive([{ id: 'gw', state: 'paused', pauseReason: 'dependency', pausedBy: 'wan' }]);
    expect(changed).toEqual(['gw', 'gw']);
    expect(masters.statusOf('gw')).toEqual({ state: 'paused', pauseReason: 'dependency', pausedBy: 'wan' });
    expect(masters.statusOf('other')).toBeUndefined();
  });

  it('treats a status older than the limit as unknown and says so exactly then; a refresh keeps it', async () => {
    const { masters, changed, clock } = setup();
    masters.receive([{ id: 'gw', state: 'down' }, { id: 'sw', state: 'up' }]);
    changed.length = 0;
    await clock.advance(3 * MIN);
    masters.receive([{ id: 'sw', state: 'up' }]);
    await clock.advance(2 * MIN - 1);
    expect(masters.statusOf('gw')).toEqual({ state: 'down' });
    expect(changed).toEqual([]);
    await clock.advance(1);
    expect(masters.statusOf('gw')).toBeUndefined();
    expect(changed).toEqual(['gw']);
    expect(masters.statusOf('sw')).toEqual({ state: 'up' });
    await clock.advance(3 * MIN);
    expect(changed).toEqual(['gw', 'sw']);
    // Heard of again after aging out: news, even if the same status.
    masters.receive([{ id: 'gw', state: 'down' }]);
    expect(changed).toEqual(['gw', 'sw', 'gw']);
    expect(masters.statusOf('gw')).toEqual({ state: 'down' });
  });

  it('stops its timer and takes nothing after stop', async () => {
    const { masters, changed, clock } = setup();
    masters.receive([{ id: 'gw', state: 'down' }]);
    expect(clock.pendingTimers).toBe(1);
    masters.stop();
    expect(clock.pendingTimers).toBe(0);
    masters.receive([{ id: 'sw', state: 'down' }]);
    await clock.advance(10 * MIN);
    expect(changed).toEqual(['gw']);
  });
});
