// Every page of the console against the real API (test/api/harness.ts: real SQLite store, real
// Engine with a scripted sensor kind on a manual clock, the auth layer), in Debian's Chromium:
// lazy tree with keyboard navigation, search, a sensor's graph with its limits, acknowledgement,
// editing a device with the API's validation error shown at the field, users, maintenance, audit,
// settings and the keyboard shortcuts. Screenshots go to test/e2e/artifacts/.

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestUser } from '../../src/api/auth/testing.ts';
import { totpCode } from '../../src/api/auth/totp.ts';
import { startHarness, type Harness } from '../api/harness.ts';
import { openBrowser, type Browser } from './browser.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
/** Ceilings (not waits) so that the file also runs under the main vitest config's short defaults. */
const SETUP_MS = 180_000;
const TEST_MS = 240_000;
const PASSWORD = 'Pages-test-password-2026';
const TEMP = 'site-a/p1/icu/monitor-1/temp';
const MONITOR = 'site-a/p1/icu/monitor-1';
const enc = encodeURIComponent;

describe('console pages (API harness, Chromium)', () => {
  let h: Harness;
  let b: Browser;
  let base: string;

  beforeAll(async () => {
    await promisify(execFile)(process.execPath, [join(repo, 'scripts/build-web.mjs')], { cwd: repo });
    h = await startHarness();
    // Temp above its error limit (50) is Down; the others answer.
    h.fake.script(TEMP, 500);
    h.fake.script('site-a/p1/icu/monitor-1/ping', 12);
    h.fake.script('site-a/p1/pacs/archive/echo', 5);
    h.fake.script('site-b/p1/lab/analyzer/hl7', 7);
    await h.clock.advance(61_000);
    expect(h.engine.status(TEMP)?.state).toBe('down');
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const addr = h.app.server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    await createTestUser(h.auth, { login: 'charge-nurse', password: PASSWORD, roles: ['administrator'] });
    b = await openBrowser({ colorScheme: 'dark' });
    b.page.setDefaultTimeout(20_000);
  }, SETUP_MS);

  afterAll(async () => {
    await b?.close();
    await h?.close();
  }, TEST_MS);

  it('logs in and shows the overview with counts per clinical system and the Down list', async () => {
    const page = b.page;
    await page.goto(`${base}/`);
    await page.getByLabel('Login').fill('charge-nurse');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    const modalities = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Modalities' }) });
    await modalities.getByText('1 Down').waitFor();
    await modalities.getByText('1 Up').waitFor();
    await page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Site B' }) }).getByText('1 Up').waitFor();
    const down = page.getByRole('row').filter({ hasText: 'Monitor 1' });
    await down.getByRole('link', { name: 'Temp' }).waitFor();
    await b.screenshot('pages-01-overview-dark');
  }, TEST_MS);

  it('opens the tree lazily and moves through it with the keyboard', async () => {
    const page = b.page;
    await page.keyboard.press('g');
    await page.keyboard.press('t');
    await page.getByRole('heading', { name: 'Tree' }).waitFor();
    const siteA = page.getByRole('treeitem').filter({ hasText: 'Site A' });
    await siteA.waitFor();
    expect(await page.getByRole('treeitem').count()).toBe(2);
    await siteA.focus();
    await page.keyboard.press('ArrowRight');
    await page.getByRole('treeitem').filter({ hasText: 'P1' }).first().waitFor();
    await page.keyboard.press('ArrowDown');
    await page.locator('[role="treeitem"]:focus').filter({ hasText: 'P1' }).waitFor();
    await page.keyboard.press('ArrowRight');
    const icu = page.getByRole('treeitem').filter({ hasText: 'ICU' });
    await icu.waitFor();
    // Counts travel up: the ICU group shows its Down sensor while closed.
    await icu.getByText('1 Down').waitFor();
    await page.keyboard.press('ArrowLeft');
    expect(await siteA.getAttribute('aria-expanded')).toBe('true');
    await b.screenshot('pages-02-tree');
    // Search by name from the global search box ("/").
    await page.keyboard.press('/');
    await page.keyboard.type('Analyzer');
    await page.keyboard.press('Enter');
    // The device by its name, and its sensor by its id (which holds the device's).
    await page.getByRole('treeitem', { name: /^device Analyzer/ }).waitFor();
    await page.getByRole('treeitem', { name: /^sensor HL7 site-b\/p1\/lab\/analyzer/ }).waitFor();
    await page.getByText('2 found').waitFor();
  }, TEST_MS);

  it('shows a sensor with its limits on the graph and acknowledges it', async () => {
    const page = b.page;
    await page.goto(`${base}/sensors/${enc(TEMP)}`);
    await page.getByRole('heading', { name: 'Temp', level: 1 }).waitFor();
    await page.locator('.status-panel').getByText('Down').waitFor();
    await page.locator('table.channels').getByRole('row').filter({ hasText: 'Value' }).getByText('500 ms').waitFor();
    await page.locator('.graph canvas').first().waitFor();
    await page.getByText('Upper error limit: 50 ms').waitFor();
    await page.getByRole('button', { name: '1 year' }).click();
    await page.getByRole('heading', { name: 'Value over 1 year' }).waitFor();
    await page.getByLabel('Note').fill('biomed is on it');
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await page.locator('.ack-note').getByText('Acknowledged by charge-nurse').waitFor();
    expect(h.engine.status(TEMP)?.acknowledged?.note).toBe('biomed is on it');
    await b.screenshot('pages-03-sensor');
    // Live: the next reading reaches the open page over the event stream, without a reload.
    h.fake.script(TEMP, 650);
    await h.clock.advance(61_000);
    await page.locator('table.channels').getByText('650 ms').waitFor();
    // Its limits, edited here, go into the configuration and onto the graph.
    await page.getByRole('button', { name: 'Edit limits of Value' }).click();
    const limits = page.getByRole('form', { name: 'Limits of Value' });
    await limits.getByLabel('Upper error limit (ms)', { exact: true }).fill('800');
    await limits.getByLabel('Upper error limit: message', { exact: true }).fill('Monitor 1 runs hot');
    await limits.getByRole('button', { name: 'Save limits' }).click();
    await page.getByText('Upper error limit: 800 ms').waitFor();
    const temp = h.tree().nodes.get(TEMP);
    expect(temp?.type === 'sensor' ? temp.channels : undefined).toMatchObject({ value: { limits: { upperError: 800, upperErrorMessage: 'Monitor 1 runs hot' } } });
  }, TEST_MS);

  it('edits a device with the API schema: a bad value is named at its field, a good one is saved', async () => {
    const page = b.page;
    await page.goto(`${base}/nodes/${enc(MONITOR)}`);
    await page.getByRole('heading', { name: 'Monitor 1', level: 1 }).waitFor();
    await expect.poll(() => page.getByLabel('host', { exact: true }).inputValue()).toBe('10.0.0.1');
    // The settings a device may have come from the config's JSON Schema, with their descriptions.
    await page.getByRole('combobox', { name: 'Add a setting' }).selectOption('interval');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByText('Time between two checks').waitFor();
    await page.getByLabel('interval', { exact: true }).fill('banana');
    await page.getByRole('button', { name: 'Save' }).click();
    const field = page.locator('.field').filter({ has: page.getByLabel('interval', { exact: true }) });
    await field.getByRole('alert').waitFor();
    expect(await page.getByLabel('interval', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await b.screenshot('pages-04-edit-error');
    await page.getByLabel('interval', { exact: true }).fill('2m');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: /Saved/ }).waitFor();
    expect(h.tree().nodes.get(MONITOR)?.settings.intervalS).toBe(120);
    // Pause the whole device for a while, then resume it.
    await page.getByLabel('Pause for').fill('2h');
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Pause: done' }).waitFor();
    await expect.poll(() => h.engine.status('site-a/p1/icu/monitor-1/ping')?.state).toBe('paused');
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('status').filter({ hasText: 'Resume: done' }).waitFor();
    await expect.poll(() => h.engine.status('site-a/p1/icu/monitor-1/ping')?.pauseReason).toBeUndefined();
  }, TEST_MS);

  it('manages users (the password rule shown at the field), lists maintenance, reads the audit trail', async () => {
    const page = b.page;
    await page.goto(`${base}/users`);
    await page.getByRole('heading', { name: 'Users, roles and tokens' }).waitFor();
    await page.getByRole('cell', { name: 'charge-nurse' }).first().waitFor();
    const form = page.getByRole('form', { name: 'New user' });
    await form.getByLabel('Login').fill('night-tech');
    await form.getByLabel('Full name').fill('Night Tech');
    await form.getByLabel('Password').fill('short');
    await form.getByRole('button', { name: 'Create user' }).click();
    await form.getByText(/at least 12 characters/).waitFor();
    await form.getByLabel('Password').fill('a-much-longer-password-1');
    await form.getByRole('button', { name: 'Create user' }).click();
    await page.getByRole('cell', { name: 'night-tech' }).first().waitFor();
    await b.screenshot('pages-05-users');

    await page.goto(`${base}/maintenance`);
    await page.getByText('nightly').first().waitFor();
    await page.getByText(/every sun at 02:00 for 2h/).waitFor();

    await page.goto(`${base}/audit`);
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    await page.getByRole('cell', { name: 'sensor.acknowledge' }).waitFor();
    await page.getByRole('cell', { name: 'user.create' }).first().waitFor();
    await b.screenshot('pages-06-audit');
  }, TEST_MS);

  it('keeps the theme choice, shows the shortcuts, and obeys the CSP', async () => {
    const page = b.page;
    await page.goto(`${base}/settings`);
    await page.getByLabel('Light').check();
    expect(await page.evaluate('document.documentElement.getAttribute("data-theme")')).toBe('light');
    await page.reload();
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    expect(await page.evaluate('document.documentElement.getAttribute("data-theme")')).toBe('light');
    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await b.screenshot('pages-07-settings-light');
    await page.keyboard.press('Escape');
    expect(b.problems.filter((p) => /Content Security Policy|Refused to/i.test(p))).toEqual([]);
  }, TEST_MS);
  it('turns on two-factor authentication, then logs in with the code step', async () => {
    const page = b.page;
    await page.goto(`${base}/settings`);
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    const secret = (await page.locator('code.secret').textContent())!.trim();
    await page.getByLabel('Code from the app').fill(totpCode(secret, h.clock.now()));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByRole('status').filter({ hasText: 'Two-factor authentication is on' }).waitFor();
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('Login').fill('charge-nurse');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    // The second step: a code is asked for; a code is never accepted twice, so the next time step's.
    await page.getByLabel('Authentication code').waitFor();
    await h.clock.advance(30_000);
    await page.getByLabel('Authentication code').fill('000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('alert').waitFor();
    await page.getByLabel('Authentication code').fill(totpCode(secret, h.clock.now()));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await b.screenshot('pages-08-after-totp');
  }, TEST_MS);
});
