// The web channels (generic webhook, Slack, Teams, PagerDuty) against a real HTTP receiver on
// loopback: what each posts, the verifiable HMAC signature, and how answers are classified.

import { afterEach, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../../../../test/peers/webhook.ts';
import { freePort } from '../../../../test/peers/harness.ts';
import { sampleNotification, sendOnce, T0 } from '../testing/fixtures.ts';
import { verifyWebhookSignature } from './index.ts';

let rx: WebhookReceiver | undefined;
afterEach(async () => {
  await rx?.close();
  rx = undefined;
});

async function receiver(...args: Parameters<typeof startWebhookReceiver>): Promise<WebhookReceiver> {
  rx = await startWebhookReceiver(...args);
  return rx;
}

describe('webhook channel', () => {
  it('posts the notification as JSON with a signature the receiver can verify', async () => {
    const r = await receiver();
    const res = await sendOnce({ kind: 'webhook', url: r.url, signingSecret: 'hook', headers: { 'X-Ward': 'icu' } }, sampleNotification(), { secrets: { hook: 'k3y' } });
    expect(res).toEqual({ ok: true, status: 'HTTP 200', response: '{"ok":true}' });
    const [req] = r.requests;
    expect(req!.headers['content-type']).toBe('application/json');
    expect(req!.headers['x-ward']).toBe('icu');
    const body = JSON.parse(req!.body) as Record<string, unknown>;
    expect(body).toMatchObject({ version: 1, key: 'alert-42:alert:0:dr-night:ch', alertId: 'alert-42', kind: 'alert', title: 'PACS <Archive> "A&B"', state: 'Down', since: new Date(T0 - 120_000).toISOString() });
    expect(body.text).toBe('Alert: PACS <Archive> "A&B" is Down — association rejected: called AE "PACS" unknown\nsecond line ]');
    const ts = String(req!.headers['x-wardwatch-timestamp']);
    const sig = String(req!.headers['x-wardwatch-signature']);
    expect(ts).toBe(String(Math.floor(T0 / 1000)));
    expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature('k3y', ts, req!.body, sig, T0 / 1000)).toBe(true);
    expect(verifyWebhookSignature('other', ts, req!.body, sig, T0 / 1000)).toBe(false);
    expect(verifyWebhookSignature('k3y', ts, `${req!.body} `, sig, T0 / 1000)).toBe(false);
    // A replay ten minutes later is refused even with the right signature.
    expect(verifyWebhookSignature('k3y', ts, req!.body, sig, T0 / 1000 + 600)).toBe(false);
  });

  it('classifies 5xx and 429 as retryable, other 4xx as permanent, a closed port as retryable', async () => {
    const r = await receiver((_req, i) => ({ status: [503, 429, 404, 400][i] ?? 200, body: 'nope' }));
    const hook = { kind: 'webhook', url: r.url };
    expect(await sendOnce(hook)).toEqual({ ok: false, retryable: true, status: 'HTTP 503', error: 'the server answered HTTP 503', response: 'nope' });
    expect(await sendOnce(hook)).toMatchObject({ ok: false, retryable: true, status: 'HTTP 429' });
    expect(await sendOnce(hook)).toEqual({ ok: false, retryable: false, status: 'HTTP 404', error: 'the server refused the message with HTTP 404', response: 'nope' });
    expect(await sendOnce(hook)).toMatchObject({ ok: false, retryable: false, status: 'HTTP 400' });
    const closed = await freePort();
    expect(await sendOnce({ kind: 'webhook', url: `http://127.0.0.1:${closed}/x` })).toMatchObject({ ok: false, retryable: true, status: 'ECONNREFUSED' });
  });

  it('times out a receiver that never answers (retryable)', async () => {
    const r = await receiver(() => new Promise(() => undefined));
    expect(await sendOnce({ kind: 'webhook', url: r.url }, sampleNotification(), { timeoutMs: 200 })).toEqual({ ok: false, retryable: true, status: 'TIMEOUT', error: 'POST http://127.0.0.1/hook: timed out'.replace('127.0.0.1', `127.0.0.1:${r.port}`) });
  });

  it('refuses to send when the signing secret is missing', async () => {
    const r = await receiver();
    expect(await sendOnce({ kind: 'webhook', url: r.url, signingSecret: 'gone' })).toEqual({ ok: false, retryable: false, status: 'config', error: 'secret "gone" (signingSecret) is not in the secrets file' });
    expect(r.requests).toHaveLength(0);
  });
});

