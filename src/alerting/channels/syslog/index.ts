// Syslog / CEF to a SIEM over UDP (one datagram), TCP (octet-counted, RFC 6587) or TLS (RFC 5425).
// Syslog has no application-level acknowledgement: "sent" means the datagram left or the stream
// was written and closed cleanly.

import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { defineChannelKind, permanent, retryable, sent, type SendResult } from '../channel.ts';
import { syslogSettings, type SyslogSettings } from './settings.ts';
import { syslogRecord } from './format.ts';

export const SYSLOG_TEMPLATES = {
  message: '{{kindLabel}}: {{title}}{{#state}} is {{state}}{{/state}}{{#message}}: {{message}}{{/message}}',
} as const;

/** Larger datagrams are refused (EMSGSIZE) or fragmented and dropped on the way: a long member list is cut. */
export const MAX_UDP_RECORD = 8192;

/** Cuts at a byte limit without leaving half a UTF-8 character. */
export function truncateUtf8(buf: Buffer, max: number): Buffer {
  if (buf.length <= max) return buf;
  let end = max;
  // Step back over continuation bytes (10xxxxxx) to the start of the cut character.
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
  return buf.subarray(0, end);
}

function sendUdp(full: Buffer, s: SyslogSettings, signal: AbortSignal): Promise<SendResult> {
  const record = truncateUtf8(full, MAX_UDP_RECORD);
  return new Promise((resolve) => {
    const sock = dgram.createSocket(net.isIPv6(s.host) ? 'udp6' : 'udp4');
    const done = (r: SendResult) => {
      signal.removeEventListener('abort', onAbort);
      sock.close();
      resolve(r);
    };
    const onAbort = () => done(retryable('TIMEOUT', `UDP ${s.host}:${s.port ?? 514}: timed out`));
    signal.addEventListener('abort', onAbort, { once: true });
    sock.on('error', (err: NodeJS.ErrnoException) => done(retryable(err.code ?? 'network', `UDP ${s.host}:${s.port ?? 514}: ${err.message}`)));
    sock.send(record, s.port ?? 514, s.host, (err) => {
      if (err) done(retryable((err as NodeJS.ErrnoException).code ?? 'network', `UDP ${s.host}:${s.port ?? 514}: ${err.message}`));
      else done(sent('sent', `${record.length} bytes by UDP${record.length < full.length ? ` (cut from ${full.length})` : ''}`));
    });
  });
}

function sendStream(record: Buffer, s: SyslogSettings, signal: AbortSignal): Promise<SendResult> {
  const port = s.port ?? (s.transport === 'tls' ? 6514 : 514);
  const where = `${s.transport.toUpperCase()} ${s.host}:${port}`;
  let ca: Buffer | undefined;
  if (s.caFile !== undefined) {
    try {
      ca = readFileSync(s.caFile);
    } catch (err) {
      return Promise.resolve(permanent('config', `cannot read caFile ${s.caFile}: ${(err as Error).message}`));
    }
  }
  return new Promise((resolve) => {
    const sock = s.transport === 'tls'
      ? tls.connect({ host: s.host, port, rejectUnauthorized: s.rejectUnauthorized, ...(ca ? { ca } : {}), ...(net.isIP(s.host) ? {} : { servername: s.host }) })
      : net.connect({ host: s.host, port });
    let settled = false;
    const done = (r: SendResult) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      sock.destroy();
      resolve(r);
    };
    const onAbort = () => done(retryable('TIMEOUT', `${where}: timed out`));
    signal.addEventListener('abort', onAbort, { once: true });
    sock.on('error', (err: NodeJS.ErrnoException) => done(retryable(err.code ?? 'network', `${where}: ${err.message}`)));
    sock.once(s.transport === 'tls' ? 'secureConnect' : 'connect', () => {
      // Octet counting (RFC 6587 §3.4.1 / RFC 5425 §4.3): a length prefix, so a newline in a device name cannot split records.
      sock.end(Buffer.concat([Buffer.from(`${record.length} `), record]), () => done(sent('sent', `${record.length} bytes by ${s.transport.toUpperCase()}`)));
    });
  });
}

export const syslogKind = defineChannelKind({
  kind: 'syslog',
  title: 'Syslog / CEF (SIEM)',
  description: 'Sends an RFC 5424 syslog record, or an ArcSight CEF event, to a SIEM over UDP, TCP or TLS.',
  settings: syslogSettings,
  needsAddress: false,
  templates: SYSLOG_TEMPLATES,
  render(n, settings, templates) {
    // The record's timestamp is the notification's: a retry an hour later still says when it happened.
    return syslogRecord(n, settings, templates, SYSLOG_TEMPLATES, n.createdAt);
  },
  async send(record, settings, ctx) {
    const buf = Buffer.from(record, 'utf8');
    return settings.transport === 'udp' ? sendUdp(buf, settings, ctx.signal) : sendStream(buf, settings, ctx.signal);
  },
});
