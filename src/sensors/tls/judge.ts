// The verdict of the tls kind on what one handshake showed: expiry, trust, host name, protocol
// version, key size and signature algorithm. Pure (the wall clock comes in as a number), so each
// rule is easy to follow; every problem found is listed, the most serious one gives the error code.

import tls from 'node:tls';
import type { ChannelValue, Reading } from '../../core/model.ts';
import { DerError, signatureAlgorithm, type SignatureAlgorithm } from '../../protocols/x509/der.ts';
import type { HandshakeFacts } from './handshake.ts';

export const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
export type TlsVersion = (typeof TLS_VERSIONS)[number];

/** Protocol names as numbers for the `protocol` channel (TLSv1 is 1.0). */
const PROTOCOL_NUMBER: Readonly<Record<string, number>> = { TLSv1: 1.0, 'TLSv1.1': 1.1, 'TLSv1.2': 1.2, 'TLSv1.3': 1.3 };

export interface JudgeSettings {
  readonly verify: boolean;
  /** The name the certificate must be valid for. */
  readonly expectedName: string;
  readonly minVersion: TlsVersion;
  readonly minRsaBits: number;
  readonly minEcBits: number;
  readonly allowWeakSignature: boolean;
}

const DAY_MS = 86_400_000;

/** Chain verdicts that mean "expired" or "not yet valid" rather than "unknown issuer". */
const CHAIN_CODES: Readonly<Record<string, string>> = {
  CERT_HAS_EXPIRED: 'TLS_CERT_EXPIRED',
  CERT_NOT_YET_VALID: 'TLS_CERT_NOT_YET_VALID',
};

interface KeyInfo {
  readonly type: string;
  readonly bits: number | undefined;
}

/** Key type and size; Ed25519/Ed448 have fixed sizes that Node does not report as bits. */
export function keyInfo(facts: HandshakeFacts): KeyInfo {
  const type = facts.leaf.publicKey.asymmetricKeyType ?? 'unknown';
  const details = facts.leaf.publicKey.asymmetricKeyDetails;
  if (type === 'ed25519') return { type, bits: 256 };
  if (type === 'ed448') return { type, bits: 456 };
  return { type, bits: details?.modulusLength ?? facts.peer.bits };
}

function readSignature(raw: Uint8Array): SignatureAlgorithm | undefined {
  try {
    return signatureAlgorithm(raw);
  } catch (e) {
    if (e instanceof DerError) return undefined;
    throw e;
  }
}

function field(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function expiry(notAfter: number, daysLeft: number): string {
  const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`;
  return daysLeft < 0 ? `expired ${isoDay(notAfter)} (${days(-daysLeft)} ago)` : `expires ${isoDay(notAfter)} (${days(daysLeft)})`;
}

export function judge(facts: HandshakeFacts, s: JudgeSettings, wallNow: number): Reading {
  const notAfter = Date.parse(facts.leaf.validTo);
  const notBefore = Date.parse(facts.leaf.validFrom);
  const daysLeft = Math.floor((notAfter - wallNow) / DAY_MS);
  const key = keyInfo(facts);
  const sig = readSignature(facts.leaf.raw);
  const problems: { code: string; text: string }[] = [];

  if (notAfter <= wallNow) problems.push({ code: 'TLS_CERT_EXPIRED', text: `certificate expired ${isoDay(notAfter)}` });
  else if (notBefore > wallNow) problems.push({ code: 'TLS_CERT_NOT_YET_VALID', text: `certificate is not valid before ${isoDay(notBefore)}` });
  if (s.verify && !facts.authorized) {
    const reason = facts.authorizationError ?? 'unknown reason';
    const code = CHAIN_CODES[reason] ?? 'TLS_CERT_UNTRUSTED';
    // the leaf's own dates were judged above; only a chain problem beyond them is worth a line
    if (!problems.some((p) => p.code === code)) problems.push({ code, text: code === 'TLS_CERT_UNTRUSTED' ? `certificate is not trusted (${reason})` : `a certificate in the chain is invalid (${reason})` });
  }
  if (s.verify) {
    const mismatch = tls.checkServerIdentity(s.expectedName, facts.peer);
    if (mismatch) problems.push({ code: 'TLS_HOSTNAME_MISMATCH', text: `certificate is not valid for ${s.expectedName} (${mismatch.message.replace(/^Hostname\/IP does not match certificate's altnames: /, '')})` });
  }
  const protocolNumber = facts.protocol ? PROTOCOL_NUMBER[facts.protocol] : undefined;
  if (protocolNumber === undefined || protocolNumber < PROTOCOL_NUMBER[s.minVersion]!) problems.push({ code: 'TLS_PROTOCOL_WEAK', text: `protocol ${facts.protocol ?? 'unknown'} is below the minimum ${s.minVersion}` });
  const minBits = key.type === 'ec' ? s.minEcBits : key.type.startsWith('rsa') || key.type === 'dsa' ? s.minRsaBits : 0;
  if (key.bits !== undefined && key.bits < minBits) problems.push({ code: 'TLS_KEY_WEAK', text: `${key.type.toUpperCase()} key of ${key.bits} bits is below the minimum of ${minBits}` });
  if (sig?.weak && !s.allowWeakSignature) problems.push({ code: 'TLS_SIGNATURE_WEAK', text: `certificate is signed with ${sig.name}` });

  const channels: ChannelValue[] = [
    { key: 'certDaysLeft', value: daysLeft },
    { key: 'handshakeMs', value: facts.tlsMs },
    ...(key.bits !== undefined ? [{ key: 'keyBits', value: key.bits }] : []),
    ...(protocolNumber !== undefined ? [{ key: 'protocol', value: protocolNumber }] : []),
  ];
  const cn = field(facts.peer.subject?.CN) ?? facts.leaf.subject.replace(/\n/g, ', ');
  const issuer = field(facts.peer.issuer?.CN) ?? field(facts.peer.issuer?.O) ?? facts.leaf.issuer.replace(/\n/g, ', ');
  const summary = `CN=${cn}, issued by ${issuer}, ${expiry(notAfter, daysLeft)}, ${facts.protocol ?? 'unknown protocol'}, ${facts.cipher}, ${key.type.toUpperCase()} ${key.bits ?? '?'} bits, ${sig?.name ?? 'unknown signature'}`;
  const phases = { connect: facts.connectMs, tls: facts.tlsMs };
  const first = problems[0];
  if (!first) return { channels, message: summary, phases };
  return { channels, error: first.code, message: `${problems.map((p) => p.text).join('; ')} — ${summary}`, phases };
}
