#!/usr/bin/env node
// Before the tests: makes sure the real third-party peers the tests start (DCMTK, Orthanc, snmpd,
// dnsmasq, fping, python3-hl7, monitoring-plugins...) are installed. As root it installs the
// missing Debian packages; otherwise it prints exactly what to install and fails.
import { spawnSync } from 'node:child_process';

/** Debian package → a program it provides (what we check for). */
export const PEERS = [
  ['fping', 'fping'],
  ['dnsmasq-base', 'dnsmasq'],
  ['dcmtk', 'storescp'],
  ['orthanc', 'Orthanc'],
  ['snmpd', 'snmpd'],
  ['snmp', 'snmpget'],
  ['python3-hl7', 'mllp_send'],
  ['monitoring-plugins-basic', '/usr/lib/nagios/plugins/check_tcp'],
  ['monitoring-plugins-standard', '/usr/lib/nagios/plugins/check_dig'],
  ['python3-aiosmtpd', '/usr/lib/python3/dist-packages/aiosmtpd/__init__.py'],
  ['bsdutils', 'logger'],
  ['openssl', 'openssl'],
  ['slapd', 'slapd'],
  ['ldap-utils', 'ldapadd'],
  ['chromium', 'chromium'],
  ['nats-server', 'nats-server'],
];

function present(probe) {
  if (probe.startsWith('/')) return spawnSync('test', ['-e', probe]).status === 0;
  return spawnSync('sh', ['-c', `command -v ${probe}`], { stdio: 'ignore' }).status === 0;
}

const missing = PEERS.filter(([, probe]) => !present(probe)).map(([pkg]) => pkg);
if (missing.length === 0) process.exit(0);

const cmd = `apt-get install -y --no-install-recommends ${missing.join(' ')}`;
if (typeof process.getuid === 'function' && process.getuid() === 0) {
  console.log(`peers: installing ${missing.join(', ')} from Debian`);
  const upd = spawnSync('apt-get', ['update'], { stdio: 'inherit' });
  const inst = upd.status === 0 ? spawnSync('sh', ['-c', cmd], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }) : upd;
  if (inst.status !== 0) {
    console.error(`peers: could not install the test peers; run as root: apt-get update && ${cmd}`);
    process.exit(1);
  }
} else {
  console.error(`peers: the tests need real peers that are not installed. Run as root:\n  apt-get update && ${cmd}`);
  process.exit(1);
}
