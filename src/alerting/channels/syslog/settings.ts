// Settings of the SIEM channel: RFC 5424 syslog or ArcSight CEF (carried in a syslog message) over
// UDP, TCP (octet-counted framing, RFC 6587) or TLS (RFC 5425).

import { z } from 'zod';
import { describeGot, host, port } from '../../../sensors/fields.ts';
import { caFile, rejectUnauthorized } from '../fields.ts';

export const SIEM_TRANSPORTS = ['udp', 'tcp', 'tls'] as const;
export const SIEM_FORMATS = ['rfc5424', 'cef'] as const;

export const syslogSettings = z.strictObject({
  host: host.describe('SIEM or syslog collector'),
  port: port().optional().describe('Port (default 514, 6514 with tls)'),
  transport: z.enum(SIEM_TRANSPORTS, { error: (i) => `expected one of ${SIEM_TRANSPORTS.join(', ')}, got ${describeGot(i.input)}` }).default('udp'),
  format: z.enum(SIEM_FORMATS, { error: (i) => `expected one of ${SIEM_FORMATS.join(', ')}, got ${describeGot(i.input)}` }).default('rfc5424'),
  facility: z.number({ error: (i) => `expected a syslog facility 0–23, got ${describeGot(i.input)}` }).int().min(0, { error: 'expected a syslog facility 0–23' }).max(23, { error: 'expected a syslog facility 0–23' }).default(16).describe('Facility number (default 16, local0)'),
  appName: z.string().regex(/^[!-~]{1,48}$/, { error: (i) => `expected an APP-NAME of 1–48 printable characters without spaces, got ${describeGot(i.input)}` }).default('wardwatch'),
  hostname: z.string().regex(/^[!-~]{1,255}$/, { error: (i) => `expected a HOSTNAME without spaces, got ${describeGot(i.input)}` }).optional().describe('HOSTNAME field (default: the machine name)'),
  caFile: caFile.optional(),
  rejectUnauthorized,
});
export type SyslogSettings = z.infer<typeof syslogSettings>;
