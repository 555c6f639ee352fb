import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createInbox } from '../../receivers/inbox.ts';
import { startTrapReceiver } from '../../receivers/snmp-trap/index.ts';
import { collector } from '../../receivers/syslog/testing.ts';
import type { ReceivedMessage } from '../../store/store.ts';
import { requireCommand } from '../../../test/peers/harness.ts';
import type { ListenContext, SensorMessage } from '../sensor.ts';
import { RuleTracker } from '../syslog/rules.ts';
import { makeContext } from '../testing/contract.ts';
import { compileTrapRule, snmpTrapKind, snmpTrapSettings } from './index.ts';

const T0 = Date.UTC(2026, 10, 28, 10);
const LINK_DOWN = '1.3.6.1.6.3.1.1.5.3';
const LINK_UP = '1.3.6.1.6.3.1.1.5.4';
const IF_INDEX = '1.3.6.1.2.1.2.2.1.1';

function trap(trapOid: string, ifIndex: number): ReceivedMessage {
  return { receiver: 'snmp-trap', ts: T0, source: '10.0.0.9', severity: 'warning', text: `${trapOid} ifIndex=${ifIndex}`, data: { trapOid, varbinds: [{ oid: `${IF_INDEX}.${ifIndex}`, value: String(ifIndex) }] } };
}

describe('snmp-trap rules (pure)', () => {
  it('matches the trap OID and varbind, and clears only with the clearing trap for the same varbind', () => {
    const s = snmpTrapSettings.parse({ rules: [{ name: 'uplink', oid: `.${LINK_DOWN}`, varbind: { oid: IF_INDEX, value: '3' }, state: 'down', clearOid: LINK_UP }] });
    const t = new RuleTracker(s.rules.map(compileTrapRule), T0);
    expect(t.offer(trap(LINK_DOWN, 4), 'port 4 down', T0).raised).toEqual([]);
    expect(t.offer(trap(LINK_DOWN, 3), 'port 3 down', T0).raised.map((r) => r.name)).toEqual(['uplink']);
    expect(t.offer(trap(LINK_UP, 4), 'port 4 up', T0).cleared).toEqual([]);
    expect(t.verdict(T0)).toEqual({ status: 'down', message: 'port 3 down', rule: 'uplink' });
    expect(t.offer(trap(LINK_UP, 3), 'port 3 up', T0).cleared.map((r) => r.name)).toEqual(['uplink']);
    expect(t.verdict(T0)).toEqual({ status: 'up' });
  });

  it('clears after a quiet period and rejects non-numeric OIDs', () => {
    const s = snmpTrapSettings.parse({ rules: [{ oid: '1.3.6.1.4.1.318.0.5', varbind: { oid: '1.3.6.1.4.1.318.2.3.3.0', regex: 'on battery' }, clearAfter: '10m' }] });
    const t = new RuleTracker(s.rules.map(compileTrapRule), T0);
    const ups: ReceivedMessage = { ...trap('1.3.6.1.4.1.318.0.5', 0), data: { trapOid: '1.3.6.1.4.1.318.0.5', varbinds: [{ oid: '1.3.6.1.4.1.318.2.3.3.0', value: 'UPS On Battery' }] } };
    t.offer(ups, 'ups on battery', T0);
    expect(t.verdict(T0 + 599_999)).toMatchObject({ status: 'warning', rule: '1.3.6.1.4.1.318.0.5' });
    expect(t.verdict(T0 + 600_000)).toEqual({ status: 'up' });
    const bad = snmpTrapSettings.safeParse({ rules: [{ oid: 'linkDown' }] });
    expect(bad.error!.issues.map((i) => i.message)).toEqual(['expected a numeric OID such as 1.3.6.1.6.3.1.1.5.3, got "linkDown"']);
  });
});

describe('snmp-trap sensor with the receiver and snmptrap', () => {
  it('goes Down on linkDown for the watched port and Up on its linkUp', async () => {
    requireCommand('snmptrap', 'snmp');
    const inbox = createInbox();
    const c = collector();
    const receiver = await startTrapReceiver({ host: '127.0.0.1', port: 0, deviceOf: () => 'core-switch', sink: c.sink, inbox });
    let wall = T0;
    const memory = new Map<string, unknown>();
    const recorded: SensorMessage[] = [];
    const lctx: ListenContext = { sensorId: 'core-switch/traps', memory, inbox, now: () => 0, wallNow: () => wall, record: (m) => recorded.push(m), checkNow: () => undefined };
    const settings = snmpTrapSettings.parse({ rules: [{ name: 'uplink port 3', oid: LINK_DOWN, varbind: { oid: IF_INDEX, value: '3' }, state: 'down', clearOid: LINK_UP }] });
    const ctx = makeContext({ memory, sensorId: 'core-switch/traps', wallNow: () => wall });
    const listener = await snmpTrapKind.listen!(settings, lctx);
    const send = (oid: string) =>
      promisify(execFile)('snmptrap', ['-v', '2c', '-c', 'public', `127.0.0.1:${receiver.address.port}`, '', oid, `${IF_INDEX}.3`, 'i', '3'], { env: { ...process.env, MIBS: '' } });
    try {
      await send(LINK_DOWN);
      await c.waitFor(() => true, 'the linkDown trap');
      await receiver.flush();
      wall = T0 + 60_000;
      expect(await snmpTrapKind.check(settings, ctx)).toEqual({
        channels: [{ key: 'trapsPerMin', value: 1 }, { key: 'matchCount', value: 1 }],
        status: 'down',
        message: 'uplink port 3: linkDown (1.3.6.1.6.3.1.1.5.3) ifIndex=3 (1 trap, 1 matching since the last check)',
      });
      await send(LINK_UP);
      await c.waitFor((m) => m.data?.trapOid === LINK_UP, 'the linkUp trap');
      await receiver.flush();
      wall = T0 + 120_000;
      expect(await snmpTrapKind.check(settings, ctx)).toMatchObject({ status: 'up', message: '1 trap, 0 matching since the last check' });
      expect(recorded.map((r) => r.text)).toEqual([
        'uplink port 3: linkDown (1.3.6.1.6.3.1.1.5.3) ifIndex=3',
        'uplink port 3 cleared: linkUp (1.3.6.1.6.3.1.1.5.4) ifIndex=3',
      ]);
    } finally {
      await listener.close();
      await receiver.close();
    }
  });
});
