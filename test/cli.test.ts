// The `wardwatch` command: check (Nagios conventions), validate and docs, in process through
// main() and once through the real bin shim.

import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import { bufferIo } from '../src/cli/io.ts';
import { closedPort } from '../src/sim/closed-port.ts';
import { SENSOR_KINDS } from '../src/sensors/registry.ts';
import { renderAllDocs } from '../src/sensors/docs.ts';

const run = async (...argv: string[]) => {
  const io = bufferIo();
  const code = await main(argv, io);
  return { code, out: io.stdout, err: io.stderr };
};

describe('wardwatch check', () => {
  let server: net.Server;
  let port: number;
  beforeAll(async () => {
    server = net.createServer((s) => {
      s.on('error', () => undefined); // the check may reset the connection once it has its answer
      s.end('220 ready\r\n');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(() => server.close());

  it('exits 0 with a status line and perfdata when the check is OK', async () => {
    const r = await run('check', 'tcp', '--host', '127.0.0.1', '--port', String(port));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^WARDWATCH TCP OK - .* \| connectTimeMs=[\d.]+ms;/);
  });

  it('exits 2 CRITICAL when the port is refused', async () => {
    const r = await run('check', 'tcp', '--host', '127.0.0.1', '--port', String(await closedPort()));
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/^WARDWATCH TCP CRITICAL - Connection refused/);
  });

  it('exits 3 UNKNOWN and names the bad option', async () => {
    const r = await run('check', 'tcp', '--host', '127.0.0.1', '--port', 'abc');
    expect(r.code).toBe(3);
    expect(r.err).toBe('UNKNOWN - invalid options\n--port: expected integer 1–65535, got "abc"\n');
    const unknown = await run('check', 'nope');
    expect(unknown.code).toBe(3);
    expect(unknown.err).toContain('no sensor kind "nope"; known kinds: ');
  });

  it('prints JSON with --json, and a limit breach decides the state', async () => {
    const r = await run('check', 'synthetic', '--base', '100', '--amplitude', '0', '--json');
    expect(r.code).toBe(0);
    const body = JSON.parse(r.out) as { state: string; channels: { key: string; value: number }[] };
    expect(body.state).toBe('ok');
    expect(body.channels).toEqual([{ key: 'value', value: 100, unit: 'value' }]);
  });

  it('lists every option of a kind with --help', async () => {
    const r = await run('check', 'tcp', '--help');
    expect(r.code).toBe(0);
    expect(r.out).toContain('--port');
  });

  it('runs through the real bin shim', async () => {
    const res = await promisify(execFile)(process.execPath, ['bin/wardwatch.js', 'check', 'tcp', '--host', '127.0.0.1', '--port', String(port)], { cwd: join(import.meta.dirname, '..') });
    expect(res.stdout).toMatch(/^WARDWATCH TCP OK/);
  });
});

describe('wardwatch validate', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wardwatch-cli-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('accepts a valid file and rejects an invalid one with file:line:column', async () => {
    const good = join(dir, 'good.yaml');
    await writeFile(good, 'sites:\n  - name: A\n    probes:\n      - name: P\n        groups:\n          - name: G\n            system: PACS\n            devices:\n              - name: D\n                host: 127.0.0.1\n                sensors:\n                  - { name: S, kind: tcp, port: 104 }\n');
    const ok = await run('validate', good);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('OK');
    const bad = join(dir, 'hospital.yaml');
    await writeFile(bad, 'sites:\n  - name: A\n    probes:\n      - name: P\n        groups:\n          - name: G\n            system: PACS\n            devices:\n              - name: D\n                host: 127.0.0.1\n                sensors:\n                  - name: S\n                    kind: tcp\n                    port: "abc"\n');
    const r = await run('validate', bad);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${bad}:14:27 sites[0].probes[0].groups[0].devices[0].sensors[0].port: expected integer 1–65535, got "abc"`);
  });
});

describe('wardwatch docs', () => {
  it('writes one page per registered kind and an index', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wardwatch-docs-'));
    try {
      const r = await run('docs', '--out', dir);
      expect(r.code).toBe(0);
      const files = (await readdir(dir)).sort();
      expect(files).toEqual(['index.md', ...SENSOR_KINDS.map((k) => `${k.kind}.md`)].sort());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps the committed docs/sensors identical to what the registry renders (run `npm run docs` after changing a kind)', async () => {
    const pages = renderAllDocs(SENSOR_KINDS);
    const dir = join(import.meta.dirname, '..', 'docs', 'sensors');
    expect((await readdir(dir)).filter((f) => f.endsWith('.md')).sort()).toEqual([...pages.keys()].sort());
    for (const [file, text] of pages) expect(await readFile(join(dir, file), 'utf8'), file).toBe(text);
  });
});

describe('wardwatch simulate', () => {
  it('starts every simulator, prints where they listen, and stops them', async () => {
    const io = bufferIo();
    let stop!: () => void;
    const until = new Promise<void>((r) => (stop = r));
    const { simulateCommand } = await import('../src/cli/simulate.ts');
    const done = simulateCommand(['--ae-title', 'PACS'], io, until);
    for (let i = 0; i < 200 && !io.stdout.includes('Ctrl-C'); i++) await new Promise((r) => setTimeout(r, 25));
    const dicomPort = Number(/dicom:\/\/127\.0\.0\.1:(\d+)/.exec(io.stdout)?.[1]);
    const r = await run('check', 'dicom-echo', '--host', '127.0.0.1', '--port', String(dicomPort), '--calledAe', 'PACS');
    expect(r.out).toMatch(/^WARDWATCH DICOM-ECHO OK/);
    const rejected = await run('check', 'dicom-echo', '--host', '127.0.0.1', '--port', String(dicomPort), '--calledAe', 'OTHER');
    expect(rejected.code).toBe(2);
    expect(rejected.out).toContain('called AE title not recognized');
    stop();
    expect(await done).toBe(0);
  });

  it('names a bad port', async () => {
    const io = bufferIo();
    const { simulateCommand } = await import('../src/cli/simulate.ts');
    expect(await simulateCommand(['--dicom', 'x'], io, Promise.resolve())).toBe(2);
    expect(io.stderr).toBe('--dicom: expected integer 0–65535, got "x"\n');
  });
});

describe('wardwatch snmp-interfaces', () => {
  it('lists the interfaces of an agent, and names a failure', async () => {
    const { startSnmpAgent } = await import('../src/sim/snmp/index.ts');
    const agent = await startSnmpAgent({ profile: 'switch48' });
    try {
      const r = await run('snmp-interfaces', '--host', '127.0.0.1', '--port', String(agent.port), '--community', 'public');
      expect(r.code).toBe(0);
      const lines = r.out.trim().split('\n');
      expect(lines[0]).toMatch(/^ifIndex\s+ifName\s+ifDescr/);
      expect(lines).toHaveLength(49);
      expect(lines[12]).toMatch(/^12\s+Gi1\/0\/12\s+GigabitEthernet1\/0\/12\b.*64-bit$/);
      const bad = await run('snmp-interfaces', '--host', '127.0.0.1', '--port', String(agent.port), '--community', 'wrong', '--request-timeout', '200ms', '--request-retries', '0');
      expect(bad.code).toBe(1);
      expect(bad.err).toMatch(/^The SNMP agent did not answer/);
    } finally {
      await agent.close();
    }
  });
});
