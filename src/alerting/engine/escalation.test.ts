// Escalation in time, reminders, acknowledgement (console, API, signed link) stopping both, the
// recovery notice to everyone who was told, and a restart that carries on at the stored due time.

import { afterEach, describe, expect, it } from 'vitest';
import { ACK_KEY, harness, hospitalTree, testConfig, type Harness } from './testing.ts';
import { signAckToken } from './tokens.ts';

const ECHO = 'main/core/pacs/pacs-1/echo';
const tree = hospitalTree({ groups: { pacs: { 'pacs-1': { sensors: ['echo'] } } } });
const MIN = 60_000;

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const escalating = {
  name: 'pacs-down',
  trigger: { state: { to: ['down'] } },
  grouping: false,
  to: ['alice'],
  channels: ['mail'],
  escalation: [
    { after: '10m', to: ['lead'] },
    { after: '30m', to: ['manager'], channels: ['mail', 'hook'] },
  ],
};

async function start(rule: Record<string, unknown> = escalating): Promise<Harness> {
  h = await harness(tree, testConfig({ rules: [rule] }));
  return h;
}

describe('escalation', () => {
  it('reaches the next step only while unacknowledged, at the configured times', async () => {
    const t = await start();
    await t.change(ECHO, 'down');
    expect(t.queue.take()).toEqual(['alert alice@mail: pacs-1 / echo is Down']);
    await t.advance(10 * MIN - 1000);
    expect(t.queue.take()).toEqual([]);
    await t.advance(1000);
    expect(t.queue.take()).toEqual(['escalation lead@mail: Escalation: pacs-1 / echo is Down']);
    expect((await t.alerting.service.alerts({}))[0]).toMatchObject({ escalationStep: 1, state: 'open' });
    await t.advance(20 * MIN);
    expect(t.queue.take()).toEqual(['escalation manager@mail: Escalation: pacs-1 / echo is Down', 'escalation hook@hook: Escalation: pacs-1 / echo is Down']);
    await t.advance(120 * MIN, 60_000);
    expect(t.queue.take()).toEqual([]);
    await t.change(ECHO, 'up');
    expect(t.queue.take()).toEqual([
      'recovery alice@mail: pacs-1 / echo is back Up',
      'recovery lead@mail: pacs-1 / echo is back Up',
      'recovery manager@mail: pacs-1 / echo is back Up',
      'recovery hook@hook: pacs-1 / echo is back Up',
    ]);
  });

  it('stops on acknowledgement, records who, when, why and via, acknowledges the sensor; idempotent', async () => {
    const t = await start();
    await t.change(ECHO, 'down');
    await t.advance(5 * MIN);
    const [open] = await t.alerting.service.alerts({ state: 'open' });
    const acked = await t.alerting.service.acknowledge(open!.id, 'alice', 'restarting the PACS', 'console');
    expect(acked).toMatchObject({ state: 'acknowledged', acknowledged: { by: 'alice', at: t.clock.now(), note: 'restarting the PACS', via: 'console' } });
    expect(t.acks).toEqual([`${ECHO} by alice: restarting the PACS`]);
    const again = await t.alerting.service.acknowledge(open!.id, 'bob', undefined, 'api');
    expect(again.acknowledged).toEqual(acked.acknowledged);
    expect(t.acks).toHaveLength(1);
    t.queue.take();
    await t.advance(60 * MIN, 60_000);
    expect(t.queue.take()).toEqual([]);
    // Recovery still goes to everyone who was told.
    await t.change(ECHO, 'up');
    expect(t.queue.take()).toEqual(['recovery alice@mail: pacs-1 / echo is back Up']);
    await expect(t.alerting.service.acknowledge('al_nope', 'alice', undefined, 'api')).rejects.toThrow('alert "al_nope" not found');
  });

  it('sends reminders at the repeat interval up to the maximum, to the step reached', async () => {
    const t = await start({ ...escalating, escalation: [{ after: '30m', to: ['lead'] }], repeat: { every: '10m', max: 3 } });
    await t.change(ECHO, 'down');
    t.queue.take();
    await t.advance(10 * MIN);
    expect(t.queue.take()).toEqual(['reminder alice@mail: Reminder: pacs-1 / echo is Down']);
    await t.advance(20 * MIN);
    // 20 min: a reminder; 30 min: the escalation comes before a reminder due at the same time.
    expect(t.queue.take()).toEqual(['reminder alice@mail: Reminder: pacs-1 / echo is Down', 'escalation lead@mail: Escalation: pacs-1 / echo is Down']);
    await t.advance(60 * MIN, 60_000);
    expect(t.queue.take()).toEqual(['reminder lead@mail: Reminder: pacs-1 / echo is Down']);
    expect((await t.alerting.service.alerts({}))[0]).toMatchObject({ escalationStep: 1 });
  });

  it('no recovery notice when the rule says so', async () => {
    const t = await start({ ...escalating, recovery: false });
    await t.change(ECHO, 'down');
    await t.change(ECHO, 'up');
    expect(t.queue.take()).toEqual(['alert alice@mail: pacs-1 / echo is Down']);
  });
});

