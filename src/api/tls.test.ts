// HTTPS: a self-signed certificate generated once and reused, a configured one loaded, TLS 1.2+
// only on a real Fastify HTTPS server on 127.0.0.1, and the security headers.

import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { securityHeaders, setupHttps } from './tls.ts';

const dir = (): string => mkdtempSync(join(tmpdir(), 'ww-tls-'));

function handshake(port: number, ca: string, opts: tls.ConnectionOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost', ...opts }, () => {
      const v = s.getProtocol() ?? '';
      s.end();
      resolve(v);
    });
    s.once('error', reject);
  });
}

describe('HTTPS setup', () => {
  it('generates a self-signed certificate at first start (key 0600) and reuses it', async () => {
    const d = dir();
    const now = Date.UTC(2026, 0, 5);
    const first = await setupHttps({ dir: d, altNames: ['localhost', '127.0.0.1'], now: () => now });
    expect(first.generated).toBe(true);
    expect(statSync(first.keyFile).mode & 0o777).toBe(0o600);
    expect(first.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const again = await setupHttps({ dir: d, now: () => now + 86_400_000 });
    expect(again.generated).toBe(false);
    expect(again.fingerprint256).toBe(first.fingerprint256);
    // Within 30 days of expiry a generated certificate is renewed.
    const late = await setupHttps({ dir: d, now: () => Date.parse(first.validTo) - 10 * 86_400_000 });
    expect(late.generated).toBe(true);
    expect(late.fingerprint256).not.toBe(first.fingerprint256);
  });

  it('serves TLS 1.2 and 1.3 only, with a certificate valid for 127.0.0.1 and localhost', async () => {
    const setup = await setupHttps({ dir: dir(), altNames: ['localhost', '127.0.0.1'] });
    const app = Fastify({ https: setup.https });
    app.get('/', async () => 'ok');
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const port = (app.server.address() as { port: number }).port;
      const ca = String(setup.https.cert);
      expect(await handshake(port, ca, {})).toBe('TLSv1.3');
      expect(await handshake(port, ca, { maxVersion: 'TLSv1.2' })).toBe('TLSv1.2');
      await expect(handshake(port, ca, { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' })).rejects.toThrow(/alert protocol version/);
      await expect(handshake(port, ca, { servername: undefined, host: '127.0.0.1', checkServerIdentity: tls.checkServerIdentity })).resolves.toMatch(/^TLSv1\.[23]$/);
    } finally {
      await app.close();
    }
  });

  it('loads a configured certificate and names a bad file', async () => {
    const gen = await setupHttps({ dir: dir() });
    const loaded = await setupHttps({ dir: dir(), certFile: gen.certFile, keyFile: gen.keyFile });
    expect(loaded.generated).toBe(false);
    expect(loaded.fingerprint256).toBe(gen.fingerprint256);
    const bad = join(dir(), 'bad.pem');
    writeFileSync(bad, 'hello');
    await expect(setupHttps({ dir: dir(), certFile: bad, keyFile: gen.keyFile })).rejects.toThrow(`tls: ${bad} is not a PEM certificate`);
    await expect(setupHttps({ dir: dir(), certFile: gen.certFile })).rejects.toThrow('tls: give both certFile and keyFile, or neither (then a self-signed certificate is generated)');
  });

  it('adds HSTS only over HTTPS', () => {
    expect(securityHeaders(true)['Strict-Transport-Security']).toBe('max-age=31536000; includeSubDomains');
    expect(securityHeaders(false)['Strict-Transport-Security']).toBeUndefined();
    expect(securityHeaders(false)['Content-Security-Policy']).toContain("frame-ancestors 'none'");
  });
});
