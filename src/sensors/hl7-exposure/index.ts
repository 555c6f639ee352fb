// `hl7-exposure`: is an HL7 v2 interface that should speak only MLLP over TLS also answering
// plaintext MLLP (MDS2 TXCF/TXIG, IHE ATNA secure node)? Connects in plaintext and sends a harmless
// probe (a QRY^A19 query that changes nothing, or an empty frame); any framed answer is a finding.
// With tls settings, it also checks that the same probe completes over TLS.

import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { ChannelValue, Reading } from '../../core/model.ts';
import { mllpSend, MllpError, type MllpExchange } from '../../protocols/mllp/index.ts';
import { BUILTIN_TEMPLATES, decodeHl7, encodeHl7, fillTemplate, parseHl7 } from '../../protocols/hl7/index.ts';
import { exposureReading, type Found, FINDINGS_CHANNEL } from '../../security/exposure/reading.ts';
import { duration, host, port } from '../fields.ts';
import { defineSensorKind, failed, type CheckContext } from '../sensor.ts';
import { transportFailure } from '../hl7/index.ts';
import { loadTls, tlsSettings, type LoadedTls } from '../hl7/settings.ts';
import '../hl7/errors.ts';

const settings = z.strictObject({
  host,
  port: port(2575).describe('MLLP port where only TLS should be accepted; the check connects to it in plaintext (default 2575)'),
  probe: z
    .enum(['qry-a19', 'framing'])
    .default('qry-a19')
    .describe('What to send in plaintext: qry-a19 (a demographics query for the synthetic test patient, changes nothing) or framing (an empty MLLP frame)'),
  replyTimeout: duration({ min: 0.01, max: 60 }).default(5).describe('How long to wait for an answer to each probe (default 5s)'),
  tls: tlsSettings.optional().describe('Also check that MLLP over TLS works (ca, cert/key for mutual TLS, verify)'),
  tlsPort: port().optional().describe('Port of MLLP over TLS (default: port)'),
});

type Settings = z.infer<typeof settings>;

const round = (v: number) => Math.round(v * 100) / 100;

function probeBytes(s: Settings, ctx: CheckContext): Buffer {
  if (s.probe === 'framing') return Buffer.alloc(0);
  const controlId = `WWX${randomBytes(6).toString('hex').toUpperCase()}`;
  return encodeHl7(fillTemplate(BUILTIN_TEMPLATES['qry-a19'], { now: ctx.wallNow(), controlId }).toString());
}

/** "ACK^A19 AA" from the reply, or a byte count when it is not HL7. */
function describeReply(reply: Buffer): string {
  try {
    const msg = parseHl7(decodeHl7(reply));
    const code = msg.get('MSA-1');
    return `${msg.messageType}${msg.triggerEvent ? `^${msg.triggerEvent}` : ''}${code ? ` ${code}` : ''}`;
  } catch {
    return `${reply.length} bytes that are not HL7`;
  }
}

function exchange(s: Settings, ctx: CheckContext, bytes: Buffer, portNumber: number, tls?: LoadedTls): Promise<MllpExchange> {
  const timeoutMs = Math.max(1, Math.min(s.replyTimeout * 1000, ctx.timeoutMs));
  return mllpSend(bytes, { host: s.host, port: portNumber, signal: ctx.signal, connectTimeoutMs: timeoutMs, replyTimeoutMs: timeoutMs, ...(tls ? { tls } : {}) });
}

const ABORT = new Set(['TIMEOUT', 'ABORTED']);
const UNREACHABLE = new Set(['CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EADDRNOTAVAIL']);

export const hl7ExposureKind = defineSensorKind({
  kind: 'hl7-exposure',
  title: 'HL7 exposure (plaintext MLLP)',
  description:
    'Checks that an HL7 v2 interface which should accept MLLP over TLS only does not answer plaintext MLLP (MDS2 TXCF/TXIG, IHE ATNA secure node): connects in plaintext and sends a QRY^A19 for the synthetic test patient (changes nothing) or just an empty frame; any framed answer is a finding. With tls settings it also checks that the same probe is answered over TLS. Connection refused, a TLS alert or a hang-up in plaintext all pass.',
  settings,
  channels: [
    FINDINGS_CHANNEL,
    { key: 'plaintextAnswered', name: 'Plaintext MLLP answered', unit: 'bool' },
    { key: 'tlsWorks', name: 'MLLP over TLS works', unit: 'bool' },
    { key: 'tlsRoundTripMs', name: 'Round trip over TLS', unit: 'ms' },
  ],
  concurrency: 50,
  defaultIntervalS: 86_400,
  usesHost: true,
  // A thrown bug or an abort becomes an INTERNAL or TIMEOUT reading in the runner, like every kind's.
  check: probe,
});

