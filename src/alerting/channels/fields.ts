// Settings fields channel kinds share, with the same error wording as the sensor fields so that a
// config error reads alike wherever it is.

import { z } from 'zod';
import { describeGot } from '../../sensors/fields.ts';

/** An http:// or https:// URL. */
export const httpUrl = z
  .string({ error: (i) => `expected an http:// or https:// URL, got ${describeGot(i.input)}` })
  .refine((v) => {
    try {
      const u = new URL(v);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  }, { error: (i) => `expected an http:// or https:// URL, got ${describeGot(i.input)}` });

/** The name of an entry in the secrets file (never the secret itself). */
export const secretName = z
  .string({ error: (i) => `expected the name of a secret (see the secrets file), got ${describeGot(i.input)}` })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, { error: (i) => `expected the name of a secret (letters, digits, ".", "_", ":", "-"), got ${describeGot(i.input)}` });

/** A path to a PEM file with the CA certificates to trust (default: the system's). */
export const caFile = z
  .string({ error: (i) => `expected a path to a PEM file, got ${describeGot(i.input)}` })
  .min(1, { error: 'expected a path to a PEM file, got an empty string' })
  .describe('PEM file of CA certificates to trust (default: the system store)');

/** Refuses a self-signed or mismatched certificate unless the operator explicitly allows it. */
export const rejectUnauthorized = z.boolean({ error: (i) => `expected true or false, got ${describeGot(i.input)}` }).default(true).describe('Verify the peer certificate (default true)');
