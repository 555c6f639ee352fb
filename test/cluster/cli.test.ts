// `wardwatch probe` and `wardwatch probes`, in process (the lead wires them into main.ts).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openClusterTables } from '../../src/cluster/registry.ts';
import { newProbeKey } from '../../src/cluster/server-config.ts';
import { bufferIo } from '../../src/cli/io.ts';
import { parseListen, probeCommand, readReceiversFile } from '../../src/cli/probe.ts';
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

describe('wardwatch probe --receivers', () => {
  it('reads the receivers section, and names file:line:col and the field of a bad one', async () => {
    const good = join(dir, 'receivers.yaml');
    writeFileSync(good, 'receivers:\n  syslog:\n    udp: { host: 127.0.0.1, port: 5514 }\n');
    expect(readReceiversFile(good)).toMatchObject({ syslog: { udp: { host: '127.0.0.1', port: 5514 }, maxQueue: 10_000 } });
    const bad = join(dir, 'bad-receivers.yaml');
    writeFileSync(bad, 'receivers:\n  syslog:\n    udp:\n      port: 99999\n');
    const r = await run(probeCommand, '--core', nats.url, '--name', 'SITE-B', '--receivers', bad, '--data', join(dir, 'p3'));
    expect(r.code).toBe(2);
    expect(r.err).toBe(`${bad}:4:13: receivers.syslog.udp.port: expected integer 1–65535, got 99999\n`);
    const none = join(dir, 'no-section.yaml');
    writeFileSync(none, 'syslog: {}\n');
    expect(() => readReceiversFile(none)).toThrow(`${none}: expected a "receivers:" section`);
    expect(() => readReceiversFile(join(dir, 'missing.yaml'))).toThrow(`--receivers ${join(dir, 'missing.yaml')}: ENOENT`);
  });

  it('reads --push HOST:PORT and says what is wrong with a bad one', async () => {
    expect(parseListen('0.0.0.0:8081', '--push')).toEqual({ host: '0.0.0.0', port: 8081 });
    expect(parseListen('[::1]:8081', '--push')).toEqual({ host: '::1', port: 8081 });
    const r = await run(probeCommand, '--core', nats.url, '--name', 'SITE-B', '--push', '8081', '--data', join(dir, 'p4'));
    expect(r.code).toBe(2);
    expect(r.err).toBe('--push: expected HOST:PORT with a port 1–65535 (e.g. 0.0.0.0:8081), got "8081"\n');
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
