// The security, remote-probe and notification pages of the console against the real API
// (test/api/harness.ts services, rebuilt with the security and probe routes and a real delivery
// queue on the same SQLite store), in Debian's Chromium: a writer triages a finding after reading
// its runbook; an administrator approves a pending probe and reads a notification's attempts.

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDeliveryStore } from '../../src/alerting/delivery/index.ts';
import type { DeliveryStore } from '../../src/alerting/delivery/types.ts';
import type { Notification } from '../../src/alerting/notification.ts';
import { createTestRole, createTestUser } from '../../src/api/auth/testing.ts';
import { probeRoutes } from '../../src/api/routes/probes.ts';
import { securityRoutes } from '../../src/api/routes/security.ts';
import { buildApi } from '../../src/api/server.ts';
import { openClusterTables, type ClusterTables } from '../../src/cluster/registry.ts';
import { SecurityService } from '../../src/security/service/service.ts';
import { FEEDS } from '../../src/security/service/testing.ts';
import { openSecurityStore } from '../../src/security/store-open.ts';
import type { SecurityStore } from '../../src/security/store.ts';
import { Triage } from '../../src/security/vex/triage.ts';
import { startHarness, type Harness } from '../api/harness.ts';
import { openBrowser, type Browser } from './browser.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
/** Ceilings (not waits) so that the file also runs under the main vitest config's short defaults. */
const SETUP_MS = 180_000;
const TEST_MS = 240_000;
const ADMIN_PW = 'Posture-admin-password-2026';
const WRITER_PW = 'Posture-writer-password-2026';
const ARCHIVE = 'site-a/p1/pacs/archive';

function notification(key: string, title: string, createdAt: number): Notification {
  return {
    key,
    alertId: `alert-${key}`,
    ruleName: 'pacs-down',
    kind: 'alert',
    channel: 'oncall-mail',
    fallbackChannel: 'pager',
    recipient: { name: 'dr-night', address: 'night@hospital.example' },
    createdAt,
    vars: { title, sensorId: 'site-a/p1/pacs/archive/echo', state: 'down' },
  };
}

