// Request bodies and queries checked against zod schemas, with errors that name the field path.

import type { z } from 'zod';
import { ProblemError } from './http.ts';

export function parseInput<S extends z.ZodType>(schema: S, input: unknown, where: string): z.output<S> {
  const res = schema.safeParse(input ?? {});
  if (res.success) return res.data;
  const detail = res.error.issues
    .map((i) => `${where}${i.path.length ? '.' + i.path.map(String).join('.') : ''}: ${i.message}`)
    .join('; ');
  throw new ProblemError('BAD_REQUEST', detail);
}
