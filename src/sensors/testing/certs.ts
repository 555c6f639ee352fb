// Test certificates made in-process (@peculiar/x509 over Node's WebCrypto): a CA, and leaf
// certificates that are valid, expired, not yet valid, for the wrong name, with short keys or SHA-1
// signatures — whatever a TLS or HTTPS test needs, with no openssl CLI and no files on disk.

// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata polyfill first
import 'reflect-metadata';
import { webcrypto, X509Certificate as NodeX509 } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

type CryptoKey = webcrypto.CryptoKey;

x509.cryptoProvider.set(webcrypto);

export type CertHash = 'SHA-256' | 'SHA-384' | 'SHA-1';

export interface CertificateOptions {
  readonly commonName: string;
  /** DNS names and IP addresses for subjectAltName (default: the commonName). */
  readonly altNames?: readonly string[];
  /** Default: one day ago. */
  readonly notBefore?: Date;
  /** Default: one year from now. */
  readonly notAfter?: Date;
  /** 'RSA' (default) or 'EC' (P-256). */
  readonly keyType?: 'RSA' | 'EC';
  /** RSA modulus length (default 2048). */
  readonly keyBits?: number;
  /** The CA that signs it; self-signed when absent. */
  readonly signWith?: TestCertificate;
  /** Signature hash (default SHA-256). */
  readonly hash?: CertHash;
  /** Make it a CA certificate (basicConstraints CA, keyCertSign). */
  readonly isCa?: boolean;
}

export interface TestCertificate {
  readonly certPem: string;
  /** PKCS#8 PEM. */
  readonly keyPem: string;
  /** The same certificate parsed by Node, for assertions (validTo, fingerprint256, subjectAltName). */
  readonly cert: NodeX509;
}

const DAY_MS = 86_400_000;

function keyAlgorithm(keyType: 'RSA' | 'EC', hash: CertHash, keyBits: number): webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams {
  return keyType === 'EC'
    ? { name: 'ECDSA', namedCurve: 'P-256' }
    : { name: 'RSASSA-PKCS1-v1_5', hash, publicExponent: new Uint8Array([1, 0, 1]), modulusLength: keyBits };
}

/** WebCrypto fixes the hash in an RSA key, so the signer's key is re-imported with the hash wanted. */
async function importSigningKey(keyPem: string, hash: CertHash): Promise<CryptoKey> {
  const der = x509.PemConverter.decodeFirst(keyPem);
  for (const algorithm of [{ name: 'RSASSA-PKCS1-v1_5', hash }, { name: 'ECDSA', namedCurve: 'P-256' }]) {
    try {
      return await webcrypto.subtle.importKey('pkcs8', der, algorithm, false, ['sign']);
    } catch {
      // not this key type: try the next
    }
  }
  throw new Error('signWith.keyPem is neither an RSA nor a P-256 EC private key');
}

function signingAlgorithm(key: CryptoKey, hash: CertHash): webcrypto.AlgorithmIdentifier | webcrypto.EcdsaParams {
  return key.algorithm.name === 'ECDSA' ? { name: 'ECDSA', hash } : { name: 'RSASSA-PKCS1-v1_5' };
}

export async function makeCertificate(opts: CertificateOptions): Promise<TestCertificate> {
  const hash = opts.hash ?? 'SHA-256';
  const keyType = opts.keyType ?? 'RSA';
  const keys = (await webcrypto.subtle.generateKey(keyAlgorithm(keyType, hash, opts.keyBits ?? 2048), true, ['sign', 'verify']));
  const subject = `CN=${opts.commonName}`;
  const names = (opts.altNames ?? (opts.isCa ? [] : [opts.commonName])).map((n) => ({ type: isIP(n) ? ('ip' as const) : ('dns' as const), value: n }));
  const signer = opts.signWith;
  const signingKey = signer ? await importSigningKey(signer.keyPem, hash) : keys.privateKey;
  const issuerKey = signer ? new x509.X509Certificate(signer.certPem).publicKey : keys.publicKey;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(opts.isCa ?? false, undefined, true),
    new x509.KeyUsagesExtension(opts.isCa ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature : x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(issuerKey),
  ];
  if (!opts.isCa) extensions.push(new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]));
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names));
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString('hex').replace(/^[89a-f]/, '1'),
    subject,
    issuer: signer ? new x509.X509Certificate(signer.certPem).subject : subject,
    notBefore: opts.notBefore ?? new Date(now - DAY_MS),
    notAfter: opts.notAfter ?? new Date(now + 365 * DAY_MS),
    publicKey: keys.publicKey,
    signingKey,
    signingAlgorithm: signingAlgorithm(signingKey, hash),
    extensions,
  });
  const keyDer = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const certPem = cert.toString('pem');
  return { certPem, keyPem: x509.PemConverter.encode(keyDer, 'PRIVATE KEY'), cert: new NodeX509(certPem) };
}

/** A self-signed CA to sign leaf certificates with (pass it as `signWith`, trust its certPem as `ca`). */
export function makeCa(opts: Partial<Omit<CertificateOptions, 'isCa' | 'signWith'>> = {}): Promise<TestCertificate> {
  const now = Date.now();
  return makeCertificate({ commonName: 'Wardwatch Test CA', notAfter: new Date(now + 10 * 365 * DAY_MS), ...opts, isCa: true });
}

/** Dates relative to now, for readable tests: `daysFromNow(-3)` is three days ago. */
export function daysFromNow(days: number): Date {
  return new Date(Date.now() + days * DAY_MS);
}
