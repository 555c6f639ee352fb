// The access matrix: every route of the API (as listed by its own OpenAPI document, so that a new
// route without a row here fails) × every role (administrator, operator, read-only, a custom role
// with write on one subtree, anonymous, an expired token) × an object inside and outside that
// subtree: asserts allowed (any answer but 401/403) or denied (401 for no or bad credentials,
// 403 for too few rights, 404 on a route naming an object the caller may not even see, so that
// an unknown id and a forbidden one look the same).

import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atLeast, type AccessLevel } from '../../src/api/access.ts';
import type { DeliveryStore } from '../../src/alerting/delivery/types.ts';
import type { Notification } from '../../src/alerting/notification.ts';
import { SqliteDeliveryStore } from '../../src/store/sqlite/delivery.ts';
import { alert, MemoryAlerting } from './memory-alerting.ts';
import { enc, ROLES, startHarness, type Harness, type RoleName } from './harness.ts';

type Where = 'inside' | 'outside';

/** The object of each side: the ward role writes below site-a/p1/icu and has nothing on site B. */
const SENSOR: Record<Where, string> = { inside: 'site-a/p1/icu/monitor-1/ping', outside: 'site-b/p1/lab/analyzer/hl7' };
const DEVICE: Record<Where, string> = { inside: 'site-a/p1/icu/monitor-1', outside: 'site-b/p1/lab/analyzer' };
const ALERT: Record<Where, string> = { inside: 'a-in', outside: 'a-out' };
const NOTE: Record<Where, string> = { inside: 'a-in:alert:0:nurse:mail', outside: 'a-out:alert:0:lab:mail' };

/** What each role has: on the node inside, outside, and on the whole tree (global lists, config). */
const RIGHTS: Record<RoleName, Record<Where | 'global', AccessLevel>> = {
  administrator: { inside: 'full', outside: 'full', global: 'full' },
  operator: { inside: 'acknowledge', outside: 'acknowledge', global: 'acknowledge' },
  'read-only': { inside: 'read', outside: 'read', global: 'read' },
  ward: { inside: 'write', outside: 'none', global: 'none' },
  anonymous: { inside: 'none', outside: 'none', global: 'none' },
  expired: { inside: 'none', outside: 'none', global: 'none' },
};

type Need = { readonly public: true } | { readonly signedIn: true } | { readonly level: AccessLevel; readonly on: 'node' | 'global' };

interface Req {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly url: string;
  readonly body?: unknown;
  readonly contentType?: string;
}

interface Row {
  readonly need: Need;
  /** Builds the request; may prepare state first (as the administrator). */
  readonly req: (where: Where, role: RoleName, h: Harness, n: number) => Promise<Req> | Req;
  /** SSE: checked over a real socket (inject would wait for the end of an endless stream). */
  readonly stream?: boolean;
  /** Names the object in its path (or is its view): a caller without any right on it is told 404, as for an unknown id. */
  readonly hides?: boolean;
}

const node = (level: AccessLevel): Need => ({ level, on: 'node' });
const global = (level: AccessLevel): Need => ({ level, on: 'global' });
const signedIn: Need = { signedIn: true };
const open: Need = { public: true };

async function adminOk(h: Harness, method: Req['method'], url: string, body?: unknown): Promise<void> {
  const r = await h.call('administrator', method, url, body);
  if (r.statusCode >= 300) throw new Error(`setup ${method} ${url} failed: ${r.statusCode} ${r.body}`);
}

