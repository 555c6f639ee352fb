// PagerDuty Events API v2: an alert opens (trigger), an acknowledgement acknowledges and a recovery
// resolves the same PagerDuty incident, because dedup_key is Wardwatch's alert id.

import type { Notification } from '../../notification.ts';
import { escapeLine, render } from '../../templates/index.ts';
import { defineChannelKind, permanent } from '../channel.ts';
import { httpSend } from '../http.ts';
import { pagerdutySettings, type PagerdutySettings } from './settings.ts';

export const PAGERDUTY_TEMPLATES = {
  summary: '{{title}}{{#state}} is {{state}}{{/state}}{{#message}}: {{message}}{{/message}}',
} as const;

/**
 * Which event a notification becomes: a recovery resolves the incident; a notification whose state
 * is "acknowledged" (the alert was acknowledged in Wardwatch) acknowledges it; everything else triggers.
 */
export function eventAction(n: Notification): 'trigger' | 'acknowledge' | 'resolve' {
  if (n.kind === 'recovery') return 'resolve';
  if (n.kind !== 'delivery-failed' && n.vars.state?.toLowerCase() === 'acknowledged') return 'acknowledge';
  return 'trigger';
}

export interface PagerdutyMessage {
  readonly action: 'trigger' | 'acknowledge' | 'resolve';
  readonly event: Record<string, unknown>;
}

export function pagerdutyEvent(n: Notification, settings: PagerdutySettings, templates: Readonly<Record<string, string>>): PagerdutyMessage {
  const v = n.vars;
  const action = eventAction(n);
  // A delivery-failure notice is its own incident: it must not resolve or merge with the alert's.
  const dedupKey = n.kind === 'delivery-failed' ? `${n.alertId}:delivery-failed` : n.alertId;
  if (action !== 'trigger') return { action, event: { event_action: action, dedup_key: dedupKey } };
  const links = [
    ...(v.consoleUrl ? [{ href: v.consoleUrl, text: 'Open in Wardwatch' }] : []),
    ...(v.ackUrl ? [{ href: v.ackUrl, text: 'Acknowledge in Wardwatch' }] : []),
  ];
  return {
    action,
    event: {
      event_action: 'trigger',
      dedup_key: dedupKey,
      payload: {
        summary: render('summary', PAGERDUTY_TEMPLATES, templates, n, escapeLine).slice(0, 1024),
        source: settings.source ?? v.host ?? v.device ?? 'wardwatch',
        severity: v.severity === 'critical' ? 'critical' : v.severity === 'warning' ? 'warning' : 'info',
        timestamp: new Date(v.since ?? n.createdAt).toISOString(),
        ...(settings.component ?? v.sensor ? { component: settings.component ?? v.sensor } : {}),
        ...(settings.group ?? v.clinicalSystem ?? v.group ? { group: settings.group ?? v.clinicalSystem ?? v.group } : {}),
        ...(settings.class !== undefined ? { class: settings.class } : {}),
        custom_details: { kind: n.kind, rule: n.ruleName, state: v.state, previousState: v.previousState, message: v.message, value: v.value, members: v.members, affectedDependents: v.affectedDependents, runbook: v.runbook },
      },
      client: 'Wardwatch',
      ...(v.consoleUrl ? { client_url: v.consoleUrl } : {}),
      ...(links.length ? { links } : {}),
    },
  };
}

export const pagerdutyKind = defineChannelKind({
  kind: 'pagerduty',
  title: 'PagerDuty (Events API v2)',
  description: 'Triggers a PagerDuty incident per alert (dedup_key = alert id) and resolves it on recovery.',
  settings: pagerdutySettings,
  needsAddress: false,
  templates: PAGERDUTY_TEMPLATES,
  render(n, settings, templates) {
    return pagerdutyEvent(n, settings, templates);
  },
  async send(msg, settings, ctx) {
    const key = ctx.secret(settings.routingKeySecret);
    if (key === undefined) return permanent('config', `secret "${settings.routingKeySecret}" (routingKeySecret) is not in the secrets file`);
    // Events API answers 202 with {status, dedup_key}; 400 means the event itself is invalid.
    return httpSend({ url: settings.url, body: JSON.stringify({ ...msg.event, routing_key: key }), signal: ctx.signal });
  },
});
