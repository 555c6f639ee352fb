// Every trigger of a rule, end to end through startAlerting on a ManualClock: state changes (to
// Down, Warning, Unknown, Up and back), a state held for a duration, a channel above/below a value
// for a duration, a changed message or value, a security finding; and where rules apply (scope,
// exclude, replaces).

import { afterEach, describe, expect, it } from 'vitest';
import type { TimedReading } from '../../core/model.ts';
import { harness, hospitalTree, testConfig, type Harness } from './testing.ts';

const ECHO = 'main/core/pacs/pacs-1/echo';
const PING = 'main/core/pacs/pacs-1/ping';
const SWITCH = 'main/core/net/sw-1/ping';
const tree = hospitalTree({ groups: { pacs: { 'pacs-1': { sensors: ['echo', 'ping'] } }, net: { 'sw-1': { sensors: ['ping'] } } } });

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function start(rules: unknown[]): Promise<Harness> {
  h = await harness(tree, testConfig({ rules }));
  return h;
}

const rule = (extra: Record<string, unknown>) => ({ name: 'r', to: ['alice'], channels: ['mail'], grouping: false, ...extra });

function reading(sensorId: string, ts: number, value: number, message?: string): TimedReading {
  return { sensorId, ts, durationMs: 5, channels: [{ key: 'responseTimeMs', value }], ...(message !== undefined ? { message } : {}) };
}

describe('state triggers', () => {
  it('tells of a sensor going Down with the template variables, and of its recovery', async () => {
    const t = await start([rule({ trigger: { state: { to: ['down'] } } })]);
    await t.change(ECHO, 'down', { message: 'association rejected' });
    expect(t.queue.lines()).toEqual(['alert alice@mail: pacs-1 / echo is Down']);
    const n = t.queue.sent[0]!;
    expect(n.recipient).toEqual({ name: 'alice', address: 'alice@hospital.example' });
    expect(n.ruleName).toBe('r');
    expect(n.vars).toMatchObject({
      state: 'down',
      previousState: 'unknown',
      site: 'Main hospital',
      group: 'pacs',
      clinicalSystem: 'network',
      device: 'pacs-1',
      host: 'pacs-1.hospital.example',
      sensor: 'echo',
      sensorId: ECHO,
      message: 'association rejected',
      since: t.clock.now(),
      severity: 'critical',
      affectedDependents: 0,
      consoleUrl: 'https://wardwatch.hospital.example/sensors/main%2Fcore%2Fpacs%2Fpacs-1%2Fecho',
    });
    expect(n.vars.ackUrl).toMatch(/^https:\/\/wardwatch\.hospital\.example\/api\/alerts\/ack\?token=[\w-]+\.[\w-]+$/);
    t.queue.take();
    await t.change(ECHO, 'down');
    expect(t.queue.lines()).toEqual([]);
    await t.change(ECHO, 'up');
    expect(t.queue.lines()).toEqual(['recovery alice@mail: pacs-1 / echo is back Up']);
    expect(t.queue.sent[0]!.vars.ackUrl).toBeUndefined();
    const [a] = await t.alerting.service.alerts({});
    expect(a).toMatchObject({ state: 'resolved', ruleName: 'r', nodeId: ECHO, sensorIds: [ECHO], resolvedAt: t.clock.now() });
  });

  it('fires on Warning and Unknown only when asked, and "to Up from Down" once without recovery', async () => {
    const t = await start([
      rule({ name: 'warn', trigger: { state: { to: ['warning'] } } }),
      rule({ name: 'unknown', trigger: { state: { to: ['unknown'] } }, to: ['bob'] }),
      rule({ name: 'back', trigger: { state: { to: ['up'], from: ['down'] } }, to: ['carol'] }),
    ]);
    await t.change(ECHO, 'down');
    expect(t.queue.take()).toEqual([]);
    await t.change(ECHO, 'up');
    expect(t.queue.take()).toEqual(['alert carol@mail: pacs-1 / echo is back Up']);
    await t.change(PING, 'warning');
    expect(t.queue.take()).toEqual(['alert alice@mail: pacs-1 / ping is Warning']);
    await t.change(PING, 'unknown');
    expect(t.queue.take()).toEqual(['alert bob@mail: pacs-1 / ping is Unknown']);
    await t.change(PING, 'up');
    await t.change(ECHO, 'paused', { pauseReason: 'maintenance' });
    await t.change(ECHO, 'unknown');
    // Warning -> up: recovery for the two open alerts; "back" needs from Down; resuming from a pause is not Unknown news.
    expect(t.queue.take().sort()).toEqual(['recovery alice@mail: pacs-1 / ping is back Up', 'recovery bob@mail: pacs-1 / ping is back Up']);
    expect((await t.alerting.service.alerts({})).find((a) => a.ruleName === 'back')).toMatchObject({ state: 'resolved', severity: 'info' });
  });
});

describe('held state', () => {
  it('tells only when the state lasted the whole duration', async () => {
    const t = await start([rule({ trigger: { held: { state: 'down', for: '2m' } } })]);
    await t.change(ECHO, 'down');
    await t.advance(60_000);
    await t.change(ECHO, 'up');
    await t.advance(120_000);
    expect(t.queue.lines()).toEqual([]);
    await t.change(ECHO, 'down');
    await t.advance(119_000);
    expect(t.queue.lines()).toEqual([]);
    await t.advance(1000);
    expect(t.queue.take()).toEqual(['alert alice@mail: pacs-1 / echo has been Down for 2 min']);
    await t.advance(600_000);
    expect(t.queue.take()).toEqual([]);
    await t.change(ECHO, 'up');
    expect(t.queue.take()).toEqual(['recovery alice@mail: pacs-1 / echo is back Up']);
  });
});

