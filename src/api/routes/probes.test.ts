// The probe routes behind the real auth layer, on a small in-memory cluster: who may list probes,
// approval and rejection by administrators only (audited), unknown probes, and no cluster at all.

import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterCore } from '../../cluster/core.ts';
import { UnknownProbeError, type ProbeRecord } from '../../cluster/registry.ts';
import type { ProbeHealth } from '../../cluster/watch.ts';
import { ManualClock } from '../../shared/clock.ts';
import { openSqliteStore, type SqliteStore } from '../../store/sqlite/index.ts';
import { buildTestAuthApp, createTestRole, createTestAuthServices, createTestUser, sessionFor } from '../auth/testing.ts';
import { RouteTable } from './define.ts';
import { probeRoutes, probeViewSchema, type ProbeView } from './probes.ts';

type FakeCluster = Pick<ClusterCore, 'registry' | 'approve' | 'reject' | 'health'>;

/** The registry's behaviour (unknown probes throw UnknownProbeError) over a map. */
function fakeCluster(clock: ManualClock, records: ProbeRecord[], health: Record<string, ProbeHealth>): FakeCluster {
  const probes = new Map(records.map((r) => [r.name, r]));
  const decide = async (name: string, approval: 'approved' | 'rejected', by: string) => {
    const r = probes.get(name);
    if (!r) throw new UnknownProbeError(`probe "${name}" is not known`);
    const next = { ...r, approval, decidedBy: by, decidedAt: clock.now() };
    probes.set(name, next);
    return next;
  };
  return {
    registry: {
      list: async () => [...probes.values()],
      get: async (name) => probes.get(name),
      seen: async () => Promise.reject(new Error('not used')),
      decide,
      remove: async (name) => probes.delete(name),
    },
    approve: (name, by) => decide(name, 'approved', by),
    reject: (name, by) => decide(name, 'rejected', by),
    health: (name) => health[name],
  };
}

interface Ctx { app: FastifyInstance; store: SqliteStore; admin: Record<string, string>; viewer: Record<string, string>; ward: Record<string, string> }
const open: Ctx[] = [];
afterEach(async () => {
  for (const c of open.splice(0)) {
    await c.app.close();
    await c.store.close();
  }
});

const T0 = Date.UTC(2026, 10, 1, 8);

async function setup(cluster: (clock: ManualClock) => FakeCluster | undefined): Promise<Ctx> {
  const clock = new ManualClock(T0);
  const store = openSqliteStore({ path: ':memory:', clock });
  const svc = await createTestAuthServices({ store, clock });
  const { app } = await buildTestAuthApp(svc, (a) => probeRoutes(new RouteTable(a), { cluster: cluster(clock), auth: svc }));
  const admin = (await sessionFor(svc, (await createTestUser(svc, { login: 'admin', roles: ['administrator'] })).user)).headers;
  const viewer = (await sessionFor(svc, (await createTestUser(svc, { login: 'viewer', roles: ['read-only'] })).user)).headers;
  const wardRole = await createTestRole(svc, [{ nodeId: 'site-a/icu', level: 'write' }]);
  const ward = (await sessionFor(svc, (await createTestUser(svc, { login: 'nurse', roles: [wardRole.id] })).user)).headers;
  const c = { app, store, admin, viewer, ward };
  open.push(c);
  return c;
}

const records: ProbeRecord[] = [
  { name: 'site-b', approval: 'approved', firstSeen: T0 - 86_400_000, lastSeen: T0 - 5_000, decidedBy: 'admin', decidedAt: T0 - 80_000_000 },
  { name: 'clinic-north', approval: 'pending', firstSeen: T0 - 60_000, lastSeen: T0 - 10_000 },
];
const health: Record<string, ProbeHealth> = {
  'site-b': {
    name: 'site-b', connected: true, lastSeen: T0 - 5_000,
    heartbeat: { at: T0 - 5_000, bufferDepth: 3, bufferBytes: 900, bufferDropped: 0, cpuPct: 4.5, stats: {} as never, configFingerprint: 'abc' },
  },
};

