// Console benchmark: the real app with 100,000 in-process `synthetic` sensors (some of them Down),
// the built console, and Debian's Chromium through playwright-core. Measures the first useful paint
// (navigation start until the data is on screen, by the page's own performance clock) of the
// overview (state counts and the Down list), the tree (its first rows) and a sensor page (its
// graph), cold (first visit) and warm (p50 of later visits). Target: first useful paint < 1 s.
// Run: node --import tsx bench/console.ts [sensors]   (or `npm run bench console` once listed)

import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { startApp } from '../src/app.ts';
import { openBrowser } from '../test/e2e/browser.ts';

const SENSORS = 100_000;
const PER_DEVICE = 50;
const DOWN_EVERY = 2_000;
const WARM_RUNS = 7;
const SYSTEMS = ['HIS', 'LIMS', 'RIS', 'PACS', 'modality', 'interface-engine', 'network'] as const;
const repo = fileURLToPath(new URL('..', import.meta.url));
const PASSWORD = 'Paint-timer-password-2026';

/**
 * A hospital of `total` synthetic sensors spread over the clinical systems; every DOWN_EVERY-th is
 * Down (checked every 30 s, so that the Down list fills quickly; the rest every 10 min).
 */
export function benchConfig(total: number): string {
  const perGroup = Math.ceil(total / SYSTEMS.length);
  let made = 0;
  const groups = SYSTEMS.map((system) => {
    const devices: unknown[] = [];
    for (let d = 0; made < total && d * PER_DEVICE < perGroup; d++) {
      const sensors: unknown[] = [];
      for (let i = 0; i < PER_DEVICE && made < total; i++, made++) {
        // A lower error limit above the whole wave keeps this sensor Down.
        const down = made % DOWN_EVERY === 0;
        sensors.push({ name: `S${made}`, kind: 'synthetic', base: 50, amplitude: 10, ...(down ? { interval: '30s', channels: { value: { limits: { lowerError: 1000, lowerErrorMessage: 'bench: below its floor' } } } } : {}) });
      }
      devices.push({ name: `${system}-dev-${d}`, host: '127.0.0.1', sensors });
    }
    return { name: system, system, devices };
  });
  // A long interval: the bench measures the console against a full tree, not the scheduler.
  return stringify({ defaults: { interval: '10m', timeout: '5s', retries: 0 }, sites: [{ name: 'Bench hospital', timezone: 'Europe/Berlin', probes: [{ name: 'Local probe', groups }] }] });
}

function p50(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? NaN;
}

export async function run(sensors = SENSORS): Promise<Record<string, number | string>> {
  await promisify(execFile)(process.execPath, [join(repo, 'scripts/build-web.mjs')], { cwd: repo });
  const dir = await mkdtemp(join(tmpdir(), 'wardwatch-bench-console-'));
  const configPath = join(dir, 'wardwatch.yaml');
  await writeFile(configPath, benchConfig(sensors));
  const logs: string[] = [];
  const started = Date.now();
  const app = await startApp({ configPath, dataDir: join(dir, 'data'), host: '127.0.0.1', port: 0, log: (l) => logs.push(l) });
  const startS = (Date.now() - started) / 1000;
  const b = await openBrowser();
  try {
    const page = b.page;
    page.setDefaultTimeout(120_000);
    const setupLine = logs.find((l) => /\/setup\?token=/.test(l));
    if (!setupLine) throw new Error(`bench/console: the app printed no setup link:\n${logs.join('\n')}`);
    const setupUrl = /(https?:\/\/\S+\/setup\?token=[A-Za-z0-9_-]+)/.exec(setupLine)![1]!;
    const base = new URL('/', setupUrl).href;
    await page.goto(setupUrl);
    await page.getByLabel('Login').fill('bench');
    await page.getByLabel('Full name').fill('Bench');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Repeat password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    // Measure with the Down list filled: wait (on the page, as an operator would) for the first Down row.
    await page.getByRole('table').filter({ hasText: 'Down for' }).waitFor({ timeout: 300_000 });

    const paint = async (url: string, ready: () => Promise<void>): Promise<number> => {
      await page.goto(url);
      await ready();
      return await page.evaluate<number>('performance.now()');
    };
    const overviewReady = async () => {
      await page.getByRole('rowheader', { name: 'PACS' }).waitFor();
      await page.getByRole('heading', { name: /^Down now/ }).waitFor();
    };
    const treeReady = async () => {
      await page.getByRole('treeitem').first().waitFor();
    };
    const sensorId = [...app.tree().nodes.values()].find((n) => n.type === 'sensor')!.id;
    const sensorUrl = new URL(`/sensors/${encodeURIComponent(sensorId)}`, base).href;
    const sensorReady = async () => {
      await page.locator('.graph canvas').first().waitFor();
    };

    // Cold: a fresh cache for the first visit of each page.
    await b.context.clearCookies();
    await page.goto(setupUrl.replace(/\?.*/, ''));
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    await page.getByLabel('Login').fill('bench');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    const cdp = await b.context.newCDPSession(page);
    await cdp.send('Network.clearBrowserCache');
    const overviewCold = await paint(base, overviewReady);
    const treeCold = await paint(new URL('/tree', base).href, treeReady);
    const sensorCold = await paint(sensorUrl, sensorReady);
    const overviewWarm: number[] = [];
    const treeWarm: number[] = [];
    const sensorWarm: number[] = [];
    for (let i = 0; i < WARM_RUNS; i++) {
      overviewWarm.push(await paint(base, overviewReady));
      treeWarm.push(await paint(new URL('/tree', base).href, treeReady));
      sensorWarm.push(await paint(sensorUrl, sensorReady));
    }
    const downNow = [...app.tree().nodes.values()].filter((n) => n.type === 'sensor' && app.engine.status(n.id)?.state === 'down').length;
    return {
      sensors,
      'app start (parse + apply) s': startS,
      'Down when measured': downNow,
      'overview first paint cold ms': overviewCold,
      'overview first paint warm p50 ms': p50(overviewWarm),
      'tree first rows cold ms': treeCold,
      'tree first rows warm p50 ms': p50(treeWarm),
      'sensor graph cold ms': sensorCold,
      'sensor graph warm p50 ms': p50(sensorWarm),
      target: 'first useful paint < 1000 ms',
    };
  } finally {
    await b.close();
    await app.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const n = Number(process.argv[2] ?? SENSORS);
  const result = await run(Number.isFinite(n) && n > 0 ? n : SENSORS);
  for (const [k, v] of Object.entries(result)) console.log(`${k.padEnd(36)} ${typeof v === 'number' ? (Number.isInteger(v) ? v : v.toFixed(1)) : v}`);
}
