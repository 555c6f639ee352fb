// Settings of the generic webhook: a JSON POST, optionally signed with HMAC-SHA256 so the receiver
// can tell it came from Wardwatch and was not replayed.

import { z } from 'zod';
import { describeGot } from '../../../sensors/fields.ts';
import { caFile, httpUrl, rejectUnauthorized, secretName } from '../fields.ts';

const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, { error: (i) => `expected an HTTP header name, got ${describeGot(i.input)}` });

export const webhookSettings = z.strictObject({
  url: httpUrl.describe('Where to POST'),
  method: z.enum(['POST', 'PUT'], { error: (i) => `expected POST or PUT, got ${describeGot(i.input)}` }).default('POST'),
  headers: z.record(headerName, z.string()).optional().describe('Extra request headers'),
  signingSecret: secretName.optional().describe('Secret for the HMAC-SHA256 signature header'),
  signatureHeader: headerName.default('X-Wardwatch-Signature').describe('Header carrying "sha256=<hex of HMAC(timestamp + "." + body)>"'),
  timestampHeader: headerName.default('X-Wardwatch-Timestamp').describe('Header carrying the Unix time in seconds the signature covers'),
  caFile: caFile.optional(),
  rejectUnauthorized,
});
export type WebhookSettings = z.infer<typeof webhookSettings>;
