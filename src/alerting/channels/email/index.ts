// Email over SMTP (nodemailer): plain, STARTTLS (required or if offered) or implicit TLS, optional
// AUTH, HTML and plain-text parts. The Message-ID is derived from the notification key, so a message
// re-sent after a crash is recognisably the same one, and messages of one alert thread together.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';
import type { Notification } from '../../notification.ts';
import { escapeHtml, escapeLine, escapeNone, render } from '../../templates/index.ts';
import { defineChannelKind, permanent, retryable, sent, type SendResult } from '../channel.ts';
import { emailSettings, type EmailSettings } from './settings.ts';

export const EMAIL_TEMPLATES = {
  subject: '[Wardwatch] {{kindLabel}}: {{title}}{{#state}} is {{state}}{{/state}}',
  text: [
    '{{kindLabel}}: {{title}}',
    '',
    '{{#device}}Device:  {{device}}{{#host}} ({{host}}){{/host}}\n{{/device}}{{#sensor}}Sensor:  {{sensor}}\n{{/sensor}}{{#state}}State:   {{state}}{{#previousState}} (was {{previousState}}){{/previousState}}\n{{/state}}{{#since}}Since:   {{since}}\n{{/since}}{{#value}}Value:   {{value}}\n{{/value}}{{#message}}Message: {{message}}\n{{/message}}{{#clinicalSystem}}System:  {{clinicalSystem}}\n{{/clinicalSystem}}{{#affectedDependents}}{{affectedDependents}} dependent sensors are paused behind this one.\n{{/affectedDependents}}',
    '{{#members}}  - {{name}}: {{state}}{{#message}} ({{message}}){{/message}}\n{{/members}}',
    '{{#runbook}}What to do: {{runbook}}\n\n{{/runbook}}{{#ackUrl}}Acknowledge: {{ackUrl}}\n{{/ackUrl}}{{#consoleUrl}}Open in Wardwatch: {{consoleUrl}}\n{{/consoleUrl}}',
    '-- ',
    'Wardwatch rule "{{rule}}", alert {{alertId}}',
  ].join('\n'),
  html: [
    '<!doctype html><html><body style="font-family:sans-serif">',
    '<h2>{{kindLabel}}: {{title}}</h2>',
    '<table cellpadding="4">',
    '{{#device}}<tr><th align="left">Device</th><td>{{device}}{{#host}} ({{host}}){{/host}}</td></tr>{{/device}}',
    '{{#sensor}}<tr><th align="left">Sensor</th><td>{{sensor}}</td></tr>{{/sensor}}',
    '{{#state}}<tr><th align="left">State</th><td><b>{{state}}</b>{{#previousState}} (was {{previousState}}){{/previousState}}</td></tr>{{/state}}',
    '{{#since}}<tr><th align="left">Since</th><td>{{since}}</td></tr>{{/since}}',
    '{{#value}}<tr><th align="left">Value</th><td>{{value}}</td></tr>{{/value}}',
    '{{#message}}<tr><th align="left">Message</th><td>{{message}}</td></tr>{{/message}}',
    '{{#clinicalSystem}}<tr><th align="left">System</th><td>{{clinicalSystem}}</td></tr>{{/clinicalSystem}}',
    '</table>',
    '{{#affectedDependents}}<p>{{affectedDependents}} dependent sensors are paused behind this one.</p>{{/affectedDependents}}',
    '{{#members}}<li>{{name}}: {{state}}{{#message}} ({{message}}){{/message}}</li>{{/members}}',
    '{{#runbook}}<p><b>What to do:</b> {{runbook}}</p>{{/runbook}}',
    '<p>{{#ackUrl}}<a href="{{ackUrl}}">Acknowledge</a> · {{/ackUrl}}{{#consoleUrl}}<a href="{{consoleUrl}}">Open in Wardwatch</a>{{/consoleUrl}}</p>',
    '<p style="color:#777">Wardwatch rule "{{rule}}", alert {{alertId}}</p>',
    '</body></html>',
  ].join(''),
} as const;

function idPart(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 32);
}

/** Deterministic per notification key: a crash between "sent" and "recorded" re-sends the same Message-ID. */
export function messageId(n: Notification): string {
  return `<${idPart(n.key)}@wardwatch>`;
}

/** The thread every message about one alert belongs to (mail clients group by References). */
export function threadId(n: Notification): string {
  return `<alert-${idPart(n.alertId)}@wardwatch>`;
}

export interface EmailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly messageId: string;
  readonly references: string;
  readonly date: Date;
}

function defaultPort(s: EmailSettings): number {
  return s.security === 'tls' ? 465 : s.security === 'none' ? 25 : 587;
}

