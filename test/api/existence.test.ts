// An id outside the caller's rights must look exactly like an id that does not exist (same status,
// same wording), so that probing ids tells nothing about the hospital beyond one's subtree; with
// the object visible but too few rights, 403 as before.

import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alert, MemoryAlerting } from './memory-alerting.ts';
import { enc, startHarness, type Harness } from './harness.ts';

const HIDDEN = 'site-b/p1/lab/analyzer/hl7';
const MISSING = 'site-b/p1/lab/analyzer/nope';

describe('unknown and forbidden ids look the same', () => {
  let h: Harness;
  let port: number;
  const alerting = new MemoryAlerting();
  beforeAll(async () => {
    alerting.list.push(alert('a-out', HIDDEN));
    h = await startHarness({ alerting });
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    port = (h.app.server.address() as { port: number }).port;
  });
  afterAll(async () => h?.close());

  const same = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: (id: string) => string, hidden = HIDDEN, missing = MISSING, body?: unknown) => {
    const a = await h.call('ward', method, url(hidden), body);
    const b = await h.call('ward', method, url(missing), body);
    expect([a.statusCode, b.statusCode], `${method} ${url(hidden)}: ${a.body}`).toEqual([404, 404]);
    const detail = (r: typeof a, id: string) => r.json<{ detail: string; code: string }>().detail.replace(id, 'ID') + r.json<{ code: string }>().code;
    expect(detail(a, hidden)).toBe(detail(b, missing));
  };

  it('for reads and actions on nodes and sensors', async () => {
    await same('GET', (id) => `/api/nodes/${enc(id)}`);
    await same('GET', (id) => `/api/sensors/${enc(id)}`);
    await same('GET', (id) => `/api/sensors/${enc(id)}/history`);
    await same('PATCH', (id) => `/api/nodes/${enc(id)}`, HIDDEN, MISSING, { description: 'x' });
    await same('POST', (id) => `/api/nodes/${enc(id)}/pause`, HIDDEN, MISSING, {});
    await same('DELETE', (id) => `/api/nodes/${enc(id)}`);
    await same('GET', (id) => `/api/tree?parent=${enc(id)}`, 'site-b/p1/lab', 'site-b/p1/nope');
  });

  it('for alerts', async () => {
    await same('GET', (id) => `/api/alerts/${id}`, 'a-out', 'a-none');
    await same('POST', (id) => `/api/alerts/${id}/acknowledge`, 'a-out', 'a-none', {});
  });

  it('for the live stream, over a real socket', async () => {
    const status = (id: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: `/api/live?nodes=${enc(id)}`, headers: h.headers.ward }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
    const a = await status(HIDDEN);
    const b = await status(MISSING);
    expect([a.status, b.status]).toEqual([404, 404]);
    expect(a.body.replace(HIDDEN, 'ID')).toBe(b.body.replace(MISSING, 'ID'));
  });

  it('audits the hidden refusal as any other', async () => {
    await h.call('ward', 'GET', `/api/nodes/${enc(HIDDEN)}`);
    const page = await h.call('administrator', 'GET', '/api/audit?action=access.denied');
    expect(page.statusCode).toBe(200);
    const entries = JSON.stringify(page.json()).match(/\{[^{}]*"action":"access\.denied"[^{}]*\}/g) ?? [];
    expect(entries.some((e) => e.includes('ward-nurse') && e.includes(HIDDEN))).toBe(true);
  });

  it('still says 403 where the caller sees the object but lacks the right', async () => {
    const r = await h.call('read-only', 'PATCH', `/api/nodes/${enc(HIDDEN)}`, { description: 'x' });
    expect(r.statusCode).toBe(403);
    // The ward role sees the way down to its subtree: the site exists for it, the action is refused.
    expect((await h.call('ward', 'POST', `/api/nodes/${enc('site-a')}/pause`, {})).statusCode).toBe(403);
  });
});
