// The read API: overview, tree (paged, with counts), full tree, search, one sensor, history (JSON,
// CSV), events; bad input answered as problem details naming the field.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enc, startHarness, type Harness } from './harness.ts';

interface Counts {
  up: number;
  down: number;
  unknown: number;
  total: number;
  acknowledged: number;
}

describe('read API', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    h.fake.script('site-a/p1/icu/monitor-1/ping', 'throw');
    h.fake.script('site-a/p1/icu/monitor-1/temp', 20);
    h.fake.script('site-a/p1/pacs/archive/echo', 5);
    h.fake.script('site-b/p1/lab/analyzer/hl7', 7);
    await h.clock.advance(61_000);
    await h.engine.flush();
  });
  afterAll(async () => h?.close());

  it('overview: counts per clinical system and per site, Down now with since', async () => {
    const res = await h.call('administrator', 'GET', '/api/overview');
    expect(res.statusCode).toBe(200);
    const body = res.json<{ totals: Counts; bySystem: { system: string; counts: Counts }[]; bySite: { id: string; counts: Counts }[]; down: { items: { id: string; since: number; path: string[] }[]; total: number } }>();
    expect(body.totals).toMatchObject({ up: 3, down: 1, total: 4 });
    expect(body.bySystem.map((s) => [s.system, s.counts.total])).toEqual([
      ['LIMS', 1],
      ['PACS', 1],
      ['modality', 2],
    ]);
    expect(body.bySite.map((s) => [s.id, s.counts.down])).toEqual([
      ['site-a', 1],
      ['site-b', 0],
    ]);
    expect(body.down.total).toBe(1);
    expect(body.down.items[0]).toMatchObject({ id: 'site-a/p1/icu/monitor-1/ping', path: ['Site A', 'P1', 'ICU', 'Monitor 1', 'Ping'] });
    expect(body.down.items[0]!.since).toBeGreaterThan(0);
  });

  it('overview lists unacknowledged Down sensors first', async () => {
    h.fake.script('site-b/p1/lab/analyzer/hl7', 'throw');
    await h.clock.advance(60_000);
    const ack = await h.call('operator', 'POST', `/api/sensors/${enc('site-a/p1/icu/monitor-1/ping')}/acknowledge`, { note: 'on it' });
    expect(ack.statusCode).toBe(200);
    const body = (await h.call('administrator', 'GET', '/api/overview')).json<{ down: { items: { id: string; acknowledged: unknown }[] } }>();
    expect(body.down.items.map((d) => d.id)).toEqual(['site-b/p1/lab/analyzer/hl7', 'site-a/p1/icu/monitor-1/ping']);
    expect(body.down.items[1]!.acknowledged).toMatchObject({ by: expect.stringContaining('(operator)') as unknown, note: 'on it' });
    h.fake.script('site-b/p1/lab/analyzer/hl7', 7);
    await h.clock.advance(120_000);
    expect(h.engine.status('site-b/p1/lab/analyzer/hl7')?.state).toBe('up');
  });

  it('tree: sites, then the children of a node, paged, with subtree counts', async () => {
    const roots = (await h.call('read-only', 'GET', '/api/tree')).json<{ items: { id: string; counts: Counts; childCount: number }[]; total: number }>();
    expect(roots.total).toBe(2);
    expect(roots.items[0]).toMatchObject({ id: 'site-a', childCount: 1, counts: { total: 3, down: 1 } });
    const page1 = (await h.call('read-only', 'GET', `/api/tree?parent=${enc('site-a/p1/icu/monitor-1')}&limit=1`)).json<{ parent: { id: string }; items: { id: string; state: string }[]; total: number }>();
    expect(page1.parent.id).toBe('site-a/p1/icu/monitor-1');
    expect(page1.total).toBe(2);
    expect(page1.items).toEqual([expect.objectContaining({ id: 'site-a/p1/icu/monitor-1/ping', state: 'down' })]);
    const page2 = (await h.call('read-only', 'GET', `/api/tree?parent=${enc('site-a/p1/icu/monitor-1')}&limit=1&offset=1`)).json<{ items: { id: string; state: string }[] }>();
    expect(page2.items).toEqual([expect.objectContaining({ id: 'site-a/p1/icu/monitor-1/temp', state: 'up' })]);
  });

  it('tree: bad paging and unknown parents are problems naming the field', async () => {
    const bad = await h.call('read-only', 'GET', '/api/tree?limit=0&offset=-1');
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.json<{ errors: { path: string }[] }>().errors.map((e) => e.path)).toEqual(['query.limit', 'query.offset']);
    const unknownKey = await h.call('read-only', 'GET', '/api/tree?parnet=x');
    expect(unknownKey.json<{ detail: string }>().detail).toContain('parnet');
    const missing = await h.call('read-only', 'GET', '/api/tree?parent=nope');
    expect(missing.statusCode).toBe(404);
  });

  it('full tree: nested with counts', async () => {
    const body = (await h.call('read-only', 'GET', '/api/tree/full')).json<{ roots: { id: string; children: unknown[]; counts: Counts }[] }>();
    expect(body.roots.map((r) => r.id)).toEqual(['site-a', 'site-b']);
    expect(body.roots[1]!.counts.total).toBe(1);
  });

  it('search by name, tag, state, clinical system and kind', async () => {
    const q = async (qs: string) => (await h.call('read-only', 'GET', `/api/search?${qs}`)).json<{ items: { id: string }[]; total: number }>();
    expect((await q('q=temp')).items.map((i) => i.id)).toEqual(['site-a/p1/icu/monitor-1/temp']);
    expect((await q('tag=bedside&type=sensor')).items.map((i) => i.id)).toEqual(['site-a/p1/icu/monitor-1/ping', 'site-a/p1/icu/monitor-1/temp']);
    expect((await q('state=down')).items.map((i) => i.id)).toEqual(['site-a/p1/icu/monitor-1/ping']);
    expect((await q('system=PACS,LIMS&type=sensor')).total).toBe(2);
    expect((await q('kind=fake')).total).toBe(4);
    const bad = await h.call('read-only', 'GET', '/api/search?state=sideways');
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ errors: { path: string; message: string }[] }>().errors[0]).toMatchObject({ path: 'query.state' });
  });

  it('one sensor: channels with last values and limits', async () => {
    const body = (await h.call('read-only', 'GET', `/api/sensors/${enc('site-a/p1/icu/monitor-1/temp')}`)).json<{ channels: { key: string; lastValue: number; limits: unknown }[]; status: { state: string } }>();
    expect(body.status.state).toBe('up');
    expect(body.channels).toEqual([expect.objectContaining({ key: 'value', lastValue: 20, limits: { upperError: 50 } })]);
    expect((await h.call('read-only', 'GET', '/api/sensors/nope')).statusCode).toBe(404);
  });

  it('history as JSON and CSV, resolution picked from the range', async () => {
    const id = enc('site-a/p1/icu/monitor-1/temp');
    const from = h.clock.now() - 3_600_000;
    const json = (await h.call('read-only', 'GET', `/api/sensors/${id}/history?from=${from}`)).json<{ resolution: string; points: { avg: number }[] }>();
    expect(json.resolution).toBe('raw');
    expect(json.points.length).toBeGreaterThanOrEqual(2);
    expect(json.points[0]!.avg).toBe(20);
    const year = (await h.call('read-only', 'GET', `/api/sensors/${id}/history?from=${h.clock.now() - 365 * 86_400_000}`)).json<{ resolution: string }>();
    expect(year.resolution).toBe('1d');
    const csv = await h.call('read-only', 'GET', `/api/sensors/${id}/history?from=${from}&format=csv`);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.split('\r\n')[0]).toBe('ts,time,min,avg,max,count');
    expect(csv.body.split('\r\n')[1]).toMatch(/^\d+,\d{4}-\d\d-\d\dT[^,]+,20,20,20,1$/);
    const bad = await h.call('read-only', 'GET', `/api/sensors/${id}/history?from=10&to=5`);
    expect(bad.json<{ errors: { path: string }[] }>().errors[0]!.path).toBe('query.from');
  });

  it('events, newest first, with a cursor', async () => {
    const first = (await h.call('read-only', 'GET', '/api/events?limit=2')).json<{ events: { id: number }[]; next: number | null }>();
    expect(first.events).toHaveLength(2);
    expect(first.next).toBe(first.events[1]!.id);
    const second = (await h.call('read-only', 'GET', `/api/events?limit=2&before=${first.next}`)).json<{ events: { id: number }[] }>();
    expect(second.events[0]!.id).toBeLessThan(first.next!);
    const device = (await h.call('read-only', 'GET', `/api/events?node=${enc('site-a/p1/icu/monitor-1')}`)).json<{ events: { sensorId: string }[] }>();
    expect(device.events.length).toBeGreaterThan(0);
    expect(device.events.every((e) => e.sensorId.startsWith('site-a/p1/icu/monitor-1/'))).toBe(true);
  });

  it('a restricted user sees only their subtree in lists and counts', async () => {
    const events = (await h.call('ward', 'GET', '/api/events?limit=100')).json<{ events: { sensorId: string }[] }>();
    expect(events.events.length).toBeGreaterThan(0);
    expect(events.events.every((e) => e.sensorId.startsWith('site-a/p1/icu/'))).toBe(true);
    const roots = (await h.call('ward', 'GET', '/api/tree')).json<{ items: { id: string; counts: Counts }[] }>();
    expect(roots.items.map((r) => [r.id, r.counts.total])).toEqual([['site-a', 2]]);
    const groups = (await h.call('ward', 'GET', `/api/tree?parent=${enc('site-a/p1')}`)).json<{ items: { id: string }[] }>();
    expect(groups.items.map((g) => g.id)).toEqual(['site-a/p1/icu']);
    const overview = (await h.call('ward', 'GET', '/api/overview')).json<{ totals: Counts; bySystem: { system: string }[] }>();
    expect(overview.totals.total).toBe(2);
    expect(overview.bySystem.map((b) => b.system)).toEqual(['modality']);
    const search = (await h.call('ward', 'GET', '/api/search?kind=fake')).json<{ total: number }>();
    expect(search.total).toBe(2);
    expect((await h.call('ward', 'GET', `/api/sensors/${enc('site-b/p1/lab/analyzer/hl7')}`)).statusCode).toBe(404); // hidden: as for an unknown id
  });

  it('answers malformed input with problem details, never a crash', async () => {
    const send = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: string, type?: string) =>
      h.app.inject({ method, url, headers: { ...h.headers.administrator, ...(type !== undefined ? { 'content-type': type } : {}) }, ...(payload !== undefined ? { payload } : {}) });
    for (const res of [await send('POST', '/api/nodes', '{bad', 'application/json'), await send('GET', '/api/nodes/%E0%A4%A'), await send('POST', '/api/nodes', '<x/>', 'application/xml'), await send('PATCH', `/api/nodes/site-a`, '[1,2]', 'application/json')]) {
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    expect((await send('PATCH', '/api/nodes/site-a', '[1,2]', 'application/json')).json<{ errors: { path: string }[] }>().errors[0]!.path).toBe('body');
    expect((await h.call('read-only', 'GET', '/api/health')).statusCode).toBe(200);
  });
});
