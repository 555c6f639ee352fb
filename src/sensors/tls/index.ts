// `tls`: connects to a TLS service, completes the handshake whatever the certificate, and judges
// it: days to expiry (Warning below 30, Down below 7 by default), trust and host name, protocol
// version, key size and signature algorithm. `verify: false` keeps only the expiry and strength
// checks for self-signed internal certificates (PACS web UIs, device management consoles).

import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import tls from 'node:tls';
import { z } from 'zod';
import { defineSensorKind, failed, type SensorKind } from '../sensor.ts';
import { describeGot, host, port } from '../fields.ts';
import { handshake, permissiveContext } from './handshake.ts';
import { TLS_VERSIONS, judge } from './judge.ts';

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

const bits = (what: string, dflt: number) =>
  z
    .number({ error: (i) => `expected a number of bits, got ${describeGot(i.input)}` })
    .int({ error: (i) => `expected a number of bits, got ${describeGot(i.input)}` })
    .min(0, { error: (i) => `expected a number of bits, got ${describeGot(i.input)}` })
    .max(16384, { error: (i) => `expected a number of bits, got ${describeGot(i.input)}` })
    .default(dflt)
    .describe(`Smallest acceptable ${what} key size in bits (default ${dflt})`);

const settings = z.strictObject({
  host,
  port: port(443),
  sni: host.optional().describe('Server name sent in SNI and checked against the certificate (default: host)'),
  ca: z
    .string({ error: (i) => `expected PEM certificates, got ${describeGot(i.input)}` })
    .regex(/-----BEGIN CERTIFICATE-----/, { error: 'expected PEM certificates (-----BEGIN CERTIFICATE-----)' })
    .optional()
    .describe('Extra trusted CA certificates in PEM (the hospital CA), added to the system store'),
  verify: z.boolean({ error: (i) => `expected true or false, got ${describeGot(i.input)}` }).default(true).describe('Check the chain and the host name (false: only expiry and strength, for self-signed internal certificates)'),
  minVersion: z.enum(TLS_VERSIONS, { error: (i) => `expected one of ${TLS_VERSIONS.join(', ')}, got ${describeGot(i.input)}` }).default('TLSv1.2').describe('Oldest acceptable protocol version (default TLSv1.2)'),
  minRsaBits: bits('RSA/DSA', 2048),
  minEcBits: bits('EC', 256),
  allowWeakSignature: z.boolean({ error: (i) => `expected true or false, got ${describeGot(i.input)}` }).default(false).describe('Accept SHA-1/MD5 signed certificates'),
});

export type TlsSettings = z.infer<typeof settings>;

export interface TlsKindOptions {
  /**
   * Trust anchors (PEM) besides Node's bundled Mozilla store. Default: the Debian/RHEL system
   * bundle when present, so that a CA the hospital installed on the probe is trusted too.
   */
  readonly systemCertificates?: () => readonly string[];
}

const SYSTEM_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt'];

function readSystemBundle(): readonly string[] {
  for (const file of SYSTEM_BUNDLES) {
    try {
      return readFileSync(file, 'utf8').match(PEM_CERT) ?? [];
    } catch {
      // not this distribution's path: try the next
    }
  }
  return [];
}

export function createTlsKind(options: TlsKindOptions = {}): SensorKind<typeof settings> {
  let system: readonly string[] | undefined;
  // Building a context parses hundreds of CA certificates: do it once per distinct `ca` setting.
  const contexts = new Map<string, tls.SecureContext>();
  function contextFor(ca: string | undefined): tls.SecureContext {
    const key = ca ?? '';
    let ctx = contexts.get(key);
    if (!ctx) {
      system ??= (options.systemCertificates ?? readSystemBundle)();
      ctx = permissiveContext([...tls.rootCertificates, ...system, ...(ca?.match(PEM_CERT) ?? [])]);
      if (contexts.size >= 100) contexts.delete(contexts.keys().next().value!);
      contexts.set(key, ctx);
    }
    return ctx;
  }

  return defineSensorKind({
    kind: 'tls',
    title: 'TLS certificate',
    description:
      'Connects to a TLS service and checks its certificate: days until expiry, chain trusted and valid for the host name, protocol version, key size and signature algorithm. Set verify: false to watch only expiry and strength of self-signed internal certificates.',
    settings,
    channels: [
      { key: 'certDaysLeft', name: 'Days to certificate expiry', unit: 'days', primary: true, limits: { lowerWarning: 30, lowerError: 7 } },
      { key: 'handshakeMs', name: 'TLS handshake', unit: 'ms', description: 'Time from the TCP connection to the end of the TLS handshake' },
      { key: 'keyBits', name: 'Key size', unit: 'bits' },
      { key: 'protocol', name: 'Protocol version', unit: 'value', description: 'TLS version as a number: 1.3, 1.2, 1.1, 1.0' },
    ],
    concurrency: 50,
    defaultIntervalS: 3600,
    usesHost: true,
    async check(s, ctx) {
      let secureContext: tls.SecureContext;
      try {
        secureContext = contextFor(s.ca);
      } catch (e) {
        return failed('BAD_SETTINGS', `the ca setting could not be loaded: ${(e as Error).message}`);
      }
      const expectedName = s.sni ?? s.host;
      const servername = isIP(expectedName) ? undefined : expectedName;
      const outcome = await handshake({ host: s.host, port: s.port, servername, secureContext, signal: ctx.signal, now: ctx.now });
      if (!outcome.ok) return failed(outcome.error, outcome.message, [], outcome.phases);
      return judge(outcome.facts, { ...s, expectedName }, ctx.wallNow());
    },
  });
}

export const tlsKind = createTlsKind();
