// A real API over a real SQLite store and a real Engine (scripted sensor kinds, manual clock), with
// the auth layer, the security part's and the remote probes' routes (as app.ts wires them), and one
// token per role, so that every API test drives the server as a client would.

import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { AlertingService } from '../../src/alerting/service.ts';
import { createConfigService, type ConfigService } from '../../src/config/edit/service.ts';
import { parseConfig } from '../../src/config/load.ts';
import type { Tree } from '../../src/core/tree.ts';
import { Engine } from '../../src/engine/engine.ts';
import { MemoryInbox, scriptedKind, type ScriptedKind } from '../../src/engine/testing/fakes.ts';
import { bearerFor, createTestAuthServices, createTestRole, createTestUser, sessionFor, type TestUser } from '../../src/api/auth/testing.ts';
import { SESSION_COOKIE, type AuthServices } from '../../src/api/auth/index.ts';
import { hashSecret } from '../../src/api/auth/secrets.ts';
import { probeRoutes, type ProbeRouteDeps } from '../../src/api/routes/probes.ts';
import { openClusterTables, type ClusterTables } from '../../src/cluster/registry.ts';
import { SecurityPart } from '../../src/security/part.ts';
import { buildApi } from '../../src/api/server.ts';
import { LiveHub, type ApiServices } from '../../src/api/services.ts';
import { openPauseStore } from '../../src/store/pauses.ts';
import { ManualClock } from '../../src/shared/clock.ts';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/index.ts';

/** Two sites; the custom role writes only below site-a/p1/icu. */
export const HOSPITAL_YAML = `# the test hospital
defaults: { interval: 60s, timeout: 5s, retries: 0 }
maintenance:
  - name: nightly
    weekly: { days: [sun], start: "02:00", duration: 2h }
sites:
  - name: Site A
    timezone: Europe/Berlin
    probes:
      - name: P1
        groups:
          - name: ICU
            system: modality
            devices:
              - name: Monitor 1
                host: 10.0.0.1
                tags: [bedside]
                sensors:
                  - { name: Ping, kind: fake }   # the first sensor
                  - { name: Temp, kind: fake, channels: { value: { limits: { upperError: 50 } } } }
          - name: PACS
            system: PACS
            devices:
              - name: Archive
                host: 10.0.0.2
                sensors:
                  - { name: Echo, kind: fake }
  - name: Site B
    timezone: UTC
    probes:
      - name: P1
        groups:
          - name: Lab
            system: LIMS
            devices:
              - name: Analyzer
                host: 10.0.1.1
                sensors:
                  - { name: HL7, kind: fake }
`;

export const ROLES = ['administrator', 'operator', 'read-only', 'ward', 'anonymous', 'expired'] as const;
export type RoleName = (typeof ROLES)[number];

/** The subtree the custom "ward" role may write in. */
export const WARD_SUBTREE = 'site-a/p1/icu';

