// The steps of a TLS audit shared by tls-audit and dicom-exposure: which protocol versions a port
// accepts (raw ClientHello per version), which weak cipher families it accepts, and the
// certificate's key and signature (one real handshake through node:tls). Each step reports what
// it could not test instead of guessing.

import { X509Certificate } from 'node:crypto';
import { handshake, permissiveContext } from '../tls/handshake.ts';
import { keyInfo } from '../tls/judge.ts';
import { DerError, signatureAlgorithm } from '../../protocols/x509/der.ts';
import { probeHello, PROTOCOLS, WEAK_SUITES, type HelloResult, type Protocol, type WeakFamily } from './hello.ts';

export interface Target {
  readonly host: string;
  readonly port: number;
  readonly servername?: string;
  /** Per probe. */
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

/** Protocol names as numbers for channels: 3.0 for SSL 3.0, then 1.0–1.3. */
export const PROTOCOL_NUMBER: Readonly<Record<Protocol, number>> = { SSLv3: 3.0, TLSv1: 1.0, 'TLSv1.1': 1.1, 'TLSv1.2': 1.2, 'TLSv1.3': 1.3 };
export const PROTOCOL_LABEL: Readonly<Record<Protocol, string>> = { SSLv3: 'SSL 3.0', TLSv1: 'TLS 1.0', 'TLSv1.1': 'TLS 1.1', 'TLSv1.2': 'TLS 1.2', 'TLSv1.3': 'TLS 1.3' };

/** Codes that mean "this port cannot be reached at all", so probing further is pointless. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EADDRNOTAVAIL', 'CONNECT_TIMEOUT', 'ECONNRESET', 'ABORTED', 'TIMEOUT']);

export interface VersionScan {
  readonly offered: readonly Protocol[];
  readonly notTested: readonly string[];
}

export type Unreachable = { readonly unreachable: true; readonly code: string; readonly reason: string };

/**
 * Probes every version in turn. A port that refuses or times out on the connection, or an aborted
 * check, ends the scan with `unreachable`; a probe without a judgeable answer is listed as not tested.
 */
export async function scanVersions(t: Target, versions: readonly Protocol[] = PROTOCOLS): Promise<VersionScan | Unreachable> {
  const offered: Protocol[] = [];
  const notTested: string[] = [];
  for (const version of versions) {
    const r = await probeHello({ ...t, version });
    if (r.kind === 'failed') {
      const aborted = t.signal.aborted;
      if (aborted || (UNREACHABLE.has(r.code) && r.code !== 'TIMEOUT')) return { unreachable: true, code: aborted ? abortCode(t.signal) : r.code, reason: r.reason };
      notTested.push(`${PROTOCOL_LABEL[version]} (${r.reason})`);
    } else if (r.kind === 'accepted' && r.version === version) offered.push(version);
  }
  return { offered, notTested };
}

export function abortCode(signal: AbortSignal): 'TIMEOUT' | 'ABORTED' {
  return (signal.reason as { name?: unknown } | undefined)?.name === 'TimeoutError' ? 'TIMEOUT' : 'ABORTED';
}

export function isUnreachable(x: object): x is Unreachable {
  return 'unreachable' in x;
}

export interface CipherScan {
  readonly accepted: readonly { readonly family: WeakFamily; readonly suite: number }[];
  readonly notTested: readonly string[];
}

/**
 * Offers each weak family alone, at the highest and then the lowest pre-1.3 version the port
 * accepts: old stacks negotiate EXPORT and some RC4 suites only at the version they belong to.
 */
export async function scanWeakCiphers(t: Target, versions: readonly Protocol[]): Promise<CipherScan | Unreachable> {
  const accepted: { family: WeakFamily; suite: number }[] = [];
  const notTested: string[] = [];
  for (const family of Object.keys(WEAK_SUITES) as WeakFamily[]) {
    const failures: string[] = [];
    for (const version of versions) {
      const r: HelloResult = await probeHello({ ...t, version, suites: WEAK_SUITES[family] });
      if (t.signal.aborted) return { unreachable: true, code: abortCode(t.signal), reason: 'the check was cancelled' };
      if (r.kind === 'accepted' && (WEAK_SUITES[family] as readonly number[]).includes(r.suite)) {
        accepted.push({ family, suite: r.suite });
        break;
      }
      if (r.kind === 'failed') failures.push(r.reason);
    }
    if (failures.length === versions.length && !accepted.some((a) => a.family === family)) notTested.push(`${family} suites (${failures[0] ?? 'no answer'})`);
  }
  return { accepted, notTested };
}

export interface CertificateFacts {
  readonly keyType: string;
  readonly keyBits: number | undefined;
  readonly signature: string;
  readonly weakSignature: boolean;
  readonly subject: string;
}

let context: ReturnType<typeof permissiveContext> | undefined;

/** One full handshake (TLS 1.0 and SECLEVEL=0 allowed) for the leaf certificate; a string says why not. */
export async function readCertificate(t: Target): Promise<CertificateFacts | string> {
  // built on first use only: a probe that never audits a certificate never pays for it
  context ??= permissiveContext(undefined);
  const signal = AbortSignal.any([t.signal, AbortSignal.timeout(t.timeoutMs)]);
  const outcome = await handshake({ host: t.host, port: t.port, ...(t.servername ? { servername: t.servername } : {}), secureContext: context, signal, now: () => performance.now() });
  if (!outcome.ok) return `this probe's TLS library could not complete a handshake (${opensslReason(outcome.message)})`;
  const { facts } = outcome;
  const key = keyInfo(facts);
  let signature = 'unknown signature';
  let weakSignature = false;
  try {
    const sig = signatureAlgorithm(new X509Certificate(facts.leaf.raw).raw);
    signature = sig.name;
    weakSignature = sig.weak;
  } catch (e) {
    if (!(e instanceof DerError)) throw e;
  }
  return { keyType: key.type, keyBits: key.bits, signature, weakSignature, subject: facts.leaf.subject.replace(/\n/g, ', ') };
}

/** OpenSSL's "80AC…:error:0A000152:SSL routines:fn:reason:file:line:" dump cut down to its reason. */
export function opensslReason(message: string): string {
  return message.replace(/[0-9A-F]{8,}:error:[0-9A-F]+:[^:]*:[^:]*:([^:]+):[\s\S]*$/, '$1').trim();
}
