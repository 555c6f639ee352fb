// Alerts through the API, against an in-memory AlertingService (the interface the alerting part
// implements): list filtered by what the caller reads, acknowledge, and the signed link's confirm
// page (GET acknowledges nothing) and POST.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertSummary } from '../../src/alerting/service.ts';
import { alert, MemoryAlerting } from './memory-alerting.ts';
import { startHarness, type Harness } from './harness.ts';

describe('alerts API', () => {
  let h: Harness;
  const alerting = new MemoryAlerting();
  beforeAll(async () => {
    alerting.list.push(alert('a1', 'site-a/p1/icu/monitor-1/ping'), alert('a2', 'site-b/p1/lab/analyzer/hl7'), alert('a3', 'site-a/p1/pacs/archive/echo'));
    alerting.tokens.set('good-token', { alertId: 'a3', recipient: 'dr-night' });
    h = await startHarness({ alerting });
  });
  afterAll(async () => h?.close());

  it('lists the alerts the caller may read', async () => {
    const all = (await h.call('read-only', 'GET', '/api/alerts')).json<{ items: { id: string }[] }>();
    expect(all.items.map((a) => a.id)).toEqual(['a1', 'a2', 'a3']);
    const ward = (await h.call('ward', 'GET', '/api/alerts?state=open')).json<{ items: { id: string }[] }>();
    expect(ward.items.map((a) => a.id)).toEqual(['a1']);
    expect((await h.call('ward', 'GET', '/api/alerts/a2')).statusCode).toBe(404); // hidden: as for an unknown id
    expect((await h.call('read-only', 'GET', '/api/alerts/zz')).statusCode).toBe(404);
    expect((await h.call('read-only', 'GET', '/api/alerts?state=gone')).json<{ errors: { path: string }[] }>().errors[0]!.path).toBe('query.state');
  });

  it('acknowledges with the acknowledge right only, and audits it', async () => {
    expect((await h.call('read-only', 'POST', '/api/alerts/a1/acknowledge', { note: 'x' })).statusCode).toBe(403);
    const res = await h.call('operator', 'POST', '/api/alerts/a1/acknowledge', { note: 'paged biomed' });
    expect(res.statusCode).toBe(200);
    expect(res.json<AlertSummary>().acknowledged).toMatchObject({ note: 'paged biomed', via: 'api' });
    await h.auth.audit.flush();
    const trail = await h.auth.audit.query({ limit: 50 });
    expect(trail.some((r) => r.action === 'alert.acknowledge' && r.target === 'alert:a1' && r.outcome === 'ok')).toBe(true);
  });

  it('signed link: GET shows a confirm page and acknowledges nothing; POST acknowledges', async () => {
    const page = await h.call('anonymous', 'GET', '/api/alerts/ack?token=good-token');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('&lt;b&gt;site-a/p1/pacs/archive/echo&lt;/b&gt; is Down');
    expect(page.body).toContain('<form method="post" action="/api/alerts/ack">');
    expect(String(page.headers['content-security-policy'])).toContain("default-src 'none'");
    expect((await alerting.alert('a3'))!.state).toBe('open');
    const bad = await h.call('anonymous', 'GET', '/api/alerts/ack?token=forged');
    expect(bad.statusCode).toBe(403);
    const post = await h.app.inject({ method: 'POST', url: '/api/alerts/ack', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'token=good-token&note=on+my+way' });
    expect(post.statusCode).toBe(200);
    expect(post.body).toContain('Acknowledged by dr-night');
    expect((await alerting.alert('a3'))!.acknowledged).toMatchObject({ by: 'dr-night', via: 'link', note: 'on my way' });
  });

  it('the overview lists open alerts the caller may read', async () => {
    const body = (await h.call('ward', 'GET', '/api/overview')).json<{ alerts: { unacknowledged: number; acknowledged: number } }>();
    expect(body.alerts).toMatchObject({ unacknowledged: 0, acknowledged: 1 });
  });
});
