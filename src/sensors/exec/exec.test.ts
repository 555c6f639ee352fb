import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outcomeOf } from '../../core/state.ts';
import { runSensorContract } from '../testing/contract.ts';
import { startHangingServer, type TestServer } from '../testing/peers.ts';
import { testCtx } from '../snmp-system/testing/ctx.ts';
import { createExecKind, execKind } from './index.ts';

const PLUGINS = '/usr/lib/nagios/plugins';
const parse = (s: Record<string, unknown>) => execKind.settings.parse(s);

describe('exec with the Debian monitoring-plugins', () => {
  it.each([
    [0, 'OK: all fine', undefined, 'ok'],
    [1, 'WARNING: all fine', 'warning', 'warning'],
    [2, 'CRITICAL: all fine', 'down', 'failure'],
    [3, 'UNKNOWN: all fine', 'unknown', 'unknown'],
  ] as const)('check_dummy %i maps to its state', async (code, message, status, outcome) => {
    const r = await execKind.check(parse({ command: 'check_dummy', args: [String(code), 'all fine'] }), testCtx({ real: true }));
    expect(r.message).toBe(message);
    expect(r.status).toBe(status);
    expect(r.error).toBeUndefined();
    expect(outcomeOf(r, execKind.channels).kind).toBe(outcome);
    expect(r.channels[0]!.key).toBe('executionTimeMs');
  });

  it('passes arguments verbatim, never through a shell', async () => {
    const r = await execKind.check(parse({ command: `${PLUGINS}/check_dummy`, args: ['0', '$(id) `id`; echo pwned && true > /x'] }), testCtx({ real: true }));
    expect(r.message).toBe('OK: $(id) `id`; echo pwned && true > /x');
  });

  it('check_tcp against a local listener: Up with a time channel in seconds', async () => {
    const srv = net.createServer((s) => s.end());
    srv.listen(0, '127.0.0.1');
    await once(srv, 'listening');
    try {
      const port = (srv.address() as net.AddressInfo).port;
      const r = await execKind.check(parse({ command: 'check_tcp', host: '127.0.0.1', args: ['-H', '{host}', '-p', String(port)] }), testCtx({ real: true }));
      expect(r.status).toBeUndefined();
      expect(r.message).toMatch(new RegExp(`^TCP OK - [\\d.]+ second response time on 127\\.0\\.0\\.1 port ${port}$`));
      const time = r.channels.find((c) => c.key === 'time');
      expect(time).toMatchObject({ unit: 's', name: 'time' });
      expect(time!.value).toBeGreaterThanOrEqual(0);
    } finally {
      srv.close();
    }
  });

  it('check_tcp against a closed port is Down with the plugin text', async () => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1');
    await once(srv, 'listening');
    const port = (srv.address() as net.AddressInfo).port;
    await new Promise<void>((r) => srv.close(() => r()));
    const r = await execKind.check(parse({ command: 'check_tcp', args: ['-H', '127.0.0.1', '-p', String(port)] }), testCtx({ real: true }));
    expect(r.status).toBe('down');
    expect(r.message).toBe(`connect to address 127.0.0.1 and port ${port}: Connection refused`);
  });

  it('check_disk / gives a byte channel with its limits', async () => {
    const r = await execKind.check(parse({ command: 'check_disk', args: ['-w', '0%', '-c', '0%', '-p', '/'] }), testCtx({ real: true }));
    expect(r.message).toMatch(/^DISK OK/);
    const root = r.channels.find((c) => c.key === 'root');
    expect(root).toMatchObject({ unit: 'bytes', name: '/' });
    expect(root!.value).toBeGreaterThan(0);
  });
});

