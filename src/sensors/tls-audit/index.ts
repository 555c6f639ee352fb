// `tls-audit`: the transport-security posture of a TLS port against BCP 195 and NIST SP 800-131A —
// which protocol versions it accepts (SSL 3.0 to TLS 1.3), whether it accepts RC4, 3DES, NULL,
// EXPORT or anonymous suites, and its certificate's key size and signature hash. Versions and
// suites are probed with raw ClientHellos, so suites this probe's OpenSSL dropped are still tested.

import { isIP } from 'node:net';
import { z } from 'zod';
import type { ChannelValue, Reading } from '../../core/model.ts';
import { exposureReading, type Found, FINDINGS_CHANNEL } from '../../security/exposure/reading.ts';
import { describeGot, duration, host, port } from '../fields.ts';
import { defineSensorKind, failed, type CheckContext } from '../sensor.ts';
import { isUnreachable, PROTOCOL_LABEL, readCertificate, scanVersions, scanWeakCiphers, type Target } from './audit.ts';
import { PROTOCOLS, type Protocol } from './hello.ts';

const bits = (what: string, dflt: number) =>
  z
    .number({ error: (i) => `expected a number of bits, got ${describeGot(i.input)}` })
    .int({ error: (i) => `expected a number of bits, got ${describeGot(i.input)}` })
    .min(0, { error: (i) => `expected a number of bits, got ${describeGot(i.input)}` })
    .max(16384, { error: (i) => `expected a number of bits, got ${describeGot(i.input)}` })
    .default(dflt)
    .describe(`Smallest acceptable ${what} key size in bits (default ${dflt}, NIST SP 800-131A)`);

const settings = z.strictObject({
  host,
  port: port(443),
  sni: host.optional().describe('Server name sent in SNI (default: host, unless it is an IP address)'),
  probeTimeout: duration({ min: 0.01, max: 60 }).default(3).describe('Wait for each probe (one connection per protocol version and cipher family), default 3s'),
  minRsaBits: bits('RSA/DSA', 2048),
  minEcBits: bits('EC', 224),
});

export type TlsAuditSettings = z.infer<typeof settings>;
type Settings = TlsAuditSettings;

const OFFERED_CHANNEL: Readonly<Record<Protocol, string>> = { SSLv3: 'sslv3Offered', TLSv1: 'tls10Offered', 'TLSv1.1': 'tls11Offered', 'TLSv1.2': 'tls12Offered', 'TLSv1.3': 'tls13Offered' };

export const tlsAuditKind = defineSensorKind({
  kind: 'tls-audit',
  title: 'TLS audit (BCP 195)',
  description:
    'Audits a TLS port against BCP 195 and NIST SP 800-131A: which protocol versions it accepts (SSL 3.0, TLS 1.0, 1.1, 1.2, 1.3), whether it accepts RC4, 3DES, NULL, EXPORT or anonymous cipher suites, and whether its certificate has a short key or a SHA-1/MD5 signature. Each finding names its standard and carries a runbook; high-severity findings make the sensor Down, medium ones Warning. What could not be tested is said in the message.',
  settings,
  channels: [
    FINDINGS_CHANNEL,
    { key: 'sslv3Offered', name: 'SSL 3.0 offered', unit: 'bool' },
    { key: 'tls10Offered', name: 'TLS 1.0 offered', unit: 'bool' },
    { key: 'tls11Offered', name: 'TLS 1.1 offered', unit: 'bool' },
    { key: 'tls12Offered', name: 'TLS 1.2 offered', unit: 'bool' },
    { key: 'tls13Offered', name: 'TLS 1.3 offered', unit: 'bool' },
    { key: 'weakCipherFamilies', name: 'Weak cipher families accepted', unit: 'count', description: 'Of RC4, 3DES, NULL, EXPORT, anonymous' },
    { key: 'keyBits', name: 'Certificate key size', unit: 'bits' },
    { key: 'weakSignature', name: 'SHA-1/MD5 signature', unit: 'bool' },
  ],
  concurrency: 20,
  defaultIntervalS: 86_400,
  usesHost: true,
  // A thrown bug or an abort becomes an INTERNAL or TIMEOUT reading in the runner, like every kind's.
  check: audit,
});

