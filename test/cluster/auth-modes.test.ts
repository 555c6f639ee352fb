// The cluster link's other ways in, on a real nats-server: operator mode (each probe a user JWT in a
// .creds file, limited to its own subjects) and mutual TLS (the server verifies client certificates).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, Events } from 'nats';
import { startClusterCore, type ClusterCore } from '../../src/cluster/core.ts';
import { connectionOptions, connectOnce, NatsRefusedError } from '../../src/cluster/connect.ts';
import { formatCreds, newOperatorSetup, newProbeUser } from '../../src/cluster/jwt.ts';
import { startProbe } from '../../src/cluster/probe.ts';
import { subjects } from '../../src/cluster/subjects.ts';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/index.ts';
import { startNats, throwAwayCa, type NatsOperatorPeer, type NatsPeer } from '../peers/nats.ts';
import { clusterTree, collectLog, sensorIds, waitFor } from './fixture.ts';

const tree = clusterTree([
  { name: 'SITE-B', sensors: 2 },
  { name: 'SITE-C', sensors: 1 },
]);
const quote = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ww-auth-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('operator mode: user JWTs in .creds files', () => {
  let nats: NatsOperatorPeer;
  let store: SqliteStore;
  let core: ClusterCore;

  beforeAll(async () => {
    nats = await startNats({ operator: true, probes: ['SITE-B', 'SITE-C'] });
    store = openSqliteStore({ path: join(dir, 'core-jwt.db') });
    core = await startClusterCore({ link: { url: nats.url, credsFile: nats.coreCredsFile }, store, tree: () => tree, log: collectLog().log });
  });
  afterAll(async () => {
    await core?.close();
    await store?.close();
    await nats?.dispose();
  });

  it('lets a probe with a .creds file say hello, get approved and deliver readings', async () => {
    const log = collectLog();
    const probe = await startProbe({ name: 'SITE-B', dataDir: join(dir, 'probe-jwt'), log: log.log, link: { url: nats.url, credsFile: nats.credsFiles.get('SITE-B')! }, flushIntervalMs: 100 });
    try {
      await waitFor('the probe to learn it is pending', () => probe.approval() === 'pending');
      await core.approve('SITE-B', 'alice');
      await waitFor('the configuration to arrive', () => probe.engine.statuses().size === 2);
      const first = sensorIds(tree).find((id) => id.startsWith('site-site-b/'))!;
      await waitFor('readings in the core store', async () => (await store.history({ sensorId: first, channel: 'value', from: 0, to: Date.now() + 1000, resolution: 'raw' })).points.length >= 2);
    } finally {
      await probe.close();
    }
  });

  it('does not let a probe\'s user JWT publish under another probe\'s subjects', async () => {
    const nc = await connect(connectionOptions({ url: nats.url, credsFile: nats.credsFiles.get('SITE-C')! }, { inboxPrefix: subjects.inboxPrefix('SITE-C') }));
    const errors: string[] = [];
    void (async () => {
      for await (const s of nc.status()) if (s.type === Events.Error) errors.push(typeof s.data === 'string' ? s.data : JSON.stringify(s.data));
    })();
    try {
      // Its own subject goes through: the server answers the flush after it would have refused it.
      nc.publish(subjects.health('SITE-C'), '{}');
      await nc.flush();
      expect(errors).toEqual([]);
      nc.publish(subjects.readings('SITE-B'), 'forged');
      await nc.flush();
      await waitFor('a permissions violation', () => errors.includes('PERMISSIONS_VIOLATION'), 5000);
    } finally {
      await nc.close();
    }
  });

  it('refuses a .creds file from an operator the server does not trust, naming the server and the file', async () => {
    const foreign = newOperatorSetup({ operator: 'elsewhere' });
    const file = join(dir, 'foreign.creds');
    writeFileSync(file, formatCreds(newProbeUser(foreign.account, 'SITE-B')));
    const err = await startProbe({ name: 'SITE-B', dataDir: join(dir, 'probe-foreign'), log: collectLog().log, link: { url: nats.url, credsFile: file } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NatsRefusedError);
    expect((err as Error).message).toMatch(new RegExp(`^${quote(nats.url)} refused probe SITE-B: .*Authorization Violation.* \\(the server does not accept the user JWT in ${quote(file)}, user U[A-Z2-7]{55} of account ${foreign.account.publicKey}: check that the account is one the server's operator trusts`));
  });

  it('names what is wrong in a broken .creds file before it reaches the server', async () => {
    const file = join(dir, 'mixed.creds');
    const a = newProbeUser(nats.setup.account, 'SITE-B');
    const b = newProbeUser(nats.setup.account, 'SITE-B');
    writeFileSync(file, formatCreds({ jwt: a.jwt, seed: b.seed }));
    await expect(startProbe({ name: 'SITE-B', dataDir: join(dir, 'probe-mixed'), log: collectLog().log, link: { url: nats.url, credsFile: file } })).rejects.toThrow(`${file}: the seed belongs to ${b.publicKey} but the JWT is for ${a.publicKey}`);
  });
});

describe('mutual TLS: the server verifies client certificates', () => {
  let nats: NatsPeer;
  let store: SqliteStore;
  let core: ClusterCore;

  beforeAll(async () => {
    nats = await startNats({ clientCerts: true, probes: ['SITE-B'] });
    store = openSqliteStore({ path: join(dir, 'core-mtls.db') });
    const cert = nats.clientCert!;
    core = await startClusterCore({ link: { url: nats.url, user: nats.core.user, password: nats.core.password, tlsCaFile: nats.caFile!, tlsCertFile: cert.certFile, tlsKeyFile: cert.keyFile }, store, tree: () => tree, log: collectLog().log });
  });
  afterAll(async () => {
    await core?.close();
    await store?.close();
    await nats?.dispose();
  });

  it('accepts a probe presenting a certificate signed by the CA', async () => {
    const cert = nats.clientCert!;
    const probe = await startProbe({ name: 'SITE-B', dataDir: join(dir, 'probe-mtls'), log: collectLog().log, link: { url: nats.url, nkeyFile: nats.seedFiles.get('SITE-B')!, tlsCaFile: nats.caFile!, tlsCertFile: cert.certFile, tlsKeyFile: cert.keyFile } });
    try {
      await waitFor('the core to answer the probe\'s hello', () => probe.approval() === 'pending');
      expect(probe.connected()).toBe(true);
    } finally {
      await probe.close();
    }
  });

  // nats.js reports a dropped TLS 1.3 client only after its connect timeout: a short one keeps the
  // test quick, and the refusal does not depend on it (the server never accepts these clients).
  it('refuses a probe without a certificate, saying the server requires one', async () => {
    const err = await connectOnce({ url: nats.url, nkeyFile: nats.seedFiles.get('SITE-B')!, tlsCaFile: nats.caFile! }, 'probe SITE-B', { timeout: 1000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NatsRefusedError);
    expect((err as Error).message).toBe(`${nats.url} refused probe SITE-B: the server requires a TLS client certificate and none is configured (give the certificate and key files of one signed by the CA the server trusts)`);
  });

  it('refuses a certificate from another CA, naming the certificate file', async () => {
    const other = throwAwayCa(dir, 'some other CA').issue('client', 'extendedKeyUsage=clientAuth');
    const err = await connectOnce({ url: nats.url, nkeyFile: nats.seedFiles.get('SITE-B')!, tlsCaFile: nats.caFile!, tlsCertFile: other.certFile, tlsKeyFile: other.keyFile }, 'probe SITE-B', { timeout: 1000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NatsRefusedError);
    expect((err as Error).message).toMatch(new RegExp(`^${quote(nats.url)} refused probe SITE-B: the server did not accept the TLS client certificate ${quote(other.certFile)} \\(TLS alert: [a-z ]+; check that it is signed by the CA the server trusts`));
  });
});