describe('Slack channel', () => {
  it('posts Block Kit with escaped mrkdwn, members and buttons; the URL may come from the secrets', async () => {
    const r = await receiver();
    const n = sampleNotification({ kind: 'grouped', vars: { ...sampleNotification().vars, members: [{ sensorId: 'a', name: 'CT <1>', state: 'Down', message: 'x & y' }, { sensorId: 'b', name: 'MR 2', state: 'Down' }] } });
    expect((await sendOnce({ kind: 'slack', urlSecret: 'slack' }, n, { secrets: { slack: r.url } })).ok).toBe(true);
    const body = JSON.parse(r.requests[0]!.body) as { text: string; blocks: { type: string; text?: { text: string }; elements?: { url: string; text: { text: string } }[] }[] };
    expect(body.text).toBe('Alert (grouped): PACS <Archive> "A&B"');
    expect(body.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'actions']);
    expect(body.blocks[1]!.text!.text).toContain('*PACS archive | B=2* › DICOM echo is *Down*');
    expect(body.blocks[1]!.text!.text).not.toContain('<Archive>');
    expect(body.blocks[2]!.text!.text).toBe('• CT &lt;1&gt;: Down — x &amp; y\n• MR 2: Down\n');
    expect(body.blocks[3]!.elements!.map((e) => e.text.text)).toEqual(['Acknowledge', 'Open in Wardwatch']);
  });

  it('uses an instance\'s template override', async () => {
    const r = await receiver();
    await sendOnce({ kind: 'slack', url: r.url, templates: { header: '{{device}} needs you', text: 'on call: {{recipient}}' } });
    const body = JSON.parse(r.requests[0]!.body) as { text: string; blocks: { text?: { text: string } }[] };
    expect(body.text).toBe('PACS archive | B=2 needs you');
    expect(body.blocks[1]!.text!.text).toBe(':red_circle: on call: dr-night');
  });
});

describe('Teams channel', () => {
  it('posts an Adaptive Card in a message attachment', async () => {
    const r = await receiver(() => ({ status: 202 }));
    expect(await sendOnce({ kind: 'teams', url: r.url })).toEqual({ ok: true, status: 'HTTP 202' });
    const body = JSON.parse(r.requests[0]!.body) as { type: string; attachments: { contentType: string; content: { type: string; version: string; body: { type: string; text?: string; facts?: { title: string; value: string }[] }[]; actions: { url: string }[] } }[] };
    expect(body.type).toBe('message');
    const card = body.attachments[0]!;
    expect(card.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(card.content).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    expect(card.content.body[0]!.text).toBe('Alert: PACS <Archive> "A&B"');
    const facts = card.content.body.find((b) => b.type === 'FactSet')!.facts!;
    expect(facts).toContainEqual({ title: 'State', value: 'Down' });
    expect(facts).toContainEqual({ title: 'Since', value: '2026-11-29 02:11:05 UTC' });
    expect(card.content.actions.map((a) => a.url)).toEqual(['https://wardwatch.example/ack?t=abc&x=1', 'https://wardwatch.example/sensors/main/imaging/pacs/echo']);
  });
});

describe('PagerDuty channel', () => {
  it('triggers with dedup_key = alert id and resolves the same incident on recovery', async () => {
    const r = await receiver(() => ({ status: 202, body: '{"status":"success","dedup_key":"alert-42"}' }));
    const pd = { kind: 'pagerduty', url: r.url, routingKeySecret: 'pd' };
    expect(await sendOnce(pd, sampleNotification(), { secrets: { pd: 'R0UTING' } })).toMatchObject({ ok: true, status: 'HTTP 202' });
    expect(await sendOnce(pd, sampleNotification({ kind: 'recovery', key: 'k2' }), { secrets: { pd: 'R0UTING' } })).toMatchObject({ ok: true });
    expect(await sendOnce(pd, sampleNotification({ kind: 'reminder', key: 'k3', vars: { ...sampleNotification().vars, state: 'acknowledged' } }), { secrets: { pd: 'R0UTING' } })).toMatchObject({ ok: true });
    const [trigger, resolve, ack] = r.requests.map((q) => JSON.parse(q.body) as Record<string, unknown>);
    expect(trigger).toMatchObject({
      routing_key: 'R0UTING',
      event_action: 'trigger',
      dedup_key: 'alert-42',
      payload: { summary: 'PACS <Archive> "A&B" is Down: association rejected: called AE "PACS" unknown second line ]', source: '10.1.2.3', severity: 'critical', component: 'DICOM echo', group: 'PACS' },
      client: 'Wardwatch',
    });
    expect(resolve).toEqual({ routing_key: 'R0UTING', event_action: 'resolve', dedup_key: 'alert-42' });
    expect(ack).toEqual({ routing_key: 'R0UTING', event_action: 'acknowledge', dedup_key: 'alert-42' });
  });

  it('treats 400 (invalid event) as permanent and a missing routing key as a config error', async () => {
    const r = await receiver(() => ({ status: 400, body: '{"status":"invalid event"}' }));
    expect(await sendOnce({ kind: 'pagerduty', url: r.url, routingKeySecret: 'pd' }, sampleNotification(), { secrets: { pd: 'x' } })).toMatchObject({ ok: false, retryable: false, status: 'HTTP 400', response: '{"status":"invalid event"}' });
    expect(await sendOnce({ kind: 'pagerduty', url: r.url, routingKeySecret: 'pd' })).toEqual({ ok: false, retryable: false, status: 'config', error: 'secret "pd" (routingKeySecret) is not in the secrets file' });
  });
});
