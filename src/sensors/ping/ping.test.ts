import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { fpingArgs, parseFpingOutput, type SpawnFn } from './fping.ts';
import { createPingKind, pingKind, readingFromSamples } from './index.ts';
import { makeContext, runSensorContract } from '../testing/contract.ts';

const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');

/** A spawn that records every process it starts. */
function countingSpawn(): { spawn: SpawnFn; calls: string[][] } {
  const calls: string[][] = [];
  const wrapped = ((cmd: string, args: readonly string[], opts: object) => {
    calls.push([cmd, ...args]);
    return spawn(cmd, args, opts);
  }) as SpawnFn;
  return { spawn: wrapped, calls };
}

const fast = { count: 2, periodMs: 20, packetSize: 56, timeoutMs: 500 };

describe('fping output parser', () => {
  it('parses a normal summary line', () => {
    expect([...parseFpingOutput(fixture('normal.txt'))]).toEqual([['127.0.0.1', [0.048, 0.051, 0.049, 0.062, 0.055]]]);
  });

  it('keeps lost packets as null', () => {
    expect(parseFpingOutput(fixture('partial-loss.txt')).get('10.20.30.40')).toEqual([1.21, null, 1.35, null, 1.18]);
    expect(parseFpingOutput(fixture('total-loss.txt')).get('10.255.255.1')).toEqual([null, null, null, null, null]);
  });

  it('parses many hosts, IPv6 and names, and concatenates a repeated host', () => {
    const r = parseFpingOutput(fixture('mixed-hosts.txt'));
    expect([...r.keys()]).toEqual(['127.0.0.1', '127.0.0.2', '::1', 'fe80::1%eth0', 'pacs.hospital.test']);
    expect(r.get('127.0.0.1')).toEqual([0.087, 0.057, 0.052, 0.056, 0.059, 0.081]);
    expect(r.get('127.0.0.2')).toEqual([0.119, null, 0.06]);
    expect(r.get('::1')).toEqual([0.104, 0.056, 0.055]);
    expect(r.get('pacs.hospital.test')).toEqual([null, null, null]);
  });

  it('ignores every line that is not a summary line', () => {
    expect([...parseFpingOutput(fixture('garbage.txt'))]).toEqual([['10.0.0.9', [0.5, 0.6, 0.7]]]);
    expect(parseFpingOutput('').size).toBe(0);
  });

  it('builds the command line with the end of options before the hosts', () => {
    expect(fpingArgs({ count: 3, periodMs: 200, packetSize: 56, timeoutMs: 1000 }, ['a', 'b'])).toEqual(['-C', '3', '-q', '-p', '200', '-t', '1000', '-b', '56', '-B1', '-r0', '-i', '1', '--', 'a', 'b']);
  });
});

describe('ping readings from samples', () => {
  it('computes min/avg/max and loss', () => {
    const r = readingFromSamples('10.20.30.40', parseFpingOutput(fixture('partial-loss.txt')).get('10.20.30.40')!);
    expect(r.error).toBeUndefined();
    expect(r.channels).toEqual([
      { key: 'rttAvgMs', value: 1.247 },
      { key: 'rttMinMs', value: 1.18 },
      { key: 'rttMaxMs', value: 1.35 },
      { key: 'packetLossPct', value: 40 },
    ]);
    expect(r.message).toBe('10.20.30.40: 3/5 replies, rtt min/avg/max 1.18/1.247/1.35 ms, 40% loss');
  });

  it('reports 100% loss as unreachable', () => {
    const r = readingFromSamples('10.255.255.1', [null, null, null]);
    expect(r).toEqual({ channels: [{ key: 'packetLossPct', value: 100 }], error: 'PING_UNREACHABLE', message: '10.255.255.1: no reply to 3 pings (100% loss)' });
  });

  it('declares loss limits: one lost packet in five is fine, two warn, more than half is down', () => {
    const loss = pingKind.channels.find((c) => c.key === 'packetLossPct');
    expect(loss?.limits).toEqual({ upperWarning: 20, upperError: 50 });
    expect(pingKind.channels.find((c) => c.primary)?.key).toBe('rttAvgMs');
  });
});

