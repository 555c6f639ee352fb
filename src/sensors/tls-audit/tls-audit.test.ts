// tls-audit against real TLS servers on loopback: Node servers (modern; TLS 1.0 only; a 1024-bit
// SHA-1 certificate) and OpenSSL's s_server offering TLS 1.0 with a NULL cipher; plus the contract.

import tls from 'node:tls';
import type { Socket } from 'node:net';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lookupError } from '../../core/errors.ts';
import { outcomeOf } from '../../core/state.ts';
import { makeCertificate, type TestCertificate } from '../testing/certs.ts';
import { makeContext, runSensorContract } from '../testing/contract.ts';
import { closedPort, startHangingServer } from '../testing/peers.ts';
import { freePort, requireCommand, startPeer, type Peer } from '../../../test/peers/harness.ts';
import { exposureFinding } from '../../security/exposure/catalogue.ts';
import { clientHello, parseServerHello, probeHello, type HelloResult } from './hello.ts';
import { startTcpServer } from '../testing/peers.ts';
import { tlsAuditKind } from './index.ts';
import { startLegacyTlsServer } from './testing.ts';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

interface Server {
  readonly port: number;
  close(): Promise<void>;
}

async function startTls(options: tls.TlsOptions): Promise<Server> {
  const server = tls.createServer(options, (s) => s.end());
  // probes hang up mid-handshake on purpose: that is not an error of the test
  server.on('tlsClientError', () => undefined);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as { port: number }).port, close: () => new Promise((r) => server.close(() => r())) };
}

const audit = (port: number, over: Record<string, unknown> = {}) => tlsAuditKind.check(tlsAuditKind.settings.parse({ host: '127.0.0.1', port, ...over }), makeContext());
const value = (r: { channels: readonly { key: string; value: number }[] }, key: string) => r.channels.find((c) => c.key === key)?.value;

let good: TestCertificate;
let modern: Server;

beforeAll(async () => {
  good = await makeCertificate({ commonName: 'pacs.example', altNames: ['127.0.0.1'] });
  modern = await startTls({ key: good.keyPem, cert: good.certPem });
});
afterAll(async () => {
  await modern.close();
});

runSensorContract(tlsAuditKind, {
  good: () => Promise.resolve({ host: '127.0.0.1', port: modern.port }),
  refused: async () => ({ host: '127.0.0.1', port: await closedPort() }),
  refusedError: 'ECONNREFUSED',
  hang: async () => {
    const srv = await startHangingServer();
    return { settings: { host: '127.0.0.1', port: srv.port }, accepted: srv.nextRequest() };
  },
});

