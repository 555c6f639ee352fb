// `wardwatch probe` and `wardwatch probes`, in process (the lead wires them into main.ts).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openClusterTables } from '../../src/cluster/registry.ts';
import { newProbeKey } from '../../src/cluster/server-config.ts';
import { bufferIo } from '../../src/cli/io.ts';
import { probeCommand } from '../../src/cli/probe.ts';
import { probesCommand } from '../../src/cli/probes.ts';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';
import { startNats, type NatsPeer } from '../peers/nats.ts';

let dir: string;
let nats: NatsPeer;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ww-cli-cluster-'));
  nats = await startNats({ probes: ['SITE-B'] });
});
afterAll(async () => {
  await nats?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const run = async (cmd: typeof probeCommand, ...argv: string[]) => {
  const io = bufferIo();
  const code = await cmd(argv, io);
  return { code, out: io.stdout, err: io.stderr };
};

describe('wardwatch probe', () => {
  it('needs --core and --name', async () => {
    const r = await run(probeCommand, '--name', 'SITE-B');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--core and --name are required');
  });

  it('rejects a name that cannot be a NATS subject token', async () => {
    const r = await run(probeCommand, '--core', nats.url, '--name', 'site b', '--data', join(dir, 'p0'));
    expect(r.code).toBe(1);
    expect(r.err).toContain('--name: probe name "site b" must be 1–64 letters, digits, "-" or "_"');
  });

  it('exits 3 with a clear error when the server refuses its credentials', async () => {
    const seed = join(dir, 'unknown.nk');
    writeFileSync(seed, newProbeKey().seed);
    const r = await run(probeCommand, '--core', nats.url, '--name', 'SITE-B', '--nkey', seed, '--data', join(dir, 'p1'));
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/^wardwatch probe could not start: nats:\/\/127\.0\.0\.1:\d+ refused probe SITE-B: .*Authorization Violation/i);
  });

  it('says which seed file is not a seed', async () => {
    const seed = join(dir, 'garbage.nk');
    writeFileSync(seed, 'not a seed');
    const r = await run(probeCommand, '--core', nats.url, '--name', 'SITE-B', '--nkey', seed, '--data', join(dir, 'p2'));
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${seed}: expected an NKEY user seed (SU followed by 56 base32 characters)`);
  });
});

describe('wardwatch probes', () => {
  it('lists, approves and rejects probes in the core store', async () => {
    const data = join(dir, 'core');
    expect((await run(probesCommand, 'list', '--data', data)).out).toBe('no remote probe has connected yet\n');
    const store = openSqliteStore({ path: join(data, 'wardwatch.db') });
    await (await openClusterTables(store)).seen('SITE-B', Date.UTC(2026, 0, 5));
    await store.close();
    expect((await run(probesCommand, 'list', '--data', data)).out).toMatch(/^SITE-B\s+pending\s+last seen 2026-01-05T00:00:00.000Z\n$/);
    const ok = await run(probesCommand, 'approve', 'SITE-B', '--by', 'alice', '--data', data);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^SITE-B\s+approved .*\(approved by alice /);
    const unknown = await run(probesCommand, 'reject', 'SITE-X', '--data', data);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toBe('probe "SITE-X" is not known: it appears once it has connected to the core\'s NATS\n');
    expect((await run(probesCommand, 'approve', '--data', data)).err).toContain('probes approve: which probe? (NAME missing)');
  });
});
