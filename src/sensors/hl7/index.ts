// `hl7`: sends an HL7 v2 message (ADT^A01, QRY^A19 or a user template) over MLLP, plain or TLS, and
// decides the state from the ACK. Transport failures get their own codes (no ACK, garbage, closed
// early, unframed), so a night-shift operator can tell a dead engine from a confused one.

import { randomBytes } from 'node:crypto';
import { codeFromSystemError, lookupError } from '../../core/errors.ts';
import type { Reading } from '../../core/model.ts';
import { mllpSend, MllpError, preview, type MllpExchange } from '../../protocols/mllp/index.ts';
import { decodeHl7, encodeHl7, fillTemplate, Hl7ParseError, parseHl7, type Hl7Message } from '../../protocols/hl7/index.ts';
import { defineSensorKind, failed, type CheckContext } from '../sensor.ts';
import { interpretAck } from './ack-rules.ts';
import { hl7Settings, loadTemplate, loadTls, type Hl7Settings, type LoadedTls } from './settings.ts';
import './errors.ts';

/** A control ID unique per send and at most 20 characters (the v2.3 limit of MSH-10). */
export function newControlId(wallNow: number): string {
  return `WW${wallNow.toString(36).toUpperCase()}${randomBytes(4).toString('hex').toUpperCase()}`.slice(0, 20);
}

/** Share of the runner's timeout we wait for the ACK, so that our HL7_NO_ACK comes before its abort. */
const REPLY_SHARE = 0.9;

function abortCode(err: MllpError): string {
  const reason = err.cause as { name?: string } | undefined;
  return reason?.name === 'TimeoutError' ? 'TIMEOUT' : 'ABORTED';
}

/** Maps a transport failure to a Reading with a catalogue code. */
export function transportFailure(err: unknown, target: string): Reading {
  if (err instanceof MllpError) {
    switch (err.code) {
      case 'MLLP_NO_REPLY':
        return failed('HL7_NO_ACK', `${target}: ${err.message}`);
      case 'MLLP_UNFRAMED':
        return failed('HL7_UNFRAMED', `${target}: ${err.message}`);
      case 'MLLP_CLOSED_EARLY':
        return failed(err.phase === 'connect' ? 'CLOSED_EARLY' : 'HL7_CLOSED_EARLY', `${target}: ${err.message}`);
      case 'MLLP_FRAME_TOO_LARGE':
        return failed('MLLP_FRAME_TOO_LARGE', `${target}: ${err.message}`);
      case 'MLLP_CONNECT_TIMEOUT':
        return failed('CONNECT_TIMEOUT', `${target}: ${err.message}`);
      case 'MLLP_ABORTED': {
        const code = abortCode(err);
        return failed(code, `${target}: ${lookupError(code).message} (${err.phase === 'connect' ? 'while connecting' : 'waiting for the ACK'})`);
      }
    }
  }
  const code = codeFromSystemError(err);
  // OpenSSL errors carry a readable `reason` ("tlsv13 alert certificate required"); the message is a dump
  const reason = (err as { reason?: unknown } | null)?.reason;
  if (typeof reason === 'string' && reason) {
    const hint = /certificate required/.test(reason) ? ' (the receiver requires a client certificate: set tls.cert and tls.key)' : '';
    return failed(code, `${target}: TLS: ${reason}${hint}`);
  }
  return failed(code, `${target}: ${err instanceof Error ? err.message : String(err)}`);
}

async function prepare(s: Hl7Settings, ctx: CheckContext): Promise<{ message: Hl7Message; bytes: Buffer; tls: LoadedTls | undefined } | Reading> {
  let template: string;
  try {
    template = await loadTemplate(s);
  } catch (e) {
    return failed('HL7_TEMPLATE_INVALID', `cannot read template file ${s.templateFile ?? ''}: ${(e as Error).message}`);
  }
  let message: Hl7Message;
  try {
    message = fillTemplate(template, { now: ctx.wallNow(), controlId: newControlId(ctx.wallNow()), msh: s.msh });
  } catch (e) {
    return failed('HL7_TEMPLATE_INVALID', `template ${s.templateFile ?? s.template}: ${(e as Error).message}`);
  }
  let tls: LoadedTls | undefined;
  try {
    tls = await loadTls(s.tls);
  } catch (e) {
    return failed('BAD_SETTINGS', `cannot read a TLS file: ${(e as Error).message}`);
  }
  return { message, bytes: encodeHl7(message.toString()), tls };
}

async function check(s: Hl7Settings, ctx: CheckContext): Promise<Reading> {
  const target = `${s.tls?.enabled ? 'mllps' : 'mllp'}://${s.host}:${s.port}`;
  const prepared = await prepare(s, ctx);
  if (!('bytes' in prepared)) return prepared;
  const { message, bytes, tls } = prepared;
  const budget = Math.max(1, Math.floor(ctx.timeoutMs * REPLY_SHARE));
  let exchange: MllpExchange;
  try {
    exchange = await mllpSend(bytes, {
      host: s.host,
      port: s.port,
      signal: ctx.signal,
      replyTimeoutMs: Math.min(s.ackTimeout !== undefined ? s.ackTimeout * 1000 : budget, budget),
      connectTimeoutMs: Math.min(s.connectTimeout !== undefined ? s.connectTimeout * 1000 : budget, budget),
      maxFrameBytes: s.maxReplyBytes,
      ...(tls ? { tls } : {}),
    });
  } catch (e) {
    return transportFailure(e, target);
  }
  const { timings } = exchange;
  const phases = { connect: round(timings.connectMs), ...(timings.tlsMs !== undefined ? { tls: round(timings.tlsMs) } : {}), ack: round(timings.replyMs), total: round(timings.totalMs) };
  const rtt = { key: 'roundTripMs', value: round(timings.replyMs) };
  let ack: Hl7Message;
  try {
    ack = parseHl7(decodeHl7(exchange.reply));
  } catch (e) {
    if (e instanceof Hl7ParseError) return failed('HL7_GARBAGE', `${target}: ${e.message}: ${preview(exchange.reply)}`, [rtt], phases);
    throw e;
  }
  const verdict = interpretAck(ack, message.controlId, s.onApplicationError);
  const sent = `${message.messageType}^${message.triggerEvent}`;
  return { ...verdict, channels: [rtt, ...verdict.channels], phases, message: `${sent} → ${verdict.message ?? ''} in ${rtt.value} ms` };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

export const hl7Kind = defineSensorKind({
  kind: 'hl7',
  title: 'HL7 v2 (MLLP)',
  description:
    'Sends an HL7 v2 message over MLLP (optionally TLS and mutual TLS) and judges the acknowledgement: AA/CA is Up, AE/CE Warning (or Down), AR/CR Down, and the ACK must echo our control ID. The built-in ADT^A01 carries a clearly synthetic test patient (WARDWATCH^TEST); point it at a test or monitoring channel of the interface engine, or use qry-a19, which changes nothing. Channels: round trip (ms) and ACK code (0 = AA/CA, 1 = AE/CE, 2 = AR/CR).',
  settings: hl7Settings,
  channels: [
    { key: 'roundTripMs', name: 'Round trip', unit: 'ms', primary: true, description: 'From the message sent to the ACK received' },
    { key: 'ackCode', name: 'ACK code', unit: 'value', description: '0 = AA/CA (accepted), 1 = AE/CE (application error), 2 = AR/CR (rejected)' },
  ],
  concurrency: 500,
  defaultIntervalS: 60,
  usesHost: true,
  // A thrown bug or an abort becomes an INTERNAL or TIMEOUT reading in the runner, like every kind's.
  check,
});
