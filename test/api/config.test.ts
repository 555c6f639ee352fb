// Configuration through the API: node CRUD, channel limits, maintenance windows, pause/resume and
// check-now, export and import with a diff preview — each change checked by the loader's schema
// (problems name the body field), saved as a version, applied to the engine and written back to
// the YAML file with its comments.

import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enc, startHarness, type Harness } from './harness.ts';

interface Problem {
  code: string;
  status: number;
  detail: string;
  errors?: { path: string; message: string }[];
}

describe('configuration through the API, written back to the file', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ file: true });
  });
  afterAll(async () => h?.close());

  const fileText = () => readFile(h.configPath!, 'utf8');

  it('creates a sensor: new version, applied to the engine, appended to the file with the comments kept', async () => {
    const res = await h.call('administrator', 'POST', '/api/nodes', { parent: 'site-a/p1/icu/monitor-1', type: 'sensor', entry: { name: 'SpO2 feed', kind: 'fake', interval: '30s' } });
    expect(res.statusCode).toBe(201);
    const body = res.json<{ id: string; version: number }>();
    expect(body.id).toBe('site-a/p1/icu/monitor-1/spo2-feed');
    expect(h.tree().nodes.get(body.id)?.type).toBe('sensor');
    expect(h.engine.status(body.id)?.state).toBe('unknown');
    expect(h.config.current().version).toBe(body.version);
    const text = await fileText();
    expect(text).toContain('# the test hospital');
    expect(text).toContain('# the first sensor');
    expect(text).toMatch(/name: SpO2 feed/);
    expect((await h.store.latestConfig())?.version).toBe(body.version);
  });

  it('refuses an invalid entry with the body field path, and changes nothing', async () => {
    const before = h.config.current().version;
    const res = await h.call('administrator', 'POST', '/api/nodes', { parent: 'site-a/p1/icu', type: 'device', entry: { name: 'Pump', hots: '10.0.0.9' } });
    expect(res.statusCode).toBe(422);
    const p = res.json<Problem>();
    expect(p.errors).toEqual(
      expect.arrayContaining([
        { path: 'body.entry.hots', message: 'unknown key "hots" (did you mean "host"?)' },
        { path: 'body.entry.host', message: 'missing required key "host"' },
      ]),
    );
    expect(h.config.current().version).toBe(before);
    const wrongPlace = await h.call('administrator', 'POST', '/api/nodes', { parent: 'site-a/p1', type: 'sensor', entry: { name: 'x', kind: 'fake' } });
    expect(wrongPlace.statusCode).toBe(400);
    expect(wrongPlace.json<Problem>().errors?.[0]).toEqual({ path: 'body.type', message: 'a sensor cannot be placed under a probe ("site-a/p1")' });
    const badBody = await h.call('administrator', 'POST', '/api/nodes', { type: 'gadget', entry: {} });
    expect(badBody.json<Problem>().errors?.[0]?.path).toBe('body.type');
  });

  it('updates a node: a rename keeps the id; null removes a field; the kind cannot change', async () => {
    const id = 'site-a/p1/icu/monitor-1/spo2-feed';
    const res = await h.call('administrator', 'PATCH', `/api/nodes/${enc(id)}`, { name: 'Oxygen saturation', interval: null, retries: 2 });
    expect(res.statusCode).toBe(200);
    expect(res.json<{ id: string }>().id).toBe(id);
    const node = h.tree().nodes.get(id)!;
    expect(node.name).toBe('Oxygen saturation');
    expect(node.settings).toEqual({ retries: 2 });
    const got = (await h.call('read-only', 'GET', `/api/nodes/${enc(id)}`)).json<{ entry: Record<string, unknown> }>();
    expect(got.entry).toEqual({ name: 'Oxygen saturation', kind: 'fake', retries: 2, id: 'spo2-feed' });
    const kind = await h.call('administrator', 'PATCH', `/api/nodes/${enc(id)}`, { kind: 'other' });
    expect(kind.json<Problem>().errors?.[0]?.path).toBe('body.kind');
    const bad = await h.call('administrator', 'PATCH', `/api/nodes/${enc(id)}`, { retries: 'many' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json<Problem>().errors?.[0]?.path).toBe('body.retries');
  });

  it('sets and removes channel limits', async () => {
    const id = enc('site-a/p1/icu/monitor-1/ping');
    const set = await h.call('administrator', 'PUT', `/api/sensors/${id}/channels/value`, { name: 'Round trip', limits: { upperWarning: 80, upperError: 150 } });
    expect(set.statusCode).toBe(200);
    const sensor = (await h.call('read-only', 'GET', `/api/sensors/${id}`)).json<{ channels: { name: string; limits: unknown }[] }>();
    expect(sensor.channels[0]).toMatchObject({ name: 'Round trip', limits: { upperWarning: 80, upperError: 150 } });
    const bad = await h.call('administrator', 'PUT', `/api/sensors/${id}/channels/value`, { limits: { upperWarning: 200, upperError: 150 } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json<Problem>().errors?.[0]?.path).toBe('body.limits');
    const unknownChannel = await h.call('administrator', 'PUT', `/api/sensors/${id}/channels/nope`, { name: 'x' });
    expect(unknownChannel.json<Problem>().errors?.[0]?.path).toBe('body');
    expect((await h.call('administrator', 'DELETE', `/api/sensors/${id}/channels/value`)).statusCode).toBe(200);
    expect(h.tree().nodes.get('site-a/p1/icu/monitor-1/ping')).toMatchObject({ channels: {} });
  });

  it('deletes a node; a node others depend on cannot go', async () => {
    const dep = await h.call('administrator', 'PATCH', `/api/nodes/${enc('site-a/p1/pacs')}`, { dependsOn: 'site-a/p1/icu/monitor-1/ping' });
    expect(dep.statusCode).toBe(200);
    const refused = await h.call('administrator', 'DELETE', `/api/nodes/${enc('site-a/p1/icu/monitor-1/ping')}`);
    expect(refused.statusCode).toBe(422);
    expect(refused.json<Problem>().errors?.[0]?.path).toMatch(/^document\.sites\[0\]\.probes\[0\]\.groups\[1\]\.dependsOn$/);
    await h.call('administrator', 'PATCH', `/api/nodes/${enc('site-a/p1/pacs')}`, { dependsOn: null });
    const del = await h.call('administrator', 'DELETE', `/api/nodes/${enc('site-a/p1/icu/monitor-1/spo2-feed')}`);
    expect(del.statusCode).toBe(200);
    expect(h.tree().nodes.has('site-a/p1/icu/monitor-1/spo2-feed')).toBe(false);
    expect(await fileText()).not.toContain('Oxygen saturation');
    expect((await h.call('administrator', 'DELETE', `/api/nodes/${enc('site-a/p1/icu/monitor-1/spo2-feed')}`)).statusCode).toBe(404);
  });

  it('maintenance windows: create, replace, refuse a bad one, delete', async () => {
    const made = await h.call('administrator', 'POST', '/api/maintenance', { name: 'firmware', once: { start: '2026-02-01T22:00', end: '2026-02-02T01:00' } });
    expect(made.statusCode).toBe(201);
    expect(h.tree().maintenance.has('firmware')).toBe(true);
    const dup = await h.call('administrator', 'POST', '/api/maintenance', { name: 'firmware', cron: '0 3 * * *', duration: '1h' });
    expect(dup.statusCode).toBe(409);
    const bad = await h.call('administrator', 'PUT', '/api/maintenance/firmware', { name: 'firmware', weekly: { days: ['funday'], start: '25:00', duration: '1h' } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json<Problem>().errors?.map((e) => e.path)).toEqual(expect.arrayContaining(['body.weekly.days[0]', 'body.weekly.start']));
    const list = (await h.call('read-only', 'GET', '/api/maintenance')).json<{ items: { name: string }[] }>();
    expect(list.items.map((m) => m.name)).toEqual(['nightly', 'firmware']);
    expect((await h.call('administrator', 'DELETE', '/api/maintenance/firmware')).statusCode).toBe(200);
    expect(h.tree().maintenance.has('firmware')).toBe(false);
  });

  it('alerting rules: create, refuse a bad one naming the field, replace, delete', async () => {
    // A channel and a contact for the rules to name, through an import of the running document plus the section.
    const current = (await h.call('administrator', 'GET', '/api/config/export')).body;
    const section = `alerting:\n  channels:\n    - { name: hook, kind: webhook, url: "http://127.0.0.1:9/hook" }\n  contacts:\n    - { name: alice, addresses: { hook: x } }\n`;
    expect((await h.call('administrator', 'POST', '/api/config/import', `${current}\n${section}`)).statusCode).toBe(200);
    const rule = { name: 'icu-down', trigger: { state: { to: ['down'] } }, to: ['alice'], channels: ['hook'], scope: ['site-a/p1/icu'] };
    const made = await h.call('administrator', 'POST', '/api/alerting/rules', rule);
    expect(made.statusCode).toBe(201);
    const bad = await h.call('administrator', 'PUT', '/api/alerting/rules/icu-down', { ...rule, trigger: { state: { to: ['sideways'] } } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json<Problem>().errors?.[0]?.path).toBe('body.trigger.state.to[0]');
    const renamed = await h.call('administrator', 'PUT', '/api/alerting/rules/icu-down', { ...rule, name: 'icu-outage' });
    expect(renamed.statusCode).toBe(200);
    expect((await h.call('read-only', 'GET', '/api/alerting/rules')).json<{ items: { name: string }[] }>().items.map((r) => r.name)).toEqual(['icu-outage']);
    expect((await h.call('administrator', 'DELETE', '/api/alerting/rules/icu-outage')).statusCode).toBe(200);
    expect((await h.call('administrator', 'DELETE', '/api/alerting/rules/icu-outage')).statusCode).toBe(404);
  });

  it('pauses for a duration and resumes by itself; resume and check-now', async () => {
    const id = 'site-a/p1/pacs/archive/echo';
    const p = await h.call('operator', 'POST', `/api/nodes/${enc(id)}/pause`, { duration: '30m', note: 'replacing a disk' });
    expect(p.statusCode).toBe(200);
    expect(p.json<{ until: number }>().until).toBe(h.clock.now() + 1_800_000);
    expect(h.engine.status(id)).toMatchObject({ state: 'paused', pauseReason: 'user' });
    expect((await h.call('operator', 'POST', `/api/nodes/${enc(id)}/check-now`)).statusCode).toBe(409);
    await h.clock.advance(1_800_000);
    // The timer queued its edit: a no-op edit behind it resolves once it is done.
    await h.config.edit(() => ({ refused: true, code: 'NOT_FOUND', detail: 'sync' }), 'test');
    expect(h.tree().nodes.get(id)!.settings.paused).toBeUndefined();
    expect(h.engine.status(id)?.state).not.toBe('paused');
    await h.call('operator', 'POST', `/api/nodes/${enc(id)}/pause`);
    expect((await h.call('operator', 'POST', `/api/nodes/${enc(id)}/resume`)).statusCode).toBe(200);
    expect((await h.call('operator', 'POST', `/api/nodes/${enc(id)}/resume`)).statusCode).toBe(409);
    const calls = h.fake.calls.length;
    const now = await h.call('operator', 'POST', `/api/nodes/${enc('site-a/p1/pacs')}/check-now`);
    expect(now.statusCode).toBe(202);
    await vi_settle();
    expect(h.fake.calls.length).toBeGreaterThan(calls);
  });

  it('exports the running configuration as YAML (the file, comments and all)', async () => {
    const res = await h.call('read-only', 'GET', '/api/config/export');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/yaml');
    expect(res.body).toBe(await fileText());
  });

  it('imports with a preview diff, then applies; a bad import names line and field', async () => {
    const current = (await h.call('administrator', 'GET', '/api/config/export')).body;
    const next = current.replace('name: Site B', 'name: Site B\n    description: lab building').replace(/\n\s+- \{ name: Echo, kind: fake \}/, '\n                  - { name: Echo2, kind: fake }');
    const preview = await h.call('administrator', 'POST', '/api/config/import?preview=true', next);
    expect(preview.statusCode).toBe(200);
    const d = preview.json<{ applied: boolean; diff: { added: { id: string }[]; changed: { id: string; fields: string[] }[]; removed: { id: string }[] } }>();
    expect(d.applied).toBe(false);
    expect(d.diff.added.map((n) => n.id)).toEqual(['site-a/p1/pacs/archive/echo2']);
    expect(d.diff.removed.map((n) => n.id)).toEqual(['site-a/p1/pacs/archive/echo']);
    expect(d.diff.changed).toEqual([expect.objectContaining({ id: 'site-b', fields: ['description'] })]);
    expect(h.tree().nodes.has('site-a/p1/pacs/archive/echo')).toBe(true);
    const applied = await h.call('administrator', 'POST', '/api/config/import', next);
    expect(applied.json<{ applied: boolean }>().applied).toBe(true);
    expect(h.tree().nodes.has('site-a/p1/pacs/archive/echo2')).toBe(true);
    expect(await fileText()).toBe(next);
    const bad = await h.call('administrator', 'POST', '/api/config/import?preview=true', 'sites:\n  - name: X\n    probes: 5\n');
    expect(bad.statusCode).toBe(422);
    expect(bad.json<Problem>().errors?.[0]).toMatchObject({ path: 'body.sites[0].probes', message: expect.stringMatching(/^line 3, column 13: expected a list/) as unknown });
  });

  it('refuses an edit when the file changed on disk behind it', async () => {
    await writeFile(h.configPath!, `${await fileText()}\n# edited by hand\n`);
    const res = await h.call('administrator', 'PATCH', `/api/nodes/${enc('site-b')}`, { description: 'x' });
    expect(res.statusCode).toBe(409);
    expect(res.json<Problem>().detail).toContain('changed on disk');
  });
});

async function vi_settle(): Promise<void> {
  for (let i = 0; i < 200; i++) await Promise.resolve();
  await new Promise((r) => setImmediate(r));
}
