// TLS settings for clients of brokers and databases (sql, mqtt): CA, client certificate, verification.
// Loading (inline PEM or a file path) is shared with the hl7 kind's loader.

import { z } from 'zod';

const pem = z.string().min(1).describe('PEM text, or the path of a PEM file');

export const clientTlsSettings = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Use TLS'),
    ca: pem.optional().describe('CA certificate(s) that sign the server certificate (PEM or path)'),
    cert: pem.optional().describe('Our certificate, for mutual TLS (PEM or path)'),
    key: pem.optional().describe('Our private key, for mutual TLS (PEM or path)'),
    verify: z.boolean().default(true).describe('Verify the server certificate (turn off only for testing)'),
    servername: z.string().min(1).optional().describe('Name to verify the certificate against (default: the host)'),
  })
  .refine((t) => (t.cert === undefined) === (t.key === undefined), { error: 'tls.cert and tls.key go together (mutual TLS needs both)' });

export type ClientTlsSettings = z.infer<typeof clientTlsSettings>;