async function audit(s: Settings, ctx: CheckContext): Promise<Reading> {
  const t0 = ctx.now();
  const target: Target = { host: s.host, port: s.port, timeoutMs: Math.max(1, Math.min(s.probeTimeout * 1000, ctx.timeoutMs)), signal: ctx.signal, ...(s.sni ?? (isIP(s.host) ? undefined : s.host) ? { servername: s.sni ?? s.host } : {}) };
  const where = `${s.host}:${s.port}`;
  const versions = await scanVersions(target);
  if (isUnreachable(versions)) return failed(versions.code, `${where}: ${versions.reason}`);
  const found: Found[] = [];
  const passed: string[] = [];
  const notTested = [...versions.notTested];
  const channels: ChannelValue[] = PROTOCOLS.filter((p) => !versions.notTested.some((n) => n.startsWith(`${PROTOCOL_LABEL[p]} `))).map((p) => ({ key: OFFERED_CHANNEL[p], value: versions.offered.includes(p) ? 1 : 0 }));
  if (versions.offered.length === 0) return failed('TLS_HANDSHAKE', `${where} accepted none of SSL 3.0, TLS 1.0–1.3${notTested.length ? ` (not tested: ${notTested.join('; ')})` : ''}`);
  const labels = versions.offered.map((p) => PROTOCOL_LABEL[p]);
  if (versions.offered.includes('SSLv3')) found.push({ code: 'EXPOSURE_TLS_SSLV3', detail: 'offers SSL 3.0' });
  const old = versions.offered.filter((p) => p === 'TLSv1' || p === 'TLSv1.1');
  if (old.length) found.push({ code: 'EXPOSURE_TLS_OLD_PROTOCOL', detail: `offers ${old.map((p) => PROTOCOL_LABEL[p]).join(' and ')}` });
  if (!found.length) passed.push(`protocols ${labels.join(', ')}`);

  // TLS 1.3 defines no weak suites: audit the suites at the older versions the port speaks
  const legacy = versions.offered.filter((p) => p !== 'TLSv1.3');
  if (legacy.length) {
    const ciphers = await scanWeakCiphers(target, [...new Set([legacy.at(-1)!, legacy[0]!])]);
    if (isUnreachable(ciphers)) return failed(ciphers.code, `${where}: ${ciphers.reason}`);
    notTested.push(...ciphers.notTested);
    channels.push({ key: 'weakCipherFamilies', value: ciphers.accepted.length });
    const hex = (n: number) => `0x${n.toString(16).padStart(4, '0')}`;
    const broken = ciphers.accepted.filter((c) => c.family !== '3DES');
    const des3 = ciphers.accepted.filter((c) => c.family === '3DES');
    if (broken.length) found.push({ code: 'EXPOSURE_TLS_CIPHER_BROKEN', detail: `accepts ${broken.map((c) => `${c.family} (suite ${hex(c.suite)})`).join(', ')}` });
    if (des3.length) found.push({ code: 'EXPOSURE_TLS_CIPHER_3DES', detail: `accepts 3DES (suite ${hex(des3[0]!.suite)})` });
    if (!ciphers.accepted.length) passed.push('no RC4/3DES/NULL/EXPORT/anonymous suites');
  } else {
    channels.push({ key: 'weakCipherFamilies', value: 0 });
    passed.push('TLS 1.3 only (no weak suites exist)');
  }

  const cert = await readCertificate(target);
  if (ctx.signal.aborted) return failed((ctx.signal.reason as { name?: unknown } | undefined)?.name === 'TimeoutError' ? 'TIMEOUT' : 'ABORTED', `${where}: the check was cancelled during the certificate handshake`);
  if (typeof cert === 'string') notTested.push(`certificate key and signature: ${cert}`);
  else {
    const min = cert.keyType === 'ec' ? s.minEcBits : cert.keyType.startsWith('rsa') || cert.keyType === 'dsa' ? s.minRsaBits : 0;
    const keyText = `${cert.keyType.toUpperCase()} ${cert.keyBits ?? '?'}-bit key`;
    if (cert.keyBits !== undefined) channels.push({ key: 'keyBits', value: cert.keyBits });
    channels.push({ key: 'weakSignature', value: cert.weakSignature ? 1 : 0 });
    if (cert.keyBits !== undefined && cert.keyBits < min) found.push({ code: 'EXPOSURE_TLS_SHORT_KEY', detail: `certificate has an ${keyText} (minimum ${min})` });
    else passed.push(keyText);
    if (cert.weakSignature) found.push({ code: 'EXPOSURE_TLS_SHA1_SIGNATURE', detail: `certificate is signed with ${cert.signature}` });
    else passed.push(cert.signature);
  }
  return exposureReading({ found, channels, passed, notTested, phases: { total: Math.round((ctx.now() - t0) * 100) / 100 } });
}
