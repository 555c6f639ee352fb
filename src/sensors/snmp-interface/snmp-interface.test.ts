import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openSession, type SessionFactory, type SnmpSession } from '../../protocols/snmp/client.ts';
import { startSnmpAgent, type SimulatedSnmpAgent } from '../../sim/snmp/index.ts';
import type { Reading } from '../../core/model.ts';
import { testCtx } from '../snmp-system/testing/ctx.ts';
import { SNMPD_COMMUNITY, startSnmpd, type Snmpd } from '../snmp-system/testing/snmpd.ts';
import { createSnmpInterfaceKind, listInterfaces, snmpInterfaceKind } from './index.ts';

const parse = (s: Record<string, unknown>) => snmpInterfaceKind.settings.parse({ host: '127.0.0.1', requestTimeout: '3s', requestRetries: 0, ...s });
const value = (r: Reading, key: string) => r.channels.find((c) => c.key === key)?.value;

describe('snmp-interface against net-snmp snmpd', () => {
  let snmpd: Snmpd;
  beforeAll(async () => {
    snmpd = await startSnmpd();
  });
  afterAll(async () => {
    await snmpd?.stop();
  });

  it('finds the loopback interface by ifName and reports its traffic from 64-bit counters', async () => {
    const ctx = testCtx({ real: true });
    const s = parse({ port: snmpd.port, community: SNMPD_COMMUNITY, ifName: 'lo' });
    const first = await snmpInterfaceKind.check(s, ctx);
    expect(first.error).toBeUndefined();
    expect(first.message).toMatch(/^lo \(ifIndex \d+\) up(, [\d.]+ \S+)?: first sample: rates from the next check on$/);
    expect(value(first, 'operStatus')).toBe(1);
    const second = await snmpInterfaceKind.check(s, ctx);
    expect(second.error).toBeUndefined();
    // snmpd caches the interface table for a few seconds, so the rate between two quick checks may be 0.
    expect(value(second, 'trafficInBps')).toBeGreaterThanOrEqual(0);
    expect(second.message).toMatch(/^lo \(ifIndex \d+\) up, [\d.]+ \S+: in \d+(\.\d)? \S+, out \d+(\.\d)? \S+$/);
    expect(value(second, 'trafficTotalBps')).toBe(value(second, 'trafficInBps')! + value(second, 'trafficOutBps')!);
    expect(value(second, 'errorsPerS')).toBe(0);
    expect((ctx.memory.get('snmp-interface') as { hc?: boolean }).hc).toBe(true);
  });

  it('lists the interfaces of the host', async () => {
    const r = await listInterfaces({ host: '127.0.0.1', port: snmpd.port, community: SNMPD_COMMUNITY });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.interfaces.find((i) => i.ifName === 'lo')).toMatchObject({ ifDescr: 'lo', ifType: 24, operStatus: 'up', adminStatus: 'up', highCapacity: true });
  });

  it('over v1 falls back to 32-bit counters', async () => {
    const ctx = testCtx({ real: true });
    const s = parse({ port: snmpd.port, community: SNMPD_COMMUNITY, version: 1, ifName: 'lo' });
    await snmpInterfaceKind.check(s, ctx);
    const r = await snmpInterfaceKind.check(s, ctx);
    expect(r.error).toBeUndefined();
    expect(value(r, 'trafficInBps')).toBeGreaterThanOrEqual(0);
    expect((ctx.memory.get('snmp-interface') as { sample?: { bits: number } }).sample?.bits).toBe(32);
  });
});

