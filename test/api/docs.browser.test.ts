// The API reference page in a real browser (Debian's Chromium): it loads under the server's own
// Content-Security-Policy, with no CDN, and lists the routes of /api/openapi.json.

import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.ts';

const CHROMIUM = '/usr/bin/chromium';

describe.runIf(existsSync(CHROMIUM))('API reference page in Chromium', () => {
  let h: Harness;
  let browser: Browser;
  let url: string;
  beforeAll(async () => {
    h = await startHarness();
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(h.app.server.address() as { port: number }).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('renders every documented route without a CSP violation or outside request', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    const outside: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('request', (r) => {
      if (!r.url().startsWith(url)) outside.push(r.url());
    });
    await page.goto(`${url}/api/docs`);
    await page.waitForSelector('details');
    const count = await page.locator('details').count();
    const spec = (await h.call('anonymous', 'GET', '/api/openapi.json')).json<{ paths: Record<string, Record<string, unknown>> }>();
    expect(count).toBe(Object.values(spec.paths).reduce((n, ops) => n + Object.keys(ops).length, 0));
    await page.fill('#filter', 'history');
    expect(await page.locator('details:not([hidden])').count()).toBe(1);
    // The answer is documented with its component schema inlined for reading.
    const answer = await page.locator('details:not([hidden]) pre.answer').textContent();
    expect(answer).toContain('"points"');
    expect(answer).not.toContain('$ref');
    expect(problems).toEqual([]);
    expect(outside).toEqual([]);
  });
});
