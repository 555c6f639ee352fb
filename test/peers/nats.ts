// Starts a real nats-server with JetStream for the cluster tests and benchmark: on 127.0.0.1 and a
// free port, with a generated configuration (core user and one NKEY user per probe with subject
// permissions, or operator mode with JWTs and .creds files; optional TLS with a throw-away CA made
// by openssl, optionally requiring client certificates), stoppable and restartable on the same port
// and store directory (to take the server away under a running probe).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatCreds, newOperatorSetup, newProbeUser, newUser, type OperatorSetup } from '../../src/cluster/jwt.ts';
import { natsServerConfig, newProbeKey } from '../../src/cluster/server-config.ts';
import { freePort, requireCommand, startPeer, type Peer } from './harness.ts';

export interface NatsPeerOptions {
  readonly probes?: readonly string[];
  readonly tls?: boolean;
  /** TLS with `verify: true`: clients must present a certificate signed by the CA (implies tls). */
  readonly clientCerts?: boolean;
  readonly operator?: false;
}

export interface NatsOperatorPeerOptions extends Omit<NatsPeerOptions, 'operator'> {
  /** Operator mode: no users in the server's file, every client brings a user JWT (.creds). */
  readonly operator: true;
}

interface NatsPeerBase {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  /** CA certificate file to verify the server (when TLS is on). */
  readonly caFile?: string;
  /** A client certificate signed by the CA (when clientCerts is on). */
  readonly clientCert?: TlsFiles;
  peer(): Peer;
  stop(): Promise<void>;
  /** Starts the server again on the same port and store (after stop()). */
  restart(): Promise<void>;
  /** Stops the server and removes its files. */
  dispose(): Promise<void>;
}

export interface NatsPeer extends NatsPeerBase {
  readonly core: { readonly user: string; readonly password: string };
  /** NKEY seed file of each probe. */
  readonly seedFiles: ReadonlyMap<string, string>;
}

export interface NatsOperatorPeer extends NatsPeerBase {
  /** The operator and accounts the server trusts (their seeds sign more users). */
  readonly setup: OperatorSetup;
  /** The core's .creds: a user of the account with no subject limits. */
  readonly coreCredsFile: string;
  /** Each probe's .creds, limited to its own subjects. */
  readonly credsFiles: ReadonlyMap<string, string>;
}

export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

export function startNats(opts?: NatsPeerOptions): Promise<NatsPeer>;
export function startNats(opts: NatsOperatorPeerOptions): Promise<NatsOperatorPeer>;
export async function startNats(opts: NatsPeerOptions | NatsOperatorPeerOptions = {}): Promise<NatsPeer | NatsOperatorPeer> {
  requireCommand('nats-server', 'nats-server');
  const dir = mkdtempSync(join(tmpdir(), 'ww-nats-'));
  const port = await freePort();
  const secret = (name: string, text: string) => {
    const f = join(dir, name);
    writeFileSync(f, text, { mode: 0o600 });
    return f;
  };
  let caFile: string | undefined;
  let tls: { certFile: string; keyFile: string; caFile?: string; verifyClients?: boolean } | undefined;
  let clientCert: TlsFiles | undefined;
  if (opts.tls || opts.clientCerts) {
    const ca = throwAwayCa(dir, 'wardwatch test CA');
    caFile = ca.caFile;
    tls = { ...ca.issue('server', 'subjectAltName=IP:127.0.0.1,DNS:localhost'), ...(opts.clientCerts ? { caFile, verifyClients: true } : {}) };
    if (opts.clientCerts) clientCert = ca.issue('client', 'extendedKeyUsage=clientAuth');
  }
  const common = { port, storeDir: join(dir, 'js'), ...(tls ? { tls } : {}) };
  let config: string;
  let auth: Pick<NatsPeer, 'core' | 'seedFiles'> | Pick<NatsOperatorPeer, 'setup' | 'coreCredsFile' | 'credsFiles'>;
  if (opts.operator) {
    const setup = newOperatorSetup();
    const credsFiles = new Map((opts.probes ?? []).map((name) => [name, secret(`${name}.creds`, formatCreds(newProbeUser(setup.account, name)))]));
    auth = { setup, coreCredsFile: secret('core.creds', formatCreds(newUser(setup.account, 'core'))), credsFiles };
    config = natsServerConfig({ ...common, operator: { jwt: setup.operator.jwt, systemAccount: setup.system.publicKey, accounts: [setup.system, setup.account] } });
  } else {
    const core = { user: 'core', password: `pw-${Math.random().toString(36).slice(2)}` };
    const seedFiles = new Map<string, string>();
    const probes = (opts.probes ?? []).map((name) => {
      const k = newProbeKey();
      seedFiles.set(name, secret(`${name}.nk`, `${k.seed}\n`));
      return { name, nkey: k.publicKey };
    });
    auth = { core, seedFiles };
    config = natsServerConfig({ ...common, core, probes });
  }
  const conf = join(dir, 'nats.conf');
  writeFileSync(conf, config);
  const run = () => startPeer('nats-server', ['-c', conf], { port, waitOutput: /Server is ready/ });
  let peer: Peer = await run();
  return {
    port,
    url: `nats://127.0.0.1:${port}`,
    dir,
    ...auth,
    ...(caFile ? { caFile } : {}),
    ...(clientCert ? { clientCert } : {}),
    peer: () => peer,
    stop: () => peer.stop(),
    async restart() {
      peer = await run();
    },
    async dispose() {
      await peer.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A CA made by openssl in `dir` that issues certificates (P-256, two days) with one extension line. */
export function throwAwayCa(dir: string, cn: string): { caFile: string; issue(name: string, extension: string): TlsFiles } {
  requireCommand('openssl', 'openssl');
  const ssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const tag = cn.replace(/\W+/g, '-');
  const caFile = join(dir, `${tag}.pem`);
  const caKey = join(dir, `${tag}.key`);
  ssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', `/CN=${cn}`, '-keyout', caKey, '-out', caFile]);
  return {
    caFile,
    issue(name, extension) {
      const files = { certFile: join(dir, `${tag}-${name}.pem`), keyFile: join(dir, `${tag}-${name}.key`) };
      ssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${name}`, '-keyout', files.keyFile, '-out', join(dir, `${tag}-${name}.csr`)]);
      writeFileSync(join(dir, `${tag}-${name}.ext`), `${extension}\n`);
      ssl(['x509', '-req', '-in', join(dir, `${tag}-${name}.csr`), '-CA', caFile, '-CAkey', caKey, '-CAcreateserial', '-days', '2', '-extfile', join(dir, `${tag}-${name}.ext`), '-out', files.certFile]);
      return files;
    },
  };
}
