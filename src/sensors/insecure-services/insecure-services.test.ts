// insecure-services against small real servers on loopback: a Telnet-like server (IAC negotiation),
// an FTP-like server that allows anonymous login, HTTP servers (login form, Basic challenge, HTTPS
// redirect) and net-snmp's snmpd answering the community "public"; plus the contract.

import http from 'node:http';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outcomeOf } from '../../core/state.ts';
import { makeContext, runSensorContract } from '../testing/contract.ts';
import { closedPort, startHangingServer, startTcpServer, type TestServer } from '../testing/peers.ts';
import { freeUdpPort, requireCommand, startPeer, type Peer } from '../../../test/peers/harness.ts';
import { insecureServicesKind } from './index.ts';
import { startLegacyDevice } from '../../sim/legacy-device.ts';

interface HttpServer {
  readonly port: number;
  close(): Promise<void>;
}

async function startHttp(handler: http.RequestListener): Promise<HttpServer> {
  const server = http.createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return { port: (server.address() as { port: number }).port, close };
}

/** An FTP-like server: greeting, USER/PASS accepted for anonymous, QUIT. */
function ftpLike(): Promise<TestServer> {
  return startTcpServer((socket) => {
    socket.write('220 (vsFTPd 2.3.4)\r\n');
    socket.on('data', (d: Buffer) => {
      const cmd = d.toString('latin1').trim().split(' ')[0];
      if (cmd === 'USER') socket.write('331 Please specify the password.\r\n');
      else if (cmd === 'PASS') socket.write('230 Login successful.\r\n');
      else if (cmd === 'QUIT') socket.end('221 Goodbye.\r\n');
    });
  });
}

const STD_SAHD = 'MDS2 SAHD (system and application hardening), MDS2 TXCF';
let telnet: TestServer;
let ftp: TestServer;
let login: HttpServer;
let basic: HttpServer;
let redirect: HttpServer;
let closed: number;

beforeAll(async () => {
  telnet = await startTcpServer((s) => s.write(Buffer.from([0xff, 0xfd, 0x18, 0xff, 0xfd, 0x20, ...Buffer.from('\r\nlogin: ')])));
  ftp = await ftpLike();
  login = await startHttp((_, res) => res.end('<html><head><title>Infusion pump</title></head><body><form><input name=u><input type="password" name=p></form></body></html>'));
  basic = await startHttp((_, res) => {
    res.writeHead(401, { 'www-authenticate': 'Basic realm="device"' });
    res.end();
  });
  redirect = await startHttp((_, res) => {
    res.writeHead(301, { location: 'https://device.example/' });
    res.end();
  });
  closed = await closedPort();
});
afterAll(async () => {
  await Promise.all([telnet.close(), ftp.close(), login.close(), basic.close(), redirect.close()]);
});

const none = { telnetPorts: [], ftpPorts: [], httpPorts: [], snmpCommunities: [] };
const check = (over: Record<string, unknown>) => insecureServicesKind.check(insecureServicesKind.settings.parse({ host: '127.0.0.1', ...none, ...over }), makeContext());
const value = (r: { channels: readonly { key: string; value: number }[] }, key: string) => r.channels.find((c) => c.key === key)?.value;

runSensorContract(insecureServicesKind, {
  good: () => Promise.resolve({ host: '127.0.0.1', ...none, telnetPorts: [closed], httpPorts: [redirect.port] }),
  hang: async () => {
    const srv = await startHangingServer();
    return { settings: { host: '127.0.0.1', ...none, telnetPorts: [srv.port] }, accepted: srv.nextConnection() };
  },
});

describe('insecure-services', () => {
  it('finds Telnet by its option negotiation (Down: high severity)', async () => {
    const r = await check({ telnetPorts: [telnet.port, closed] });
    expect(r.error).toBe('EXPOSURE_TELNET');
    expect(r.status).toBeUndefined();
    expect(r.message).toBe(`Telnet port ${telnet.port} is open (Telnet option negotiation) [${STD_SAHD}]; passed: port ${closed} closed`);
    expect(value(r, 'telnetOpen')).toBe(1);
    expect(outcomeOf(r, insecureServicesKind.channels).kind).toBe('failure');
  });

  it('finds FTP with anonymous login (Warning: medium severity)', async () => {
    const r = await check({ ftpPorts: [ftp.port] });
    expect(r.error).toBe('EXPOSURE_FTP');
    expect(r.status).toBe('warning');
    expect(r.message).toBe(`FTP is open on port ${ftp.port} ("220 (vsFTPd 2.3.4)") and accepts anonymous login [${STD_SAHD}]`);
    expect(value(r, 'ftpAnonymous')).toBe(1);
  });

  it('finds login pages and password challenges over plain HTTP, and passes an HTTPS redirect', async () => {
    const r = await check({ httpPorts: [login.port, basic.port, redirect.port] });
    expect(r.error).toBe('EXPOSURE_HTTP_ADMIN');
    const std = '[MDS2 SAHD / TXCF, BCP 195 (use TLS for credentials)]';
    expect(r.message).toBe(
      `http://127.0.0.1:${login.port}/ serves a login form over plain HTTP (HTTP 200) ${std}; http://127.0.0.1:${basic.port}/ asks for a password over plain HTTP (Basic authentication) ${std}; passed: http://127.0.0.1:${redirect.port}/ redirects to HTTPS`,
    );
    expect(value(r, 'httpAdminPlain')).toBe(1);
    expect(value(r, 'findings')).toBe(2);
  });

  it('passes a host with none of the services', async () => {
    const r = await check({ telnetPorts: [closed], ftpPorts: [closed] });
    expect(r.error).toBeUndefined();
    expect(r.message).toBe(`passed: port ${closed} closed, port ${closed} closed`);
    expect(value(r, 'telnetOpen')).toBe(0);
    expect(value(r, 'ftpOpen')).toBe(0);
  });

  it('rejects settings that are not ports or paths, naming the field', () => {
    const r = insecureServicesKind.settings.safeParse({ host: '127.0.0.1', telnetPorts: ['23'], httpPaths: ['admin'] });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual(['telnetPorts.0: expected integer 1–65535, got "23"', 'httpPaths.0: expected a path starting with /, got "admin"']);
  });
});

