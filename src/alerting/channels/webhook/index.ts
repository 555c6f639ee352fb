// Generic webhook: the notification as JSON, signed with HMAC-SHA256 over "<timestamp>.<body>" so a
// receiver can check it came from Wardwatch and refuse replays (verifyWebhookSignature shows how).

import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Notification } from '../../notification.ts';
import { escapeNone, render, scopeOf } from '../../templates/index.ts';
import { defineChannelKind, permanent } from '../channel.ts';
import { httpSend } from '../http.ts';
import { webhookSettings } from './settings.ts';

export function webhookSignature(secret: string, timestampS: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestampS}.${body}`).digest('hex')}`;
}

/** For receivers (and tests): true when the signature matches and the timestamp is within toleranceS of nowS. */
export function verifyWebhookSignature(secret: string, timestamp: string, body: string, signature: string, nowS: number, toleranceS = 300): boolean {
  const ts = Number(timestamp);
  if (!Number.isInteger(ts) || Math.abs(nowS - ts) > toleranceS) return false;
  const expected = Buffer.from(webhookSignature(secret, ts, body));
  const got = Buffer.from(signature);
  return expected.length === got.length && timingSafeEqual(expected, got);
}

/** The JSON document a webhook receives (stable field names: receivers parse it). */
export function webhookPayload(n: Notification, text: string): Record<string, unknown> {
  const s = scopeOf(n);
  return {
    version: 1,
    key: n.key,
    alertId: n.alertId,
    kind: n.kind,
    rule: n.ruleName,
    channel: n.channel,
    recipient: n.recipient.name,
    createdAt: new Date(n.createdAt).toISOString(),
    text,
    ...n.vars,
    since: s.sinceIso,
  };
}

export const webhookKind = defineChannelKind({
  kind: 'webhook',
  title: 'Webhook (JSON)',
  description: 'POSTs the notification as JSON to a URL, with an optional HMAC-SHA256 signature header over timestamp and body.',
  settings: webhookSettings,
  needsAddress: false,
  templates: {
    text: '{{kindLabel}}: {{title}}{{#state}} is {{state}}{{/state}}{{#message}} — {{message}}{{/message}}',
  },
  render(n, _settings, templates) {
    return JSON.stringify(webhookPayload(n, render('text', this.templates, templates, n, escapeNone)));
  },
  async send(body, settings, ctx) {
    const headers: Record<string, string> = { ...settings.headers };
    if (settings.signingSecret !== undefined) {
      const secret = ctx.secret(settings.signingSecret);
      if (secret === undefined) return permanent('config', `secret "${settings.signingSecret}" (signingSecret) is not in the secrets file`);
      const ts = Math.floor(ctx.now() / 1000);
      headers[settings.timestampHeader] = String(ts);
      headers[settings.signatureHeader] = webhookSignature(secret, ts, body);
    }
    return httpSend({ url: settings.url, method: settings.method, headers, body, signal: ctx.signal, ...(settings.caFile !== undefined ? { caFile: settings.caFile } : {}), rejectUnauthorized: settings.rejectUnauthorized });
  },
});