async function probe(s: Settings, ctx: CheckContext): Promise<Reading> {
  const found: Found[] = [];
  const passed: string[] = [];
  const notTested: string[] = [];
  const channels: ChannelValue[] = [];
  const plainTarget = `mllp://${s.host}:${s.port}`;
  let tls: LoadedTls | undefined;
  try {
    tls = await loadTls(s.tls);
  } catch (e) {
    return failed('BAD_SETTINGS', `cannot read a TLS file: ${(e as Error).message}`);
  }
  const bytes = probeBytes(s, ctx);
  let refused = false;
  const what = s.probe === 'framing' ? 'an empty MLLP frame' : 'a QRY^A19 query';
  try {
    const ex = await exchange(s, ctx, bytes, s.port);
    channels.push({ key: 'plaintextAnswered', value: 1 });
    found.push({ code: 'EXPOSURE_HL7_PLAINTEXT', detail: `${plainTarget} answered ${what} sent in plaintext (reply ${describeReply(ex.reply)})` });
  } catch (e) {
    const verdict = plaintextVerdict(e, plainTarget);
    if ('reading' in verdict) return verdict.reading;
    refused = 'passed' in verdict && verdict.refused === true;
    if ('passed' in verdict) {
      channels.push({ key: 'plaintextAnswered', value: 0 });
      passed.push(verdict.passed);
    } else notTested.push(verdict.notTested);
  }
  if (tls) {
    const tlsPort = s.tlsPort ?? s.port;
    const tlsTarget = `mllps://${s.host}:${tlsPort}`;
    try {
      const ex = await exchange(s, ctx, bytes, tlsPort, tls);
      channels.push({ key: 'tlsWorks', value: 1 }, { key: 'tlsRoundTripMs', value: round(ex.timings.replyMs) });
      passed.push(`${tlsTarget} answered over TLS (reply ${describeReply(ex.reply)})`);
    } catch (e) {
      const r = transportFailure(e, tlsTarget);
      if (ABORT.has(r.error ?? '')) return r;
      // nothing answers at all, in plaintext or TLS: the interface is down, not secure
      if (r.error === 'ECONNREFUSED' && refused) return failed('ECONNREFUSED', `${plainTarget} and ${tlsTarget}: nothing listens (connection refused)`);
      channels.push({ key: 'tlsWorks', value: 0 });
      found.push({ code: 'EXPOSURE_HL7_TLS_FAILED', detail: r.message ?? `${tlsTarget}: ${r.error ?? 'failed'}` });
    }
  } else {
    if (refused) return failed('ECONNREFUSED', `${plainTarget}: connection refused, so nothing can be judged (set tls to check that MLLP over TLS works on this or another port)`);
    notTested.push('MLLP over TLS (no tls settings)');
  }
  return exposureReading({ found, channels, passed, notTested });
}

/** What a failed plaintext exchange says: refused or dropped (passed), silent (not tested), or stop. */
function plaintextVerdict(e: unknown, target: string): { passed: string; refused?: boolean } | { notTested: string } | { reading: Reading } {
  if (e instanceof MllpError) {
    if (e.code === 'MLLP_ABORTED') return { reading: transportFailure(e, target) };
    if (e.code === 'MLLP_CONNECT_TIMEOUT') return { reading: failed('CONNECT_TIMEOUT', `${target}: ${e.message}`) };
    if (e.code === 'MLLP_CLOSED_EARLY') return { passed: `${target} closed the plaintext connection without answering` };
    if (e.code === 'MLLP_UNFRAMED') {
      // a TLS record (0x15 alert, 0x16 handshake) means the port speaks TLS and refused plaintext
      return /^"<0x1[56]><0x03>/.test(e.message.replace(/^reply bytes outside an MLLP frame: /, ''))
        ? { passed: `${target} answered plaintext with a TLS record (TLS required)` }
        : { notTested: `plaintext: ${target} answered with bytes that are not MLLP (${e.message})` };
    }
    if (e.code === 'MLLP_NO_REPLY') return { notTested: `plaintext: ${target} accepted the connection but did not answer (${e.message})` };
    return { notTested: `plaintext: ${target}: ${e.message}` };
  }
  const r = transportFailure(e, target);
  if (r.error === 'ECONNREFUSED') return { passed: `${target} refuses plaintext connections`, refused: true };
  if (r.error === 'ECONNRESET') return { passed: `${target} reset the plaintext connection` };
  if (UNREACHABLE.has(r.error ?? '')) return { reading: r };
  return { notTested: `plaintext: ${r.message ?? r.error ?? 'failed'}` };
}