const ROWS: Record<string, Row> = {
  'GET /api/health': { need: open, req: () => ({ method: 'GET', url: '/api/health' }) },
  'GET /api/openapi.json': { need: open, req: () => ({ method: 'GET', url: '/api/openapi.json' }) },
  'GET /api/overview': { need: signedIn, req: () => ({ method: 'GET', url: '/api/overview' }) },
  'GET /api/tree': { hides: true, need: node('read'), req: (w) => ({ method: 'GET', url: `/api/tree?parent=${enc(DEVICE[w])}` }) },
  'GET /api/tree/full': { need: signedIn, req: () => ({ method: 'GET', url: '/api/tree/full' }) },
  'GET /api/search': { need: signedIn, req: () => ({ method: 'GET', url: '/api/search?q=ping' }) },
  'GET /api/nodes/{id}': { hides: true, need: node('read'), req: (w) => ({ method: 'GET', url: `/api/nodes/${enc(SENSOR[w])}` }) },
  'POST /api/nodes': { hides: true, need: node('write'), req: (w, r, _h, n) => ({ method: 'POST', url: '/api/nodes', body: { parent: DEVICE[w], type: 'sensor', entry: { name: `new ${r} ${n}`, kind: 'fake' } } }) },
  'PATCH /api/nodes/{id}': { hides: true, need: node('write'), req: (w, r) => ({ method: 'PATCH', url: `/api/nodes/${enc(SENSOR[w])}`, body: { description: `touched by ${r}` } }) },
  'DELETE /api/nodes/{id}': {
    hides: true, need: node('full'),
    req: async (w, r, h, n) => {
      const name = `doomed ${r} ${n}`;
      await adminOk(h, 'POST', '/api/nodes', { parent: DEVICE[w], type: 'sensor', entry: { name, kind: 'fake' } });
      return { method: 'DELETE', url: `/api/nodes/${enc(`${DEVICE[w]}/doomed-${r}-${n}`)}` };
    },
  },
  'POST /api/nodes/{id}/pause': { hides: true, need: node('acknowledge'), req: (w) => ({ method: 'POST', url: `/api/nodes/${enc(SENSOR[w])}/pause`, body: { note: 'matrix' } }) },
  'POST /api/nodes/{id}/resume': {
    hides: true, need: node('acknowledge'),
    req: async (w, _r, h) => {
      await adminOk(h, 'POST', `/api/nodes/${enc(SENSOR[w])}/pause`, {});
      return { method: 'POST', url: `/api/nodes/${enc(SENSOR[w])}/resume` };
    },
  },
  'POST /api/nodes/{id}/check-now': { hides: true, need: node('acknowledge'), req: (w) => ({ method: 'POST', url: `/api/nodes/${enc(DEVICE[w])}/check-now` }) },
  'PUT /api/sensors/{id}/channels/{channel}': { hides: true, need: node('write'), req: (w) => ({ method: 'PUT', url: `/api/sensors/${enc(SENSOR[w])}/channels/value`, body: { limits: { upperError: 500 } } }) },
  'DELETE /api/sensors/{id}/channels/{channel}': {
    hides: true, need: node('write'),
    req: async (w, _r, h) => {
      await adminOk(h, 'PUT', `/api/sensors/${enc(SENSOR[w])}/channels/value`, { name: 'V' });
      return { method: 'DELETE', url: `/api/sensors/${enc(SENSOR[w])}/channels/value` };
    },
  },
  'GET /api/sensors/{id}': { hides: true, need: node('read'), req: (w) => ({ method: 'GET', url: `/api/sensors/${enc(SENSOR[w])}` }) },
  'GET /api/sensors/{id}/history': { hides: true, need: node('read'), req: (w) => ({ method: 'GET', url: `/api/sensors/${enc(SENSOR[w])}/history?format=csv` }) },
  'POST /api/sensors/{id}/acknowledge': { hides: true, need: node('acknowledge'), req: (w) => ({ method: 'POST', url: `/api/sensors/${enc(SENSOR[w])}/acknowledge`, body: {} }) },
  'GET /api/events': { need: node('read'), req: (w) => ({ method: 'GET', url: `/api/events?sensor=${enc(SENSOR[w])}` }) },
  'GET /api/messages': { need: node('read'), req: (w) => ({ method: 'GET', url: `/api/messages?device=${enc(DEVICE[w])}` }) },
  'GET /api/alerts': { need: node('read'), req: (w) => ({ method: 'GET', url: `/api/alerts?node=${enc(DEVICE[w])}` }) },
  'GET /api/alerts/{id}': { hides: true, need: node('read'), req: (w) => ({ method: 'GET', url: `/api/alerts/${ALERT[w]}` }) },
  'POST /api/alerts/{id}/acknowledge': { hides: true, need: node('acknowledge'), req: (w) => ({ method: 'POST', url: `/api/alerts/${ALERT[w]}/acknowledge`, body: {} }) },
  'GET /api/alerts/ack': { need: open, req: () => ({ method: 'GET', url: '/api/alerts/ack?token=link-token' }) },
  'POST /api/alerts/ack': { need: open, req: () => ({ method: 'POST', url: '/api/alerts/ack', body: 'token=link-token', contentType: 'application/x-www-form-urlencoded' }) },
  'GET /api/maintenance': { need: global('read'), req: () => ({ method: 'GET', url: '/api/maintenance' }) },
  'GET /api/maintenance/{name}': { need: global('read'), req: () => ({ method: 'GET', url: '/api/maintenance/nightly' }) },
  'POST /api/maintenance': { need: global('write'), req: (_w, r, _h, n) => ({ method: 'POST', url: '/api/maintenance', body: { name: `w-${r}-${n}`, cron: '0 3 * * *', duration: '1h' } }) },
  'PUT /api/maintenance/{name}': { need: global('write'), req: () => ({ method: 'PUT', url: '/api/maintenance/nightly', body: { name: 'nightly', weekly: { days: ['sun'], start: '02:00', duration: '2h' } } }) },
  'DELETE /api/maintenance/{name}': {
    need: global('write'),
    req: async (_w, r, h, n) => {
      await adminOk(h, 'POST', '/api/maintenance', { name: `gone-${r}-${n}`, cron: '0 4 * * *', duration: '1h' });
      return { method: 'DELETE', url: `/api/maintenance/gone-${r}-${n}` };
    },
  },
  'GET /api/alerting/rules': { need: global('read'), req: () => ({ method: 'GET', url: '/api/alerting/rules' }) },
  'GET /api/alerting/rules/{name}': { need: global('read'), req: () => ({ method: 'GET', url: '/api/alerting/rules/none' }) },
  'POST /api/alerting/rules': { need: global('write'), req: (_w, r, _h, n) => ({ method: 'POST', url: '/api/alerting/rules', body: { name: `r-${r}-${n}` } }) },
  'PUT /api/alerting/rules/{name}': { need: global('write'), req: () => ({ method: 'PUT', url: '/api/alerting/rules/none', body: { name: 'none' } }) },
  'DELETE /api/alerting/rules/{name}': { need: global('write'), req: () => ({ method: 'DELETE', url: '/api/alerting/rules/none' }) },
  'GET /api/config': { need: global('read'), req: () => ({ method: 'GET', url: '/api/config' }) },
  'GET /api/config/schema': { need: signedIn, req: () => ({ method: 'GET', url: '/api/config/schema' }) },
  'GET /api/config/export': { need: global('read'), req: () => ({ method: 'GET', url: '/api/config/export' }) },
  'POST /api/config/import': {
    // Applying an import that changes the object needs full on it.
    need: node('full'),
    req: async (w, r, h, n) => {
      const text = (await h.call('administrator', 'GET', '/api/config/export')).body;
      // Renaming a sensor changes its id: one object removed and one added, on the chosen side.
      const name = w === 'inside' ? /name: Temp\S*/ : /name: HL7\S*/;
      if (!name.test(text)) throw new Error(`export lacks ${String(name)}`);
      return { method: 'POST', url: '/api/config/import', body: text.replace(name, (m) => `${m.split('-')[0]!}-${r}-${n}`), contentType: 'text/yaml' };
    },
  },
  'GET /api/live': { hides: true, need: node('read'), stream: true, req: (w) => ({ method: 'GET', url: `/api/live?nodes=${enc(DEVICE[w])}` }) },
  'GET /api/notifications': { need: signedIn, req: () => ({ method: 'GET', url: '/api/notifications?channel=mail' }) },
  'GET /api/notifications/counts': { need: signedIn, req: () => ({ method: 'GET', url: '/api/notifications/counts' }) },
  'GET /api/notifications/{key}': { hides: true, need: node('read'), req: (w) => ({ method: 'GET', url: `/api/notifications/${enc(NOTE[w])}` }) },
  'GET /metrics': { need: signedIn, req: () => ({ method: 'GET', url: '/metrics' }) },
};

