// The access matrix: every route the server registers under /api (collected from Fastify as it
// registers them, so that a new route without a row here fails, documented or not) × every role
// (administrator, operator, read-only, a custom role with write on one subtree, anonymous, an
// expired token) × an object inside and outside that subtree: asserts allowed (any answer but
// 401/403) or denied (401 for no or bad credentials, 403 for too few rights, 404 on a route naming
// an object the caller may not even see, so that an unknown id and a forbidden one look the same).
// The rows are in access-rows*.ts; what the roles have and what the rules mean, in access-kit.ts.

import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryStore } from '../../src/alerting/delivery/types.ts';
import type { Notification } from '../../src/alerting/notification.ts';
import { SqliteDeliveryStore } from '../../src/store/sqlite/delivery.ts';
import { SENSOR, expected, type Row } from './access-kit.ts';
import { AUTH_ROWS, AUTH_VARIANTS, prepareAuth } from './access-rows-auth.ts';
import { SECURITY_ROWS, SECURITY_VARIANTS, prepareSecurity } from './access-rows-security.ts';
import { CORE_ROWS, PREVIEW } from './access-rows.ts';
import { ROLES, startHarness, type Harness } from './harness.ts';
import { alert, MemoryAlerting } from './memory-alerting.ts';
import { apiRoutes, withRoutes } from './registered-routes.ts';

/** One row per route, "METHOD /path" with OpenAPI's {param}. */
const ROWS: Readonly<Record<string, Row>> = { ...CORE_ROWS, ...SECURITY_ROWS, ...AUTH_ROWS };
/** A route asked another way (another query, other credentials) where the rule differs. */
const VARIANTS: Readonly<Record<string, Row>> = { 'POST /api/config/import?preview=true': PREVIEW, ...SECURITY_VARIANTS, ...AUTH_VARIANTS };

/**
 * Registered under /api but not part of the API a caller acts through. (The HEAD twin Fastify adds
 * to every GET is not listed either: apiRoutes folds it into its GET, whose handler and rule it shares.)
 */
const NO_ROW: Readonly<Record<string, string>> = {
  'GET /api/docs': 'the reference page: static HTML, public, naming no object (its data is GET /api/openapi.json, which has a row)',
  'GET /api/docs/docs.js': 'the reference page’s static script',
  'GET /api/docs/docs.css': 'the reference page’s static style sheet',
};

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
  let registered: string[];
  let port: number;
  const alerting = new MemoryAlerting();
  let ds: DeliveryStore;
  beforeAll(async () => {
    alerting.list.push(alert('a-in', SENSOR.inside), alert('a-out', SENSOR.outside));
    alerting.tokens.set('link-token', { alertId: 'a-in', recipient: 'dr-night' });
    const started = await withRoutes(() => startHarness({ alerting, notifications: { list: (q) => ds.list(q), get: (k) => ds.get(k), counts: () => ds.counts() } }));
    h = started.value;
    registered = apiRoutes(started.routes);
    ds = new SqliteDeliveryStore(h.store.connection);
    const note = (alertId: string, recipient: string, sensorId: string): Notification => ({ key: `${alertId}:alert:0:${recipient}:mail`, alertId, ruleName: 'down', kind: 'alert', channel: 'mail', recipient: { name: recipient }, createdAt: 1, vars: { title: 't', sensorId } });
    await ds.enqueue([note('a-in', 'nurse', SENSOR.inside), note('a-out', 'lab', SENSOR.outside)], h.clock.now());
    await prepareSecurity(h);
    await prepareAuth(h);
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    port = (h.app.server.address() as { port: number }).port;
  });
  afterAll(async () => h?.close());

  it('sees the routes of every part: monitoring, security, probes, auth layer, push receiver', () => {
    expect(registered).toEqual(expect.arrayContaining(['GET /api/health', 'PUT /api/security/findings/{id}/analysis', 'POST /api/probes/{name}/approve', 'DELETE /api/users/{id}', 'POST /api/auth/login', 'POST /api/push/{token}']));
  });

  it('has a row for every route the server registers under /api', () => {
    expect(registered.filter((r) => !(r in ROWS) && NO_ROW[r] === undefined)).toEqual([]);
  });

  it('has no row (nor exception) for a route that does not exist', () => {
    const stale = [...Object.keys(ROWS).filter((r) => r.includes(' /api')), ...Object.keys(NO_ROW)].filter((r) => !registered.includes(r));
    expect(stale).toEqual([]);
  });

  let n = 0;
  const run = async (key: string, row: Row) => {
    const outcomes: string[] = [];
    const wrong: string[] = [];
    for (const where of ['inside', 'outside'] as const) {
      for (const role of ROLES) {
        const r = await row.req(where, role, h, ++n);
        // Built after req(): preparing may end the role's sessions (a password reset does).
        const headers = r.headers ?? (row.session === true ? await h.session(role) : h.headers[role]);
        let status: number;
        if (row.stream) status = await streamStatus(port, r.url, headers);
        else {
          const res = await h.app.inject({
            method: r.method,
            url: r.url,
            headers: { ...headers, ...(r.body !== undefined ? { 'content-type': r.contentType ?? 'application/json' } : {}) },
            ...(r.body !== undefined ? { payload: typeof r.body === 'string' ? r.body : JSON.stringify(r.body) } : {}),
          });
          status = res.statusCode;
          if (status >= 500) wrong.push(`${role} ${where}: server error ${status} ${res.body}`);
        }
        outcomes.push(`${role}/${where}=${status}`);
        const want = expected(row, role, where);
        const anon = role === 'anonymous' || role === 'expired';
        if (want === 'allowed') {
          if (status === 401 || status === 403) wrong.push(`${role} ${where}: expected allowed, got ${status}`);
          continue;
        }
        // Denied callers are told why: 401 without (valid) credentials, 403 with too few rights,
        // 404 when the object is outside what they may see.
        const due = anon ? 401 : want === 'hidden' ? 404 : 403;
        if (status !== due) {
          wrong.push(`${role} ${where}: expected ${want === 'hidden' ? 'hidden (404, as for an unknown id)' : `denied (${due})`}, got ${status}`);
        }
      }
    }
    expect(wrong, `${key}: ${outcomes.join(' ')}`).toEqual([]);
  };

  for (const [key, row] of Object.entries(ROWS)) it(key, () => run(key, row));
  for (const [key, row] of Object.entries(VARIANTS)) it(key, () => run(key, row));
});
