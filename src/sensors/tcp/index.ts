// `tcp`: connects to a port (optionally over TLS) and times it; optionally sends a string and waits
// for an expected answer (text or /regex/), like Nagios check_tcp. The building block for services
// with no richer check: interface engine ports, legacy modality listeners, license servers.

import { z } from 'zod';
import type { TLSSocket } from 'node:tls';
import { defineSensorKind, failed, type CheckContext } from '../sensor.ts';
import { duration, host, port } from '../fields.ts';
import type { ChannelValue, Reading } from '../../core/model.ts';
import { ConnectFailure, timedConnect } from '../../protocols/net/connect.ts';
import { readUntil } from '../../protocols/net/read.ts';
import { compilePattern, patternProblem, preview, unescapeText } from '../../protocols/net/text.ts';
import { failureCode, failureMessage, target } from './failures.ts';

/** How much of an answer we read while looking for the expected text. */
const MAX_ANSWER_BYTES = 64 * 1024;

const pattern = z.string().min(1, { error: 'expected text or a /regex/, got an empty string' }).superRefine((v, ctx) => {
  const problem = patternProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const settings = z.strictObject({
  host,
  port: port(),
  send: z.string().min(1).optional().describe('Text sent once connected; \\r \\n \\t \\xNN escapes allowed. Without `expect`, any answer counts as success'),
  expect: pattern.optional().describe('Text the answer must contain, or a /regex/flags it must match'),
  expectTimeout: duration({ min: 0.001 }).optional().describe('How long to wait for the answer (default: until the check timeout)'),
  tls: z.boolean().default(false).describe('Speak TLS right after connecting'),
  tlsVerify: z.boolean().default(true).describe('Verify the TLS certificate chain and host name'),
  tlsCa: z.string().min(1).optional().describe('PEM CA certificate(s) to trust besides the system ones (private hospital CA)'),
});

type TcpSettings = z.infer<typeof settings>;

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

export const tcpKind = defineSensorKind({
  kind: 'tcp',
  title: 'TCP port',
  description:
    'Connects to a TCP port (optionally over TLS) and measures the connect time; optionally sends a string and checks the answer against a text or a regular expression. Refused, timed-out and mismatched answers are told apart.',
  settings,
  channels: [
    { key: 'connectTimeMs', name: 'Connect time', unit: 'ms', primary: true },
    { key: 'responseTimeMs', name: 'Response time', unit: 'ms', description: 'From sending (or connecting) to the expected answer; only with send/expect' },
    { key: 'totalTimeMs', name: 'Total time', unit: 'ms' },
  ],
  concurrency: 512,
  defaultIntervalS: 60,
  usesHost: true,
  check: checkTcp,
});

async function checkTcp(s: TcpSettings, ctx: CheckContext): Promise<Reading> {
  const where = target(s.host, s.port);
  const start = ctx.now();
  let connection;
  try {
    connection = await timedConnect({
      host: s.host,
      port: s.port,
      signal: ctx.signal,
      now: ctx.now,
      ...(s.tls ? { tls: { rejectUnauthorized: s.tlsVerify, ...(s.tlsCa ? { ca: s.tlsCa } : {}) } } : {}),
    });
  } catch (e) {
    if (!(e instanceof ConnectFailure)) throw e;
    const code = failureCode(e.phase, e.cause, e.aborted, ctx.signal);
    const channels: ChannelValue[] = e.phase === 'tls' && e.phases.connect !== undefined ? [{ key: 'connectTimeMs', value: e.phases.connect }] : [];
    return failed(code, failureMessage(code, where, e.cause), channels, { ...e.phases });
  }
  const { socket, phases } = connection;
  // errors after this point are read through readUntil; this keeps a late one from going uncaught
  socket.on('error', () => {});
  try {
    const connectTimeMs = phases.connect ?? 0;
    const how = s.tls ? `${(socket as TLSSocket).getProtocol() ?? 'TLS'} ` : '';
    if (s.send === undefined && s.expect === undefined) {
      return {
        channels: [
          { key: 'connectTimeMs', value: connectTimeMs },
          { key: 'totalTimeMs', value: round(ctx.now() - start) },
        ],
        message: `${how}connected to ${where} in ${connectTimeMs.toFixed(1)} ms`,
        phases: { ...phases },
      };
    }
    const sentAt = ctx.now();
    if (s.send !== undefined) socket.write(unescapeText(s.send));
    const matcher = s.expect !== undefined ? compilePattern(s.expect) : undefined;
    const answer = await readUntil(socket, {
      signal: ctx.signal,
      maxBytes: MAX_ANSWER_BYTES,
      done: (data) => (matcher ? matcher.test(data.toString('utf8')) : data.length > 0),
      ...(s.expectTimeout !== undefined ? { timeoutMs: s.expectTimeout * 1000 } : {}),
    });
    const responseTimeMs = round(ctx.now() - sentAt);
    const allPhases = { ...phases, response: responseTimeMs };
    const channels: ChannelValue[] = [
      { key: 'connectTimeMs', value: connectTimeMs },
      { key: 'responseTimeMs', value: responseTimeMs },
      { key: 'totalTimeMs', value: round(ctx.now() - start) },
    ];
    const text = answer.data.toString('utf8');
    const wanted = matcher ? `expected ${matcher.source}` : 'expected an answer';
    switch (answer.outcome) {
      case 'done':
        return { channels, message: `${how}${where} answered${matcher ? ` ${matcher.source}` : ''} in ${responseTimeMs.toFixed(1)} ms`, phases: allPhases };
      case 'ended':
        if (answer.data.length === 0) return failed('CLOSED_EARLY', `${where} sent nothing (${wanted})`, channels.slice(0, 1), allPhases);
        return failed('TCP_EXPECT_MISMATCH', `${wanted}, got ${preview(text)} before the peer closed the connection`, channels.slice(0, 1), allPhases);
      case 'limit':
        return failed('TCP_EXPECT_MISMATCH', `${wanted} within the first ${MAX_ANSWER_BYTES / 1024} KiB, got ${preview(text)}`, channels.slice(0, 1), allPhases);
      case 'error': {
        const code = failureCode('response', answer.error, false, ctx.signal);
        return failed(code, failureMessage(code, where, answer.error), channels.slice(0, 1), allPhases);
      }
      case 'timeout':
      case 'aborted': {
        const code = answer.outcome === 'timeout' ? 'TIMEOUT' : failureCode('response', undefined, true, ctx.signal);
        if (code !== 'ABORTED' && answer.data.length > 0) {
          return failed('TCP_EXPECT_MISMATCH', `${wanted}, got ${preview(text)} and then nothing more within the time allowed`, channels.slice(0, 1), allPhases);
        }
        return failed(code, `${where} accepted the connection but sent no ${matcher ? 'matching ' : ''}answer`, channels.slice(0, 1), allPhases);
      }
    }
  } finally {
    socket.destroy();
  }
}