describe('tls-audit', () => {
  it('passes a modern server (TLS 1.2 and 1.3, RSA 2048, SHA-256)', async () => {
    const r = await audit(modern.port);
    expect(r.error).toBeUndefined();
    expect(r.message).toBe('passed: protocols TLS 1.2, TLS 1.3, no RC4/3DES/NULL/EXPORT/anonymous suites, RSA 2048-bit key, sha256WithRSAEncryption');
    expect(value(r, 'tls10Offered')).toBe(0);
    expect(value(r, 'tls13Offered')).toBe(1);
    expect(value(r, 'findings')).toBe(0);
  });

  it('finds TLS 1.0 on a server offering TLS 1.0 only (Warning, BCP 195)', async () => {
    const old = await startTls({ key: good.keyPem, cert: good.certPem, minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' });
    try {
      const r = await audit(old.port);
      expect(r.error).toBe('EXPOSURE_TLS_OLD_PROTOCOL');
      expect(r.status).toBe('warning');
      expect(r.message).toBe('offers TLS 1.0 [BCP 195 (RFC 8996, RFC 9325), NIST SP 800-131A]; passed: no RC4/3DES/NULL/EXPORT/anonymous suites, RSA 2048-bit key, sha256WithRSAEncryption');
      expect(value(r, 'tls10Offered')).toBe(1);
      expect(value(r, 'tls12Offered')).toBe(0);
      expect(outcomeOf(r, tlsAuditKind.channels).kind).toBe('warning');
    } finally {
      await old.close();
    }
  });

  it('finds a short key and a SHA-1 signature (Down, NIST SP 800-131A)', async () => {
    const weak = await makeCertificate({ commonName: 'old-modality', keyBits: 1024, hash: 'SHA-1' });
    const srv = await startTls({ key: weak.keyPem, cert: weak.certPem, ciphers: 'DEFAULT@SECLEVEL=0' });
    try {
      const r = await audit(srv.port);
      expect(r.error).toBe('EXPOSURE_TLS_SHORT_KEY');
      expect(r.status).toBeUndefined();
      expect(r.message).toBe(
        'certificate has an RSA 1024-bit key (minimum 2048) [NIST SP 800-131A (RSA/DSA at least 2048 bits, EC at least 224 bits), BCP 195]; certificate is signed with sha1WithRSAEncryption [NIST SP 800-131A (SHA-1 disallowed for signatures), BCP 195]; passed: protocols TLS 1.2, TLS 1.3, no RC4/3DES/NULL/EXPORT/anonymous suites',
      );
      expect(value(r, 'keyBits')).toBe(1024);
      expect(value(r, 'weakSignature')).toBe(1);
      expect(outcomeOf(r, tlsAuditKind.channels).kind).toBe('failure');
    } finally {
      await srv.close();
    }
  });

  it('reports a closed port with the catalogue code, not as a finding', async () => {
    const port = await closedPort();
    const r = await audit(port);
    expect(r.error).toBe('ECONNREFUSED');
    expect(r.message).toBe(`127.0.0.1:${port}: cannot connect to 127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`);
  });

  it('says that a port which does not speak TLS accepted no protocol', async () => {
    const srv = await startTcpServer((s) => s.end('220 ftp ready\r\n'));
    try {
      const r = await audit(srv.port);
      expect(r.error).toBe('TLS_HANDSHAKE');
      expect(r.message).toBe(`127.0.0.1:${srv.port} accepted none of SSL 3.0, TLS 1.0–1.3 (not tested: SSL 3.0 (the answer is not TLS (first byte 0x32)); TLS 1.0 (the answer is not TLS (first byte 0x32)); TLS 1.1 (the answer is not TLS (first byte 0x32)); TLS 1.2 (the answer is not TLS (first byte 0x32)); TLS 1.3 (the answer is not TLS (first byte 0x32)))`);
    } finally {
      await srv.close();
    }
  });

  it('every finding code is in the error catalogue with its standard', () => {
    expect(lookupError('EXPOSURE_TLS_OLD_PROTOCOL').message).toBe(`TLS 1.0 or TLS 1.1 is offered (${exposureFinding('EXPOSURE_TLS_OLD_PROTOCOL').standard})`);
    expect(exposureFinding('EXPOSURE_TLS_CIPHER_BROKEN').runbook).toMatch(/^Remove RC4, NULL, EXPORT and anonymous/);
  });
});

describe('tls-audit against OpenSSL s_server -tls1 with a NULL cipher', () => {
  let peer: Peer;
  let dir: string;
  beforeAll(async () => {
    requireCommand('openssl', 'openssl');
    dir = await mkdtemp(path.join(tmpdir(), 'ww-tls-audit-'));
    await writeFile(path.join(dir, 'key.pem'), good.keyPem);
    await writeFile(path.join(dir, 'cert.pem'), good.certPem);
    const port = await freePort();
    peer = await startPeer('openssl', ['s_server', '-quiet', '-accept', `127.0.0.1:${port}`, '-key', path.join(dir, 'key.pem'), '-cert', path.join(dir, 'cert.pem'), '-tls1', '-cipher', 'NULL-SHA:AES128-SHA@SECLEVEL=0'], { port });
  });
  afterAll(async () => {
    await peer.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('finds the NULL suite and TLS 1.0 (Down: a broken cipher is high severity)', async () => {
    const r = await audit(peer.port);
    expect(r.error).toBe('EXPOSURE_TLS_CIPHER_BROKEN');
    expect(r.status).toBeUndefined();
    expect(r.message).toBe(
      'accepts NULL (suite 0x0002) [BCP 195 (RFC 8996, RFC 9325), NIST SP 800-131A, RFC 7465]; offers TLS 1.0 [BCP 195 (RFC 8996, RFC 9325), NIST SP 800-131A]; passed: RSA 2048-bit key, sha256WithRSAEncryption',
    );
    expect(value(r, 'weakCipherFamilies')).toBe(1);
    expect(value(r, 'tls10Offered')).toBe(1);
  });
});

describe('tls-audit against a legacy device offering SSL 3.0 and TLS 1.0 with RC4 and 3DES (scripted: no TLS library here serves them)', () => {
  it('finds SSL 3.0, RC4, TLS 1.0 and 3DES, and says the certificate could not be read', async () => {
    const legacy = await startLegacyTlsServer({ versions: [0x0300, 0x0301], suites: [0x0005, 0x000a, 0x002f] });
    try {
      const r = await audit(legacy.port);
      expect(r.error).toBe('EXPOSURE_TLS_SSLV3');
      const bcp = 'BCP 195 (RFC 8996, RFC 9325), NIST SP 800-131A';
      expect(r.message).toMatch(
        new RegExp(
          `^${escape(`offers SSL 3.0 [${bcp}, RFC 7568]; accepts RC4 (suite 0x0005) [${bcp}, RFC 7465]; offers TLS 1.0 [${bcp}]; accepts 3DES (suite 0x000a) [${bcp} (3DES disallowed after 2023)]; not tested: certificate key and signature: this probe's TLS library could not complete a handshake (TLS handshake with 127.0.0.1:${legacy.port} failed: `)}[a-z ]+\\)$`,
        ),
      );
      expect(value(r, 'sslv3Offered')).toBe(1);
      expect(value(r, 'tls11Offered')).toBe(0);
      expect(value(r, 'weakCipherFamilies')).toBe(2);
      expect(value(r, 'keyBits')).toBeUndefined();
      expect(value(r, 'findings')).toBe(4);
    } finally {
      await legacy.close();
    }
  });

  it('finds an EXPORT suite the device negotiates only at TLS 1.0, not at TLS 1.2', async () => {
    const legacy = await startLegacyTlsServer({ versions: [0x0301, 0x0303], suites: [0xc02f, 0x002f], suitesAt: { 0x0301: [0x0003, 0x002f] } });
    try {
      const r = await audit(legacy.port);
      expect(r.error).toBe('EXPOSURE_TLS_CIPHER_BROKEN');
      expect(r.message).toMatch(/^accepts EXPORT \(suite 0x0003\) \[.*\]; offers TLS 1\.0 \[.*\]; not tested: certificate key and signature: /);
      expect(value(r, 'weakCipherFamilies')).toBe(1);
    } finally {
      await legacy.close();
    }
  });

  it('passes a TLS 1.3-only server without probing for weak suites', async () => {
    const srv = await startTls({ key: good.keyPem, cert: good.certPem, minVersion: 'TLSv1.3' });
    try {
      const r = await audit(srv.port);
      expect(r.error).toBeUndefined();
      expect(r.message).toBe('passed: protocols TLS 1.3, TLS 1.3 only (no weak suites exist), RSA 2048-bit key, sha256WithRSAEncryption');
    } finally {
      await srv.close();
    }
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('probeHello against hostile or broken answers (never throws, always says why)', () => {
  const hello = (port: number) => probeHello({ host: '127.0.0.1', port, version: 'TLSv1.2', timeoutMs: 5000, signal: new AbortController().signal });
  const cases: [string, (s: Socket) => void, HelloResult][] = [
    ['an empty alert', (s) => s.end(Buffer.from([21, 3, 3, 0, 0])), { kind: 'refused', reason: 'an empty alert' }],
    ['a Certificate instead of a ServerHello', (s) => s.end(Buffer.from([22, 3, 3, 0, 4, 11, 0, 0, 0])), { kind: 'failed', code: 'TLS_HANDSHAKE', reason: 'expected a ServerHello, got handshake message type 11' }],
    ['a ServerHello cut short', (s) => s.end(Buffer.from([22, 3, 3, 0, 6, 2, 0, 0, 2, 3, 3])), { kind: 'failed', code: 'TLS_HANDSHAKE', reason: 'ServerHello is truncated' }],
    ['half a ServerHello, then a hang-up', (s) => s.end(Buffer.from([22, 3, 3, 0, 6, 2, 0, 0, 60, 3, 3])), { kind: 'refused', reason: 'closed without an answer' }],
    ['an endless stream of handshake records', endless, { kind: 'failed', code: 'TLS_HANDSHAKE', reason: 'no ServerHello in the first 65536 bytes' }],
  ];
  for (const [what, script, expected] of cases) {
    it(`reports ${what}`, async () => {
      const srv = await startTcpServer(script);
      try {
        expect(await hello(srv.port)).toEqual(expected);
      } finally {
        await srv.close();
      }
    });
  }
});

/** Writes 16 KiB handshake records that never complete a message, until the peer goes away. */
function endless(s: Socket): void {
  // one ServerHello header announcing 16 MiB, then filler records
  s.write(Buffer.from([22, 3, 3, 0, 4, 2, 0xff, 0xff, 0xff]));
  const filler = Buffer.concat([Buffer.from([22, 3, 3, 0x40, 0]), Buffer.alloc(0x4000)]);
  const pump = () => {
    while (!s.destroyed && s.write(filler));
  };
  s.on('drain', pump);
  pump();
}

describe('ClientHello codec', () => {
  it('offers TLS 1.3 through supported_versions with a legacy version of TLS 1.2', () => {
    const hello = clientHello({ version: 'TLSv1.3' });
    expect(hello[0]).toBe(22);
    expect(hello.readUInt16BE(9)).toBe(0x0303);
    expect(hello.includes(Buffer.from([0x00, 0x2b, 0x00, 0x03, 0x02, 0x03, 0x04]))).toBe(true);
  });

  it('rejects a handshake message that is not a ServerHello, and waits for a truncated one', () => {
    expect(() => parseServerHello(Buffer.from([11, 0, 0, 1, 0]))).toThrow('expected a ServerHello, got handshake message type 11');
    expect(parseServerHello(Buffer.from([2, 0, 0, 40, 3, 3]))).toBeUndefined();
    expect(() => parseServerHello(Buffer.from([2, 0, 0, 3, 3, 3, 0]))).toThrow('ServerHello is truncated');
  });
});