describe('console posture pages (API harness, Chromium)', () => {
  let h: Harness;
  let app: FastifyInstance;
  let b: Browser;
  let base: string;
  let sec: SecurityStore;
  let tables: ClusterTables;
  let delivery: DeliveryStore;

  beforeAll(async () => {
    await promisify(execFile)(process.execPath, [join(repo, 'scripts/build-web.mjs')], { cwd: repo });
    h = await startHarness();
    const clock = h.clock;

    // Security: real feeds (DCMTK advisories), and the PACS archive runs DCMTK 3.6.6.
    sec = await openSecurityStore(h.store);
    const service = new SecurityService({ store: sec, clock, tree: () => h.tree() });
    const triage = new Triage(sec, clock, h.auth.audit);
    await service.importFeeds([FEEDS.nvd, FEEDS.kev, FEEDS.osv, FEEDS.csaf]);
    await service.setDevice({ deviceId: ARCHIVE, components: [{ id: 'dcmtk', name: 'DCMTK', version: '3.6.6', supplier: 'OFFIS', dependsOn: [] }] });

    // Remote probes: the real registry tables; one probe said hello and waits.
    tables = await openClusterTables(h.store);
    await tables.seen('clinic-north', clock.now());
    const cluster = {
      registry: tables,
      approve: (name: string, by: string) => tables.decide(name, 'approved', by, clock.now()),
      reject: (name: string, by: string) => tables.decide(name, 'rejected', by, clock.now()),
      health: () => undefined,
    };

    // Delivery: one message delivered at once, one refused (421) and waiting for its retry.
    delivery = await openDeliveryStore(h.store);
    const now = clock.now();
    await delivery.enqueue([notification('n-retry', 'Archive Echo is Down', now), notification('n-ok', 'Monitor 1 Temp is Down', now)], now);
    const owner = 'core-1:4242:abcd';
    for (const q of await delivery.claim(owner, now, 60_000, 10)) {
      const ok = q.notification.key === 'n-ok';
      await delivery.finish(
        q.id,
        owner,
        ok
          ? { attempt: 1, owner, startedAt: now, durationMs: 84, ok: true, status: '250', response: '250 2.0.0 Ok: queued as 4F2A1' }
          : { attempt: 1, owner, startedAt: now, durationMs: 131, ok: false, retryable: true, status: '421', response: '421 4.7.0 Try again later', error: 'SMTP 421 from mail.hospital.example: try again later' },
        ok ? { next: 'delivered' } : { next: 'retry', dueAt: now + 120_000 },
      );
    }

    app = await buildApi(
      { ...h.services, notifications: delivery },
      {
        extraRoutes: [
          (_a, routes) => securityRoutes(routes, { service, store: sec, triage, tree: () => h.tree(), clock, uuid: () => '00000000-0000-4000-8000-000000000001' }),
          (_a, routes) => probeRoutes(routes, { cluster, auth: h.auth }),
        ],
      },
    );
    await app.listen({ host: '127.0.0.1', port: 0 });
    const addr = app.server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    await createTestUser(h.auth, { login: 'secops', password: ADMIN_PW, roles: ['administrator'] });
    const pacsWriter = await createTestRole(h.auth, [{ nodeId: 'site-a/p1/pacs', level: 'write' }], { name: 'PACS engineer' });
    await createTestUser(h.auth, { login: 'pacs-engineer', password: WRITER_PW, roles: [pacsWriter.id] });
    b = await openBrowser();
    b.page.setDefaultTimeout(20_000);
  }, SETUP_MS);

  afterAll(async () => {
    await b?.close();
    await app?.close();
    await h?.close();
  }, TEST_MS);

  const login = async (who: string, password: string) => {
    const page = b.page;
    await page.goto(`${base}/`);
    await page.getByLabel('Login').fill(who);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
  };

  it('shows a finding with its risk and runbook, and a writer on the device triages it', async () => {
    const page = b.page;
    await login('pacs-engineer', WRITER_PW);
    // From the navigation, by keyboard: "g" then "y".
    await page.keyboard.press('g');
    await page.keyboard.press('y');
    await page.getByRole('heading', { name: 'Security findings' }).waitFor();
    const findings = (await sec.findings({ subject: ARCHIVE, open: true })).sort((x, y) => y.risk.score - x.risk.score);
    expect(findings.length).toBeGreaterThan(0);
    const top = findings[0]!;
    const row = page.getByRole('row').filter({ hasText: top.vulnId });
    await row.getByRole('link', { name: ARCHIVE }).waitFor();
    // The severity reads as a word next to its icon, not as a colour alone.
    await row.getByText(`${top.risk.severity} ${top.risk.score.toFixed(1)}`).waitFor();
    // The top finding of these feeds is in CISA's KEV catalogue, and says so in words.
    expect(top.kev).toBeDefined();
    await row.locator('.severity-critical', { hasText: 'KEV' }).waitFor();
    await row.getByText(/^Runbook: /).click();
    const runbook = row.getByRole('list', { name: `Runbook for ${top.vulnId}` });
    await runbook.getByText(top.runbook.steps[0]!, { exact: true }).waitFor();
    expect(await runbook.getByRole('listitem').count()).toBe(top.runbook.steps.length);
    await b.screenshot('posture-01-findings');

    await row.getByRole('button', { name: `Triage ${top.vulnId} on ${ARCHIVE}` }).click();
    const form = page.getByRole('form', { name: `Triage of ${top.vulnId} on ${ARCHIVE}` });
    await form.getByLabel('Analysis').selectOption('not_affected');
    await form.getByLabel('Justification').selectOption('code_not_reachable');
    await form.getByLabel('Detail').fill('archive never acts as a DICOM SCU');
    await b.screenshot('posture-01b-triage-form');
    await form.getByRole('button', { name: 'Save triage' }).click();
    await page.getByRole('status').filter({ hasText: `Saved: ${top.vulnId} on ${ARCHIVE} is now “Not affected” (closed` }).waitFor();
    // Not affected closes the finding: it leaves the open list and shows under "All, with closed".
    await expect.poll(() => page.getByRole('row').filter({ hasText: top.vulnId }).count()).toBe(0);
    await page.getByRole('button', { name: 'All, with closed' }).click();
    await page.getByRole('row').filter({ hasText: top.vulnId }).getByText('Not affected (Code not reachable) by pacs-engineer', { exact: false }).waitFor();
    const saved = await sec.finding(top.id);
    expect(saved).toMatchObject({ open: false, analysis: { state: 'not_affected', justification: 'code_not_reachable', detail: 'archive never acts as a DICOM SCU', by: 'pacs-engineer' } });
    // A writer on the PACS has no rights on the whole tree: the probes page says so.
    await page.goto(`${base}/probes`);
    await page.getByRole('heading', { name: 'Remote probes' }).waitFor();
    await page.getByRole('alert').getByText(/needs read on \*/).waitFor();
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('Login').waitFor();
  }, TEST_MS);

  it('lists a pending probe and an administrator approves it', async () => {
    const page = b.page;
    await login('secops', ADMIN_PW);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Probes' }).click();
    await page.getByRole('heading', { name: 'Remote probes' }).waitFor();
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'clinic-north' }) });
    await row.getByText('Pending approval').waitFor();
    await b.screenshot('posture-02-probes-pending');
    await row.getByRole('button', { name: 'Approve probe clinic-north' }).click();
    await page.getByRole('status').filter({ hasText: 'Probe clinic-north: approved.' }).waitFor();
    await row.getByText('Approved').waitFor();
    await row.getByText('by secops').waitFor();
    expect(await tables.get('clinic-north')).toMatchObject({ approval: 'approved', decidedBy: 'secops' });
    // Rejecting an approved probe is asked twice; keeping it changes nothing.
    await row.getByRole('button', { name: 'Reject probe clinic-north' }).click();
    await row.getByRole('group', { name: 'Confirm rejecting probe clinic-north' }).getByRole('button', { name: 'Keep it' }).click();
    await row.getByRole('button', { name: 'Reject probe clinic-north' }).waitFor();
    expect((await tables.get('clinic-north'))?.approval).toBe('approved');
    const audit = await h.call('administrator', 'GET', '/api/audit?action=probe.approve');
    expect(audit.json<{ entries: Array<Record<string, unknown>> }>().entries[0]).toMatchObject({ actor: 'secops', target: 'probe:clinic-north', outcome: 'ok' });
  }, TEST_MS);

  it('lists notification deliveries and opens one to read every attempt', async () => {
    const page = b.page;
    await page.keyboard.press('g');
    await page.keyboard.press('n');
    await page.getByRole('heading', { name: 'Notifications' }).waitFor();
    await page.getByRole('button', { name: /Pending \(1\)/ }).waitFor();
    await page.getByRole('button', { name: /Delivered \(1\)/ }).waitFor();
    const retry = page.getByRole('row').filter({ hasText: 'Archive Echo is Down' });
    await retry.getByText('Pending').waitFor();
    await retry.getByText('oncall-mail → dr-night').waitFor();
    await retry.getByRole('button', { name: '1 attempt of Archive Echo is Down to dr-night' }).click();
    const attempts = page.getByRole('table', { name: 'Delivery attempts of Archive Echo is Down' });
    await attempts.getByText('Failed, will retry').waitFor();
    await attempts.getByText('421 4.7.0 Try again later').waitFor();
    await attempts.getByText('SMTP 421 from mail.hospital.example: try again later').waitFor();
    await attempts.getByText('131 ms').waitFor();
    await b.screenshot('posture-03-notifications');
    // Only the delivered ones, by the status filter.
    await page.getByRole('button', { name: /Delivered \(1\)/ }).click();
    await page.getByRole('row').filter({ hasText: 'Monitor 1 Temp is Down' }).getByText('Delivered').waitFor();
    await expect.poll(() => page.getByRole('row').filter({ hasText: 'Archive Echo is Down' }).count()).toBe(0);
    // The findings of one device by URL (a device page links here); administrators see the feed import status.
    await page.goto(`${base}/security?device=${encodeURIComponent(ARCHIVE)}`);
    await page.getByText(`Device ${ARCHIVE} only`).waitFor();
    const open = (await sec.findings({ subject: ARCHIVE, open: true })).length;
    await page.getByRole('status').filter({ hasText: `${open} finding${open === 1 ? '' : 's'}, highest risk first` }).waitFor();
    await page.getByText('Feed import:').waitFor();
    expect(b.problems.filter((p) => /Content Security Policy|Refused to/i.test(p))).toEqual([]);
  }, TEST_MS);
});