describe('probe routes', () => {
  it('lists probes, pending first, with their health, to administrators and readers of the whole tree only', async () => {
    const c = await setup(() => fakeCluster(new ManualClock(T0), records, health));
    const r = await c.app.inject({ url: '/api/probes', headers: c.viewer });
    expect(r.statusCode).toBe(200);
    const body = r.json<{ enabled: boolean; probes: ProbeView[] }>();
    expect(body.enabled).toBe(true);
    expect(body.probes.map((p) => [p.name, p.state])).toEqual([['clinic-north', 'pending'], ['site-b', 'approved']]);
    expect(body.probes[0]?.health).toBeNull();
    expect(body.probes[1]?.health).toEqual({ connected: true, lastHeartbeat: T0 - 5_000, disconnectedSince: null, bufferDepth: 3, bufferBytes: 900, bufferDropped: 0, cpuPct: 4.5, configFingerprint: 'abc' });
    // What the reference documents, no field more (objects strip what they do not declare).
    for (const p of body.probes) expect(probeViewSchema.parse(p)).toEqual(p);
    expect((await c.app.inject({ url: '/api/probes', headers: c.admin })).statusCode).toBe(200);
    // Write on one ward is not read on the whole tree.
    const denied = await c.app.inject({ url: '/api/probes', headers: c.ward });
    expect([denied.statusCode, denied.json<{ detail: string }>().detail]).toEqual([403, 'needs read on *, has none']);
    expect((await c.app.inject({ url: '/api/probes' })).statusCode).toBe(401);
  });

  it('approves and rejects as an administrator, audited with who and from where; others are refused', async () => {
    const c = await setup((clock) => fakeCluster(clock, records, health));
    const refused = await c.app.inject({ method: 'POST', url: '/api/probes/clinic-north/approve', headers: c.viewer });
    expect(refused.statusCode).toBe(403);
    const ok = await c.app.inject({ method: 'POST', url: '/api/probes/clinic-north/approve', headers: c.admin });
    expect(ok.statusCode).toBe(200);
    expect(ok.json<ProbeView>()).toMatchObject({ name: 'clinic-north', state: 'approved', decidedBy: 'admin', decidedAt: T0 });
    const list = (await c.app.inject({ url: '/api/probes', headers: c.admin })).json<{ probes: ProbeView[] }>().probes;
    expect(list.map((p) => [p.name, p.state])).toEqual([['clinic-north', 'approved'], ['site-b', 'approved']]);
    const rej = await c.app.inject({ method: 'POST', url: '/api/probes/site-b/reject', headers: c.admin });
    expect(rej.json<ProbeView>().state).toBe('rejected');
    const audit = (await c.app.inject({ url: '/api/audit?action=probe.', headers: c.admin })).json<{ entries: Array<Record<string, unknown>> }>().entries;
    expect(audit.map((e) => [e.actor, e.action, e.target, e.ip, e.outcome])).toEqual([
      ['admin', 'probe.reject', 'probe:site-b', '127.0.0.1', 'ok'],
      ['admin', 'probe.approve', 'probe:clinic-north', '127.0.0.1', 'ok'],
    ]);
    expect(audit[1]).toMatchObject({ before: { state: 'pending' }, after: { state: 'approved' } });
    const deniedAudit = (await c.app.inject({ url: '/api/audit?action=access.denied', headers: c.admin })).json<{ entries: Array<Record<string, unknown>> }>().entries;
    expect(deniedAudit[0]).toMatchObject({ actor: 'viewer', outcome: 'denied' });
  });

  it('answers 404 naming an unknown probe and 400 for a name no probe can have', async () => {
    const c = await setup((clock) => fakeCluster(clock, records, health));
    const r = await c.app.inject({ method: 'POST', url: '/api/probes/ghost/approve', headers: c.admin });
    expect([r.statusCode, r.json<{ detail: string }>().detail]).toEqual([404, 'probe "ghost" is not known: it appears once it has connected to the core\'s NATS']);
    const bad = await c.app.inject({ method: 'POST', url: '/api/probes/a.b/reject', headers: c.admin });
    expect([bad.statusCode, bad.json<{ detail: string }>().detail]).toEqual([400, 'params.name: a probe name is 1–64 letters, digits, "-" or "_"']);
  });

  it('without a cluster lists nothing (enabled: false) and refuses decisions with 503', async () => {
    const c = await setup(() => undefined);
    expect((await c.app.inject({ url: '/api/probes', headers: c.viewer })).json()).toEqual({ enabled: false, probes: [] });
    const r = await c.app.inject({ method: 'POST', url: '/api/probes/site-b/approve', headers: c.admin });
    expect([r.statusCode, r.json<{ code: string }>().code]).toEqual([503, 'API_UNAVAILABLE']);
  });
});
