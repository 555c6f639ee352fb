// Settings of the command hook: a program run without a shell, given the notification as JSON on
// stdin and as WARDWATCH_* environment variables.

import { z } from 'zod';
import { describeGot } from '../../../sensors/fields.ts';

export const commandSettings = z.strictObject({
  command: z
    .array(z.string({ error: (i) => `expected text, got ${describeGot(i.input)}` }), { error: (i) => `expected a list: the program and its arguments (no shell), got ${describeGot(i.input)}` })
    .min(1, { error: 'expected a list: the program and its arguments (no shell), got an empty list', abort: true })
    .refine((a) => (a[0] ?? '').length > 0, { error: 'the program (first entry) is empty' })
    .describe('Program and arguments; run directly, never through a shell'),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: (i) => `expected an environment variable name, got ${describeGot(i.input)}` }), z.string()).optional().describe('Extra environment variables'),
  cwd: z.string().min(1).optional().describe('Working directory'),
  retryExitCodes: z.array(z.number().int().min(1).max(255)).default([75]).describe('Exit codes meaning "try again later" (default 75, EX_TEMPFAIL); any other non-zero code is a permanent failure'),
});
export type CommandSettings = z.infer<typeof commandSettings>;
