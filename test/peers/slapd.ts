// Starts a real OpenLDAP slapd (Debian's slapd package) for LDAP tests: a throwaway slapd.conf and
// mdb database in a temporary folder, loaded from an LDIF with slapadd, listening on 127.0.0.1 on
// a free port, optionally with a certificate for StartTLS. Stopped and removed afterwards.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, requireCommand, startPeer, type Peer } from './harness.ts';

export interface SlapdOptions {
  /** e.g. "dc=hospital,dc=test" */
  readonly suffix: string;
  /** Password of cn=admin,<suffix> (the root DN). */
  readonly rootPassword: string;
  /** Entries to load, the suffix entry included. */
  readonly ldif: string;
  /** PEM certificate and key for StartTLS. */
  readonly tls?: { readonly cert: string; readonly key: string };
}

export interface Slapd {
  readonly url: string;
  /** ldaps://127.0.0.1:<port> when started with a certificate. */
  readonly ldapsUrl?: string;
  readonly port: number;
  readonly rootDn: string;
  readonly peer: Peer;
  stop(): Promise<void>;
}

const SCHEMAS = ['core', 'cosine', 'inetorgperson', 'nis'];

export async function startSlapd(opts: SlapdOptions): Promise<Slapd> {
  requireCommand('slapd', 'slapd');
  requireCommand('slapadd', 'slapd');
  const dir = mkdtempSync(join(tmpdir(), 'ww-slapd-'));
  const data = join(dir, 'data');
  mkdirSync(data);
  const rootDn = `cn=admin,${opts.suffix}`;
  const tlsLines: string[] = [];
  if (opts.tls) {
    writeFileSync(join(dir, 'cert.pem'), opts.tls.cert);
    writeFileSync(join(dir, 'key.pem'), opts.tls.key, { mode: 0o600 });
    tlsLines.push(`TLSCertificateFile ${join(dir, 'cert.pem')}`, `TLSCertificateKeyFile ${join(dir, 'key.pem')}`);
  }
  const conf = [
    ...SCHEMAS.map((s) => `include /etc/ldap/schema/${s}.schema`),
    'modulepath /usr/lib/ldap',
    'moduleload back_mdb',
    `pidfile ${join(dir, 'slapd.pid')}`,
    ...tlsLines,
    'database mdb',
    `suffix "${opts.suffix}"`,
    `rootdn "${rootDn}"`,
    `rootpw ${opts.rootPassword}`,
    `directory ${data}`,
    'maxsize 10485760',
    'access to attrs=userPassword by anonymous auth by self read by * none',
    'access to * by * read',
    '',
  ].join('\n');
  const confFile = join(dir, 'slapd.conf');
  writeFileSync(confFile, conf);
  writeFileSync(join(dir, 'data.ldif'), opts.ldif);
  const add = spawnSync('slapadd', ['-f', confFile, '-l', join(dir, 'data.ldif')], { encoding: 'utf8' });
  if (add.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`slapadd failed (${String(add.status)}): ${add.stderr}`);
  }
  const port = await freePort();
  const ldapsPort = opts.tls ? await freePort() : undefined;
  const listen = `ldap://127.0.0.1:${port}/${ldapsPort !== undefined ? ` ldaps://127.0.0.1:${ldapsPort}/` : ''}`;
  // -d keeps slapd in the foreground (it does not fork), so the harness owns the process.
  const peer = await startPeer('slapd', ['-f', confFile, '-h', listen, '-d', '0'], { port });
  return {
    url: `ldap://127.0.0.1:${port}`,
    ...(ldapsPort !== undefined ? { ldapsUrl: `ldaps://127.0.0.1:${ldapsPort}` } : {}),
    port,
    rootDn,
    peer,
    stop: async () => {
      await peer.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
