// Shared by the channel tests: a realistic notification (with characters every medium must escape)
// and a one-call "parse this instance like the config loader would, render, send".

import type { Notification } from '../../notification.ts';
import type { SendResult } from '../channel.ts';
import { channelInstanceSchema, instanceSettings, type ChannelInstance } from '../registry.ts';

export const T0 = Date.UTC(2026, 10, 29, 2, 13, 5);

export function sampleNotification(extra: Partial<Notification> = {}): Notification {
  return {
    key: 'alert-42:alert:0:dr-night:ch',
    alertId: 'alert-42',
    ruleName: 'Imaging down',
    kind: 'alert',
    channel: 'ch',
    recipient: { name: 'dr-night', address: 'oncall@hospital.example' },
    createdAt: T0,
    vars: {
      title: 'PACS <Archive> "A&B"',
      state: 'Down',
      previousState: 'Up',
      device: 'PACS archive | B=2',
      host: '10.1.2.3',
      sensor: 'DICOM echo',
      sensorId: 'main/imaging/pacs/echo',
      message: 'association rejected: called AE "PACS" unknown\nsecond line ]',
      value: '1200 ms',
      since: T0 - 120_000,
      consoleUrl: 'https://wardwatch.example/sensors/main/imaging/pacs/echo',
      ackUrl: 'https://wardwatch.example/ack?t=abc&x=1',
      severity: 'critical',
      clinicalSystem: 'PACS',
    },
    ...extra,
  };
}

export function parseInstance(raw: Record<string, unknown>): ChannelInstance {
  return channelInstanceSchema.parse({ name: 'ch', ...raw });
}

export interface SendOptions {
  readonly secrets?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  readonly now?: number;
}

/** Parses the instance as the config loader would, renders the notification and sends it once. */
export async function sendOnce(raw: Record<string, unknown>, n: Notification = sampleNotification(), o: SendOptions = {}): Promise<SendResult> {
  const instance = parseInstance(raw);
  const { kind, settings } = instanceSettings(instance);
  const message: unknown = kind.render(n, settings, instance.templates ?? {});
  const timeoutMs = o.timeoutMs ?? 10_000;
  const signal = AbortSignal.timeout(timeoutMs);
  return kind.send(message, settings, { signal, timeoutMs, now: () => o.now ?? T0, secret: (name) => o.secrets?.[name] }, n);
}
