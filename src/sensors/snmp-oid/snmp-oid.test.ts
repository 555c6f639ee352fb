import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outcomeOf } from '../../core/state.ts';
import { startSnmpAgent, type SimulatedSnmpAgent } from '../../sim/snmp/index.ts';
import { testCtx } from '../snmp-system/testing/ctx.ts';
import { SNMPD_COMMUNITY, startSnmpd, type Snmpd } from '../snmp-system/testing/snmpd.ts';
import { snmpOidKind } from './index.ts';

const parse = (s: Record<string, unknown>) => snmpOidKind.settings.parse({ host: '127.0.0.1', requestTimeout: '3s', requestRetries: 0, ...s });

describe('snmp-oid against net-snmp snmpd', () => {
  let snmpd: Snmpd;
  beforeAll(async () => {
    snmpd = await startSnmpd();
  });
  afterAll(async () => {
    await snmpd?.stop();
  });
  const on = (s: Record<string, unknown>) => parse({ port: snmpd.port, community: SNMPD_COMMUNITY, ...s });

  it('reads a gauge (hrSystemProcesses)', async () => {
    const r = await snmpOidKind.check(on({ oid: '.1.3.6.1.2.1.25.1.6.0', channelName: 'Processes', unit: 'count' }), testCtx());
    expect(r.error).toBeUndefined();
    expect(r.channels[0]).toMatchObject({ key: 'value', unit: 'count', name: 'Processes' });
    expect(r.channels[0]!.value).toBeGreaterThan(0);
    expect(r.message).toBe(`Processes ${r.channels[0]!.value}`);
  });

  it('walks a table column and aggregates it', async () => {
    const count = await snmpOidKind.check(on({ oid: '1.3.6.1.2.1.25.2.3.1.3', walk: true, aggregate: 'count', channelName: 'Storage areas' }), testCtx());
    expect(count.channels[0]!.value).toBeGreaterThanOrEqual(3);
    expect(count.message).toBe(`Storage areas: ${count.channels[0]!.value} rows under 1.3.6.1.2.1.25.2.3.1.3`);
    const sum = await snmpOidKind.check(on({ oid: '1.3.6.1.2.1.25.2.3.1.5', walk: true, aggregate: 'max' }), testCtx());
    expect(sum.error).toBeUndefined();
    expect(sum.message).toMatch(new RegExp(`^Value: max of ${count.channels[0]!.value} rows \\d+$`));
  });

  it('turns a Counter64 into a rate', async () => {
    const ctx = testCtx({ real: true });
    const s = on({ oid: '1.3.6.1.2.1.31.1.1.1.6.1', mode: 'counter', unit: 'bytes/s' });
    const first = await snmpOidKind.check(s, ctx);
    expect(first.message).toBe('Value: first sample: the rate follows from the next check on');
    const second = await snmpOidKind.check(s, ctx);
    expect(second.channels[0]!.value).toBeGreaterThanOrEqual(0);
    expect(second.message).toMatch(/^Value [\d.]+ bytes\/s$/);
  });

  it('reports noSuchObject and a text where a number was expected', async () => {
    const missing = await snmpOidKind.check(on({ oid: '1.3.6.1.4.1.99999.1.0' }), testCtx());
    expect(missing).toEqual({ channels: [], error: 'SNMP_NO_SUCH_OBJECT', message: '1.3.6.1.4.1.99999.1.0: noSuchObject' });
    const inst = await snmpOidKind.check(on({ oid: '1.3.6.1.2.1.1.3.7' }), testCtx());
    expect(inst).toEqual({ channels: [], error: 'SNMP_NO_SUCH_INSTANCE', message: '1.3.6.1.2.1.1.3.7: noSuchInstance' });
    const text = await snmpOidKind.check(on({ oid: '1.3.6.1.2.1.1.5.0' }), testCtx());
    expect(text).toEqual({ channels: [], error: 'SNMP_VALUE_NOT_NUMERIC', message: '1.3.6.1.2.1.1.5.0 is "wardwatch-snmpd", not a number' });
  });

  it('over v1 an unknown OID is noSuchName', async () => {
    const r = await snmpOidKind.check(on({ oid: '1.3.6.1.4.1.99999.1.0', version: 1 }), testCtx());
    expect(r).toEqual({ channels: [], error: 'SNMP_NO_SUCH_OBJECT', message: '1.3.6.1.4.1.99999.1.0: noSuchName (SNMPv1)' });
  });
});