export interface Harness {
  readonly app: FastifyInstance;
  readonly clock: ManualClock;
  readonly engine: Engine;
  readonly fake: ScriptedKind;
  readonly store: SqliteStore;
  readonly auth: AuthServices;
  readonly config: ConfigService;
  readonly live: LiveHub;
  readonly dir: string;
  readonly configPath: string | undefined;
  readonly headers: Readonly<Record<RoleName, Record<string, string>>>;
  /** What the API was built with: a test builds a second API on them to play a restart. */
  readonly services: ApiServices;
  /** The security part whose routes the server has (store, service, triage). */
  readonly security: SecurityPart;
  /** The remote-probe registry behind the probe routes (a probe appears once `seen`). */
  readonly probes: ClusterTables;
  /** The user behind each signed-in role (its password included). */
  readonly users: Readonly<Record<Exclude<RoleName, 'anonymous'>, TestUser>>;
  /**
   * Headers of a new logged-in session (cookie and CSRF token) of the role's user: for routes that
   * take a session, not an API token. "expired" gets a session past its absolute lifetime, "anonymous" none.
   */
  session(role: RoleName): Promise<Record<string, string>>;
  tree(): Tree;
  /** inject() as the given role; a JSON body is sent as JSON. */
  call(role: RoleName, method: InjectOptions['method'], url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly yaml?: string;
  /** Keep the configuration in a file (edits are written back to it). */
  readonly file?: boolean;
  readonly alerting?: AlertingService;
  readonly notifications?: ApiServices['notifications'];
  /** Keep timed pauses in the store's 'pauses' module. */
  readonly pauses?: boolean;
  /** Wraps the engine's apply (a test makes it throw). */
  readonly apply?: (tree: Tree, inner: (t: Tree) => Promise<void>) => Promise<void>;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'ww-api-'));
  const yaml = opts.yaml ?? HOSPITAL_YAML;
  const clock = new ManualClock();
  const store = openSqliteStore({ path: join(dir, 'wardwatch.db'), clock });
  const fake = scriptedKind('fake');
  const kinds = [fake.kind];
  const parsed = parseConfig(yaml, 'hospital.yaml', { kinds });
  if (!parsed.ok) throw new Error(`test hospital invalid: ${JSON.stringify(parsed.errors)}`);
  const live = new LiveHub();
  const engine = new Engine({
    clock,
    kindOf: (k) => (k === 'fake' ? fake.kind : undefined),
    writer: store,
    states: store,
    inbox: new MemoryInbox(),
    measureEventLoop: false,
    onStateChange: (event, status) => live.publish({ type: 'state', event, status }),
    onReading: (reading) => live.publish({ type: 'reading', reading }),
  });
  let tree = parsed.tree;
  await engine.apply(tree);
  await engine.start();
  const configPath = opts.file ? join(dir, 'hospital.yaml') : undefined;
  if (configPath) await writeFile(configPath, yaml);
  const version = await store.saveConfig(parsed.document, configPath ?? 'test', clock.now());
  const config = createConfigService({
    initial: { version, document: parsed.document, tree, source: 'test' },
    store,
    apply: async (t) => {
      const inner = async (x: Tree) => {
        await engine.apply(x);
        tree = x;
      };
      await (opts.apply ? opts.apply(t, inner) : inner(t));
    },
    ...(configPath ? { filePath: configPath } : {}),
    now: () => clock.now(),
    kinds,
  });
  const auth = await createTestAuthServices({ store, clock, keyFile: join(dir, 'wardwatch.key') });
  const services: ApiServices = {
    version: 'test',
    clock,
    history: store,
    events: store,
    messages: store,
    inbox: new MemoryInbox(),
    config,
    auth,
    live,
    ...(opts.alerting ? { alerting: opts.alerting } : {}),
    ...(opts.notifications ? { notifications: opts.notifications } : {}),
    ...(opts.pauses ? { pauses: await openPauseStore(store) } : {}),
    monitor: {
      tree: () => tree,
      status: (id) => engine.status(id),
      statuses: () => engine.statuses(),
      kindOf: (k) => (k === 'fake' ? fake.kind : undefined),
      health: () => ({ ...engine.stats() }),
      checkNow: (id) => engine.checkNow(id),
      acknowledge: (id, by, note) => engine.acknowledge(id, by, note),
    },
  };
  const security = await SecurityPart.open({ store, clock, tree: () => tree, status: (id) => engine.status(id), audit: auth.audit, log: () => undefined });
  // The cluster as the probe routes use it, over the real registry tables (no NATS link needed).
  const probes = await openClusterTables(store);
  const cluster: ProbeRouteDeps['cluster'] = {
    registry: probes,
    approve: (name, by) => probes.decide(name, 'approved', by, clock.now()),
    reject: (name, by) => probes.decide(name, 'rejected', by, clock.now()),
    health: () => undefined,
  };
  const app = await buildApi(services, { extraRoutes: [(_app, routes) => security.routes(routes), (_app, routes) => probeRoutes(routes, { cluster, auth })] });

  const ward = await createTestRole(auth, [{ nodeId: WARD_SUBTREE, level: 'write' }], { name: 'ICU ward' });
  const users: Record<Exclude<RoleName, 'anonymous'>, TestUser> = {
    administrator: await createTestUser(auth, { login: 'admin', roles: ['administrator'] }),
    operator: await createTestUser(auth, { login: 'operator', roles: ['operator'] }),
    'read-only': await createTestUser(auth, { login: 'viewer', roles: ['read-only'] }),
    ward: await createTestUser(auth, { login: 'ward-nurse', roles: [ward.id] }),
    expired: await createTestUser(auth, { login: 'expired', roles: ['administrator'] }),
  };
  const bearer = async (role: Exclude<RoleName, 'anonymous'>, expiresAt?: number) => (await bearerFor(auth, users[role].user, undefined, expiresAt)).headers;
  const headers: Record<RoleName, Record<string, string>> = {
    administrator: await bearer('administrator'),
    operator: await bearer('operator'),
    'read-only': await bearer('read-only'),
    ward: await bearer('ward'),
    anonymous: {},
    expired: await bearer('expired', clock.now() - 1000),
  };
  const session = async (role: RoleName): Promise<Record<string, string>> => {
    if (role === 'anonymous') return {};
    if (role !== 'expired') return { ...(await sessionFor(auth, users[role].user)).headers };
    // Stored as startSession would have made it, one absolute lifetime and a minute ago.
    const cookie = `expired-${randomBytes(16).toString('hex')}`;
    const at = clock.now() - auth.policy.sessionAbsoluteMs - 60_000;
    await auth.store.createSession({ idHash: hashSecret(cookie), userId: users.expired.user.id, csrfToken: 'expired-csrf', method: 'password', createdAt: at, lastSeenAt: at });
    return { cookie: `${SESSION_COOKIE}=${cookie}`, 'x-csrf-token': 'expired-csrf' };
  };

  return {
    app,
    clock,
    engine,
    fake,
    store,
    auth,
    config,
    live,
    dir,
    configPath,
    headers,
    services,
    security,
    probes,
    users,
    session,
    tree: () => tree,
    call(role, method, url, body, extra = {}) {
      const isText = typeof body === 'string';
      return app.inject({
        method,
        url,
        headers: { ...headers[role], ...(body !== undefined ? { 'content-type': isText ? 'text/yaml' : 'application/json' } : {}), ...extra },
        ...(body !== undefined ? { payload: isText ? body : JSON.stringify(body) } : {}),
      });
    },
    async close() {
      await app.close();
      await security.close();
      await engine.stop();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export const enc = encodeURIComponent;