describe('restart', () => {
  it('re-arms escalation from the stored due time and never sends the same notification twice', async () => {
    const t = await start();
    await t.change(ECHO, 'down');
    await t.advance(4 * MIN);
    await t.restart();
    expect(t.queue.take()).toEqual(['alert alice@mail: pacs-1 / echo is Down']);
    // Down the whole time: reconciling at start finds the same alert and tells nobody again.
    expect(t.queue.offered).toBe(1);
    await t.advance(6 * MIN - 1000);
    expect(t.queue.take()).toEqual([]);
    await t.advance(1000);
    expect(t.queue.take()).toEqual(['escalation lead@mail: Escalation: pacs-1 / echo is Down']);
    // Stopped while the next step fell due: it is sent at once after the restart.
    await t.alerting.close();
    await t.clock.advance(25 * MIN);
    await t.restart();
    await t.clock.advance(0);
    await t.alerting.idle();
    expect(t.queue.take()).toEqual(['escalation manager@mail: Escalation: pacs-1 / echo is Down', 'escalation hook@hook: Escalation: pacs-1 / echo is Down']);
  });

  it('an alert acknowledged before the restart stays quiet after it', async () => {
    const t = await start();
    await t.change(ECHO, 'down');
    const [a] = await t.alerting.service.alerts({});
    await t.alerting.service.acknowledge(a!.id, 'alice', undefined, 'console');
    await t.restart();
    await t.advance(60 * MIN, 60_000);
    expect(t.queue.take()).toEqual(['alert alice@mail: pacs-1 / echo is Down']);
    expect(await t.alerting.service.alert(a!.id)).toMatchObject({ state: 'acknowledged', acknowledged: { by: 'alice', via: 'console' } });
  });
});

describe('signed acknowledgement links', () => {
  it('the link in a message verifies to its alert and recipient; tampered, foreign and expired ones do not', async () => {
    const t = await start();
    await t.change(ECHO, 'down');
    const n = t.queue.sent[0]!;
    const token = new URL(n.vars.ackUrl!).searchParams.get('token')!;
    expect(t.alerting.service.verifyAckToken(token)).toEqual({ ok: true, alertId: n.alertId, recipient: 'alice' });
    const [body, sig] = token.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ a: 'al_other', r: 'alice', e: t.clock.now() + 3_600_000 })).toString('base64url');
    expect(t.alerting.service.verifyAckToken(`${forged}.${sig}`)).toEqual({ ok: false, reason: 'invalid signature: the link was altered or signed with another key' });
    expect(t.alerting.service.verifyAckToken(`${body}.${sig.slice(0, -2)}AA`)).toEqual({ ok: false, reason: 'invalid signature: the link was altered or signed with another key' });
    expect(t.alerting.service.verifyAckToken('not-a-token')).toEqual({ ok: false, reason: 'malformed token: expected two base64url parts separated by "."' });
    const other = signAckToken({ alertId: n.alertId, recipient: 'alice', expiresAt: t.clock.now() + 1000 }, 'another-key-0123456789');
    expect(t.alerting.service.verifyAckToken(other).ok).toBe(false);
    const short = signAckToken({ alertId: n.alertId, recipient: 'alice', expiresAt: t.clock.now() + 1000 }, ACK_KEY);
    expect(t.alerting.service.verifyAckToken(short).ok).toBe(true);
    await t.clock.advance(1000);
    expect(t.alerting.service.verifyAckToken(short)).toEqual({ ok: false, reason: `expired at ${new Date(t.clock.now()).toISOString()}` });
    // The message's own link lasts ackLinkValidity (24 h by default).
    await t.clock.advance(86_400_000 - 1000);
    expect(t.alerting.service.verifyAckToken(token).ok).toBe(false);
  });

  it('acknowledging through a verified link records via link', async () => {
    const t = await start();
    await t.change(ECHO, 'down');
    const token = new URL(t.queue.sent[0]!.vars.ackUrl!).searchParams.get('token')!;
    const v = t.alerting.service.verifyAckToken(token);
    if (!v.ok) throw new Error(v.reason);
    const a = await t.alerting.service.acknowledge(v.alertId, v.recipient, 'from the email', 'link');
    expect(a.acknowledged).toMatchObject({ by: 'alice', via: 'link', note: 'from the email' });
  });
});
