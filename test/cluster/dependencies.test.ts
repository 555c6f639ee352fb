// Dependencies across the core/probe boundary on a real nats-server: a core sensor whose master runs
// on a probe, probe sensors whose master runs on the core, what a probe is told (only its masters),
// a probe's sensor whose master runs on another probe, and a probe cut off from the core that stops trusting a stale Down after the staleness limit.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from 'nats';
import { stringify } from 'yaml';
import { startClusterCore, type ClusterCore } from '../../src/cluster/core.ts';
import { startProbe, type RunningProbe } from '../../src/cluster/probe.ts';
import { asMastersMessage, parseJson, type MastersMessage } from '../../src/cluster/protocol.ts';
import { formatConfigError, parseConfig } from '../../src/config/load.ts';
import type { Tree } from '../../src/core/tree.ts';
import { Engine } from '../../src/engine/engine.ts';
import { MemoryInbox, MemoryStore, scriptedKind, type ScriptedKind } from '../../src/engine/testing/fakes.ts';
import { sensorKind } from '../../src/sensors/registry.ts';
import { ManualClock } from '../../src/shared/clock.ts';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/index.ts';
import { startNats, type NatsPeer } from '../peers/nats.ts';
import { collectLog, waitFor } from './fixture.ts';

const GATEWAY = 'main/local/network/gateway/value';
const PACS = 'main/local/network/pacs/value';
const ROUTER = 'site-b/site-b/devices/router/value';
const MODALITY = 'site-b/site-b/devices/modality/value';
const WORKLIST = 'site-b/site-b/devices/worklist/value';
const CT = 'site-c/site-c/devices/ct/value';
const ARCHIVE = 'site-c/site-c/devices/archive/value';
const DOWN = { channels: [], error: 'ECONNREFUSED' } as const;

function sensor(name: string, extra: Record<string, unknown> = {}) {
  return { name, host: '127.0.0.1', sensors: [{ name: 'value', kind: 'synthetic', retries: 0, ...extra }] };
}

// The core runs Main; SITE-B and SITE-C run remotely. Masters cross the boundary both ways.
function dependencyTree(): Tree {
  const doc = {
    defaults: { interval: '1s' },
    sites: [
      { name: 'Main', probes: [{ name: 'Local', groups: [{ name: 'Network', system: 'network', devices: [sensor('Gateway'), sensor('Pacs', { dependsOn: ROUTER })] }] }] },
      {
        name: 'SITE-B',
        probes: [{ name: 'SITE-B', groups: [{ name: 'Devices', system: 'other', devices: [sensor('Router'), sensor('Modality', { dependsOn: GATEWAY }), sensor('Worklist', { dependsOn: MODALITY })] }] }],
      },
      { name: 'SITE-C', probes: [{ name: 'SITE-C', groups: [{ name: 'Devices', system: 'other', devices: [sensor('Ct', { dependsOn: GATEWAY }), sensor('Archive', { dependsOn: ROUTER })] }] }] },
    ],
  };
  const parsed = parseConfig(stringify(doc), 'dependencies-test.yaml');
  if (!parsed.ok) throw new Error(parsed.errors.map(formatConfigError).join('\n'));
  return parsed.tree;
}

/** Every sensor is a scripted synthetic one: the test decides when it is Down. */
function withScripted(k: ScriptedKind) {
  return (kind: string) => (kind === 'synthetic' ? k.kind : sensorKind(kind));
}

const tree = dependencyTree();
let nats: NatsPeer;
let dir: string;
let store: SqliteStore;
let core: ClusterCore | undefined;
let coreClosed = false;
let spy: NatsConnection;
const told = new Map<string, MastersMessage[]>();
const coreKind = scriptedKind('synthetic');
const coreClock = new ManualClock(Date.now());
const coreEngine = new Engine({
  clock: coreClock,
  kindOf: withScripted(coreKind),
  writer: new MemoryStore(),
  states: new MemoryStore(),
  inbox: new MemoryInbox(),
  measureEventLoop: false,
  // As app.ts wires it: the probes hear of the core's sensors' state changes.
  onStateChange: (e) => core?.localStateChanged(e.sensorId),
});
const probes: RunningProbe[] = [];

