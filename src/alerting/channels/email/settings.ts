// Settings of the email channel (SMTP): where the relay is, how the connection is secured, who signs
// in, and who the mail is from. Recipients' addresses come from the notification, not from here.

import { z } from 'zod';
import { describeGot, host, port } from '../../../sensors/fields.ts';
import { caFile, rejectUnauthorized, secretName } from '../fields.ts';

export const SMTP_SECURITY = ['none', 'starttls', 'starttls-if-offered', 'tls'] as const;

const address = z
  .string({ error: (i) => `expected an email address, got ${describeGot(i.input)}` })
  .regex(/^[^\s@<>]+@[^\s@<>]+$/, { error: (i) => `expected an email address such as wardwatch@hospital.example, got ${describeGot(i.input)}` });

export const emailSettings = z.strictObject({
  host: host.describe('SMTP relay host'),
  port: port().optional().describe('SMTP port (default 465 with tls, 587 with starttls, 25 otherwise)'),
  security: z
    .enum(SMTP_SECURITY, { error: (i) => `expected one of ${SMTP_SECURITY.join(', ')}, got ${describeGot(i.input)}` })
    .default('starttls')
    .describe('none: plain; starttls: required (fails without it); starttls-if-offered: opportunistic; tls: implicit TLS (465)'),
  username: z.string().min(1).optional().describe('SMTP AUTH user'),
  passwordSecret: secretName.optional().describe('Secret holding the SMTP AUTH password'),
  from: address.describe('Envelope and header sender'),
  replyTo: address.optional(),
  caFile: caFile.optional(),
  rejectUnauthorized,
  clientName: z.string().min(1).optional().describe('Name sent in EHLO (default: the machine name)'),
}).superRefine((s, ctx) => {
  if (s.passwordSecret !== undefined && s.username === undefined) ctx.addIssue({ code: 'custom', path: ['username'], message: 'missing required key "username" (passwordSecret needs a username)' });
  if (s.username !== undefined && s.passwordSecret === undefined) ctx.addIssue({ code: 'custom', path: ['passwordSecret'], message: 'missing required key "passwordSecret" (username needs a password secret)' });
});
export type EmailSettings = z.infer<typeof emailSettings>;
