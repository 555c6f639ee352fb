import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createInbox } from '../../receivers/inbox.ts';
import { startSyslogReceiver } from '../../receivers/syslog/index.ts';
import { collector } from '../../receivers/syslog/testing.ts';
import type { ReceivedMessage } from '../../store/store.ts';
import { requireCommand } from '../../../test/peers/harness.ts';
import type { ListenContext, SensorMessage } from '../sensor.ts';
import { makeContext } from '../testing/contract.ts';
import { compileSyslogRule, syslogKind, syslogSettings } from './index.ts';
import { deviceOfSensor, RuleTracker } from './rules.ts';

const T0 = Date.UTC(2026, 10, 28, 10);
const line = (text: string, data: Record<string, unknown> = {}): ReceivedMessage => ({
  receiver: 'syslog', ts: T0, source: '10.0.0.5', deviceId: 'pacs', severity: 'info', text, data: { facility: 'local0', severity: 'info', app: 'storescp', ...data },
});

function tracker(rules: unknown) {
  const s = syslogSettings.parse({ rules });
  return new RuleTracker(s.rules.map(compileSyslogRule), T0);
}

describe('syslog rules (pure)', () => {
  it('matches facility, severity at or above, app and message regexes', () => {
    const [r] = syslogSettings.parse({ rules: [{ facilities: ['local0', 'auth'], severity: 'warning', app: '^store', message: 'association (rejected|aborted)' }] }).rules.map(compileSyslogRule);
    expect(r!.matches(line('Association REJECTED by peer', { severity: 'err' }))).toBe(true);
    expect(r!.matches(line('association aborted', { severity: 'warning' }))).toBe(true);
    expect(r!.matches(line('association aborted', { severity: 'notice' }))).toBe(false);
    expect(r!.matches(line('association aborted', { severity: 'err', facility: 'kern' }))).toBe(false);
    expect(r!.matches(line('association aborted', { severity: 'err', app: 'movescu' }))).toBe(false);
    expect(r!.matches(line('association released', { severity: 'err' }))).toBe(false);
  });

  it('raises the worst active rule, clears by regex and after a quiet period', () => {
    const t = tracker([
      { name: 'disk', message: 'disk .* failed', state: 'down', clearRegex: 'disk .* rebuilt' },
      { name: 'auth', message: 'login failed', clearAfter: '5m' },
    ]);
    expect(t.verdict(T0)).toEqual({ status: 'up' });
    expect(t.offer(line('login failed for admin'), 'login failed for admin', T0).raised.map((r) => r.name)).toEqual(['auth']);
    expect(t.offer(line('disk 3 failed'), 'disk 3 failed', T0 + 1000).raised.map((r) => r.name)).toEqual(['disk']);
    expect(t.verdict(T0 + 2000)).toEqual({ status: 'down', message: 'disk 3 failed', rule: 'disk' });
    expect(t.offer(line('disk 3 rebuilt'), 'disk 3 rebuilt', T0 + 3000).cleared.map((r) => r.name)).toEqual(['disk']);
    expect(t.verdict(T0 + 4000)).toEqual({ status: 'warning', message: 'login failed for admin', rule: 'auth' });
    expect(t.verdict(T0 + 5 * 60_000 - 1)).toMatchObject({ status: 'warning' });
    expect(t.verdict(T0 + 5 * 60_000)).toEqual({ status: 'up' });
    expect([t.seen, t.matched]).toEqual([3, 2]);
  });

  it('rejects bad settings with readable errors', () => {
    const r = syslogSettings.safeParse({ rules: [{ message: 'a(b', facilities: ['local9'], clearAfter: 'soon' }] });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'rules.0.facilities.0: Invalid option: expected one of "kern"|"user"|"mail"|"daemon"|"auth"|"syslog"|"lpr"|"news"|"uucp"|"cron"|"authpriv"|"ftp"|"ntp"|"audit"|"alert"|"clock"|"local0"|"local1"|"local2"|"local3"|"local4"|"local5"|"local6"|"local7"',
      'rules.0.message: expected a regular expression, got "a(b"',
      'rules.0.clearAfter: expected a duration such as 30s, 5m or 2h (at least 1s), got "soon"',
    ]);
    expect(deviceOfSensor('site/ward-3/pacs/syslog')).toBe('site/ward-3/pacs');
  });
});

describe('syslog sensor with the receiver and logger', () => {
  it('counts matches, goes Down on a matching line from the device and clears on the clearing line', async () => {
    requireCommand('logger', 'bsdutils');
    const inbox = createInbox();
    const c = collector();
    const receiver = await startSyslogReceiver({ udp: { host: '127.0.0.1', port: 0 }, deviceOf: () => 'pacs', sink: c.sink, inbox });
    let wall = T0;
    const memory = new Map<string, unknown>();
    const recorded: SensorMessage[] = [];
    let checkNow = 0;
    const lctx: ListenContext = {
      sensorId: 'pacs/syslog', memory, inbox, now: () => 0, wallNow: () => wall,
      record: (m) => recorded.push(m), checkNow: () => checkNow++,
    };
    const settings = syslogSettings.parse({ rules: [{ name: 'storage', severity: 'err', message: 'write failed', state: 'down', clearRegex: 'write ok' }] });
    const ctx = makeContext({ memory, sensorId: 'pacs/syslog', wallNow: () => wall });
    expect(await syslogKind.check(settings, ctx)).toEqual({ channels: [], error: 'RECEIVER_NOT_LISTENING', message: 'the sensor is not subscribed to the syslog receiver yet' });
    const listener = await syslogKind.listen!(settings, lctx);
    try {
      const send = (prio: string, text: string) =>
        promisify(execFile)('logger', ['--server', '127.0.0.1', '--port', String(receiver.addresses.udp!.port), '--udp', '--rfc5424', '-p', prio, '-t', 'pacs', text]);
      await send('local0.info', 'routine line');
      await send('local0.err', 'write failed on /data');
      await c.waitFor((m) => m.text === 'write failed on /data', 'the failing line');
      await receiver.flush();
      wall = T0 + 120_000;
      expect(await syslogKind.check(settings, ctx)).toEqual({
        channels: [{ key: 'matchCount', value: 1 }, { key: 'matchesPerMin', value: 0.5 }, { key: 'messagesPerMin', value: 1 }],
        status: 'down',
        message: 'storage: write failed on /data (2 messages, 1 matching since the last check)',
      });
      expect(checkNow).toBe(1);
      expect(recorded).toEqual([{ severity: 'error', text: 'storage: write failed on /data', data: { rule: 'storage', source: '127.0.0.1' } }]);
      await send('local0.notice', 'write ok again');
      await c.waitFor((m) => m.text === 'write ok again', 'the clearing line');
      await receiver.flush();
      wall = T0 + 180_000;
      expect(await syslogKind.check(settings, ctx)).toMatchObject({ status: 'up', message: '1 message, 0 matching since the last check' });
      expect(checkNow).toBe(2);
    } finally {
      await listener.close();
      await receiver.close();
    }
  });
});
