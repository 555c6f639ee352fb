// Random secrets handed to clients (session ids, API tokens) are stored only as their SHA-256:
// they are long random values, so a fast hash is enough and lookups stay indexable.

import { createHash } from 'node:crypto';

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