describe('snmp-interface against the simulated switch', () => {
  const clock = { now: Date.UTC(2026, 0, 5, 8, 0, 0) };
  let agent: SimulatedSnmpAgent;
  let old: SimulatedSnmpAgent;
  beforeAll(async () => {
    agent = await startSnmpAgent({ profile: 'switch48', community: 'sim', now: () => clock.now });
    old = await startSnmpAgent({ profile: 'switch48', community: 'sim', now: () => clock.now, noHighCapacity: true });
    clock.now += 3_600_000;
  });
  afterAll(async () => {
    await agent?.close();
    await old?.close();
  });
  afterEach(() => {
    for (let i = 1; i <= 47; i++) agent.setInterface(i, { operStatus: 'up' });
  });
  const sim = (s: Record<string, unknown>) => parse({ port: agent.port, community: 'sim', ...s });

  it('computes exact bits/s and utilisation from the 64-bit counters', async () => {
    const ctx = testCtx({ clock });
    const s = sim({ ifName: 'Gi1/0/7' });
    await snmpInterfaceKind.check(s, ctx);
    const a = agent.octets(7);
    clock.now += 60_000;
    const b = agent.octets(7);
    const r = await snmpInterfaceKind.check(s, ctx);
    const inBps = Math.round((Number(b.in - a.in) * 8) / 60);
    const outBps = Math.round((Number(b.out - a.out) * 8) / 60);
    expect(value(r, 'trafficInBps')).toBe(inBps);
    expect(value(r, 'trafficOutBps')).toBe(outBps);
    expect(value(r, 'utilisationInPct')).toBe(Math.round((inBps / 1e9) * 100 * 100) / 100);
    expect(r.message).toMatch(/^Gi1\/0\/7 \(ifIndex 7\) up, 1\.0 Gbit\/s: in [\d.]+ Mbit\/s, out [\d.]+ Mbit\/s$/);
  });

  it('selects by ifDescr and by ifIndex', async () => {
    const byDescr = await snmpInterfaceKind.check(sim({ ifDescr: 'GigabitEthernet1/0/3' }), testCtx({ clock }));
    expect(byDescr.message).toMatch(/^GigabitEthernet1\/0\/3 \(ifIndex 3\) up/);
    const byIndex = await snmpInterfaceKind.check(sim({ ifIndex: 9 }), testCtx({ clock }));
    expect(byIndex.message).toMatch(/^ifIndex 9 up/);
  });

  it('says which interfaces exist when the name is not found', async () => {
    const r = await snmpInterfaceKind.check(sim({ ifName: 'Gi9/9/9' }), testCtx({ clock }));
    expect(r).toEqual({ channels: [], error: 'SNMP_INTERFACE_NOT_FOUND', message: 'no interface with ifName "Gi9/9/9" (48 interfaces: Gi1/0/1, Gi1/0/2, Gi1/0/3, Gi1/0/4, Gi1/0/5, Gi1/0/6, Gi1/0/7, Gi1/0/8, ...)' });
    const idx = await snmpInterfaceKind.check(sim({ ifIndex: 99 }), testCtx({ clock }));
    expect(idx).toEqual({ channels: [], error: 'SNMP_INTERFACE_NOT_FOUND', message: 'no interface with ifIndex 99' });
  });

  it('is Down when an administratively up port goes down, and fine when a port is shut on purpose', async () => {
    agent.setInterface(5, { operStatus: 'down' });
    const r = await snmpInterfaceKind.check(sim({ ifName: 'Gi1/0/5' }), testCtx({ clock }));
    expect(r.error).toBe('SNMP_INTERFACE_DOWN');
    expect(r.message).toBe('Gi1/0/5 (ifIndex 5) is down (admin up)');
    expect(value(r, 'operStatus')).toBe(2);
    const shut = await snmpInterfaceKind.check(sim({ ifName: 'Gi1/0/48' }), testCtx({ clock }));
    expect(shut.error).toBeUndefined();
    expect(shut.message).toBe('Gi1/0/48 (ifIndex 48) is administratively down');
    const strict = await snmpInterfaceKind.check(sim({ ifName: 'Gi1/0/48', adminDown: 'down' }), testCtx({ clock }));
    expect(strict.error).toBe('SNMP_INTERFACE_DOWN');
  });

  it('skips the rate of the sample after an agent restart instead of reporting a spike', async () => {
    const ctx = testCtx({ clock });
    const s = sim({ ifIndex: 11 });
    await snmpInterfaceKind.check(s, ctx);
    clock.now += 30_000;
    agent.reboot();
    clock.now += 30_000;
    const r = await snmpInterfaceKind.check(s, ctx);
    expect(r.error).toBeUndefined();
    expect(value(r, 'trafficInBps')).toBeUndefined();
    expect(r.message).toBe('ifIndex 11 up, 1.0 Gbit/s: the agent restarted (sysUpTime went back): counters start again, rates from the next check on');
    const a = agent.octets(11);
    clock.now += 30_000;
    const b = agent.octets(11);
    const next = await snmpInterfaceKind.check(s, ctx);
    expect(value(next, 'trafficInBps')).toBe(Math.round((Number(b.in - a.in) * 8) / 30));
  });

  it('corrects one 32-bit counter wrap on an agent without 64-bit counters', async () => {
    const ctx = testCtx({ clock });
    const s = parse({ port: old.port, community: 'sim', ifIndex: 20 });
    await snmpInterfaceKind.check(s, ctx);
    expect((ctx.memory.get('snmp-interface') as { hc?: boolean }).hc).toBe(false);
    old.setInterface(20, { inOctets: 2n ** 32n - 1000n });
    await snmpInterfaceKind.check(s, ctx);
    clock.now += 10_000;
    const moved = old.octets(20).in - (2n ** 32n - 1000n);
    const r = await snmpInterfaceKind.check(s, ctx);
    expect(old.octets(20).in % 2n ** 32n).toBeLessThan(2n ** 32n - 1000n);
    expect(value(r, 'trafficInBps')).toBe(Math.round((Number(moved) * 8) / 10));
    expect(r.message).toMatch(/\(32-bit counter wrapped \(corrected\)\)$/);
  });

  it('refuses to guess when a 32-bit counter may have wrapped more than once', async () => {
    const ctx = testCtx({ clock });
    const s = parse({ port: old.port, community: 'sim', ifIndex: 1 });
    old.setInterface(1, { inOctets: 2n ** 32n - 1000n });
    await snmpInterfaceKind.check(s, ctx);
    clock.now += 60_000;
    const r = await snmpInterfaceKind.check(s, ctx);
    expect(value(r, 'trafficInBps')).toBeUndefined();
    expect(r.message).toBe('ifIndex 1 up, 4.3 Gbit/s: traffic in: 32-bit counter went backwards after 60 s: it may have wrapped more than once at this speed (use SNMP v2c/v3 for 64-bit counters or a shorter interval)');
  });

  it('looks a name up again when its ifIndex moved', async () => {
    const ctx = testCtx({ clock });
    const s = sim({ ifName: 'Gi1/0/30' });
    expect((await snmpInterfaceKind.check(s, ctx)).message).toMatch(/^Gi1\/0\/30 \(ifIndex 30\) up/);
    agent.setInterface(30, { name: 'Gi1/0/30-old' });
    agent.setInterface(31, { name: 'Gi1/0/30' });
    try {
      const moved = await snmpInterfaceKind.check(s, ctx);
      expect(moved).toEqual({ channels: [], error: 'SNMP_INTERFACE_NOT_FOUND', message: 'ifIndex 30 is no longer ifName "Gi1/0/30"; it is looked up again on the next check' });
      expect((await snmpInterfaceKind.check(s, ctx)).message).toMatch(/^Gi1\/0\/30 \(ifIndex 31\) up/);
    } finally {
      agent.setInterface(30, { name: 'Gi1/0/30' });
      agent.setInterface(31, { name: 'Gi1/0/31' });
    }
  });

  it('checks 48 ports in one session with one GET per 50 varbinds', async () => {
    const sessions: SnmpSession[] = [];
    const counting: SessionFactory = (t, o) => {
      const s = openSession(t, o);
      sessions.push(s);
      return s;
    };
    const kind = createSnmpInterfaceKind({ openSession: counting });
    const items = Array.from({ length: 48 }, (_, i) => ({ settings: sim({ ifName: `Gi1/0/${i + 1}` }), ctx: testCtx({ clock }) }));
    await kind.batch!.check(items, new AbortController().signal);
    expect(sessions.length).toBe(1);
    clock.now += 60_000;
    const before = agent.requests;
    const readings = await kind.batch!.check(items, new AbortController().signal);
    expect(sessions.length).toBe(2);
    // 48 × (7 ifTable + 4 ifXTable + 1 ifName check) + one shared sysUpTime = 577 varbinds.
    expect(sessions[1]!.stats.requests).toBe(Math.ceil(577 / 50));
    expect(agent.requests - before).toBe(12);
    expect(readings.filter((r) => r.error === undefined && value(r, 'trafficInBps')! > 0).length).toBe(47);
    expect(readings[47]!.message).toBe('Gi1/0/48 (ifIndex 48) is administratively down');
  });

  it('lists the 48 ports', async () => {
    const r = await listInterfaces({ host: '127.0.0.1', port: agent.port, community: 'sim' });
    expect(r.ok && r.interfaces.length).toBe(48);
    expect(r.ok && r.interfaces[0]).toEqual({ ifIndex: 1, ifDescr: 'GigabitEthernet1/0/1', ifName: 'Gi1/0/1', ifAlias: 'uplink core-1', ifType: 6, speedMbps: 10000, adminStatus: 'up', operStatus: 'up', highCapacity: true });
    const bad = await listInterfaces({ host: '127.0.0.1', port: agent.port, community: 'wrong', requestTimeout: '200ms', requestRetries: 0 });
    expect(bad).toEqual({ ok: false, error: 'SNMP_TIMEOUT', message: `no answer from 127.0.0.1:${agent.port} within 200 ms (1 try); a wrong community looks exactly like this in SNMP v2c (the agent drops the request silently)` });
  });
});
