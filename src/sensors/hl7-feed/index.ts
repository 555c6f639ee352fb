// `hl7-feed` (inbound): Wardwatch listens as an MLLP receiver (plain or TLS) for a feed an interface
// engine copies to it, ACKs every message, and reports messages/min by type, the age of the last
// message and NACKs. A silent interface is the most common HL7 outage: the age channel's limits catch it.

import { isIP } from 'node:net';
import { z } from 'zod';
import type { ChannelValue, Reading } from '../../core/model.ts';
import { buildAck, decodeHl7, encodeHl7, Hl7ParseError, parseHl7, type AckCode, type Hl7Message } from '../../protocols/hl7/index.ts';
import { startMllpServer, type MllpConnectionInfo } from '../../protocols/mllp/index.ts';
import { host, port } from '../fields.ts';
import { defineSensorKind, failed, type CheckContext, type ListenContext, type Listener } from '../sensor.ts';
import { loadPem } from '../hl7/settings.ts';
import { FeedStats, snapshot, typeChannelKey, type FeedSnapshot } from './stats.ts';
import '../hl7/errors.ts';

const STATS_KEY = 'hl7feed.stats';
const PREV_KEY = 'hl7feed.prev';

const pem = z.string().min(1).describe('PEM text, or the path of a PEM file');

export const hl7FeedSettings = z.strictObject({
  port: port(2575),
  bindHost: host.default('0.0.0.0').describe('Address to listen on (default 0.0.0.0: interface engines send from other hosts)'),
  tls: z
    .strictObject({
      enabled: z.boolean().default(true),
      cert: pem.describe('Our server certificate (PEM or path)'),
      key: pem.describe('Our private key (PEM or path)'),
      ca: pem.optional().describe('CA that signs sender certificates (mutual TLS)'),
      requireClientCert: z.boolean().default(false).describe('Accept only senders with a certificate signed by ca'),
    })
    .optional(),
  allowFrom: z.array(z.string().refine((v) => isIP(v) !== 0, { error: (i) => `expected an IP address, got ${JSON.stringify(i.input)}` })).min(1).optional().describe('Sender IP addresses allowed to connect (default: any)'),
  maxMessageBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(4 * 1024 * 1024).describe('Largest message accepted, bytes'),
});
export type Hl7FeedSettings = z.infer<typeof hl7FeedSettings>;

/** Leaves out quoted fragments of a parse error: they may be message contents (patient data). */
function redact(reason: string): string {
  return reason.replace(/"(?:[^"\\]|\\.)*"/g, '[…]');
}

/** IPv4 peers of a dual-stack listener appear as ::ffff:a.b.c.d. */
function plainIp(addr: string): string {
  return addr.replace(/^::ffff:/, '');
}

/** MSH-10 of a message we could not parse, if it can still be found, so the NACK refers to it. */
function salvageControlId(payload: Buffer): string {
  const line = payload.subarray(0, 2048).toString('latin1').split(/\r|\n/)[0] ?? '';
  if (!line.startsWith('MSH') || line.length < 4) return '';
  return (line.split(line[3]!)[9] ?? '').slice(0, 50);
}

