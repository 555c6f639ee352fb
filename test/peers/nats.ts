// Starts a real nats-server with JetStream for the cluster tests and benchmark: on 127.0.0.1 and a
// free port, with a generated configuration (core user, one NKEY user per probe with subject
// permissions, optional TLS with a throw-away CA made by openssl), stoppable and restartable on the
// same port and store directory (to take the server away under a running probe).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { natsServerConfig, newProbeKey } from '../../src/cluster/server-config.ts';
import { freePort, requireCommand, startPeer, type Peer } from './harness.ts';

export interface NatsPeerOptions {
  readonly probes?: readonly string[];
  readonly tls?: boolean;
}

export interface NatsPeer {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  readonly core: { readonly user: string; readonly password: string };
  /** CA certificate file to verify the server (when TLS is on). */
  readonly caFile?: string;
  /** NKEY seed file of each probe. */
  readonly seedFiles: ReadonlyMap<string, string>;
  peer(): Peer;
  stop(): Promise<void>;
  /** Starts the server again on the same port and store (after stop()). */
  restart(): Promise<void>;
  /** Stops the server and removes its files. */
  dispose(): Promise<void>;
}

export async function startNats(opts: NatsPeerOptions = {}): Promise<NatsPeer> {
  requireCommand('nats-server', 'nats-server');
  const dir = mkdtempSync(join(tmpdir(), 'ww-nats-'));
  const port = await freePort();
  const core = { user: 'core', password: `pw-${Math.random().toString(36).slice(2)}` };
  const seedFiles = new Map<string, string>();
  const probes = (opts.probes ?? []).map((name) => {
    const k = newProbeKey();
    const f = join(dir, `${name}.nk`);
    writeFileSync(f, `${k.seed}\n`, { mode: 0o600 });
    seedFiles.set(name, f);
    return { name, nkey: k.publicKey };
  });
  let caFile: string | undefined;
  let tls: { certFile: string; keyFile: string } | undefined;
  if (opts.tls) {
    requireCommand('openssl', 'openssl');
    caFile = join(dir, 'ca.pem');
    const caKey = join(dir, 'ca.key');
    tls = { certFile: join(dir, 'server.pem'), keyFile: join(dir, 'server.key') };
    const ssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    ssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', '/CN=wardwatch test CA', '-keyout', caKey, '-out', caFile]);
    ssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', tls.keyFile, '-out', join(dir, 'server.csr')]);
    writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    ssl(['x509', '-req', '-in', join(dir, 'server.csr'), '-CA', caFile, '-CAkey', caKey, '-CAcreateserial', '-days', '2', '-extfile', join(dir, 'ext.cnf'), '-out', tls.certFile]);
  }
  const conf = join(dir, 'nats.conf');
  writeFileSync(conf, natsServerConfig({ port, storeDir: join(dir, 'js'), core, probes, ...(tls ? { tls } : {}) }));
  const run = () => startPeer('nats-server', ['-c', conf], { port, waitOutput: /Server is ready/ });
  let peer: Peer = await run();
  return {
    port,
    url: `nats://127.0.0.1:${port}`,
    dir,
    core,
    ...(caFile ? { caFile } : {}),
    seedFiles,
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
