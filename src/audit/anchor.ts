// The audit trail's anchor outside the database: the chain head (row id and hash) in a small file
// next to the key file. The hash chain alone cannot tell that the newest rows were deleted (what is
// left is still a valid chain); comparing the database's head with the anchor can.

import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export interface AuditAnchorRecord {
  /** The row id (seq) of the newest row anchored. */
  readonly seq: number;
  readonly hash: string;
  /** When the anchor was written (epoch ms). */
  readonly at: number;
}

/** Where the anchor is kept: a file here, anything with the same two operations in tests. */
export interface AuditAnchorStore {
  /** Undefined when no anchor was written yet; throws AuditAnchorError when it is unreadable. */
  read(): AuditAnchorRecord | undefined;
  write(anchor: AuditAnchorRecord): void;
  /** Shown in messages: the file's path. */
  readonly where: string;
}

export class AuditAnchorError extends Error {
  override readonly name = 'AuditAnchorError';
}

/** The default anchor file name, in the key file's folder. */
export const ANCHOR_FILE = 'audit-anchor.json';

/** An anchor kept in `path`: written to a temporary file (0600), synced, then renamed over the old one. */
export function fileAnchor(path: string): AuditAnchorStore {
  return {
    where: path,
    read() {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new AuditAnchorError(`audit anchor ${path}: ${(err as Error).message}`);
      }
      return parseAnchor(text, path);
    },
    write(anchor) {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      try {
        const fd = openSync(tmp, 'wx', 0o600);
        try {
          writeSync(fd, JSON.stringify(anchor) + '\n');
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        renameSync(tmp, path);
      } catch (err) {
        rmSync(tmp, { force: true });
        throw new AuditAnchorError(`audit anchor ${path}: cannot write it: ${(err as Error).message}`);
      }
    },
  };
}

export function parseAnchor(text: string, where: string): AuditAnchorRecord {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new AuditAnchorError(`audit anchor ${where}: not JSON (${(err as Error).message})`);
  }
  const o = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  if (typeof o['seq'] !== 'number' || !Number.isInteger(o['seq']) || o['seq'] < 1) throw new AuditAnchorError(`audit anchor ${where}: "seq" must be a row id (a positive integer)`);
  if (typeof o['hash'] !== 'string' || !/^[0-9a-f]{64}$/.test(o['hash'])) throw new AuditAnchorError(`audit anchor ${where}: "hash" must be 64 hexadecimal digits`);
  if (typeof o['at'] !== 'number') throw new AuditAnchorError(`audit anchor ${where}: "at" must be a time in epoch milliseconds`);
  return { seq: o['seq'], hash: o['hash'], at: o['at'] };
}