async function listen(s: Hl7FeedSettings, ctx: ListenContext): Promise<Listener> {
  const stats = new FeedStats(ctx.wallNow());
  ctx.memory.set(STATS_KEY, stats);
  ctx.memory.delete(PREV_KEY);
  let seq = 0;
  const tls = s.tls?.enabled ? { cert: (await loadPem(s.tls.cert))!, key: (await loadPem(s.tls.key))!, ...(s.tls.ca ? { ca: await loadPem(s.tls.ca) } : {}), requireClientCert: s.tls.requireClientCert } : undefined;
  const from = (c: MllpConnectionInfo | undefined) => (c ? `${c.remoteAddress}:${c.remotePort}` : 'a sender');
  const unframedFrom = new WeakSet<MllpConnectionInfo>();
  const allowed = s.allowFrom ? new Set(s.allowFrom) : undefined;

  const handler = (payload: Buffer, conn: MllpConnectionInfo): Buffer => {
    const now = ctx.wallNow();
    let msg: Hl7Message | undefined;
    let problem = '';
    try {
      msg = parseHl7(decodeHl7(payload));
    } catch (e) {
      if (!(e instanceof Hl7ParseError)) throw e;
      problem = redact(e.message);
    }
    // enhanced acknowledgement mode (MSH-15 set) expects a commit ACK (CA/CE)
    const enhanced = !!msg?.get('MSH-15');
    let code: AckCode = enhanced ? 'CA' : 'AA';
    if (msg) stats.message(msg.messageType, now);
    else {
      code = 'AE';
      stats.nack(now);
      ctx.record({ severity: 'warning', text: `unparseable HL7 message from ${from(conn)} (${payload.length} bytes, answered AE): ${problem}`, data: { bytes: payload.length, reason: problem } });
    }
    const ack = buildAck(msg, { code, now, controlId: `WWF${now.toString(36).toUpperCase()}${(++seq).toString(36).toUpperCase()}`.slice(0, 20), ...(msg ? {} : { ackedControlId: salvageControlId(payload), text: 'message could not be parsed' }) });
    return encodeHl7(ack.toString());
  };

  const server = await startMllpServer({
    host: s.bindHost,
    port: s.port,
    maxFrameBytes: s.maxMessageBytes,
    handler,
    ...(allowed
      ? {
          accept: (addr: string) => allowed.has(plainIp(addr)),
          onRefused: (conn: MllpConnectionInfo) => {
            stats.rejected++;
            ctx.record({ severity: 'warning', text: `refused a connection from ${plainIp(conn.remoteAddress)}: not in allowFrom` });
          },
        }
      : {}),
    ...(tls ? { tls } : {}),
    onUnframed: (bytes, conn) => {
      stats.rejected++;
      if (unframedFrom.has(conn)) return;
      unframedFrom.add(conn);
      ctx.record({ severity: 'warning', text: `${from(conn)} sent ${bytes.length} bytes outside MLLP framing (ignored)` });
    },
    onError: (err, conn) => {
      const code = (err as { code?: unknown }).code;
      if (code === 'MLLP_FRAME_TOO_LARGE') {
        stats.nack(ctx.wallNow());
        ctx.record({ severity: 'warning', text: `${from(conn)} sent a message larger than ${s.maxMessageBytes} bytes: connection closed` });
      } else if (code !== 'ECONNRESET') ctx.record({ severity: 'info', text: `connection from ${from(conn)}: ${err.message}` });
    },
  });
  return {
    address: `${tls ? 'mllps' : 'mllp'}://${server.host}:${server.port}`,
    close: () => server.close(),
  };
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

function check(_s: Hl7FeedSettings, ctx: CheckContext): Reading {
  const stats = ctx.memory.get(STATS_KEY);
  if (!(stats instanceof FeedStats)) return failed('HL7_FEED_NOT_LISTENING', 'the HL7 receiver for this sensor is not listening');
  const now = ctx.wallNow();
  const prev = (ctx.memory.get(PREV_KEY) as FeedSnapshot | undefined) ?? { at: stats.startedAt, total: 0, nacks: 0, byType: {} };
  ctx.memory.set(PREV_KEY, snapshot(stats, now));
  const minutes = Math.max(now - prev.at, 1) / 60_000;
  const count = stats.total - prev.total;
  const channels: ChannelValue[] = [
    { key: 'lastMessageAgeS', value: round((now - (stats.lastMessageAt ?? stats.startedAt)) / 1000) },
    { key: 'messagesPerMin', value: round(count / minutes) },
    { key: 'nackCount', value: stats.nacks - prev.nacks },
  ];
  const parts: string[] = [];
  for (const [type, n] of [...stats.byType].sort(([a], [b]) => a.localeCompare(b))) {
    const delta = n - (prev.byType[type] ?? 0);
    channels.push({ key: typeChannelKey(type), name: `${type} messages/min`, unit: 'per min', value: round(delta / minutes) });
    if (delta > 0) parts.push(`${type} ${delta}`);
  }
  const ageS = Math.round((now - (stats.lastMessageAt ?? stats.startedAt)) / 1000);
  const last = stats.lastMessageAt === undefined ? `no message since listening started ${ageS} s ago` : `last message ${ageS} s ago`;
  const nacks = stats.nacks - prev.nacks;
  return {
    channels,
    message: `${count} message${count === 1 ? '' : 's'} in ${round(minutes)} min${parts.length ? ` (${parts.join(', ')})` : ''}; ${last}${nacks ? `; ${nacks} NACKed` : ''}`,
  };
}

export const hl7FeedKind = defineSensorKind({
  kind: 'hl7-feed',
  title: 'HL7 feed (inbound MLLP)',
  description:
    'Listens as an MLLP receiver (plain or TLS, optionally requiring sender certificates) for a copy of an HL7 v2 feed, acknowledges every message (AA, or CA in enhanced mode; AE for unparseable ones, counted as NACKs), and reports messages per minute in total and by type (ADT, ORM, ORU...), the age of the last message and NACKs since the last check. Only counts and types are kept, never message contents. The default limits make a feed silent for 10 minutes a Warning and for 30 minutes Down.',
  settings: hl7FeedSettings,
  channels: [
    { key: 'lastMessageAgeS', name: 'Age of last message', unit: 's', primary: true, limits: { upperWarning: 600, upperError: 1800, upperWarningMessage: 'The HL7 feed has been silent for over 10 minutes', upperErrorMessage: 'The HL7 feed has been silent for over 30 minutes' } },
    { key: 'messagesPerMin', name: 'Messages/min', unit: 'per min' },
    { key: 'nackCount', name: 'NACKs', unit: 'count', limits: { upperWarning: 0 }, description: 'Messages answered AE (unparseable) or refused since the last check' },
  ],
  concurrency: 1000,
  defaultIntervalS: 60,
  usesHost: false,
  // One messages/min channel per message type seen (ADT, ORM, ORU...).
  dynamicChannels: true,
  check: async (s, ctx) => check(s, ctx),
  listen,
});
