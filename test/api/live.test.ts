// The live stream (SSE over a real socket), /metrics, the OpenAPI document and its reference page.

import { request, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEARTBEAT_MS } from '../../src/api/live/stream.ts';
import { enc, startHarness, type Harness, type RoleName } from './harness.ts';

interface Stream {
  readonly res: IncomingMessage;
  /** Resolves with the next event of this name. */
  next(event: string): Promise<unknown>;
  /** Everything received so far. */
  text(): string;
  close(): void;
}

async function openStream(h: Harness, port: number, role: RoleName, nodes: string[]): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: `/api/live?nodes=${nodes.map(enc).join(',')}`, headers: h.headers[role] }, (res) => {
      let buf = '';
      const waiters: { event: string; resolve: (v: unknown) => void }[] = [];
      let consumed = 0;
      const pump = () => {
        for (;;) {
          const end = buf.indexOf('\n\n', consumed);
          if (end < 0) return;
          const block = buf.slice(consumed, end);
          consumed = end + 2;
          const ev = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          const i = waiters.findIndex((w) => w.event === ev);
          if (ev !== undefined && data !== undefined && i >= 0) waiters.splice(i, 1)[0]!.resolve(JSON.parse(data));
          else if (ev !== undefined && data !== undefined) pending.push({ event: ev, data: JSON.parse(data) as unknown });
        }
      };
      const pending: { event: string; data: unknown }[] = [];
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        buf += c;
        pump();
      });
      resolve({
        res,
        next: (event) =>
          new Promise((r) => {
            const i = pending.findIndex((p) => p.event === event);
            if (i >= 0) r(pending.splice(i, 1)[0]!.data);
            else waiters.push({ event, resolve: r });
          }),
        text: () => buf,
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('live stream, metrics and reference', () => {
  let h: Harness;
  let port: number;
  beforeAll(async () => {
    h = await startHarness();
    h.fake.script('site-a/p1/icu/monitor-1/ping', 12);
    h.fake.script('site-a/p1/icu/monitor-1/temp', 30);
    h.fake.script('site-a/p1/pacs/archive/echo', 5);
    h.fake.script('site-b/p1/lab/analyzer/hl7', 7);
    await h.clock.advance(61_000);
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    port = (h.app.server.address() as { port: number }).port;
  });
  afterAll(async () => h?.close());

  it('sends a snapshot, then state, count and value deltas for the nodes shown only', async () => {
    const s = await openStream(h, port, 'read-only', ['site-a/p1/icu', 'site-a/p1/icu/monitor-1']);
    expect(s.res.statusCode).toBe(200);
    expect(s.res.headers['content-type']).toContain('text/event-stream');
    const snap = (await s.next('snapshot')) as { nodes: { id: string; counts: { up: number } }[] };
    expect(snap.nodes.map((n) => n.id)).toEqual(['site-a/p1/icu', 'site-a/p1/icu/monitor-1']);
    expect(snap.nodes[0]!.counts.up).toBe(2);
    h.fake.script('site-a/p1/icu/monitor-1/ping', 'throw');
    h.fake.script('site-b/p1/lab/analyzer/hl7', 'throw');
    await h.clock.advance(60_000);
    const st = (await s.next('state')) as { sensorId: string; to: string };
    expect(st).toMatchObject({ sensorId: 'site-a/p1/icu/monitor-1/ping', to: 'down' });
    const counts = [(await s.next('counts')) as { nodeId: string; counts: { down: number } }, (await s.next('counts')) as { nodeId: string; counts: { down: number } }];
    expect(counts.map((c) => [c.nodeId, c.counts.down])).toEqual([
      ['site-a/p1/icu/monitor-1', 1],
      ['site-a/p1/icu', 1],
    ]);
    const v = (await s.next('values')) as { sensorId: string; values: Record<string, number> };
    expect(v.sensorId).toBe('site-a/p1/icu/monitor-1/temp');
    expect(v.values).toEqual({ value: 30 });
    // Nothing of site B (not shown), nor values of the PACS archive (not shown).
    expect(s.text()).not.toContain('site-b');
    expect(s.text()).not.toContain('archive/echo');
    await h.clock.advance(HEARTBEAT_MS);
    expect(s.text()).toMatch(/: heartbeat \d+/);
    s.close();
    h.fake.script('site-a/p1/icu/monitor-1/ping', 12);
    h.fake.script('site-b/p1/lab/analyzer/hl7', 7);
    await h.clock.advance(60_000);
  });

  it('never sends what the caller may not read, and refuses unknown or unreadable nodes', async () => {
    const s = await openStream(h, port, 'ward', ['site-a']);
    expect(s.res.statusCode).toBe(200);
    const snap = (await s.next('snapshot')) as { nodes: { counts: { total: number } }[] };
    // The ward role reads the ICU only: site A counts its two ICU sensors, not the PACS archive.
    expect(snap.nodes[0]!.counts.total).toBe(2);
    h.fake.script('site-a/p1/pacs/archive/echo', 'throw');
    h.fake.script('site-a/p1/icu/monitor-1/temp', 'throw');
    await h.clock.advance(60_000);
    const st = (await s.next('state')) as { sensorId: string };
    expect(st.sensorId).toBe('site-a/p1/icu/monitor-1/temp');
    expect(s.text()).not.toContain('archive/echo');
    s.close();
    // Outside the caller's rights looks like an unknown id.
    const other = await openStream(h, port, 'ward', ['site-b']);
    expect(other.res.statusCode).toBe(404);
    other.close();
    const unknown = await openStream(h, port, 'read-only', ['nope']);
    expect(unknown.res.statusCode).toBe(404);
    unknown.close();
    const anon = await openStream(h, port, 'anonymous', ['site-a']);
    expect(anon.res.statusCode).toBe(401);
    anon.close();
  });

  it('serves Prometheus metrics to a bearer token, only for readable sensors', async () => {
    const anon = await h.call('anonymous', 'GET', '/metrics');
    expect(anon.statusCode).toBe(401);
    const res = await h.call('read-only', 'GET', '/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain; version=0.0.4');
    expect(res.body).toContain('# TYPE wardwatch_sensor_state gauge');
    expect(res.body).toMatch(/wardwatch_sensor_up\{sensor="site-b\/p1\/lab\/analyzer\/hl7",name="HL7",device="Analyzer",site="site-b",system="LIMS",kind="fake"\} 1/);
    expect(res.body).toMatch(/wardwatch_channel_value\{sensor="site-b\/p1\/lab\/analyzer\/hl7",[^}]*channel="value",unit="ms"\} 7/);
    expect(res.body).toMatch(/wardwatch_probe_sensors 4/);
    const ward = (await h.call('ward', 'GET', '/metrics')).body;
    expect(ward).toContain('site-a/p1/icu/monitor-1/ping');
    expect(ward).not.toContain('site-b');
  });

  it('publishes OpenAPI 3.1 generated from the validating schemas, and a self-contained reference', async () => {
    const res = await h.call('anonymous', 'GET', '/api/openapi.json');
    expect(res.statusCode).toBe(200);
    const spec = res.json<{ openapi: string; paths: Record<string, Record<string, { parameters: { name: string; in: string; schema: { maximum?: number } }[]; requestBody?: unknown }>> }>();
    expect(spec.openapi).toBe('3.1.0');
    const tree = spec.paths['/api/tree']!.get!;
    expect(tree.parameters.find((p) => p.name === 'limit')).toMatchObject({ in: 'query', schema: { maximum: 1000 } });
    expect(spec.paths['/api/nodes/{id}']!.patch!.parameters[0]).toMatchObject({ name: 'id', in: 'path' });
    expect(spec.paths['/api/nodes']!.post!.requestBody).toBeDefined();
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/api/overview', '/api/search', '/api/sensors/{id}/history', '/api/live', '/metrics', '/api/config/import', '/api/alerts/ack', '/api/maintenance/{name}']));
    const page = await h.call('anonymous', 'GET', '/api/docs');
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('<script src="/api/docs/docs.js">');
    expect(page.body).not.toMatch(/https?:\/\//);
    expect(String(page.headers['content-security-policy'])).toContain("default-src 'self'");
    expect((await h.call('anonymous', 'GET', '/api/docs/docs.js')).body).toContain("fetch('/api/openapi.json'");
  });
});
