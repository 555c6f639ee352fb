import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { requireCommand } from '../../../test/peers/harness.ts';
import { createInbox } from '../inbox.ts';
import { collector } from '../syslog/testing.ts';
import type { TrapReceiver, TrapReceiverOptions } from './index.ts';
import { startTrapReceiver } from './index.ts';
import { decodeTrap, oidName, trapText } from './decode.ts';

const run = promisify(execFile);
const LOCAL = '127.0.0.1';
const ENGINE = '8000B98380AABBCCDDEEFF0011';
let receiver: TrapReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

async function start(extra: Partial<TrapReceiverOptions> = {}) {
  const c = collector();
  receiver = await startTrapReceiver({
    host: LOCAL,
    port: 0,
    engineId: ENGINE,
    users: [{ name: 'trapper', level: 'authPriv', authProtocol: 'sha', authKey: 'auth-secret-1', privProtocol: 'aes', privKey: 'priv-secret-1' }],
    deviceOf: (ip) => (ip === LOCAL ? 'core-switch' : undefined),
    sink: c.sink,
    ...extra,
  });
  return { c, r: receiver };
}

const IFINDEX3 = ['1.3.6.1.2.1.2.2.1.1.3', 'i', '3'];

describe('SNMP trap receiver with net-snmp snmptrap', () => {
  it('receives a v1 linkDown trap and translates it to the v2 OID', async () => {
    const inbox = createInbox();
    const published: unknown[] = [];
    inbox.subscribe('trap:core-switch', (m) => published.push(m));
    const { c, r } = await start({ inbox });
    requireCommand('snmptrap', 'snmp');
    await run('snmptrap', ['-v', '1', '-c', 'public', `${LOCAL}:${r.address.port}`, '1.3.6.1.4.1.8072', '127.0.0.1', '2', '0', '', ...IFINDEX3], { env: { ...process.env, MIBS: '' } });
    const m = await c.waitFor(() => true, 'the v1 trap');
    expect(m).toMatchObject({ receiver: 'snmp-trap', source: LOCAL, deviceId: 'core-switch', severity: 'warning', text: 'linkDown (1.3.6.1.6.3.1.1.5.3) ifIndex=3' });
    expect(m.data).toMatchObject({ version: 'v1', trapOid: '1.3.6.1.6.3.1.1.5.3', trapName: 'linkDown', enterprise: '1.3.6.1.4.1.8072', generic: 2, specific: 0, community: 'public', agentAddr: '127.0.0.1' });
    expect(m.data!.varbinds).toEqual([{ oid: '1.3.6.1.2.1.2.2.1.1.3', name: 'ifIndex.3', value: '3' }]);
    await r.flush();
    expect(published).toEqual([m]);
  });

  it('receives v2c traps, v2c informs and v3 authPriv traps', async () => {
    const { c, r } = await start();
    const env = { env: { ...process.env, MIBS: '' } };
    const target = `${LOCAL}:${r.address.port}`;
    await run('snmptrap', ['-v', '2c', '-c', 'public', target, '', '1.3.6.1.6.3.1.1.5.3', ...IFINDEX3, '1.3.6.1.2.1.2.2.1.8.3', 'i', '2'], env);
    await run('snmpinform', ['-v', '2c', '-c', 'public', '-r', '1', '-t', '5', target, '', '1.3.6.1.4.1.318.0.5', '1.3.6.1.4.1.318.2.3.3.0', 's', 'UPS on battery'], env);
    await run('snmptrap', ['-v', '3', '-u', 'trapper', '-l', 'authPriv', '-a', 'SHA', '-A', 'auth-secret-1', '-x', 'AES', '-X', 'priv-secret-1', '-e', `0x${ENGINE}`, target, '', '1.3.6.1.6.3.1.1.5.4', ...IFINDEX3], env);
    await c.waitFor((m) => m.data?.version === 'v3', 'the v3 trap');
    expect(c.messages.map((m) => [m.data?.version, m.text, m.data?.inform ?? false])).toEqual([
      ['v2c', 'linkDown (1.3.6.1.6.3.1.1.5.3) ifIndex=3 ifOperStatus=down', false],
      ['v2c', '1.3.6.1.4.1.318.0.5 1.3.6.1.4.1.318.2.3.3.0=UPS on battery', true],
      ['v3', 'linkUp (1.3.6.1.6.3.1.1.5.4) ifIndex=3', false],
    ]);
    expect(c.messages[2]!.data).toMatchObject({ user: 'trapper' });
  });

  it('records unknown senders without a device, and counts garbage and wrong communities without stopping', async () => {
    const errors: string[] = [];
    const { c, r } = await start({ deviceOf: () => undefined, onError: (e) => errors.push(e.message) });
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((res, rej) => sock.send(Buffer.from('definitely not BER'), r.address.port, LOCAL, (e) => (e ? rej(e) : res())));
    sock.close();
    await run('snmptrap', ['-v', '2c', '-c', 'wrong', `${LOCAL}:${r.address.port}`, '', '1.3.6.1.6.3.1.1.5.1'], { env: { ...process.env, MIBS: '' } });
    await run('snmptrap', ['-v', '2c', '-c', 'public', `${LOCAL}:${r.address.port}`, '', '1.3.6.1.6.3.1.1.5.1'], { env: { ...process.env, MIBS: '' } });
    const m = await c.waitFor(() => true, 'the trap after the bad packets');
    expect(m.deviceId).toBeUndefined();
    expect(m.text).toBe('coldStart (1.3.6.1.6.3.1.1.5.1)');
    expect(r.stats()).toMatchObject({ received: 1, errors: 2, delivered: 1, dropped: 0 });
    expect(errors).toEqual([
      'snmp-trap: Failure to process incoming message from 127.0.0.1',
      'snmp-trap: Local community not found for message with community wrong from 127.0.0.1',
    ]);
  });
});

describe('trap decoding', () => {
  it('names enterprise-specific v1 traps per RFC 3584 and known varbind columns', () => {
    const t = decodeTrap({ type: 164, enterprise: '1.3.6.1.4.1.9', generic: 6, specific: 17, varbinds: [{ oid: '1.3.6.1.2.1.2.2.1.7.12', type: 2, value: 2 }] }, 'v1');
    expect(trapText(t)).toBe('1.3.6.1.4.1.9.0.17 ifAdminStatus=down');
    expect(oidName('1.3.6.1.2.1.2.2.1.2.5')).toBe('ifDescr.5');
    expect(oidName('1.3.6.1.4.1.9.9')).toBeUndefined();
  });
});