/** Import preview is the same route with another query: a row of its own. */
const PREVIEW: Row = { need: global('read'), req: async (_w, _r, h) => ({ method: 'POST', url: '/api/config/import?preview=true', body: (await h.call('administrator', 'GET', '/api/config/export')).body, contentType: 'text/yaml' }) };

function expected(need: Need, role: RoleName, where: Where): boolean {
  if ('public' in need) return true;
  if (role === 'anonymous' || role === 'expired') return false;
  if ('signedIn' in need) return true;
  return atLeast(RIGHTS[role][need.on === 'global' ? 'global' : where], need.level);
}

async function streamStatus(port: number, url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: url, headers }, (res) => {
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on('error', reject);
    req.end();
  });
}

describe('access matrix: every route × every role × inside and outside the subtree', () => {
  let h: Harness;
  let port: number;
  const alerting = new MemoryAlerting();
  let ds: DeliveryStore;
  beforeAll(async () => {
    alerting.list.push(alert('a-in', SENSOR.inside), alert('a-out', SENSOR.outside));
    alerting.tokens.set('link-token', { alertId: 'a-in', recipient: 'dr-night' });
    h = await startHarness({ alerting, notifications: { list: (q) => ds.list(q), get: (k) => ds.get(k), counts: () => ds.counts() } });
    ds = new SqliteDeliveryStore(h.store.connection);
    const note = (alertId: string, recipient: string, sensorId: string): Notification => ({ key: `${alertId}:alert:0:${recipient}:mail`, alertId, ruleName: 'down', kind: 'alert', channel: 'mail', recipient: { name: recipient }, createdAt: 1, vars: { title: 't', sensorId } });
    await ds.enqueue([note('a-in', 'nurse', SENSOR.inside), note('a-out', 'lab', SENSOR.outside)], h.clock.now());
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    port = (h.app.server.address() as { port: number }).port;
  });
  afterAll(async () => h?.close());

  it('has a row for every route the API documents', async () => {
    const spec = (await h.call('anonymous', 'GET', '/api/openapi.json')).json<{ paths: Record<string, Record<string, unknown>> }>();
    const documented = Object.entries(spec.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    const missing = documented.filter((r) => !(r in ROWS));
    expect(missing).toEqual([]);
  });

  let n = 0;
  const run = async (key: string, row: Row) => {
    const outcomes: string[] = [];
    const wrong: string[] = [];
    for (const where of ['inside', 'outside'] as const) {
      for (const role of ROLES) {
        const r = await row.req(where, role, h, ++n);
        let status: number;
        if (row.stream) status = await streamStatus(port, r.url, h.headers[role]);
        else {
          const res = await h.app.inject({
            method: r.method,
            url: r.url,
            headers: { ...h.headers[role], ...(r.body !== undefined ? { 'content-type': r.contentType ?? 'application/json' } : {}) },
            ...(r.body !== undefined ? { payload: typeof r.body === 'string' ? r.body : JSON.stringify(r.body) } : {}),
          });
          status = res.statusCode;
          if (status >= 500) wrong.push(`${role} ${where}: server error ${status} ${res.body}`);
        }
        const want = expected(row.need, role, where);
        const hidden = row.hides === true && !want && role !== 'anonymous' && role !== 'expired' && RIGHTS[role][where] === 'none';
        outcomes.push(`${role}/${where}=${status}`);
        if (hidden) {
          if (status !== 404) wrong.push(`${role} ${where}: the object is outside the caller's rights: expected 404 as for an unknown id, got ${status}`);
          continue;
        }
        const allowed = status !== 401 && status !== 403;
        if (allowed !== want) wrong.push(`${role} ${where}: expected ${want ? 'allowed' : 'denied'}, got ${status}`);
        // Denied callers are told why: 401 without (valid) credentials, 403 with too few rights.
        if (!allowed && !want) {
          const anon = role === 'anonymous' || role === 'expired';
          if (status !== (anon ? 401 : 403)) wrong.push(`${role} ${where}: denied with ${status}, expected ${anon ? 401 : 403}`);
        }
      }
    }
    expect(wrong, `${key}: ${outcomes.join(' ')}`).toEqual([]);
  };

  for (const [key, row] of Object.entries(ROWS)) it(key, () => run(key, row));
  it('POST /api/config/import?preview=true', () => run('preview', PREVIEW));
});
