// API benchmark: with 100,000 sensors in the store (tree, stored states), the latency of the
// overview, the tree (sites, a probe's 100 groups, a group's 100 devices, a device's sensors), a
// search, and a year-long history query for one sensor, through the real server (auth included).
// Target: p99 < 50 ms. Run: node --import tsx bench/api.ts   (or from the bench runner)

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { bearerFor, createTestAuthServices, createTestUser } from '../src/api/auth/testing.ts';
import { buildApi } from '../src/api/server.ts';
import { LiveHub } from '../src/api/services.ts';
import { createDocumentChecker } from '../src/config/check.ts';
import { createConfigService } from '../src/config/edit/service.ts';
import { STATES, type SensorStatus } from '../src/core/model.ts';
import { createInbox } from '../src/receivers/inbox.ts';
import { sensorKind } from '../src/sensors/registry.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { openSqliteStore } from '../src/store/sqlite/index.ts';
import type { StoredSensorState, ValueRow } from '../src/store/store.ts';

const GROUPS = 100;
const DEVICES = 100;
const SENSORS_PER_DEVICE = 10;
const RUNS = 200;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 15);
const SYSTEMS = ['HIS', 'LIMS', 'RIS', 'PACS', 'modality', 'interface-engine', 'network'] as const;

function pct(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))] ?? Number.NaN;
}

const round = (x: number): number => Math.round(x * 100) / 100;

