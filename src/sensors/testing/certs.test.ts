import { describe, expect, it } from 'vitest';
import tls from 'node:tls';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { daysFromNow, makeCa, makeCertificate } from './certs.ts';

async function handshake(server: { certPem: string; keyPem: string }, clientOpts: tls.ConnectionOptions): Promise<{ authorized: boolean; error?: string; peerSubject?: string }> {
  const srv = tls.createServer({ cert: server.certPem, key: server.keyPem });
  srv.on('tlsClientError', () => {});
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address() as AddressInfo;
  try {
    const sock = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...clientOpts });
    await once(sock, 'secureConnect');
    const out = { authorized: sock.authorized, error: sock.authorizationError ? String((sock.authorizationError as unknown as { code?: string }).code ?? sock.authorizationError) : undefined, peerSubject: String(sock.getPeerCertificate().subject?.CN) };
    sock.destroy();
    return out;
  } finally {
    srv.close();
  }
}

describe('test certificates', () => {
  it('signs a leaf with a CA that Node trusts for the alt names', async () => {
    const ca = await makeCa();
    const leaf = await makeCertificate({ commonName: 'pacs.test', altNames: ['pacs.test', '127.0.0.1'], signWith: ca });
    expect(leaf.cert.checkIssued(ca.cert)).toBe(true);
    expect(leaf.cert.subjectAltName).toBe('DNS:pacs.test, IP Address:127.0.0.1');
    expect(ca.cert.ca).toBe(true);
    const r = await handshake(leaf, { ca: ca.certPem, servername: 'pacs.test' });
    expect(r).toEqual({ authorized: true, error: undefined, peerSubject: 'pacs.test' });
  });

  it('makes expired and self-signed certificates that fail verification with the right codes', async () => {
    const ca = await makeCa();
    const expired = await makeCertificate({ commonName: 'old.test', notBefore: daysFromNow(-30), notAfter: daysFromNow(-1), signWith: ca });
    expect(new Date(expired.cert.validTo).getTime()).toBeLessThan(Date.now());
    expect((await handshake(expired, { ca: ca.certPem, servername: 'old.test' })).error).toBe('CERT_HAS_EXPIRED');
    const self = await makeCertificate({ commonName: 'self.test', keyType: 'EC' });
    expect((await handshake(self, { servername: 'self.test' })).error).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
  });

  it('honours the signature hash and key size', async () => {
    const ca = await makeCa({ keyBits: 2048 });
    const sha1 = await makeCertificate({ commonName: 'legacy.test', hash: 'SHA-1', keyBits: 1024, signWith: ca });
    expect(sha1.cert.verify(ca.cert.publicKey)).toBe(true);
    expect(sha1.cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(1024);
    expect(sha1.cert.toLegacyObject().bits).toBe(1024);
    // Node does not expose the signature algorithm: read it back with the library that wrote it
    const { X509Certificate } = await import('@peculiar/x509');
    expect(new X509Certificate(sha1.certPem).signatureAlgorithm).toMatchObject({ name: 'RSASSA-PKCS1-v1_5', hash: { name: 'SHA-1' } });
  });
});
