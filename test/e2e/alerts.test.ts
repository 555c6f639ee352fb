// The alerts page and the overview's alert panel against the real API routes, with an in-memory
// alerting service behind them (the interface the API is given; the real one needs rules and a
// delivery queue that this test is not about): unacknowledged alerts first, acknowledgement with a
// note through POST /api/alerts/:id/acknowledge, the who/when/note shown afterwards.

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertingService, AlertQuery, AlertSummary } from '../../src/alerting/service.ts';
import { createTestUser } from '../../src/api/auth/testing.ts';
import { startHarness, type Harness } from '../api/harness.ts';
import { openBrowser, type Browser } from './browser.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
/** Ceilings (not waits) so that the file also runs under the main vitest config's short defaults. */
const SETUP_MS = 180_000;
const TEST_MS = 240_000;
const PASSWORD = 'Alerts-test-password-2026';

/** Alerts kept in a list, acknowledged in place: what the API routes need of the service. */
function memoryAlerting(now: () => number): AlertingService & { list: AlertSummary[] } {
  const list: AlertSummary[] = [];
  return {
    list,
    async alerts(q: AlertQuery) {
      return list.filter((a) => q.state === undefined || a.state === q.state).slice(0, q.limit ?? 100);
    },
    async alert(id) {
      return list.find((a) => a.id === id);
    },
    async acknowledge(id, by, note, via) {
      const i = list.findIndex((a) => a.id === id);
      if (i < 0) throw new Error(`no alert ${id}`);
      const a: AlertSummary = { ...list[i]!, state: 'acknowledged', acknowledged: { by, at: now(), ...(note !== undefined ? { note } : {}), via } };
      list[i] = a;
      return a;
    },
    verifyAckToken: () => ({ ok: false, reason: 'links are not used in this test' }),
    async securityFinding() {},
  };
}

describe('alerts page (API harness, Chromium)', () => {
  let h: Harness;
  let b: Browser;
  let base: string;
  let alerting: ReturnType<typeof memoryAlerting>;

  beforeAll(async () => {
    await promisify(execFile)(process.execPath, [join(repo, 'scripts/build-web.mjs')], { cwd: repo });
    let clockNow = () => Date.now();
    alerting = memoryAlerting(() => clockNow());
    h = await startHarness({ alerting });
    clockNow = () => h.clock.now();
    const t = h.clock.now();
    const alert = (id: string, nodeId: string, title: string, state: AlertSummary['state'], openedAt: number): AlertSummary => ({
      id,
      ruleName: 'modality-down',
      nodeId,
      title,
      state,
      severity: 'critical',
      openedAt,
      sensorIds: [nodeId],
      affectedDependents: 0,
      escalationStep: 0,
      ...(state === 'acknowledged' ? { acknowledged: { by: 'day-shift', at: openedAt + 60_000, note: 'vendor called', via: 'console' as const } } : {}),
    });
    alerting.list.push(
      alert('a-old', 'site-a/p1/pacs/archive/echo', 'Archive C-ECHO is Down', 'acknowledged', t - 7_200_000),
      alert('a-new', 'site-a/p1/icu/monitor-1/temp', 'Monitor 1 Temp is Down', 'open', t - 600_000),
    );
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const addr = h.app.server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    await createTestUser(h.auth, { login: 'operator-1', password: PASSWORD, roles: ['operator'] });
    b = await openBrowser();
    b.page.setDefaultTimeout(20_000);
  }, SETUP_MS);

  afterAll(async () => {
    await b?.close();
    await h?.close();
  }, TEST_MS);

  it('lists unacknowledged alerts first and acknowledges one with a note', async () => {
    const page = b.page;
    await page.goto(`${base}/alerts`);
    await page.getByLabel('Login').fill('operator-1');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Alerts' }).waitFor();
    const rows = page.locator('table.alerts tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(2);
    await expect.poll(() => rows.nth(0).textContent()).toContain('Monitor 1 Temp is Down');
    expect(await rows.nth(1).textContent()).toContain('by day-shift');
    await b.screenshot('alerts-01-open-first');

    const open = rows.filter({ hasText: 'Monitor 1 Temp is Down' });
    await open.getByLabel('Note').fill('biomed informed');
    await open.getByRole('button', { name: 'Acknowledge' }).click();
    await open.getByText('by operator-1').waitFor();
    await open.getByText('biomed informed').waitFor();
    expect(alerting.list.find((a) => a.id === 'a-new')?.acknowledged).toMatchObject({ by: 'operator-1', note: 'biomed informed', via: 'console' });
    await b.screenshot('alerts-02-acknowledged');

    // The overview counts them and lists the alert panel.
    await page.getByRole('link', { name: 'Overview', exact: true }).click();
    await page.getByRole('heading', { name: /Alerts: 0 unacknowledged, 2 acknowledged/ }).waitFor();
  }, TEST_MS);
});