describe('exec: resolution, timeouts and odd plugins', () => {
  let dir: string;
  let kind: ReturnType<typeof createExecKind>;
  const script = (name: string, body: string, mode = 0o755) => {
    writeFileSync(path.join(dir, name), `#!/bin/sh\n${body}\n`);
    chmodSync(path.join(dir, name), mode);
  };
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ww-plugins-'));
    kind = createExecKind({ pluginDirs: [dir] });
    script('check_slow', `sleep 30 & echo $! > "${dir}/child.pid"\nwait`);
    script('check_env', 'echo "OK - greeting=$GREETING home=${HOME:-unset} | n=1"');
    script('check_seven', 'echo "weird"; exit 7');
    script('check_broken', "echo \"OK - fine | good=1 bad=x 'open=2\"");
    script('check_noexec', 'echo hi', 0o644);
    script('check_multi', 'printf "OK - first line\\nmore text\\n| a=1;2;3\\nb=2s\\n"');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('kills the plugin and its children on timeout', async () => {
    const r = await kind.check(parse({ command: 'check_slow', pluginTimeout: '300ms' }), testCtx({ real: true }));
    expect(r.error).toBe('EXEC_TIMEOUT');
    expect(r.message).toBe('check_slow was killed after 300 ms');
    const child = Number(readFileSync(path.join(dir, 'child.pid'), 'utf8'));
    // Gone, or a zombie waiting for a reaper (the container's init may never reap it): not running.
    const state = () => {
      try {
        return readFileSync(`/proc/${child}/stat`, 'utf8').split(') ')[1]?.[0];
      } catch {
        return 'gone';
      }
    };
    expect(['gone', 'Z', 'X']).toContain(state());
  });

  it('stops when the runner aborts', async () => {
    const ac = new AbortController();
    const p = kind.check(parse({ command: 'check_slow' }), testCtx({ real: true, signal: ac.signal }));
    ac.abort();
    expect(await p).toMatchObject({ error: 'ABORTED', message: 'check_slow was killed: the check was cancelled' });
  });

  it('gives the plugin only the environment it is told', async () => {
    const r = await kind.check(parse({ command: 'check_env', env: { GREETING: 'hello' } }), testCtx({ real: true }));
    expect(r.message).toBe('OK - greeting=hello home=unset');
  });

  it('an exit code outside 0..3 is Unknown and says so', async () => {
    const r = await kind.check(parse({ command: 'check_seven' }), testCtx({ real: true }));
    expect(r.status).toBe('unknown');
    expect(r.message).toBe('check_seven exited with code 7, which is not a plugin status (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN): weird');
  });

  it('broken perfdata keeps the valid part, notes the problem, and the exit code decides', async () => {
    const r = await kind.check(parse({ command: 'check_broken' }), testCtx({ real: true }));
    expect(r.status).toBeUndefined();
    expect(r.error).toBeUndefined();
    expect(r.message).toBe("OK - fine [EXEC_PERFDATA_INVALID: bad=x: value \"x\" is not a number; 'open=2: the quote of the label is not closed]");
    expect(r.channels.map((c) => c.key)).toEqual(['executionTimeMs', 'good']);
  });

  it('reads perfdata from later lines', async () => {
    const r = await kind.check(parse({ command: 'check_multi' }), testCtx({ real: true }));
    expect(r.message).toBe('OK - first line');
    expect(r.channels.slice(1)).toEqual([
      { key: 'a', value: 1, unit: 'value', name: 'a', limits: { upperWarning: 2, lowerWarning: 0, upperError: 3, lowerError: 0 } },
      { key: 'b', value: 2, unit: 's', name: 'b' },
    ]);
  });

  it('refuses what it must not run', async () => {
    expect(await kind.check(parse({ command: 'check_nothing' }), testCtx())).toEqual({ channels: [], error: 'EXEC_NOT_FOUND', message: `plugin check_nothing is not in ${dir}` });
    expect(await kind.check(parse({ command: '/nonexistent/check_x' }), testCtx())).toEqual({ channels: [], error: 'EXEC_NOT_FOUND', message: '/nonexistent/check_x does not exist' });
    expect(await kind.check(parse({ command: 'check_noexec' }), testCtx())).toEqual({ channels: [], error: 'EXEC_NOT_EXECUTABLE', message: `${dir}/check_noexec is not executable by the probe's user` });
    expect(await kind.check(parse({ command: '../bin/sh' }), testCtx())).toEqual({ channels: [], error: 'BAD_SETTINGS', message: 'command "../bin/sh" must be an absolute path or a plugin name without a slash' });
    expect(await kind.check(parse({ command: 'check_env', args: ['-H', '{host}'] }), testCtx())).toEqual({ channels: [], error: 'BAD_SETTINGS', message: 'the arguments use {host} but the sensor and its device have no host' });
    expect(execKind.settings.safeParse({ command: 'x', cwd: 'relative' }).error?.issues[0]?.message).toBe('cwd must be an absolute path');
  });
});

const hangers: TestServer[] = [];
afterAll(async () => {
  for (const h of hangers) await h.close();
});
runSensorContract(execKind, {
  good: async () => ({ command: 'check_dummy', args: ['0', 'fine'] }),
  refused: async () => ({ command: 'check_not_installed_anywhere' }),
  refusedError: 'EXEC_NOT_FOUND',
  hang: async () => {
    // check_tcp waiting for a banner that never comes.
    const srv = await startHangingServer();
    hangers.push(srv);
    return { settings: { command: 'check_tcp', args: ['-H', '127.0.0.1', '-p', String(srv.port), '-e', 'HELLO', '-t', '30'] }, accepted: srv.nextConnection() };
  },
});
