// The OpenAPI document describes what comes back: every $ref resolves inside the document, every
// operation has a success response with a schema, the main reads point at a named response schema,
// and the real answers of those routes match their schema exactly (no field missing, none extra).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import * as S from '../../src/api/routes/schemas.ts';
import { alert, MemoryAlerting } from './memory-alerting.ts';
import { enc, startHarness, type Harness } from './harness.ts';

type Json = Record<string, unknown>;

const SENSOR = 'site-a/p1/icu/monitor-1/temp';

/** The main reads, their documented schema, and a request that answers 200. */
const MAIN: readonly [string, string, z.ZodType][] = [
  ['/api/overview', '/api/overview', S.overviewSchema],
  ['/api/tree', '/api/tree?parent=site-a', S.treePageSchema],
  ['/api/nodes/{id}', `/api/nodes/${enc(SENSOR)}`, S.nodeDetailSchema],
  ['/api/sensors/{id}', `/api/sensors/${enc(SENSOR)}`, S.sensorDetailSchema],
  ['/api/sensors/{id}/history', `/api/sensors/${enc(SENSOR)}/history`, S.historySchema],
  ['/api/alerts', '/api/alerts', S.alertListSchema],
  ['/api/alerts/{id}', '/api/alerts/a1', S.alertSchema],
  ['/api/events', '/api/events', S.eventListSchema],
  ['/api/search', '/api/search?q=temp', S.searchResultSchema],
  ['/api/notifications', '/api/notifications', S.notificationListSchema],
  ['/api/notifications/{key}', '/api/notifications/k1', S.notificationDetailSchema],
  ['/api/notifications/counts', '/api/notifications/counts', S.notificationCountsSchema],
];

function refs(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x) => refs(x, out));
  else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string') out.push(x);
      else refs(x, out);
    }
  }
  return out;
}

function resolve(doc: Json, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let cur: unknown = doc;
  for (const part of ref.slice(2).split('/').map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'))) cur = cur !== null && typeof cur === 'object' ? (cur as Json)[part] : undefined;
  return cur;
}

describe('OpenAPI responses', () => {
  let h: Harness;
  let doc: Json & { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: Json }> }> }>> };
  const alerting = new MemoryAlerting();
  beforeAll(async () => {
    alerting.list.push(alert('a1', SENSOR));
    const n = { id: 1, notification: { key: 'k1', alertId: 'a1', ruleName: 'down', kind: 'alert' as const, channel: 'mail', recipient: { name: 'nurse' }, createdAt: 1, vars: { title: 't' } }, status: 'delivered' as const, attempts: 1, enqueuedAt: 1, dueAt: 1, deliveredAt: 2, attemptLog: [{ attempt: 1, owner: 'o', startedAt: 1, durationMs: 3, ok: true, status: '250', response: '250 OK' }] };
    h = await startHarness({ alerting, notifications: { list: async () => [n], get: async (k) => (k === 'k1' ? n : undefined), counts: async () => ({ pending: 0, sending: 0, delivered: 1, failed: 0 }) } });
    h.fake.script(SENSOR, 'throw');
    await h.clock.advance(61_000);
    doc = (await h.call('anonymous', 'GET', '/api/openapi.json')).json();
  });
  afterAll(async () => h?.close());

  it('resolves every $ref inside the document', () => {
    const all = refs(doc);
    expect(all.length).toBeGreaterThan(20);
    expect(all.filter((r) => resolve(doc, r) === undefined)).toEqual([]);
  });

  it('gives every operation a success response with a schema, and the main reads a named one', () => {
    const missing: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const [code, ok] = Object.entries(op.responses).find(([c]) => /^2\d\d$/.test(c)) ?? [];
        // 204 No Content has no body to describe (DELETE /api/security/devices/{id}/inventory).
        if (code === '204') continue;
        if (!ok?.content || Object.values(ok.content).some((c) => c.schema === undefined)) missing.push(`${method} ${path}`);
      }
    }
    expect(missing).toEqual([]);
    for (const [path] of MAIN) {
      const schema = doc.paths[path]?.get?.responses['200']?.content?.['application/json']?.schema;
      expect(schema?.$ref, path).toMatch(/^#\/components\/schemas\/\w+$/);
      expect(Object.keys((resolve(doc, schema!.$ref as string) as Json).properties as Json).length, path).toBeGreaterThan(0);
    }
  });

  it('documents what the routes really answer', async () => {
    for (const [path, url, schema] of MAIN) {
      const r = await h.call('administrator', 'GET', url);
      expect(r.statusCode, `${url}: ${r.body}`).toBe(200);
      const body = r.json<unknown>();
      const parsed = schema.safeParse(body);
      expect(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`), path).toEqual([]);
      // Strict objects strip what they do not declare: equal means nothing undocumented came back.
      expect(parsed.data, path).toEqual(body);
    }
  });
});