describe('insecure-services against the legacy device simulator', () => {
  it('finds Telnet, anonymous FTP and the plain-HTTP admin login in one check', async () => {
    const dev = await startLegacyDevice({ name: 'Pump GW' });
    try {
      const r = await check({ telnetPorts: [dev.telnetPort], ftpPorts: [dev.ftpPort], httpPorts: [dev.httpPort] });
      expect(r.error).toBe('EXPOSURE_TELNET');
      expect(r.message).toBe(
        [
          `Telnet port ${dev.telnetPort} is open (Telnet option negotiation) [${STD_SAHD}]`,
          `http://127.0.0.1:${dev.httpPort}/ serves a login form over plain HTTP (HTTP 200) [MDS2 SAHD / TXCF, BCP 195 (use TLS for credentials)]`,
          `FTP is open on port ${dev.ftpPort} ("220 Pump GW FTP server ready") and accepts anonymous login [${STD_SAHD}]`,
        ].join('; '),
      );
      expect(r.channels).toEqual([
        { key: 'telnetOpen', value: 1 },
        { key: 'ftpOpen', value: 1 },
        { key: 'ftpAnonymous', value: 1 },
        { key: 'httpAdminPlain', value: 1 },
        { key: 'findings', value: 3 },
      ]);
    } finally {
      await dev.close();
    }
  });

  it('reports FTP without anonymous login as FTP open only', async () => {
    const dev = await startLegacyDevice({ name: 'Lab analyser', telnet: false, http: false, ftp: { anonymous: false } });
    try {
      const r = await check({ ftpPorts: [dev.ftpPort] });
      expect(r.message).toBe(`FTP is open on port ${dev.ftpPort} ("220 Lab analyser FTP server ready") [${STD_SAHD}]`);
      expect(value(r, 'ftpAnonymous')).toBe(0);
    } finally {
      await dev.close();
    }
  });
});

describe('insecure-services against snmpd answering the community "public"', () => {
  let peer: Peer;
  let dir: string;
  let port: number;
  beforeAll(async () => {
    requireCommand('snmpd', 'snmpd');
    requireCommand('snmpget', 'snmp');
    dir = mkdtempSync(path.join(tmpdir(), 'ww-snmpd-public-'));
    writeFileSync(path.join(dir, 'snmpd.conf'), 'rocommunity public 127.0.0.1\nsysDescr Wardwatch test agent\n');
    port = await freeUdpPort();
    peer = await startPeer('snmpd', ['-f', '-Lo', '-C', '-c', path.join(dir, 'snmpd.conf'), `--persistentDir=${path.join(dir, 'persist')}`, `udp:127.0.0.1:${port}`], { port, waitTcp: false, env: { MIBS: '', MIBDIRS: '/nonexistent' } });
    const deadline = Date.now() + 15_000;
    while (spawnSync('snmpget', ['-v2c', '-c', 'public', '-t', '0.3', '-r', '0', `127.0.0.1:${port}`, '1.3.6.1.2.1.1.1.0']).status !== 0) {
      if (Date.now() > deadline) throw new Error(`snmpd did not answer: ${peer.output()}`);
    }
  });
  afterAll(async () => {
    await peer.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds "public" answering and "private" silent', async () => {
    const r = await check({ snmpPort: port, snmpCommunities: ['public', 'private'], probeTimeout: '500ms' });
    expect(r.error, r.message).toBe('EXPOSURE_SNMP_DEFAULT_COMMUNITY');
    expect(r.message).toBe(`SNMP on port ${port} answers community "public" (v2c, v1; sysDescr "Wardwatch test agent") [MDS2 SAHD (default credentials), MDS2 NAUT]; passed: SNMP community "private" gets no answer`);
    expect(value(r, 'snmpDefaultCommunity')).toBe(1);
  });
});
