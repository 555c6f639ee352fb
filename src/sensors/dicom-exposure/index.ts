// `dicom-exposure`: how open a DICOM node is to a stranger (DICOM PS3.15, MDS2 NAUT/TXCF). After
// one association with the configured AE titles proves the node is up, it tries an unknown called
// AE title and an unknown calling AE title, optionally (opt-in only) a count-only C-FIND from the
// unknown AE, and which TLS versions the DICOM TLS port (2762) speaks.

import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { ChannelValue, Reading } from '../../core/model.ts';
import { validAeTitle } from '../../protocols/dicom/pdu.ts';
import { exposureReading, type Found, FINDINGS_CHANNEL } from '../../security/exposure/reading.ts';
import { validTimeZone } from '../dicom-find/dates.ts';
import { connectionSettings, ms } from '../dicom-echo/common.ts';
import { port } from '../fields.ts';
import { defineSensorKind, failed, type CheckContext } from '../sensor.ts';
import { abortCode, isUnreachable, PROTOCOL_LABEL, PROTOCOL_NUMBER, scanVersions } from '../tls-audit/audit.ts';
import type { Protocol } from '../tls-audit/hello.ts';
import { attempt, unauthenticatedQuery } from './probes.ts';

const settings = z.strictObject({
  ...connectionSettings,
  unknownAe: z
    .string()
    .refine(validAeTitle, { error: (i) => `expected an AE title of 1 to 16 printable characters without backslash, got ${JSON.stringify(i.input)}` })
    .optional()
    .describe('The AE title a stranger would use (default: a new random one per check, e.g. WW3F9A1C0D)'),
  query: z.boolean().default(false).describe('Opt in: also send a C-FIND from the unknown AE (study level, today only, matches counted, never read). Off unless this device is explicitly approved for it'),
  timeZone: z
    .string()
    .refine(validTimeZone, { error: (i) => `unknown time zone ${JSON.stringify(i.input)} (expected an IANA name such as Europe/Berlin)` })
    .optional()
    .describe("Time zone of 'today' in the C-FIND (default: the probe's)"),
  checkTls: z.boolean().default(true).describe('Check whether DICOM TLS is offered on tlsPort and with which TLS versions'),
  tlsPort: port(2762).describe('DICOM TLS port (default 2762)'),
});

type Settings = z.infer<typeof settings>;

