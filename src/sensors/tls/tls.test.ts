import type { AddressInfo, Socket } from 'node:net';
import { once } from 'node:events';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { worstBreach } from '../../core/limits.ts';
import type { Reading } from '../../core/model.ts';
import { makeCa, makeCertificate, type CertificateOptions, type TestCertificate } from '../testing/certs.ts';
import { makeContext, runSensorContract } from '../testing/contract.ts';
import { closedPort, startHangingServer, startTcpServer } from '../testing/peers.ts';
import { signatureAlgorithm } from '../../protocols/x509/der.ts';
import { createTlsKind, tlsKind } from './index.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** The wall clock the checks see; certificates are dated from it, so day counts are exact. */
const T = Date.now();
const NAME = 'pacs.hospital.test';

/** Everything started here, closed after the file's tests. */
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
});

/** A real TLS server on 127.0.0.1:0 presenting `cert`; SECLEVEL=0 lets it serve old protocols and short keys. */
async function serve(cert: TestCertificate, extra: tls.TlsOptions = {}): Promise<number> {
  const server = tls.createServer({ cert: cert.certPem, key: cert.keyPem, ciphers: 'DEFAULT@SECLEVEL=0', ...extra }, (s) => s.end());
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  closers.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return (server.address() as AddressInfo).port;
}

let ca: TestCertificate;
// EC keys by default: RSA key generation is slow on a busy 2-core machine, and most tests are about something else
const leaf = (opts: Partial<CertificateOptions> = {}) => makeCertificate({ commonName: NAME, signWith: ca, keyType: 'EC', notBefore: new Date(T - DAY), notAfter: new Date(T + 365 * DAY + HOUR), ...opts });

/** Runs the kind with the test CA trusted and the wall clock at T. */
async function check(port: number, extra: Record<string, unknown> = {}): Promise<Reading> {
  const s = tlsKind.settings.parse({ host: '127.0.0.1', port, sni: NAME, ca: ca.certPem, ...extra });
  return tlsKind.check(s, makeContext({ wallNow: () => T }));
}

const value = (r: Reading, key: string) => r.channels.find((c) => c.key === key)?.value;

beforeAll(async () => {
  ca = await makeCa({ notBefore: new Date(T - DAY), keyType: 'EC' });
});

