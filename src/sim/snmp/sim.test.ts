import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireCommand } from '../../../test/peers/harness.ts';
import { openSession } from '../../protocols/snmp/client.ts';
import { startSnmpAgent, type SimulatedSnmpAgent } from './index.ts';

// net-snmp's own command-line tools as the client: the simulator must speak real SNMP. Run
// asynchronously: the simulator answers from this very event loop.
const snmp = (tool: string, args: string[]) =>
  new Promise<{ status: number; out: string; err: string }>((resolve) => {
    execFile(tool, ['-On', '-t', '2', '-r', '0', ...args], { encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ status: error ? Number((error as { code?: unknown }).code ?? 1) : 0, out: stdout.trim(), err: stderr.trim() });
    });
  });

describe('simulated switch seen by net-snmp tools', () => {
  const clock = { now: Date.UTC(2026, 0, 5, 8, 0, 0) };
  let agent: SimulatedSnmpAgent;
  const user = { name: 'noc', level: 'authPriv', authProtocol: 'sha', authKey: 'noc-auth-secret', privProtocol: 'aes', privKey: 'noc-priv-secret' } as const;
  beforeAll(async () => {
    requireCommand('snmpget', 'snmp');
    agent = await startSnmpAgent({ profile: 'switch48', community: 'lab', v3Users: [user], now: () => clock.now });
  });
  afterAll(async () => {
    await agent?.close();
  });

  it('walks ifName and serves Counter64 and sysUpTime from the injected clock', async () => {
    const walk = await snmp('snmpwalk', ['-v2c', '-c', 'lab', `127.0.0.1:${agent.port}`, '1.3.6.1.2.1.31.1.1.1.1']);
    expect(walk.status).toBe(0);
    expect(walk.out.split('\n')).toHaveLength(48);
    expect(walk.out.split('\n')[0]).toBe('.1.3.6.1.2.1.31.1.1.1.1.1 = STRING: "Gi1/0/1"');
    clock.now += 90_000;
    const get = await snmp('snmpget', ['-v2c', '-c', 'lab', `127.0.0.1:${agent.port}`, '1.3.6.1.2.1.1.3.0', '1.3.6.1.2.1.31.1.1.1.6.4']);
    expect(get.out.split('\n')[0]).toBe('.1.3.6.1.2.1.1.3.0 = Timeticks: (9000) 0:01:30.00');
    expect(get.out.split('\n')[1]).toBe(`.1.3.6.1.2.1.31.1.1.1.6.4 = Counter64: ${agent.octets(4).in}`);
  });

  it('answers SNMPv3 authPriv and ignores a wrong community', async () => {
    const v3 = await snmp('snmpget', ['-v3', '-l', 'authPriv', '-u', 'noc', '-a', 'SHA', '-A', user.authKey, '-x', 'AES', '-X', user.privKey, `127.0.0.1:${agent.port}`, '1.3.6.1.2.1.1.5.0']);
    expect(v3.out).toBe('.1.3.6.1.2.1.1.5.0 = STRING: "sim-switch48"');
    const wrong = await snmp('snmpget', ['-t', '0.3', '-v2c', '-c', 'nope', `127.0.0.1:${agent.port}`, '1.3.6.1.2.1.1.5.0']);
    expect(wrong.status).not.toBe(0);
    expect(wrong.err).toContain('Timeout');
  });

  it('brings a port down and up', async () => {
    agent.setInterface(12, { operStatus: 'down' });
    expect((await snmp('snmpget', ['-v2c', '-c', 'lab', `127.0.0.1:${agent.port}`, '1.3.6.1.2.1.2.2.1.8.12'])).out).toBe('.1.3.6.1.2.1.2.2.1.8.12 = INTEGER: 2');
    agent.setInterface(12, { operStatus: 'up' });
    expect((await snmp('snmpget', ['-v2c', '-c', 'lab', `127.0.0.1:${agent.port}`, '1.3.6.1.2.1.2.2.1.8.12'])).out).toBe('.1.3.6.1.2.1.2.2.1.8.12 = INTEGER: 1');
  });
});

describe('a small agent that answers tooBig', () => {
  it('the client halves its GETs until they fit', async () => {
    const agent = await startSnmpAgent({ profile: 'switch48', community: 'lab', maxVarbinds: 10 });
    const session = openSession({ host: '127.0.0.1', port: agent.port, version: '2c', community: 'lab', timeoutMs: 2000, retries: 0 });
    try {
      const oids = Array.from({ length: 40 }, (_, i) => `1.3.6.1.2.1.2.2.1.8.${i + 1}`);
      const values = await session.get(oids);
      expect([...values.values()].every((v) => v.kind === 'int' && v.value === 1)).toBe(true);
      expect(values.size).toBe(40);
      // 40 → 2×20 → 4×10: one refused request of 40, two of 20, then four that fit.
      expect(session.stats.requests).toBe(7);
    } finally {
      session.close();
      await agent.close();
    }
  });
});