export async function run(): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(join(tmpdir(), 'ww-bench-api-'));
  const clock = new ManualClock(NOW);
  const store = openSqliteStore({ path: join(dir, 'bench.db'), clock });
  try {
    const t0 = performance.now();
    const document = {
      defaults: { interval: '5m' },
      sites: [
        {
          name: 'General Hospital',
          probes: [
            {
              name: 'Core',
              groups: Array.from({ length: GROUPS }, (_, g) => ({
                name: `Ward ${g}`,
                system: SYSTEMS[g % SYSTEMS.length],
                devices: Array.from({ length: DEVICES }, (_, d) => ({
                  name: `Device ${g}-${d}`,
                  host: `10.${g}.${d >> 8}.${d & 255}`,
                  sensors: Array.from({ length: SENSORS_PER_DEVICE }, (_, s) => ({ name: `Sensor ${s}`, kind: 'synthetic', base: s })),
                })),
              })),
            },
          ],
        },
      ],
    };
    const checked = createDocumentChecker()(document);
    if (!checked.ok) throw new Error(`bench config invalid: ${JSON.stringify(checked.problems.slice(0, 3))}`);
    const tree = checked.tree;
    const buildMs = performance.now() - t0;

    // States in the store, as a running Wardwatch keeps them: a few Down, some Warning, most Up.
    const stored: StoredSensorState[] = [];
    let i = 0;
    for (const n of tree.nodes.values()) {
      if (n.type !== 'sensor') continue;
      const state = i % 997 === 0 ? 'down' : i % 101 === 0 ? 'warning' : i % 503 === 0 ? 'paused' : 'up';
      stored.push({ sensorId: n.id, state, since: NOW - (i % 1000) * 60_000, failures: state === 'down' ? 3 : 0, lastCheck: NOW - 30_000, lastValues: { value: i % 100 }, ...(state === 'paused' ? { pauseReason: 'user' as const } : {}) });
      i++;
    }
    await store.saveStates(stored);
    const statuses = new Map<string, SensorStatus>();
    for (const s of await store.loadStates()) statuses.set(s.sensorId, { state: s.state, since: s.since, failures: s.failures, ...(s.lastValues ? { lastValues: s.lastValues } : {}), ...(s.pauseReason ? { pauseReason: s.pauseReason } : {}) });

    // A year of hourly values for one sensor (rolled up to 1h and 1d by the store).
    const one = 'general-hospital/core/ward-7/device-7-7/sensor-3';
    const rows: ValueRow[] = [];
    for (let t = NOW - 365 * DAY; t < NOW; t += HOUR) rows.push({ sensorId: one, channel: 'value', ts: t, value: 3 + Math.sin(t / DAY) });
    for (let k = 0; k < rows.length; k += 5000) await store.writeBatch(rows.slice(k, k + 5000), []);

    const live = new LiveHub();
    const version = await store.saveConfig(document, 'bench', NOW);
    const config = createConfigService({ initial: { version, document, tree, source: 'bench' }, store, apply: async () => undefined, now: () => clock.now() });
    const auth = await createTestAuthServices({ store, clock, keyFile: join(dir, 'key') });
    const app = await buildApi({
      version: 'bench',
      clock,
      history: store,
      events: store,
      messages: store,
      inbox: createInbox(() => undefined),
      config,
      auth,
      live,
      monitor: { tree: () => tree, status: (id) => statuses.get(id), statuses: () => statuses, kindOf: sensorKind, health: () => ({}), checkNow: () => false, acknowledge: () => undefined },
    });
    const { user } = await createTestUser(auth, { roles: ['administrator'] });
    const admin = (await bearerFor(auth, user)).headers;
    const { user: wardUser } = await createTestUser(auth, { roles: [{ roleId: 'read-only', nodeId: 'general-hospital/core/ward-7' }] });
    const ward = (await bearerFor(auth, wardUser)).headers;

    const measure = async (url: string, headers: Record<string, string>): Promise<{ p50: number; p99: number; bytes: number }> => {
      const ms: number[] = [];
      let bytes = 0;
      for (let r = 0; r < RUNS + 10; r++) {
        // State churn between requests, as the engine reports it: the counts stay incremental.
        const s = stored[(r * 7919) % stored.length]!;
        const st = statuses.get(s.sensorId)!;
        const next: SensorStatus = { ...st, state: STATES[r % 3]! };
        statuses.set(s.sensorId, next);
        live.publish({ type: 'state', event: { sensorId: s.sensorId, ts: clock.now(), from: st.state, to: next.state, reason: 'bench' }, status: next });
        const t = performance.now();
        const res = await app.inject({ method: 'GET', url, headers });
        const dt = performance.now() - t;
        if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
        bytes = res.body.length;
        if (r >= 10) ms.push(dt);
      }
      return { p50: round(pct(ms, 50)), p99: round(pct(ms, 99)), bytes };
    };

    const enc = encodeURIComponent;
    const out: Record<string, number | string> = { sensors: stored.length, 'config check + tree build ms': Math.round(buildMs) };
    const cases: [string, string, Record<string, string>][] = [
      ['overview', '/api/overview', admin],
      ['tree sites', '/api/tree', admin],
      ['tree probe (100 groups)', `/api/tree?parent=${enc('general-hospital/core')}`, admin],
      ['tree group (100 devices)', `/api/tree?parent=${enc('general-hospital/core/ward-7')}`, admin],
      ['tree device (10 sensors)', `/api/tree?parent=${enc('general-hospital/core/ward-7/device-7-7')}`, admin],
      ['search state=down', '/api/search?state=down&limit=50', admin],
      ['overview, one-ward user', '/api/overview', ward],
      ['tree sites, one-ward user', '/api/tree', ward],
      ['history 1 year (JSON)', `/api/sensors/${enc(one)}/history?from=${NOW - 365 * DAY}&to=${NOW}`, admin],
      ['history 1 year (CSV)', `/api/sensors/${enc(one)}/history?from=${NOW - 365 * DAY}&to=${NOW}&format=csv`, admin],
    ];
    for (const [name, url, headers] of cases) {
      const r = await measure(url, headers);
      out[`${name} p50 ms`] = r.p50;
      out[`${name} p99 ms`] = r.p99;
    }
    await app.close();
    return out;
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await run();
  for (const [k, v] of Object.entries(r)) console.log(`${k.padEnd(40)} ${v}`);
}