/** SMTP reply codes: 4xx is a temporary refusal, 5xx a permanent one; connection trouble is retried. */
export function classifySmtp(err: Error & { code?: string; responseCode?: number; response?: string; command?: string }, where: string): SendResult {
  const status = err.responseCode !== undefined ? String(err.responseCode) : (err.code ?? 'error');
  const response = err.response;
  // STARTTLS required and refused (454 TLS not available): the relay's setup, not a passing fault.
  if (err.code === 'ETLS' || err.command === 'STARTTLS') return permanent(err.code ?? status, `${where}: ${err.message}`, response);
  if (err.responseCode !== undefined && err.responseCode >= 500) return permanent(status, `${where}: ${err.message}`, response);
  if (err.responseCode !== undefined && err.responseCode >= 400) return retryable(status, `${where}: ${err.message}`, response);
  // EAUTH (wrong password) and ETLS (STARTTLS required but not offered) do not heal by retrying for an hour.
  if (err.code === 'EAUTH' || err.code === 'ETLS' || err.code === 'EENVELOPE') return permanent(status, `${where}: ${err.message}`, response);
  return retryable(status, `${where}: ${err.message}`, response);
}

export const emailKind = defineChannelKind({
  kind: 'email',
  title: 'Email (SMTP)',
  description: 'Sends an email with HTML and plain-text parts through an SMTP relay (plain, STARTTLS or TLS, with optional authentication).',
  settings: emailSettings,
  needsAddress: true,
  templates: EMAIL_TEMPLATES,
  render(n, _settings, templates): EmailMessage {
    return {
      to: n.recipient.address ?? '',
      subject: render('subject', EMAIL_TEMPLATES, templates, n, escapeLine).slice(0, 250),
      text: render('text', EMAIL_TEMPLATES, templates, n, escapeNone).replace(/\n{3,}/g, '\n\n'),
      html: render('html', EMAIL_TEMPLATES, templates, n, escapeHtml),
      messageId: messageId(n),
      references: threadId(n),
      date: new Date(n.createdAt),
    };
  },
  async send(msg, s, ctx) {
    if (!msg.to) return permanent('no address', 'the recipient has no email address');
    const port = s.port ?? defaultPort(s);
    const where = `SMTP ${s.host}:${port}`;
    let password: string | undefined;
    if (s.passwordSecret !== undefined) {
      password = ctx.secret(s.passwordSecret);
      if (password === undefined) return permanent('config', `secret "${s.passwordSecret}" (passwordSecret) is not in the secrets file`);
    }
    let ca: Buffer | undefined;
    if (s.caFile !== undefined) {
      try {
        ca = readFileSync(s.caFile);
      } catch (err) {
        return permanent('config', `cannot read caFile ${s.caFile}: ${(err as Error).message}`);
      }
    }
    const transport = nodemailer.createTransport({
      host: s.host,
      port,
      secure: s.security === 'tls',
      requireTLS: s.security === 'starttls',
      ignoreTLS: s.security === 'none',
      ...(s.username !== undefined && password !== undefined ? { auth: { user: s.username, pass: password } } : {}),
      tls: { rejectUnauthorized: s.rejectUnauthorized, ...(ca ? { ca } : {}) },
      ...(s.clientName !== undefined ? { name: s.clientName } : {}),
      connectionTimeout: ctx.timeoutMs,
      greetingTimeout: ctx.timeoutMs,
      socketTimeout: ctx.timeoutMs,
      disableFileAccess: true,
      disableUrlAccess: true,
    });
    const aborted = new Promise<SendResult>((resolve) => {
      const onAbort = () => {
        transport.close();
        resolve(retryable('TIMEOUT', `${where}: timed out`));
      };
      if (ctx.signal.aborted) onAbort();
      else ctx.signal.addEventListener('abort', onAbort, { once: true });
    });
    const sending = transport
      .sendMail({
        from: s.from,
        to: msg.to,
        ...(s.replyTo !== undefined ? { replyTo: s.replyTo } : {}),
        subject: msg.subject,
        text: msg.text,
        html: msg.html,
        messageId: msg.messageId,
        references: msg.references,
        date: msg.date,
        headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
      })
      .then((info: { response?: string; rejected?: unknown[] }): SendResult => {
        const rejected = Array.isArray(info.rejected) ? info.rejected.length : 0;
        if (rejected > 0) return permanent('rejected', `${where}: the server refused the recipient ${msg.to}`, info.response);
        const code = /^\d{3}/.exec(info.response ?? '')?.[0] ?? 'sent';
        return sent(code, info.response);
      })
      .catch((err: unknown) => classifySmtp(err as Error, where));
    try {
      return await Promise.race([sending, aborted]);
    } finally {
      transport.close();
    }
  },
});
