// `wardwatch validate FILE`: the text the command prints for a good and a bad file.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_KINDS } from './__fixtures__/kinds.ts';
import { validateConfigFile } from './validate.ts';

const fixtures = join(import.meta.dirname, '__fixtures__');
let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wardwatch-validate-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('validateConfigFile', () => {
  it('summarises a valid file, after its warnings', async () => {
    const file = join(fixtures, 'good', 'hospital.yaml');
    const r = await validateConfigFile(file, { kinds: TEST_KINDS });
    expect(r.ok).toBe(true);
    expect(r.output.split('\n')).toEqual([
      `${file}:63:33 sites[0].probes[0].groups[1].devices[0].sensors[1].channels.pluginCount: channel "pluginCount" is not one of the default channels; discover has no fixed channels (kept: this kind discovers channels when it runs)`,
      `${file}: OK — 2 sites, 3 devices, 5 sensors`,
    ]);
  });

  it('prints one line per error', async () => {
    const file = join(dir, 'hospital.yaml');
    await writeFile(file, 'sites:\n  - name: A\n    timezone: Nowhere/Town\n    colour: red\n');
    const r = await validateConfigFile(file, { kinds: TEST_KINDS });
    expect(r).toEqual({
      ok: false,
      output: [
        `${file}:3:15 sites[0].timezone: unknown time zone "Nowhere/Town" (use an IANA name such as Europe/Berlin or UTC)`,
        `${file}:4:5 sites[0].colour: unknown key "colour"`,
      ].join('\n'),
    });
  });

  it('uses singular words for one of a kind', async () => {
    const file = join(dir, 'one.yaml');
    await writeFile(file, 'sites:\n  - name: A\n    probes:\n      - name: P\n        groups:\n          - name: G\n            devices:\n              - { name: D, host: h, sensors: [{ name: S, kind: synthetic }] }\n');
    expect(await validateConfigFile(file, { kinds: TEST_KINDS })).toEqual({ ok: true, output: `${file}: OK — 1 site, 1 device, 1 sensor` });
  });
});