beforeAll(async () => {
  nats = await startNats({ probes: ['SITE-B', 'SITE-C'] });
  dir = mkdtempSync(join(tmpdir(), 'ww-deps-'));
  store = openSqliteStore({ path: join(dir, 'core.db') });
  const c = await startClusterCore({
    link: { url: nats.url, user: nats.core.user, password: nats.core.password },
    store,
    tree: () => tree,
    log: collectLog().log,
    engine: coreEngine,
    heartbeatMs: 500,
    onAssignmentsChanged: () => void coreEngine.apply(c.localTree(tree)),
  });
  core = c;
  for (const p of ['SITE-B', 'SITE-C']) {
    await c.registry.seen(p, Date.now());
    await c.approve(p, 'alice');
  }
  await coreEngine.apply(c.localTree(tree));
  await coreEngine.start();
  // Listens as the core user to what the core tells each probe.
  spy = await connect({ servers: nats.url, user: nats.core.user, pass: nats.core.password });
  for (const p of ['SITE-B', 'SITE-C']) {
    spy.subscribe(`ww.config.${p}`, {
      callback: (_err, msg) => {
        const m = asMastersMessage(parseJson(msg.data, msg.subject), msg.subject);
        if (m) told.set(p, [...(told.get(p) ?? []), m]);
      },
    });
  }
  await spy.flush();
});

