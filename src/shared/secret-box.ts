// Secrets at rest: AES-256-GCM under a key kept in a file outside the database, so that a copy of
// the database (a backup, a dump sent to support) reveals no SNMP community, SMTP or device
// password. The key file is created once with mode 0600; losing it makes the sealed values unreadable.

import { createCipheriv, createDecipheriv, randomBytes, createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
}

export interface SecretBox {
  /** `context` (e.g. "credential:snmp-core") is bound to the ciphertext: a value moved to another row fails to open. */
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
  /** A short fingerprint of the key (not the key), to tell which key sealed a database. */
  readonly keyId: string;
  /** Where the key came from, for error messages. */
  readonly source: string;
}

export function secretBoxFromKey(key: Buffer, source: string): SecretBox {
  if (key.length !== 32) throw new SecretBoxError(`${source}: the key must be 32 bytes (AES-256), found ${key.length}`);
  const keyId = createHash('sha256').update('wardwatch-key-id').update(key).digest('hex').slice(0, 16);
  return {
    keyId,
    source,
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const c = createCipheriv('aes-256-gcm', key, iv);
      c.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
      return `${VERSION}:${Buffer.concat([iv, c.getAuthTag(), body]).toString('base64')}`;
    },
    open(sealed, context) {
      const colon = sealed.indexOf(':');
      if (colon < 0 || sealed.slice(0, colon) !== VERSION) {
        throw new SecretBoxError(`${context}: the sealed value is not in a format this Wardwatch knows (expected "${VERSION}:...")`);
      }
      const raw = Buffer.from(sealed.slice(colon + 1), 'base64');
      if (raw.length < IV_BYTES + TAG_BYTES) throw new SecretBoxError(`${context}: the sealed value is truncated`);
      const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
      d.setAAD(Buffer.from(context, 'utf8'));
      d.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      try {
        return Buffer.concat([d.update(raw.subarray(IV_BYTES + TAG_BYTES)), d.final()]).toString('utf8');
      } catch {
        throw new SecretBoxError(`${context}: cannot decrypt with the key in ${source} (key ${keyId}): it is not the key this value was sealed with, or the value was altered`);
      }
    },
  };
}

export interface KeyFileResult {
  readonly box: SecretBox;
  /** True when this call created the key file (first start). */
  readonly created: boolean;
  /** Set when the file is readable by group or others. */
  readonly warning?: string;
}

/** Loads the key file, or creates it (0600, parent folders 0700) when it does not exist. */
export function openKeyFile(path: string): KeyFileResult {
  let created = false;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new SecretBoxError(`key file ${path}: ${(err as Error).message}`);
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    text = randomBytes(32).toString('base64') + '\n';
    try {
      // 'wx': two processes starting together never overwrite each other's key.
      writeFileSync(path, text, { mode: 0o600, flag: 'wx' });
      chmodSync(path, 0o600);
      created = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new SecretBoxError(`key file ${path}: cannot create it: ${(e as Error).message}`);
      text = readFileSync(path, 'utf8');
    }
  }
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/]{43}=$/.test(trimmed)) {
    throw new SecretBoxError(`key file ${path}: expected one line with a base64-encoded 32-byte key`);
  }
  const mode = statSync(path).mode & 0o777;
  const warning = (mode & 0o077) !== 0 ? `key file ${path} is readable by other users (mode ${mode.toString(8)}): chmod 600 it` : undefined;
  return { box: secretBoxFromKey(Buffer.from(trimmed, 'base64'), path), created, ...(warning ? { warning } : {}) };
}
