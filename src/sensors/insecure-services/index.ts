// `insecure-services`: the cleartext services a hardened medical device should not run (MDS2
// SAHD): Telnet, FTP (and anonymous FTP), administration pages over plain HTTP, SNMP answering the
// default communities public/private. All probes run at once; each service is one channel.

import { z } from 'zod';
import type { ChannelValue, Reading } from '../../core/model.ts';
import { exposureReading, type Found, FINDINGS_CHANNEL } from '../../security/exposure/reading.ts';
import type { ExposureCode } from '../../security/exposure/catalogue.ts';
import { describeGot, duration, host, port } from '../fields.ts';
import { defineSensorKind, failed, type CheckContext } from '../sensor.ts';
import { abortCode } from '../tls-audit/audit.ts';
import { probeFtp, probeHttp, probeSnmp, probeTelnet, type ProbeTarget, type Verdict } from './probes.ts';

const ports = (what: string, dflt: readonly number[]) =>
  z
    .array(port(), { error: (i) => `expected a list of ports, got ${describeGot(i.input)}` })
    .max(16, { error: 'at most 16 ports' })
    .default([...dflt])
    .describe(`${what} ports to try (default ${dflt.length ? dflt.join(', ') : 'none'}; an empty list skips the check)`);

const settings = z.strictObject({
  host,
  telnetPorts: ports('Telnet', [23]),
  ftpPorts: ports('FTP', [21]),
  ftpTryAnonymous: z.boolean().default(true).describe('Try an anonymous FTP login (USER anonymous, then QUIT at once)'),
  httpPorts: ports('Plain HTTP', [80, 8080]),
  httpPaths: z
    .array(z.string().regex(/^\/[^\s]*$/, { error: (i) => `expected a path starting with /, got ${describeGot(i.input)}` }))
    .min(1)
    .max(8)
    .default(['/'])
    .describe('Paths tried on each HTTP port (default /)'),
  snmpPort: port(161).describe('UDP port of SNMP (default 161)'),
  snmpCommunities: z.array(z.string().min(1).max(64)).max(8).default(['public', 'private']).describe('Communities tried with SNMP v2c and v1 (default public, private; empty skips the check)'),
  probeTimeout: duration({ min: 0.01, max: 60 }).default(3).describe('Wait for each probe (default 3s)'),
});

type Settings = z.infer<typeof settings>;

interface Group {
  readonly channel: string;
  readonly code: ExposureCode;
  readonly probes: readonly Promise<Verdict>[];
}

export const insecureServicesKind = defineSensorKind({
  kind: 'insecure-services',
  title: 'Insecure services (MDS2 SAHD)',
  description:
    'Looks for cleartext services a hardened medical device should not offer (MDS2 SAHD): Telnet, FTP (and whether it accepts an anonymous login), administration or login pages over plain HTTP (unless they redirect to HTTPS), and SNMP (v2c or v1) answering the default communities public or private. Each service is a channel (1 = exposed); each finding names its standard and carries a runbook.',
  settings,
  channels: [
    FINDINGS_CHANNEL,
    { key: 'telnetOpen', name: 'Telnet open', unit: 'bool' },
    { key: 'ftpOpen', name: 'FTP open', unit: 'bool' },
    { key: 'ftpAnonymous', name: 'Anonymous FTP', unit: 'bool' },
    { key: 'httpAdminPlain', name: 'Admin page over plain HTTP', unit: 'bool' },
    { key: 'snmpDefaultCommunity', name: 'SNMP default community', unit: 'count', description: 'Default communities the agent answers' },
  ],
  concurrency: 50,
  defaultIntervalS: 86_400,
  usesHost: true,
  // A thrown bug or an abort becomes an INTERNAL or TIMEOUT reading in the runner, like every kind's.
  check: scan,
});

async function scan(s: Settings, ctx: CheckContext): Promise<Reading> {
  const t: ProbeTarget = { host: s.host, timeoutMs: Math.max(1, Math.min(s.probeTimeout * 1000, ctx.timeoutMs)), signal: ctx.signal };
  const groups: Group[] = [
    { channel: 'telnetOpen', code: 'EXPOSURE_TELNET', probes: s.telnetPorts.map((p) => probeTelnet(t, p)) },
    { channel: 'ftpOpen', code: 'EXPOSURE_FTP', probes: s.ftpPorts.map((p) => probeFtp(t, p, s.ftpTryAnonymous)) },
    { channel: 'httpAdminPlain', code: 'EXPOSURE_HTTP_ADMIN', probes: s.httpPorts.flatMap((p) => s.httpPaths.map((path) => probeHttp(t, p, path))) },
    { channel: 'snmpDefaultCommunity', code: 'EXPOSURE_SNMP_DEFAULT_COMMUNITY', probes: s.snmpCommunities.map((c) => probeSnmp(t, s.snmpPort, c)) },
  ];
  const results = await Promise.all(groups.map((g) => Promise.all(g.probes)));
  if (ctx.signal.aborted || results.flat().some((v) => v.kind === 'aborted')) return failed(abortCode(ctx.signal), `${s.host}: the check was cancelled`);
  const all = results.flat();
  const unreachable = all.find((v) => v.kind === 'unreachable');
  if (unreachable?.kind === 'unreachable' && all.every((v) => v.kind === 'unreachable' || v.kind === 'closed')) return failed(unreachable.code, unreachable.detail);

  const found: Found[] = [];
  const passed: string[] = [];
  const channels: ChannelValue[] = [];
  groups.forEach((g, i) => {
    const verdicts = results[i]!;
    if (!verdicts.length) return;
    const exposed = verdicts.filter((v) => v.kind === 'exposed');
    for (const v of exposed) found.push({ code: g.code, detail: v.detail });
    for (const v of verdicts) if (v.kind === 'closed') passed.push(v.detail);
    channels.push({ key: g.channel, value: g.channel === 'snmpDefaultCommunity' ? exposed.length : exposed.length ? 1 : 0 });
    if (g.channel === 'ftpOpen') channels.push({ key: 'ftpAnonymous', value: exposed.some((v) => v.kind === 'exposed' && v.extra === 'anonymous') ? 1 : 0 });
  });
  return exposureReading({ found, channels, passed, notTested: [] });
}
