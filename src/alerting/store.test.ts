// The acknowledgement-link key file: made once with owner-only permissions, read back unchanged,
// and a truncated file refused with the way out.

import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOrCreateAckKey } from './store.ts';

describe('ack link key file', () => {
  it('is created once (0600) and then reused', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ww-ackkey-')), 'alerting-ack.key');
    const first = await loadOrCreateAckKey(path);
    expect(first).toHaveLength(32);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(await loadOrCreateAckKey(path)).toEqual(first);
  });

  it('refuses a key file that is too short', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ww-ackkey-')), 'alerting-ack.key');
    writeFileSync(path, 'short');
    await expect(loadOrCreateAckKey(path)).rejects.toThrow(`acknowledgement link key ${path}: expected at least 16 bytes, found 5; delete the file to have a new one made`);
  });
});