describe('tls against real TLS servers', () => {
  it('accepts a valid certificate signed by a trusted CA and reports every channel', async () => {
    const r = await check(await serve(await leaf({ keyType: 'RSA' })));
    expect(r.error, r.message).toBeUndefined();
    expect(value(r, 'certDaysLeft')).toBe(365);
    expect(value(r, 'keyBits')).toBe(2048);
    expect(value(r, 'protocol')).toBe(1.3);
    expect(value(r, 'handshakeMs')).toBeGreaterThan(0);
    expect(r.phases?.connect).toBeGreaterThanOrEqual(0);
    expect(r.message).toBe(`CN=${NAME}, issued by Wardwatch Test CA, expires ${new Date(T + 365 * DAY + HOUR).toISOString().slice(0, 10)} (365 days), TLSv1.3, TLS_AES_256_GCM_SHA384, RSA 2048 bits, ecdsa-with-SHA256`);
    expect(worstBreach(r.channels, tlsKind.channels)).toBeUndefined();
  });

  it('reports an EC P-256 key as 256 bits, which is strong enough', async () => {
    const r = await check(await serve(await leaf({ keyType: 'EC' })));
    expect(r.error, r.message).toBeUndefined();
    expect(value(r, 'keyBits')).toBe(256);
    expect(r.message).toContain('EC 256 bits, ecdsa-with-SHA256');
  });

  it('is Down for an expired certificate', async () => {
    const r = await check(await serve(await leaf({ notBefore: new Date(T - 100 * DAY), notAfter: new Date(T - 3 * DAY + HOUR) })));
    expect(r.error).toBe('TLS_CERT_EXPIRED');
    expect(value(r, 'certDaysLeft')).toBe(-3);
    const day = new Date(T - 3 * DAY + HOUR).toISOString().slice(0, 10);
    expect(r.message).toMatch(new RegExp(`^certificate expired ${day} — CN=pacs\\.hospital\\.test, issued by Wardwatch Test CA, expired ${day} \\(3 days ago\\), TLSv1\\.3, `));
  });

  it('warns 10 days before expiry (below 30) through the channel limits', async () => {
    const r = await check(await serve(await leaf({ notAfter: new Date(T + 10 * DAY + HOUR) })));
    expect(r.error).toBeUndefined();
    expect(value(r, 'certDaysLeft')).toBe(10);
    expect(worstBreach(r.channels, tlsKind.channels)).toMatchObject({ channel: 'certDaysLeft', level: 'warning', limit: 30 });
  });

  it('is Down 3 days before expiry (below 7) through the channel limits', async () => {
    const r = await check(await serve(await leaf({ notAfter: new Date(T + 3 * DAY + HOUR) })));
    expect(value(r, 'certDaysLeft')).toBe(3);
    expect(worstBreach(r.channels, tlsKind.channels)).toMatchObject({ channel: 'certDaysLeft', level: 'error', limit: 7, message: 'Days to certificate expiry 3 days is below the error limit of 7 days' });
  });

  it('reports a self-signed certificate as untrusted, and only watches expiry with verify: false', async () => {
    const port = await serve(await makeCertificate({ commonName: NAME, keyType: 'EC', notAfter: new Date(T + 90 * DAY + HOUR) }));
    const r = await check(port);
    expect(r.error).toBe('TLS_CERT_UNTRUSTED');
    expect(r.message).toMatch(/^certificate is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\) — /);
    const lenient = await check(port, { verify: false });
    expect(lenient.error, lenient.message).toBeUndefined();
    expect(value(lenient, 'certDaysLeft')).toBe(90);
  });

  it('reports a certificate for another host name', async () => {
    const r = await check(await serve(await leaf({ commonName: 'ris.hospital.test' })));
    expect(r.error).toBe('TLS_HOSTNAME_MISMATCH');
    expect(r.message).toMatch(/^certificate is not valid for pacs\.hospital\.test \(Host: pacs\.hospital\.test\. is not in the cert's altnames: DNS:ris\.hospital\.test\) — /);
  });

  it('checks an IP address against the certificate when no SNI name is given', async () => {
    const port = await serve(await leaf({ altNames: ['127.0.0.1'] }));
    const r = await tlsKind.check(tlsKind.settings.parse({ host: '127.0.0.1', port, ca: ca.certPem }), makeContext({ wallNow: () => T }));
    expect(r.error, r.message).toBeUndefined();
  });

  it('reports a TLS 1.0 only server as weak, unless TLSv1 is allowed', async () => {
    const port = await serve(await leaf(), { minVersion: 'TLSv1', maxVersion: 'TLSv1' });
    const r = await check(port);
    expect(r.error).toBe('TLS_PROTOCOL_WEAK');
    expect(value(r, 'protocol')).toBe(1.0);
    expect(r.message).toMatch(/^protocol TLSv1 is below the minimum TLSv1\.2 — /);
    expect((await check(port, { minVersion: 'TLSv1' })).error).toBeUndefined();
  });

  it('reports a TLS 1.2 server as weak when TLS 1.3 is required', async () => {
    const r = await check(await serve(await leaf(), { maxVersion: 'TLSv1.2' }), { minVersion: 'TLSv1.3' });
    expect(r.error).toBe('TLS_PROTOCOL_WEAK');
    expect(value(r, 'protocol')).toBe(1.2);
  });

  it('reports a SHA-1 signed certificate', async () => {
    const cert = await leaf({ hash: 'SHA-1' });
    expect(signatureAlgorithm(cert.cert.raw).name).toBe('ecdsa-with-SHA1');
    const port = await serve(cert);
    const r = await check(port);
    expect(r.error).toBe('TLS_SIGNATURE_WEAK');
    expect(r.message).toMatch(/^certificate is signed with ecdsa-with-SHA1 — /);
    expect((await check(port, { allowWeakSignature: true })).error).toBeUndefined();
  });

  it('reports a 1024-bit RSA key', async () => {
    const port = await serve(await leaf({ keyType: 'RSA', keyBits: 1024 }));
    const r = await check(port);
    expect(r.error).toBe('TLS_KEY_WEAK');
    expect(value(r, 'keyBits')).toBe(1024);
    expect(r.message).toMatch(/^RSA key of 1024 bits is below the minimum of 2048 — /);
    expect((await check(port, { minRsaBits: 1024 })).error).toBeUndefined();
  });

  it('lists every problem, the most serious first', async () => {
    const port = await serve(await makeCertificate({ commonName: 'old-pacs', keyBits: 1024, hash: 'SHA-1', notBefore: new Date(T - 400 * DAY), notAfter: new Date(T - 10 * DAY + HOUR) }), { maxVersion: 'TLSv1.1', minVersion: 'TLSv1.1' });
    const r = await check(port);
    expect(r.error).toBe('TLS_CERT_EXPIRED');
    const problems = r.message!.split(' — ')[0]!.split('; ');
    // OpenSSL gives one chain verdict, and for this self-signed certificate it is the expiry
    expect(problems.map((p) => p.replace(/ \(.*\)$/, ''))).toEqual([
      `certificate expired ${new Date(T - 10 * DAY + HOUR).toISOString().slice(0, 10)}`,
      'certificate is not valid for pacs.hospital.test',
      'protocol TLSv1.1 is below the minimum TLSv1.2',
      'RSA key of 1024 bits is below the minimum of 2048',
      'certificate is signed with sha1WithRSAEncryption',
    ]);
  });

  it('trusts CAs from the system store option', async () => {
    const port = await serve(await leaf());
    const kind = createTlsKind({ systemCertificates: () => [ca.certPem] });
    const r = await kind.check(kind.settings.parse({ host: '127.0.0.1', port, sni: NAME }), makeContext({ wallNow: () => T }));
    expect(r.error, r.message).toBeUndefined();
    const without = createTlsKind({ systemCertificates: () => [] });
    expect((await without.check(without.settings.parse({ host: '127.0.0.1', port, sni: NAME }), makeContext({ wallNow: () => T }))).error).toBe('TLS_CERT_UNTRUSTED');
  });

  it('reports a plain-TCP service as a failed handshake', async () => {
    const plain = await startTcpServer((s) => s.end('220 not TLS\r\n'));
    closers.push(() => plain.close());
    const r = await check(plain.port);
    expect(r.error).toBe('TLS_HANDSHAKE');
    expect(r.message).toMatch(/^TLS handshake with 127\.0\.0\.1:\d+ failed: /);
  });
});

describe('tls settings', () => {
  it('fills defaults', () => {
    expect(tlsKind.settings.parse({ host: 'pacs.hospital.test' })).toEqual({ host: 'pacs.hospital.test', port: 443, verify: true, minVersion: 'TLSv1.2', minRsaBits: 2048, minEcBits: 256, allowWeakSignature: false });
  });

  it.each([
    [{ host: 'h', minVersion: 'SSLv3' }, 'expected one of TLSv1, TLSv1.1, TLSv1.2, TLSv1.3, got "SSLv3"'],
    [{ host: 'h', ca: 'not a pem' }, 'expected PEM certificates (-----BEGIN CERTIFICATE-----)'],
    [{ host: 'h', verify: 'no' }, 'expected true or false, got "no"'],
    [{ host: 'h', minRsaBits: 'lots' }, 'expected a number of bits, got "lots"'],
  ])('rejects %j', (input, message) => {
    const r = tlsKind.settings.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe(message);
  });

  it('declares the 30/7 day expiry limits', () => {
    expect(tlsKind.channels.find((c) => c.key === 'certDaysLeft')).toMatchObject({ primary: true, unit: 'days', limits: { lowerWarning: 30, lowerError: 7 } });
  });
});

runSensorContract(tlsKind, {
  good: async () => ({ host: '127.0.0.1', port: await serve(await leaf()), sni: NAME, ca: ca.certPem }),
  refused: async () => ({ host: '127.0.0.1', port: await closedPort() }),
  refusedError: 'ECONNREFUSED',
  hang: async () => {
    const server = await startHangingServer();
    closers.push(() => server.close());
    return { settings: { host: '127.0.0.1', port: server.port }, accepted: server.nextConnection() };
  },
});
