// A probe's configuration in chunks: split, reassembled, and checked against its manifest.

import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeConfig } from './config-transfer.ts';
import type { ProbeConfig } from './tree-wire.ts';

const cfg: ProbeConfig = {
  probeNodeId: 'site/p',
  fingerprint: 'abc',
  tree: {
    nodes: Array.from({ length: 500 }, (_, i) => ({ type: 'sensor' as const, id: `site/p/s${i}`, name: `s${i}-${Math.random()}`, parentId: 'site/p', kind: 'synthetic', kindSettings: {}, channels: {}, settings: {}, children: [] })),
    roots: ['site'],
    maintenance: [],
    credentials: [],
    defaults: {},
  },
  credentials: [],
};

describe('configuration transfer', () => {
  it('splits the gzipped configuration into chunks that reassemble to it', () => {
    const e = encodeConfig(cfg, 1000);
    expect(e.manifest.chunks).toBe(e.chunks.length);
    expect(e.chunks.length).toBeGreaterThan(3);
    for (const c of e.chunks) expect(c.byteLength).toBeLessThanOrEqual(1000);
    const whole = Buffer.concat(e.chunks);
    expect(whole.byteLength).toBe(e.manifest.bytes);
    expect(JSON.parse(gunzipSync(whole).toString('utf8'))).toEqual(cfg);
  });
});