const TLS_VERSIONS: readonly Protocol[] = ['SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

function randomAe(): string {
  return `WW${randomBytes(4).toString('hex').toUpperCase()}`;
}

async function tlsFindings(s: Settings, ctx: CheckContext, found: Found[], passed: string[], notTested: string[], channels: ChannelValue[]): Promise<string | undefined> {
  const timeoutMs = Math.max(1, Math.min(s.connectTimeout * 1000, ctx.timeoutMs));
  const scan = await scanVersions({ host: s.host, port: s.tlsPort, timeoutMs, signal: ctx.signal }, TLS_VERSIONS);
  if (isUnreachable(scan)) {
    if (scan.code === 'ABORTED' || scan.code === 'TIMEOUT') return scan.code;
    channels.push({ key: 'tlsVersion', value: 0 });
    found.push({ code: 'EXPOSURE_DICOM_NO_TLS', detail: `no DICOM TLS on port ${s.tlsPort} (${scan.reason})` });
    return undefined;
  }
  notTested.push(...scan.notTested.map((n) => `DICOM TLS ${n}`));
  const best = scan.offered.at(-1);
  channels.push({ key: 'tlsVersion', value: best ? PROTOCOL_NUMBER[best] : 0 });
  const labels = scan.offered.map((p) => PROTOCOL_LABEL[p]).join(', ');
  if (!best) found.push({ code: 'EXPOSURE_DICOM_NO_TLS', detail: `port ${s.tlsPort} answers but accepts no TLS version` });
  else if (scan.offered.some((p) => PROTOCOL_NUMBER[p] < 1.2 || p === 'SSLv3')) found.push({ code: 'EXPOSURE_DICOM_TLS_WEAK', detail: `DICOM TLS on port ${s.tlsPort} accepts ${labels}` });
  else passed.push(`DICOM TLS on port ${s.tlsPort} with ${labels}`);
  return undefined;
}

export const dicomExposureKind = defineSensorKind({
  kind: 'dicom-exposure',
  title: 'DICOM exposure (PS3.15)',
  description:
    'Checks how open a DICOM node is to an unknown system (DICOM PS3.15, MDS2 NAUT/TXCF): does it accept an association addressed to any called AE title, or from any calling AE title; does it answer a C-FIND from an unknown AE (only when query is explicitly enabled: study level, today only, matches counted and never read); is DICOM TLS offered on port 2762 and with which TLS version. The configured AE titles must work first, so a device that is down is reported as down, not as secure.',
  settings,
  channels: [
    FINDINGS_CHANNEL,
    { key: 'anyCalledAe', name: 'Accepts any called AE', unit: 'bool' },
    { key: 'anyCallingAe', name: 'Accepts any calling AE', unit: 'bool' },
    { key: 'unauthenticatedQuery', name: 'Answers C-FIND from unknown AE', unit: 'bool' },
    { key: 'queryMatches', name: 'C-FIND matches (unknown AE)', unit: 'count' },
    { key: 'tlsVersion', name: 'Best DICOM TLS version', unit: 'value', description: '1.3, 1.2, 1.1, 1.0; 0 when DICOM TLS is not offered' },
    { key: 'associateMs', name: 'Association', unit: 'ms' },
  ],
  concurrency: 20,
  defaultIntervalS: 86_400,
  usesHost: true,
  // A thrown bug or an abort becomes an INTERNAL or TIMEOUT reading in the runner, like every kind's.
  check: assess,
});

async function assess(s: Settings, ctx: CheckContext): Promise<Reading> {
  const t0 = ctx.now();
  const found: Found[] = [];
  const passed: string[] = [];
  const notTested: string[] = [];
  const channels: ChannelValue[] = [];
  const where = `${s.host}:${s.port}`;

  const base = await attempt(s, ctx, s.calledAe, s.callingAe);
  if (base.kind === 'stop') return base.reading;
  if (base.kind === 'silent') return failed('DICOM_TIMEOUT_ASSOCIATE', `${where}: ${base.how} for the configured AE titles (called "${s.calledAe}", calling "${s.callingAe}"): exposure cannot be judged`);
  if (base.kind !== 'accepted') return failed('DICOM_ASSOC_REJECTED', `${where} ${base.how} for the configured AE titles (called "${s.calledAe}", calling "${s.callingAe}"): fix them first, exposure cannot be judged`);
  channels.push({ key: 'associateMs', value: ms(base.associateMs) });

  const called = s.unknownAe ?? randomAe();
  const byCalled = await attempt(s, ctx, called, s.callingAe);
  if (byCalled.kind === 'stop') return byCalled.reading;
  if (byCalled.kind === 'accepted') found.push({ code: 'EXPOSURE_DICOM_ANY_CALLED_AE', detail: `accepted an association to the unknown called AE title "${called}"` });
  else if (byCalled.kind === 'refused') passed.push(`unknown called AE "${called}" ${byCalled.how}`);
  else notTested.push(`unknown called AE (${byCalled.how})`);
  if (byCalled.kind !== 'silent') channels.push({ key: 'anyCalledAe', value: byCalled.kind === 'accepted' ? 1 : 0 });

  const calling = s.unknownAe ?? randomAe();
  const byCalling = await attempt(s, ctx, s.calledAe, calling);
  if (byCalling.kind === 'stop') return byCalling.reading;
  if (byCalling.kind === 'accepted') found.push({ code: 'EXPOSURE_DICOM_ANY_CALLING_AE', detail: `accepted an association from the unknown calling AE title "${calling}"` });
  else if (byCalling.kind === 'refused') passed.push(`unknown calling AE "${calling}" ${byCalling.how}`);
  else notTested.push(`unknown calling AE (${byCalling.how})`);
  if (byCalling.kind !== 'silent') channels.push({ key: 'anyCallingAe', value: byCalling.kind === 'accepted' ? 1 : 0 });

  if (s.query) {
    const q = await unauthenticatedQuery(s, ctx, calling, s.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone);
    if (q.kind === 'stop') return q.reading;
    if (q.kind === 'answered') {
      found.push({ code: 'EXPOSURE_DICOM_UNAUTH_QUERY', detail: `answered a C-FIND from the unknown AE "${calling}" (${q.matches} ${q.matches === 1 ? 'study' : 'studies'} today, counted only)` });
      channels.push({ key: 'queryMatches', value: q.matches });
    } else if (q.kind === 'refused') passed.push(`C-FIND from unknown AE: ${q.how}`);
    else notTested.push(`C-FIND from unknown AE (${q.how})`);
    if (q.kind !== 'silent') channels.push({ key: 'unauthenticatedQuery', value: q.kind === 'answered' ? 1 : 0 });
  } else notTested.push('C-FIND from unknown AE (query not enabled for this device)');

  if (s.checkTls) {
    const stopped = await tlsFindings(s, ctx, found, passed, notTested, channels);
    if (stopped) return failed(stopped, `${where}: the check was ${stopped === 'TIMEOUT' ? 'timed out' : 'cancelled'} while probing DICOM TLS`);
  }
  if (ctx.signal.aborted) return failed(abortCode(ctx.signal), `${where}: the check was cancelled`);
  return exposureReading({ found, channels, passed, notTested, phases: { total: ms(ctx.now() - t0) } });
}
