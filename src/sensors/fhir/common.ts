// Settings fields and failure mapping shared by the FHIR and DICOMweb kinds (both are REST over
// HTTP(S) against a base URL, with optional custom CA and credentials).

import { z } from 'zod';
import { codeFromSystemError, lookupError } from '../../core/errors.ts';
import { failed, type Credential } from '../sensor.ts';
import type { Reading } from '../../core/model.ts';
import { loadPem } from '../hl7/settings.ts';
import { BodyTooLargeError, RequestAbortedError, type HttpTls } from './http.ts';

export const baseUrl = z
  .string({ error: 'expected an http:// or https:// URL' })
  .regex(/^https?:\/\/[^\s/]+(\/[^\s?#]*)?$/, { error: 'expected an http:// or https:// base URL without query, e.g. https://fhir.example.org/r4' })
  .transform((u) => u.replace(/\/+$/, ''));

export const httpTlsSettings = z
  .strictObject({
    ca: z.string().min(1).optional().describe('CA certificate(s) that sign the server certificate (PEM or path)'),
    verify: z.boolean().default(true).describe('Verify the server certificate'),
  })
  .optional();

export async function loadHttpTls(t: z.infer<typeof httpTlsSettings>): Promise<HttpTls | undefined> {
  if (!t) return undefined;
  const ca = await loadPem(t.ca);
  return { verify: t.verify, ...(ca ? { ca } : {}) };
}

/** Authorization header from a plain credential (type bearer: token; type basic: username/password). */
export function credentialHeader(c: Credential | undefined): Record<string, string> {
  if (!c) return {};
  if (c.type === 'bearer' && c.values.token) return { authorization: `Bearer ${c.values.token}` };
  if (c.type === 'basic' && c.values.username !== undefined) return { authorization: `Basic ${Buffer.from(`${c.values.username}:${c.values.password ?? ''}`).toString('base64')}` };
  return {};
}

/** Maps a failed request to a Reading; `tooLargeCode` is the kind's own code for an oversized body. */
export function requestFailure(err: unknown, what: string, tooLargeCode: string): Reading {
  if (err instanceof RequestAbortedError) {
    const code = (err.reason as { name?: string } | undefined)?.name === 'TimeoutError' ? 'TIMEOUT' : 'ABORTED';
    return failed(code, `${what}: ${lookupError(code).message}`);
  }
  if (err instanceof BodyTooLargeError) return failed(tooLargeCode, `${what}: ${err.message}`);
  const code = codeFromSystemError(err);
  const reason = (err as { reason?: unknown } | null)?.reason;
  const text = typeof reason === 'string' && reason ? `TLS: ${reason}` : err instanceof Error ? err.message : String(err);
  return failed(code, `${what}: ${text}`);
}

export function ms(v: number): number {
  return Math.round(v * 100) / 100;
}