afterAll(async () => {
  for (const p of probes) await p.close();
  await spy?.close();
  await coreEngine.stop();
  if (!coreClosed) await core?.close();
  await store?.close();
  await nats?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs a core sensor's check now (the core's engine is on a manual clock) and waits for its state. */
async function checkOnCore(id: string, state: string): Promise<void> {
  expect(coreEngine.checkNow(id)).toBe(true);
  await waitFor(`${id} ${state} on the core`, () => coreEngine.status(id)?.state === state);
}

describe('dependencies across the core/probe boundary', () => {
  const probeKind = scriptedKind('synthetic');
  let b: RunningProbe;
  // SITE-C runs on a manual clock: the staleness limit passes when the test says so.
  const cClock = new ManualClock(Date.now());
  const cKind = scriptedKind('synthetic');
  const cLog = collectLog();
  let c: RunningProbe;

  it('pauses a core sensor whose remote master goes Down, and resumes it when the master recovers', async () => {
    b = await startProbe({ name: 'SITE-B', dataDir: join(dir, 'probe-b'), log: collectLog().log, link: { url: nats.url, nkeyFile: nats.seedFiles.get('SITE-B')! }, kindOf: withScripted(probeKind), flushIntervalMs: 50, healthIntervalMs: 100 });
    probes.push(b);
    await waitFor('the router up on the core', () => core!.statusOf(ROUTER)?.state === 'up');
    await checkOnCore(GATEWAY, 'up');
    await checkOnCore(PACS, 'up');

    probeKind.script(ROUTER, DOWN);
    await waitFor('PACS paused by its remote master', () => coreEngine.status(PACS)?.state === 'paused');
    expect(coreEngine.status(PACS)).toMatchObject({ pauseReason: 'dependency', message: `Paused by dependency: master sensor ${ROUTER} is Down` });
    // Paused sensors are not checked: no alert can come from them.
    expect(coreEngine.checkNow(PACS)).toBe(false);

    probeKind.script(ROUTER, 1);
    // Resumed, PACS is checked at once (the core's engine runs on a manual clock: only that check runs it).
    await waitFor('PACS resumed and checked', () => coreEngine.status(PACS)?.state === 'up');
  });

  it('pauses probe sensors (transitively) whose master runs on the core, and tells a probe only the masters its sensors name', async () => {
    await waitFor('the modality up on its probe', () => b.engine.status(MODALITY)?.state === 'up');
    coreKind.script(GATEWAY, DOWN);
    await checkOnCore(GATEWAY, 'down');
    await waitFor('the modality paused by the core gateway', () => b.engine.status(MODALITY)?.state === 'paused');
    expect(b.engine.status(MODALITY)).toMatchObject({ pauseReason: 'dependency', message: `Paused by dependency: master sensor ${GATEWAY} is Down` });
    expect(b.engine.status(WORKLIST)).toMatchObject({ state: 'paused', pauseReason: 'dependency', message: `Paused by dependency: master sensor ${GATEWAY} is Down` });
    expect(b.engine.status(ROUTER)?.state).toBe('up');
    // The core sees the probe's pause like any remote state.
    await waitFor('the pause reported to the core', () => core!.statusOf(MODALITY)?.pauseReason === 'dependency');

    coreKind.script(GATEWAY, 1);
    await checkOnCore(GATEWAY, 'up');
    await waitFor('the modality resumed and checked on its probe', () => b.engine.status(MODALITY)?.state === 'up' && b.engine.status(WORKLIST)?.state === 'up');

    // SITE-B's sensors name one master outside its subtree (the gateway; the router and modality are its own).
    const ids = new Set(told.get('SITE-B')!.flatMap((m) => m.masters.map((x) => x.id)));
    expect([...ids]).toEqual([GATEWAY]);
  });

  it('pauses a probe sensor whose master runs on another probe', async () => {
    c = await startProbe({
      name: 'SITE-C',
      dataDir: join(dir, 'probe-c'),
      log: cLog.log,
      link: { url: nats.url, nkeyFile: nats.seedFiles.get('SITE-C')! },
      kindOf: withScripted(cKind),
      clock: cClock,
      masterMaxAgeMs: 300_000,
    });
    probes.push(c);
    await waitFor('the configuration on SITE-C', () => c.engine.status(ARCHIVE) !== undefined);
    probeKind.script(ROUTER, DOWN);
    await waitFor('the archive on SITE-C paused by the router on SITE-B', () => c.engine.status(ARCHIVE)?.state === 'paused');
    expect(c.engine.status(ARCHIVE)).toMatchObject({ pauseReason: 'dependency', message: `Paused by dependency: master sensor ${ROUTER} is Down` });
    probeKind.script(ROUTER, 1);
    await waitFor('the archive resumed and checked', () => c.engine.status(ARCHIVE)?.state === 'up');
  });

  it('does not keep a core sensor paused by a remote master whose probe disconnected (unknown is not Down)', async () => {
    probeKind.script(ROUTER, DOWN);
    await waitFor('PACS paused by its remote master', () => coreEngine.status(PACS)?.state === 'paused');
    await b.close();
    probes.splice(probes.indexOf(b), 1);
    await waitFor('SITE-B counted as disconnected', () => core!.health('SITE-B')?.connected === false);
    await waitFor('PACS resumed and checked', () => coreEngine.status(PACS)?.state === 'up');
  });

  it('a probe cut off from the core stops trusting a stale Down master after the staleness limit', async () => {
    coreKind.script(GATEWAY, DOWN);
    await checkOnCore(GATEWAY, 'down');
    await waitFor('the CT paused by the core gateway', () => c.engine.status(CT)?.state === 'paused');
    expect(c.engine.status(CT)).toMatchObject({ pauseReason: 'dependency', message: `Paused by dependency: master sensor ${GATEWAY} is Down` });
    expect(new Set(told.get('SITE-C')!.flatMap((m) => m.masters.map((x) => x.id)))).toEqual(new Set([GATEWAY, ROUTER]));

    // The core goes away: no news of the gateway any more.
    coreClosed = true;
    await core!.close();
    await cClock.advance(300_000 - 1);
    expect(c.engine.status(CT)?.state).toBe('paused');
    expect(cKind.calls.filter((x) => x.sensorId === CT)).toHaveLength(0);
    await cClock.advance(1);
    // Unknown is not Down: the CT is checked again, and can alert again.
    expect(c.engine.status(CT)?.state).toBe('up');
    expect(cKind.calls.find((x) => x.sensorId === CT)?.at).toBe(cClock.now());
    expect(cLog.lines.filter((l) => l.startsWith('no news from the core for 300 s of 2 master sensor(s) outside this probe ('))).toHaveLength(1);
  });
});