describe('ping settings', () => {
  it('fills defaults and rejects bad values with a plain message', () => {
    expect(pingKind.settings.parse({ host: '127.0.0.1' })).toEqual({ host: '127.0.0.1', count: 5, periodMs: 200, packetSize: 56, timeoutMs: 1000 });
    const bad = pingKind.settings.safeParse({ host: '127.0.0.1', count: 0 });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toBe('expected a packet count 1–100');
  });
});

describe('ping against real fping', () => {
  it('pings 127.0.0.1 and 127.0.0.2 in one fping process', async () => {
    const { spawn: counting, calls } = countingSpawn();
    const kind = createPingKind({ spawn: counting });
    const items = ['127.0.0.1', '127.0.0.2', '127.0.0.1'].map((h) => ({ settings: { host: h, ...fast }, ctx: makeContext() }));
    const readings = await kind.batch!.check(items, new AbortController().signal);
    expect(calls).toHaveLength(1);
    // the repeated host is pinged once and both sensors get its result
    expect(calls[0]!.slice(-3)).toEqual(['--', '127.0.0.1', '127.0.0.2']);
    expect(readings).toHaveLength(3);
    for (const r of readings) {
      expect(r.error).toBeUndefined();
      const byKey = Object.fromEntries(r.channels.map((c) => [c.key, c.value]));
      expect(byKey.packetLossPct).toBe(0);
      expect(byKey.rttMinMs).toBeGreaterThan(0);
      expect(byKey.rttMinMs).toBeLessThanOrEqual(byKey.rttAvgMs!);
      expect(byKey.rttAvgMs).toBeLessThanOrEqual(byKey.rttMaxMs!);
    }
    expect(readings[1]!.message).toMatch(/^127\.0\.0\.2: 2\/2 replies, rtt min\/avg\/max /);
  });

  it('runs one process per distinct set of probe parameters', async () => {
    const { spawn: counting, calls } = countingSpawn();
    const kind = createPingKind({ spawn: counting });
    const items = [
      { settings: { host: '127.0.0.1', ...fast }, ctx: makeContext() },
      { settings: { host: '127.0.0.2', ...fast, packetSize: 100 }, ctx: makeContext() },
      { settings: { host: '127.0.0.3', ...fast }, ctx: makeContext() },
    ];
    const readings = await kind.batch!.check(items, new AbortController().signal);
    expect(calls).toHaveLength(2);
    expect(readings.map((r) => r.message?.split(':')[0])).toEqual(['127.0.0.1', '127.0.0.2', '127.0.0.3']);
  });

  it('reports an unresolvable name as ENOTFOUND and still pings the others', async () => {
    const items = ['no-such-host.invalid', '127.0.0.1'].map((h) => ({ settings: { host: h, ...fast }, ctx: makeContext() }));
    const [bad, good] = await pingKind.batch!.check(items, new AbortController().signal);
    expect(bad).toEqual({ channels: [], error: 'ENOTFOUND', message: 'no-such-host.invalid: host name could not be resolved' });
    expect(good!.error).toBeUndefined();
  });

  it('check() alone is a batch of one', async () => {
    const { spawn: counting, calls } = countingSpawn();
    const r = await createPingKind({ spawn: counting }).check({ host: '127.0.0.1', ...fast }, makeContext());
    expect(calls).toHaveLength(1);
    expect(r.channels.map((c) => c.key)).toEqual(['rttAvgMs', 'rttMinMs', 'rttMaxMs', 'packetLossPct']);
  });

  it('kills fping when aborted', async () => {
    const { spawn: counting, calls } = countingSpawn();
    const ac = new AbortController();
    // 100 packets 1 s apart would take 100 s: only the abort can end this in time
    const pending = createPingKind({ spawn: counting }).check({ host: '127.0.0.1', count: 100, periodMs: 1000, packetSize: 56, timeoutMs: 1000 }, makeContext({ signal: ac.signal }));
    ac.abort();
    expect(await pending).toEqual({ channels: [], error: 'ABORTED', message: 'ping was cancelled' });
    expect(calls).toHaveLength(1);
  });

  it('says how to install fping when it is missing', async () => {
    const r = await createPingKind({ fping: '/nonexistent/fping' }).check({ host: '127.0.0.1', ...fast }, makeContext());
    expect(r).toEqual({ channels: [], error: 'TOOL_MISSING', message: 'fping is not installed: apt-get install fping' });
  });
});

runSensorContract(pingKind, { good: async () => ({ host: '127.0.0.1', ...fast }) });
