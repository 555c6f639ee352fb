// The secret box: round trip, the key file created 0600 once, context binding, tampering, and a
// wrong key failing with a message that names the key file.

import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SecretBoxError, openKeyFile, secretBoxFromKey } from './secret-box.ts';

const dir = (): string => mkdtempSync(join(tmpdir(), 'ww-box-'));

describe('secret box', () => {
  it('creates the key file once with mode 0600 and seals/opens values', () => {
    const path = join(dir(), 'sub', 'wardwatch.key');
    const first = openKeyFile(path);
    expect(first.created).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const second = openKeyFile(path);
    expect(second.created).toBe(false);
    expect(second.box.keyId).toBe(first.box.keyId);
    const sealed = first.box.seal('community-ß-🩻', 'credential:snmp');
    expect(sealed).toMatch(/^v1:[A-Za-z0-9+/]+=*$/);
    expect(sealed).not.toContain('community');
    expect(first.box.seal('same', 'c')).not.toBe(first.box.seal('same', 'c'));
    expect(second.box.open(sealed, 'credential:snmp')).toBe('community-ß-🩻');
  });

  it('fails clearly with another key, another context or an altered value', () => {
    const a = openKeyFile(join(dir(), 'a.key')).box;
    const bPath = join(dir(), 'b.key');
    const b = openKeyFile(bPath).box;
    const sealed = a.seal('secret', 'credential:smtp');
    expect(() => b.open(sealed, 'credential:smtp')).toThrow(
      new SecretBoxError(`credential:smtp: cannot decrypt with the key in ${bPath} (key ${b.keyId}): it is not the key this value was sealed with, or the value was altered`),
    );
    expect(() => a.open(sealed, 'credential:other')).toThrow(SecretBoxError);
    const raw = Buffer.from(sealed.slice(3), 'base64');
    raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1;
    expect(() => a.open(`v1:${raw.toString('base64')}`, 'credential:smtp')).toThrow(/or the value was altered$/);
    expect(() => a.open('v2:abc', 'credential:smtp')).toThrow('credential:smtp: the sealed value is not in a format this Wardwatch knows (expected "v1:...")');
    expect(() => a.open('v1:abc', 'x')).toThrow('x: the sealed value is truncated');
  });

  it('refuses a malformed key file and warns about loose permissions', () => {
    const bad = join(dir(), 'bad.key');
    writeFileSync(bad, 'not a key\n');
    expect(() => openKeyFile(bad)).toThrow(`key file ${bad}: expected one line with a base64-encoded 32-byte key`);
    const loose = join(dir(), 'loose.key');
    openKeyFile(loose);
    chmodSync(loose, 0o644);
    expect(openKeyFile(loose).warning).toBe(`key file ${loose} is readable by other users (mode 644): chmod 600 it`);
    expect(() => secretBoxFromKey(Buffer.alloc(16), 'test')).toThrow('test: the key must be 32 bytes (AES-256), found 16');
    expect(readFileSync(loose, 'utf8').trim()).toHaveLength(44);
  });
});
