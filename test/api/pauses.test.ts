// Timed pauses through the API survive a restart: "pause for 2h" is stored (module 'pauses') and
// re-armed when the API starts again, resuming at the stored time, or at once when that time
// passed while Wardwatch was stopped. A restart is played by building a second API on the same
// services and store after closing the first (which drops its timers).

import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApi } from '../../src/api/server.ts';
import { openPauseStore } from '../../src/store/pauses.ts';
import { enc, startHarness, type Harness } from './harness.ts';

const DEVICE = 'site-a/p1/icu/monitor-1';
const HOUR = 3_600_000;

/** Lets the resume (a config edit and two store writes) finish; bounded, never a timed sleep. */
async function settle(done: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500 && !(await done()); i++) await new Promise<void>((r) => setImmediate(r));
}

describe('timed pauses', () => {
  let h: Harness | undefined;
  let second: FastifyInstance | undefined;
  afterEach(async () => {
    await second?.close();
    second = undefined;
    await h?.close();
    h = undefined;
  });

  const paused = () => h!.tree().nodes.get(DEVICE)?.settings.paused === true;
  const rows = async () => (await openPauseStore(h!.store)).list();

  it('stores the pause, resumes at its time and forgets it', async () => {
    h = await startHarness({ pauses: true });
    const r = await h.call('operator', 'POST', `/api/nodes/${enc(DEVICE)}/pause`, { duration: '2h', note: 'bed move' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ paused: true, until: h.clock.now() + 2 * HOUR });
    expect(await rows()).toEqual([{ nodeId: DEVICE, until: h.clock.now() + 2 * HOUR, by: expect.stringContaining('(operator)') as string, note: 'bed move' }]);
    await h.clock.advance(2 * HOUR - 1000);
    expect(paused()).toBe(true);
    await h.clock.advance(1000);
    await settle(async () => !paused() && (await rows()).length === 0);
    expect(paused()).toBe(false);
    expect(await rows()).toEqual([]);
  });

  it('re-arms a stored pause after a restart and resumes at the stored time', async () => {
    h = await startHarness({ pauses: true });
    await h.call('operator', 'POST', `/api/nodes/${enc(DEVICE)}/pause`, { duration: '2h' });
    await h.app.close();
    second = await buildApi(h.services);
    await h.clock.advance(HOUR);
    expect(paused()).toBe(true);
    await h.clock.advance(HOUR);
    await settle(async () => !paused() && (await rows()).length === 0);
    expect(paused()).toBe(false);
    expect(await rows()).toEqual([]);
  });

  it('resumes at once at start when the time passed while stopped', async () => {
    h = await startHarness({ pauses: true });
    await h.call('operator', 'POST', `/api/nodes/${enc(DEVICE)}/pause`, { duration: '30m' });
    await h.app.close();
    await h.clock.advance(HOUR);
    // The first API is closed: nothing resumed it.
    expect(paused()).toBe(true);
    second = await buildApi(h.services);
    expect(paused()).toBe(false);
    expect(await rows()).toEqual([]);
  });

  it('forgets the timed pause on a manual resume and on a pause without duration', async () => {
    h = await startHarness({ pauses: true });
    await h.call('operator', 'POST', `/api/nodes/${enc(DEVICE)}/pause`, { duration: '2h' });
    expect((await h.call('operator', 'POST', `/api/nodes/${enc(DEVICE)}/resume`)).statusCode).toBe(200);
    expect(await rows()).toEqual([]);
    await h.call('operator', 'POST', `/api/nodes/${enc(DEVICE)}/pause`, { duration: '2h' });
    await h.call('operator', 'POST', `/api/nodes/${enc(DEVICE)}/pause`, {});
    expect(await rows()).toEqual([]);
    await h.clock.advance(3 * HOUR);
    // Paused until resumed: the earlier timed pause does not end it.
    expect(paused()).toBe(true);
  });

  it('drops a stored pause whose node is gone at start', async () => {
    h = await startHarness({ pauses: true });
    const store = await openPauseStore(h.store);
    await store.put({ nodeId: 'site-a/gone', until: h.clock.now() - 1, by: 'someone' });
    await h.app.close();
    second = await buildApi(h.services);
    expect(await rows()).toEqual([]);
  });
});
