// Settings of the `hl7` sensor kind, and loading what they point at (a template file, TLS PEM
// files) with fs promises at check time, so a missing file is a Reading, not a crash at startup.

import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { duration, host, port } from '../fields.ts';
import { BUILTIN_TEMPLATES, type BuiltinTemplate } from '../../protocols/hl7/templates.ts';

const text = z.string().min(1);

/** A PEM given inline ("-----BEGIN ...") or as a file path. */
const pem = text.describe('PEM text, or the path of a PEM file');

export const tlsSettings = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Use TLS (MLLP over TLS)'),
    ca: pem.optional().describe('CA certificate(s) that sign the peer certificate (PEM or path)'),
    cert: pem.optional().describe('Our certificate, for mutual TLS (PEM or path)'),
    key: pem.optional().describe('Our private key, for mutual TLS (PEM or path)'),
    verify: z.boolean().default(true).describe('Verify the peer certificate (turn off only for testing)'),
    servername: text.optional().describe('Name to verify the certificate against (default: the host)'),
  })
  .refine((t) => (t.cert === undefined) === (t.key === undefined), { error: 'tls.cert and tls.key go together (mutual TLS needs both)' });

export const mshSettings = z.strictObject({
  sendingApplication: text.optional().describe('MSH-3 (components separated by ^)'),
  sendingFacility: text.optional().describe('MSH-4'),
  receivingApplication: text.optional().describe('MSH-5'),
  receivingFacility: text.optional().describe('MSH-6'),
  processingId: text.optional().describe('MSH-11 (P, T or D)'),
  version: text.optional().describe('MSH-12 (e.g. 2.5.1)'),
  characterSet: z.enum(['ASCII', '8859/1', 'UNICODE UTF-8']).optional().describe('MSH-18: how the message is encoded'),
});

export const hl7Settings = z.strictObject({
  host,
  port: port(2575),
  template: z.enum(Object.keys(BUILTIN_TEMPLATES) as [BuiltinTemplate, ...BuiltinTemplate[]]).default('adt-a01').describe('Built-in message: adt-a01 (synthetic test patient) or qry-a19 (a query, changes nothing)'),
  templateFile: text.optional().describe('Path of a message file to send instead (segments on separate lines; {{now}} and {{controlId}} are filled per send)'),
  msh: mshSettings.default({}).describe('MSH field overrides'),
  ackTimeout: duration({ min: 0.01 }).optional().describe('How long to wait for the ACK (default: most of the check timeout)'),
  connectTimeout: duration({ min: 0.01 }).optional().describe('How long to wait for the connection and TLS handshake'),
  tls: tlsSettings.optional(),
  onApplicationError: z.enum(['warning', 'down']).default('warning').describe('State for an AE/CE acknowledgement'),
  maxReplyBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024).describe('Largest ACK accepted, bytes'),
});
export type Hl7Settings = z.infer<typeof hl7Settings>;
export type TlsSettings = z.infer<typeof tlsSettings>;

/** Reads inline PEM as it is, or a file. */
export async function loadPem(value: string | undefined): Promise<string | undefined> {
  if (value === undefined) return undefined;
  if (value.trimStart().startsWith('-----BEGIN')) return value;
  return readFile(value, 'utf8');
}

export interface LoadedTls {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly verify: boolean;
  readonly servername?: string;
}

export async function loadTls(t: TlsSettings | undefined): Promise<LoadedTls | undefined> {
  if (!t || !t.enabled) return undefined;
  const [ca, cert, key] = await Promise.all([loadPem(t.ca), loadPem(t.cert), loadPem(t.key)]);
  return { verify: t.verify, ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}), ...(t.servername ? { servername: t.servername } : {}) };
}

/** Template text: the file's (line ends normalised to \r) or the built-in one. */
export async function loadTemplate(s: Hl7Settings): Promise<string> {
  if (!s.templateFile) return BUILTIN_TEMPLATES[s.template];
  const raw = await readFile(s.templateFile, 'utf8');
  return raw.replace(/\r\n|\n/g, '\r');
}