describe('snmp-oid against the simulated UPS and server', () => {
  const clock = { now: Date.UTC(2026, 0, 5, 8, 0, 0) };
  let ups: SimulatedSnmpAgent;
  let server: SimulatedSnmpAgent;
  beforeAll(async () => {
    ups = await startSnmpAgent({ profile: 'ups', community: 'sim', now: () => clock.now });
    server = await startSnmpAgent({ profile: 'server', community: 'sim', now: () => clock.now });
  });
  afterAll(async () => {
    await ups?.close();
    await server?.close();
  });
  const battery = () =>
    parse({
      port: ups.port,
      community: 'sim',
      oid: '1.3.6.1.2.1.33.1.2.1.0',
      channelName: 'Battery',
      lookup: { '1': { state: 'unknown', text: 'unknown' }, '2': { state: 'up', text: 'normal' }, '3': { state: 'warning', text: 'low' }, '4': { state: 'down', text: 'depleted' } },
    });

  it('maps the UPS battery status through the lookup table', async () => {
    const normal = await snmpOidKind.check(battery(), testCtx());
    expect(normal).toEqual({ channels: [{ key: 'value', value: 2, unit: 'value', name: 'Battery' }], message: 'Battery: normal (2)' });
    ups.setUps({ batteryStatus: 3 });
    const low = await snmpOidKind.check(battery(), testCtx());
    expect(low.status).toBe('warning');
    expect(outcomeOf(low, snmpOidKind.channels)).toEqual({ kind: 'warning', message: 'Battery: low (3)' });
    ups.setUps({ batteryStatus: 4 });
    const depleted = await snmpOidKind.check(battery(), testCtx());
    expect(outcomeOf(depleted, snmpOidKind.channels)).toEqual({ kind: 'failure', message: 'Battery: depleted (4)' });
    ups.setUps({ batteryStatus: 9 });
    const odd = await snmpOidKind.check(battery(), testCtx());
    expect(odd.status).toBe('unknown');
    expect(odd.message).toBe('Battery: value 9 is not in the lookup table');
    ups.setUps({ batteryStatus: 2 });
  });

  it('averages the processor load of the server', async () => {
    const r = await snmpOidKind.check(parse({ port: server.port, community: 'sim', oid: '1.3.6.1.2.1.25.3.3.1.2', walk: true, aggregate: 'avg', unit: '%', channelName: 'CPU' }), testCtx());
    expect(r.channels[0]!.value).toBe((20 + 33 + 46 + 59) / 4);
    expect(r.message).toBe('CPU: avg of 4 rows 39.5 %');
  });

  it('rates a Counter32 across a wrap and skips the sample after a restart', async () => {
    const agent = await startSnmpAgent({ profile: 'switch48', community: 'sim', now: () => clock.now });
    try {
      const ctx = testCtx({ clock });
      const s = parse({ port: agent.port, community: 'sim', oid: '1.3.6.1.2.1.2.2.1.10.3', mode: 'counter', unit: 'bytes/s' });
      agent.setInterface(3, { inOctets: 2n ** 32n - 500n });
      await snmpOidKind.check(s, ctx);
      clock.now += 10_000;
      const moved = agent.octets(3).in - (2n ** 32n - 500n);
      const r = await snmpOidKind.check(s, ctx);
      expect(r.channels[0]!.value).toBe(Number(moved) / 10);
      clock.now += 10_000;
      agent.reboot();
      clock.now += 10_000;
      const after = await snmpOidKind.check(s, ctx);
      expect(after).toEqual({ channels: [], message: 'Value: the agent restarted (sysUpTime went back): the rate follows from the next check on' });
    } finally {
      await agent.close();
    }
  });

  it('validates its settings with readable messages', () => {
    expect(snmpOidKind.settings.safeParse({ host: 'h', oid: 'sysUpTime.0' }).error?.issues[0]?.message).toBe('expected a numeric OID such as 1.3.6.1.2.1.33.1.2.1.0, got "sysUpTime.0"');
    expect(snmpOidKind.settings.safeParse({ host: 'h', oid: '1.3.6.1', walk: true, lookup: {} }).error?.issues[0]?.message).toBe('lookup cannot be combined with walk');
  });
});