describe('threshold held', () => {
  it('tells when a channel stays above the value for the duration, and when it is back', async () => {
    const t = await start([rule({ trigger: { threshold: { channel: 'responseTimeMs', above: 500, for: '5m' } } })]);
    const t0 = t.clock.now();
    t.states.change(ECHO, 'up', t0);
    const feed = async (dt: number, v: number) => {
      t.alerting.onReading(reading(ECHO, t0 + dt, v));
      await t.alerting.idle();
    };
    await feed(0, 600);
    await t.advance(60_000);
    await feed(60_000, 400); // back under: the hold starts again
    await t.advance(60_000);
    await feed(120_000, 700);
    await t.advance(240_000);
    await feed(360_000, 800);
    expect(t.queue.lines()).toEqual([]);
    await t.advance(60_000);
    expect(t.queue.take()).toEqual(['alert alice@mail: pacs-1 / echo: responseTimeMs above 500 for 5 min (now 800)']);
    await feed(480_000, 900);
    expect(t.queue.take()).toEqual([]);
    await feed(540_000, 120);
    expect(t.queue.take()).toEqual(['recovery alice@mail: Recovered: pacs-1 / echo: responseTimeMs above 500 for 5 min (now 800)']);
  });

  it('below a value with no duration tells at once', async () => {
    const t = await start([rule({ trigger: { threshold: { channel: 'responseTimeMs', below: 1 } } })]);
    t.states.change(ECHO, 'up', t.clock.now());
    t.alerting.onReading(reading(ECHO, t.clock.now(), 0.5));
    await t.advance(1000);
    expect(t.queue.take()).toEqual(['alert alice@mail: pacs-1 / echo: responseTimeMs below 1 (now 0.5)']);
  });
});

describe('change', () => {
  it('tells when the message or a listed value changes, once per change', async () => {
    const t = await start([rule({ trigger: { change: { message: true, channels: ['responseTimeMs'] } } })]);
    t.states.change(ECHO, 'up', t.clock.now());
    const now = t.clock.now();
    t.alerting.onReading(reading(ECHO, now, 5, 'firmware 1.2'));
    t.alerting.onReading(reading(ECHO, now + 1000, 5, 'firmware 1.2'));
    await t.alerting.idle();
    expect(t.queue.lines()).toEqual([]);
    t.alerting.onReading(reading(ECHO, now + 2000, 7, 'firmware 1.3'));
    await t.alerting.idle();
    expect(t.queue.take()).toEqual(['alert alice@mail: pacs-1 / echo: message changed from "firmware 1.2" to "firmware 1.3"; responseTimeMs changed from 5 to 7']);
    const [a] = await t.alerting.service.alerts({});
    expect(a).toMatchObject({ state: 'resolved', severity: 'info' });
  });
});

describe('security findings', () => {
  it('go through rules with a security trigger that match severity, KEV and scope, once per finding', async () => {
    const t = await start([
      rule({ name: 'kev', trigger: { security: { minSeverity: 'critical', kevOnly: true } }, to: ['bob'] }),
      rule({ name: 'pacs-sec', scope: ['main/core/pacs'], trigger: { security: { minSeverity: 'warning' } } }),
      rule({ name: 'down', trigger: { state: { to: ['down'] } } }),
    ]);
    const finding = { findingId: 'CVE-2024-1234@pacs-1', deviceId: 'main/core/pacs/pacs-1', title: 'CVE-2024-1234 in Orthanc 1.9', severity: 'critical' as const, kev: true, runbook: 'Update Orthanc to 1.12.4' };
    await t.alerting.service.securityFinding({ ...finding, findingId: 'low', severity: 'info', kev: false });
    expect(t.queue.take()).toEqual([]);
    await t.alerting.service.securityFinding(finding);
    expect(t.queue.lines().sort()).toEqual(['security alice@mail: CVE-2024-1234 in Orthanc 1.9', 'security bob@mail: CVE-2024-1234 in Orthanc 1.9']);
    expect(t.queue.sent[0]!.vars).toMatchObject({ runbook: 'Update Orthanc to 1.12.4', device: 'pacs-1', severity: 'critical' });
    t.queue.take();
    await t.alerting.service.securityFinding(finding);
    await t.alerting.service.securityFinding({ ...finding, findingId: 'net', deviceId: 'main/core/net/sw-1' });
    expect(t.queue.take()).toEqual(['security bob@mail: CVE-2024-1234 in Orthanc 1.9']);
  });
});

describe('where rules apply', () => {
  it('inherits downwards from the scope, stops below an exclude, and gives way to a rule that replaces it', async () => {
    const t = await start([
      rule({ name: 'everywhere', trigger: { state: { to: ['down'] } }, exclude: ['main/core/net/sw-1'] }),
      rule({ name: 'pacs-team', scope: ['main/core/pacs'], replaces: ['everywhere'], trigger: { state: { to: ['down'] } }, to: ['bob'] }),
      rule({ name: 'echo-only', scope: [ECHO], trigger: { state: { to: ['down'] } }, to: ['carol'] }),
    ]);
    await t.change(ECHO, 'down');
    expect(t.queue.take().sort()).toEqual(['alert bob@mail: pacs-1 / echo is Down', 'alert carol@mail: pacs-1 / echo is Down']);
    await t.change(PING, 'down');
    expect(t.queue.take()).toEqual(['alert bob@mail: pacs-1 / ping is Down']);
    await t.change(SWITCH, 'down');
    expect(t.queue.take()).toEqual([]);
  });
});
