// HTTPS by default: loads the configured certificate, or generates a self-signed one at first start
// (ECDSA P-256, kept next to the data, key file 0600) and hands Fastify TLS 1.2+ options. Also the
// security headers every answer carries (HSTS only over HTTPS).

import 'reflect-metadata';
import { webcrypto, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import * as x509 from '@peculiar/x509';
import type { SecureContextOptions } from 'node:tls';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type KeyPair = Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'];

export interface TlsOptions {
  /** Configured certificate and key (PEM files). When both are given nothing is generated. */
  readonly certFile?: string;
  readonly keyFile?: string;
  /** Where a generated certificate is kept (cert.pem, key.pem); default dataDir/tls. */
  readonly dir: string;
  /** Names the generated certificate is valid for (default: localhost, 127.0.0.1, ::1, this host's name). */
  readonly altNames?: readonly string[];
  /** Validity of a generated certificate (default 825 days, the most browsers accept). */
  readonly validDays?: number;
  readonly now?: () => number;
}

export interface HttpsSetup {
  /** For Fastify({ https }). */
  readonly https: SecureContextOptions & { readonly minVersion: 'TLSv1.2' };
  readonly certFile: string;
  readonly keyFile: string;
  /** True when this call generated the certificate. */
  readonly generated: boolean;
  /** SHA-256 fingerprint, for the operator to compare with what the browser shows. */
  readonly fingerprint256: string;
  readonly validTo: string;
}

/** A generated certificate is renewed when fewer days than this remain. */
const RENEW_DAYS = 30;

export async function setupHttps(opts: TlsOptions): Promise<HttpsSetup> {
  const now = opts.now?.() ?? Date.now();
  if ((opts.certFile === undefined) !== (opts.keyFile === undefined)) {
    throw new Error('tls: give both certFile and keyFile, or neither (then a self-signed certificate is generated)');
  }
  let certFile = opts.certFile;
  let keyFile = opts.keyFile;
  let generated = false;
  if (certFile === undefined || keyFile === undefined) {
    certFile = join(opts.dir, 'cert.pem');
    keyFile = join(opts.dir, 'key.pem');
    if (!existsSync(certFile) || !existsSync(keyFile) || expiresWithin(readFileSync(certFile, 'utf8'), now, RENEW_DAYS)) {
      const { cert, key } = await generateSelfSigned(opts.altNames ?? defaultNames(), opts.validDays ?? 825, now);
      mkdirSync(dirname(certFile), { recursive: true, mode: 0o700 });
      writeFileSync(keyFile, key, { mode: 0o600 });
      chmodSync(keyFile, 0o600);
      writeFileSync(certFile, cert);
      generated = true;
    }
  }
  const cert = readPem(certFile, 'certificate');
  const key = readPem(keyFile, 'private key');
  let parsed: X509Certificate;
  try {
    parsed = new X509Certificate(cert);
  } catch (err) {
    throw new Error(`tls: ${certFile} is not a PEM certificate: ${(err as Error).message}`);
  }
  return {
    https: { cert, key, minVersion: 'TLSv1.2' },
    certFile,
    keyFile,
    generated,
    fingerprint256: parsed.fingerprint256,
    validTo: parsed.validTo,
  };
}

function readPem(path: string, what: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`tls: cannot read the ${what} ${path}: ${(err as Error).message}`);
  }
  if (!text.includes('-----BEGIN')) throw new Error(`tls: ${path} is not a PEM ${what}`);
  return text;
}

function expiresWithin(pem: string, now: number, days: number): boolean {
  try {
    return Date.parse(new X509Certificate(pem).validTo) - now < days * 86_400_000;
  } catch {
    return true;
  }
}

function defaultNames(): string[] {
  return ['localhost', '127.0.0.1', '::1', hostname()];
}

export async function generateSelfSigned(names: readonly string[], validDays: number, now: number): Promise<{ cert: string; key: string }> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const pair = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  // @peculiar/x509 types its key pair with the DOM's CryptoKeyPair, which this Node-only program
  // does not load; Node's webcrypto pair is the same object at run time.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment
  const keys = pair as unknown as KeyPair;
  const first = names[0] ?? 'localhost';
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1'),
    name: `CN=${first.replace(/[,=+<>#;\\"]/g, '_')}, O=Wardwatch self-signed`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + validDays * 86_400_000),
    signingAlgorithm: alg,
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names.map((n) => (isIP(n) ? { type: 'ip' as const, value: n } : { type: 'dns' as const, value: n }))),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', pair.privateKey);
  const key = `-----BEGIN PRIVATE KEY-----\n${Buffer.from(pkcs8).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END PRIVATE KEY-----\n`;
  return { cert: cert.toString('pem') + '\n', key };
}

/**
 * The headers every answer carries; server.ts's onSend hook sets them. HSTS only when served over
 * HTTPS (a browser ignores it over HTTP, and sending it there would be misleading).
 */
export function securityHeaders(https: boolean): Readonly<Record<string, string>> {
  return {
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Content-Security-Policy': "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
    ...(https ? { 'Strict-Transport-Security': 'max-age=31536000; includeSubDomains' } : {}),
  };
}
