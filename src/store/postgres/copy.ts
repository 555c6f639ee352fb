// COPY FROM STDIN in the text format: rows are produced lazily and sent in ~64 KiB chunks, so a
// large batch never becomes one huge string.

import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

const CHUNK_CHARS = 64 * 1024;

export async function copyIn(client: PoolClient, sql: string, rows: number, line: (i: number) => string): Promise<void> {
  if (rows === 0) return;
  function* chunks(): Generator<string> {
    let buf = '';
    for (let i = 0; i < rows; i++) {
      buf += line(i);
      if (buf.length >= CHUNK_CHARS) {
        yield buf;
        buf = '';
      }
    }
    if (buf !== '') yield buf;
  }
  await pipeline(Readable.from(chunks()), client.query(copyFrom(sql)));
}

/** Escapes a value for COPY's text format (NULL as \N). */
export function copyText(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'number') return String(v);
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
}
