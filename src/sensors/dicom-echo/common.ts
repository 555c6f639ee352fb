// What the three DICOM kinds (dicom-echo, dicom-find, dicom-store) share: the connection settings
// (AE titles, phase timeouts, DICOM TLS), turning them into Association options, and turning any
// failure into a Reading with a catalogue code and the decoded reason.

import { readFile } from 'node:fs/promises';
import type tls from 'node:tls';
import { z } from 'zod';
import { codeFromSystemError } from '../../core/errors.ts';
import type { ChannelValue, Reading } from '../../core/model.ts';
import { host, port, duration } from '../fields.ts';
import { failed, type CheckContext } from '../sensor.ts';
import { DicomError } from '../../protocols/dicom/errors.ts';
import { validAeTitle } from '../../protocols/dicom/pdu.ts';
import { Association, type AssociationOptions, type ContextProposal } from '../../protocols/dicom/association.ts';

function aeTitle(def: string) {
  return z
    .string()
    .refine(validAeTitle, { error: (i) => `expected an AE title of 1 to 16 printable characters without backslash, got ${JSON.stringify(i.input)}` })
    .default(def);
}

export const tlsSettings = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Use DICOM TLS (usually port 2762)'),
    ca: z.string().optional().describe('CA certificate(s) to trust: PEM text or a file path (default: the system store)'),
    cert: z.string().optional().describe('Client certificate for mutual TLS: PEM text or a file path'),
    key: z.string().optional().describe('Client private key: PEM text or a file path (better: a credential with a "key" value)'),
    minVersion: z.enum(['TLSv1.2', 'TLSv1.3']).default('TLSv1.2').describe('Lowest TLS version accepted'),
    verify: z.boolean().default(true).describe('Verify the device certificate and its name'),
    servername: z.string().optional().describe('Name expected in the device certificate (default: host)'),
  })
  .describe('DICOM TLS settings');

/** Settings every DICOM kind has. */
export const connectionSettings = {
  host,
  port: port(104),
  callingAe: aeTitle('WARDWATCH').describe('Our AE title (calling AE), as configured on the device'),
  calledAe: aeTitle('ANY-SCP').describe("The device's AE title (called AE)"),
  connectTimeout: duration({ min: 0.001 }).default(5).describe('TCP (and TLS) connection timeout'),
  associateTimeout: duration({ min: 0.001 }).default(10).describe('Timeout for the association answer'),
  dimseTimeout: duration({ min: 0.001 }).default(10).describe('Timeout for each DIMSE response (and the release)'),
  tls: tlsSettings.optional(),
} as const;

export interface ConnectionSettings {
  readonly host: string;
  readonly port: number;
  readonly callingAe: string;
  readonly calledAe: string;
  readonly connectTimeout: number;
  readonly associateTimeout: number;
  readonly dimseTimeout: number;
  readonly tls?: z.infer<typeof tlsSettings> | undefined;
}

async function pem(v: string | undefined): Promise<string | undefined> {
  if (v === undefined) return undefined;
  return v.includes('-----BEGIN') ? v : readFile(v, 'utf8');
}

async function tlsOptions(s: NonNullable<ConnectionSettings['tls']>, ctx: CheckContext): Promise<tls.ConnectionOptions> {
  const cred = ctx.credential?.values;
  const [ca, cert, key] = await Promise.all([pem(s.ca), pem(cred?.cert ?? s.cert), pem(cred?.key ?? s.key)]);
  return {
    minVersion: s.minVersion,
    rejectUnauthorized: s.verify,
    ...(ca ? { ca } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    ...(cred?.passphrase ? { passphrase: cred.passphrase } : {}),
    ...(s.servername ? { servername: s.servername } : {}),
    ...(s.verify ? {} : { checkServerIdentity: () => undefined }),
  };
}

/** Association options from the settings; phase timeouts never exceed the runner's timeout. */
export async function associationOptions(s: ConnectionSettings, ctx: CheckContext, contexts: readonly ContextProposal[]): Promise<AssociationOptions> {
  const cap = (seconds: number) => Math.max(1, Math.min(seconds * 1000, ctx.timeoutMs));
  return {
    host: s.host,
    port: s.port,
    callingAe: s.callingAe,
    calledAe: s.calledAe,
    contexts,
    connectTimeoutMs: cap(s.connectTimeout),
    associateTimeoutMs: cap(s.associateTimeout),
    signal: ctx.signal,
    now: ctx.now,
    ...(s.tls?.enabled ? { tls: await tlsOptions(s.tls, ctx) } : {}),
  };
}

/** Opens the association and records its connect, TLS and associate phases (ms) in `phases`. */
export async function openAssociation(s: ConnectionSettings, ctx: CheckContext, contexts: readonly ContextProposal[], phases: Record<string, number>): Promise<Association> {
  const assoc = await Association.open(await associationOptions(s, ctx, contexts));
  phases.connect = ms(assoc.timings.connectMs);
  if (assoc.timings.tlsMs !== undefined) phases.tls = ms(assoc.timings.tlsMs);
  phases.associate = ms(assoc.timings.associateMs);
  return assoc;
}

export function dimseTimeoutMs(s: ConnectionSettings, ctx: CheckContext): number {
  return Math.max(1, Math.min(s.dimseTimeout * 1000, ctx.timeoutMs));
}

/** Rounds a duration for channels and messages (0.01 ms is far below what matters). */
export function ms(v: number): number {
  return Math.round(v * 100) / 100;
}

/** Any failure (DicomError, socket or TLS error, unreadable TLS file) as a Reading. */
export function failureReading(err: unknown, channels: readonly ChannelValue[], phases: Record<string, number>): Reading {
  if (err instanceof DicomError) return failed(err.code, err.message, channels, phases);
  const code = codeFromSystemError(err);
  const text = err instanceof Error ? err.message : String(err);
  const sys = (err as { code?: unknown } | null)?.code;
  if (sys === 'ENOENT') return failed('BAD_SETTINGS', `TLS file not found: ${text}`, channels, phases);
  // OpenSSL refusing our own key or certificate is a settings problem, not the device's.
  if (typeof sys === 'string' && sys.startsWith('ERR_OSSL')) return failed('BAD_SETTINGS', `TLS key or certificate unusable: ${text}`, channels, phases);
  return failed(code, text, channels, phases);
}

/**
 * Releases the association. The device already did the work when we get here, so a release it
 * never answers is returned (for a warning Reading) rather than thrown; anything else is thrown.
 */
export async function releaseOrTimeout(assoc: Association, timeoutMs: number): Promise<DicomError | undefined> {
  try {
    await assoc.release({ timeoutMs });
    return undefined;
  } catch (e) {
    if (e instanceof DicomError && e.code === 'DICOM_TIMEOUT_RELEASE') return e;
    throw e;
  }
}
