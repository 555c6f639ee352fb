// Test helper: net-snmp's real `snmpd` on a free loopback UDP port with a generated config (a v2c
// community and v3 users across the auth/priv protocols), ready once an snmpget answers.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freeUdpPort, requireCommand, startPeer, type Peer } from '../../../../test/peers/harness.ts';
import type { Credential } from '../../sensor.ts';

export const SNMPD_COMMUNITY = 'ww-test-community';

/** v3 users the generated snmpd.conf creates, as Wardwatch credentials. */
export const SNMPD_USERS = {
  shaAes: { user: 'ww-sha-aes', authProtocol: 'sha', authKey: 'auth-sha1-secret', privProtocol: 'aes', privKey: 'priv-aes-secret', net: ['SHA', 'AES'] },
  sha256Aes: { user: 'ww-sha256', authProtocol: 'sha256', authKey: 'auth-sha256-secret', privProtocol: 'aes', privKey: 'priv-aes-secret2', net: ['SHA-256', 'AES'] },
  sha512Aes: { user: 'ww-sha512', authProtocol: 'sha512', authKey: 'auth-sha512-secret', privProtocol: 'aes', privKey: 'priv-aes-secret3', net: ['SHA-512', 'AES'] },
  md5Des: { user: 'ww-md5-des', authProtocol: 'md5', authKey: 'auth-md5-secret', privProtocol: 'des', privKey: 'priv-des-secret', net: ['MD5', 'DES'] },
  sha256Aes256: { user: 'ww-aes256', authProtocol: 'sha256', authKey: 'auth-aes256-secret', privProtocol: 'aes256b', privKey: 'priv-aes256-secret', net: ['SHA-256', 'AES-256'] },
  sha256NoPriv: { user: 'ww-authonly', authProtocol: 'sha256', authKey: 'auth-only-secret', net: ['SHA-256'] },
} as const;

export function credentialFor(u: (typeof SNMPD_USERS)[keyof typeof SNMPD_USERS], override: Partial<Record<string, string>> = {}): Credential {
  const { net: _net, ...values } = u;
  return { name: `snmp-${u.user}`, type: 'snmp', values: { ...values, ...override } };
}

export interface Snmpd {
  readonly port: number;
  readonly peer: Peer;
  stop(): Promise<void>;
}

const QUIET = { MIBS: '', MIBDIRS: '/nonexistent' };

export async function startSnmpd(): Promise<Snmpd> {
  requireCommand('snmpd', 'snmpd');
  requireCommand('snmpget', 'snmp');
  const dir = mkdtempSync(path.join(tmpdir(), 'ww-snmpd-'));
  const users = Object.values(SNMPD_USERS);
  const conf = [
    `rocommunity ${SNMPD_COMMUNITY} 127.0.0.1`,
    ...users.map((u) => `createUser ${u.user} ${u.net[0]} "${u.authKey}"${u.net[1] ? ` ${u.net[1]} "${'privKey' in u ? u.privKey : ''}"` : ''}`),
    ...users.map((u) => `rouser ${u.user} ${u.net[1] ? 'priv' : 'auth'}`),
    'sysName wardwatch-snmpd',
    'sysLocation test rack',
  ].join('\n');
  writeFileSync(path.join(dir, 'snmpd.conf'), conf + '\n');
  const port = await freeUdpPort();
  const peer = await startPeer('snmpd', ['-f', '-Lo', '-C', '-c', path.join(dir, 'snmpd.conf'), `--persistentDir=${path.join(dir, 'persist')}`, `udp:127.0.0.1:${port}`], { port, waitTcp: false, env: QUIET });
  // snmpd answers only once its config is read: poll with snmpget (bounded).
  const deadline = Date.now() + 15_000;
  for (;;) {
    const r = spawnSync('snmpget', ['-v2c', '-c', SNMPD_COMMUNITY, '-t', '0.3', '-r', '0', `127.0.0.1:${port}`, '1.3.6.1.2.1.1.3.0']);
    if (r.status === 0) break;
    if (Date.now() > deadline) {
      await peer.stop();
      throw new Error(`snmpd did not answer: ${peer.output().slice(-2000)}`);
    }
  }
  return {
    port,
    peer,
    stop: async () => {
      await peer.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
