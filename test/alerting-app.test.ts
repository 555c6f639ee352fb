// Alerting through the whole application: a device goes Down, the rule's webhook receives the
// notification (through the durable queue), its signed link acknowledges the alert and the sensor,
// and the device coming back sends the recovery to the same recipient. A failing channel ends in a
// visible "delivery failed" message and the fallback channel.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../src/app.ts';
import { bearerFor, createTestUser } from '../src/api/auth/testing.ts';
import { closedPort } from '../src/sim/closed-port.ts';
import { startWebhookReceiver, type WebhookReceiver } from './peers/webhook.ts';
import { freePort } from './peers/harness.ts';

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('alerting in the running application', () => {
  let dir: string;
  let app: App;
  let hook: WebhookReceiver;
  let broken: WebhookReceiver;
  let port: number;
  const sensorId = 'main/local/pacs/archive/dicom-port';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ww-alerting-app-'));
    hook = await startWebhookReceiver();
    // The primary channel of the second rule always refuses (permanent 4xx): the fallback must be used.
    broken = await startWebhookReceiver(() => ({ status: 410, body: 'gone' }));
    port = await closedPort();
    await writeFile(
      join(dir, 'hospital.yaml'),
      `sites:
  - name: Main
    probes:
      - name: Local
        groups:
          - name: PACS
            system: PACS
            devices:
              - name: Archive
                host: 127.0.0.1
                sensors:
                  - { name: DICOM port, kind: tcp, port: ${port}, interval: 1s, retries: 0 }
alerting:
  contacts:
    - { name: night-oncall, email: oncall@hospital.example }
  channels:
    - { name: pager, kind: webhook, url: "${hook.url}" }
    - { name: siem, kind: webhook, url: "${broken.url}", fallback: pager }
  rules:
    - { name: pacs-down, trigger: { state: { to: [down] } }, to: [night-oncall], channels: [pager], grouping: false }
    - { name: pacs-siem, trigger: { state: { to: [down] } }, to: [night-oncall], channels: [siem], grouping: false, recovery: false }
`,
    );
    // A known port: the console's address (in the links of the very first notification) is known
    // before the API listens; with port 0 it would only be known afterwards.
    app = await startApp({ configPath: join(dir, 'hospital.yaml'), dataDir: join(dir, 'data'), host: '127.0.0.1', port: await freePort(), log: () => undefined, insecureHttp: true });
  });

  afterAll(async () => {
    await app?.close();
    await hook?.close();
    await broken?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('notifies once, acknowledges through the signed link, and sends the recovery', async () => {
    const alertBody = await until('the alert on the webhook', () => {
      const r = hook.delivered().map((x) => JSON.parse(x.body) as Record<string, unknown>).find((b) => b.kind === 'alert' && b.rule === 'pacs-down');
      return r;
    });
    expect(alertBody).toMatchObject({ kind: 'alert', rule: 'pacs-down', recipient: 'pager', state: 'down', sensorId, clinicalSystem: 'PACS' });
    const ackUrl = alertBody.ackUrl as string;
    expect(ackUrl.startsWith(`${app.url}api/alerts/ack?token=`)).toBe(true);

    // GET only shows a confirm page (a mail scanner must not acknowledge); POST acknowledges.
    const page = await fetch(ackUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Acknowledge as');
    const token = new URL(ackUrl).searchParams.get('token') ?? '';
    const done = await fetch(`${app.url}api/alerts/ack`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token, note: 'on my way' }).toString() });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('Acknowledged by');
    await until('the sensor acknowledged', () => app.engine.status(sensorId)?.acknowledged);
    expect(app.engine.status(sensorId)?.acknowledged).toMatchObject({ note: 'on my way' });

    // The device comes back: the recovery goes to who was told, and the alert was sent once only.
    const server = net.createServer((s) => s.end());
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    try {
      await until('the recovery', () => hook.delivered().map((x) => JSON.parse(x.body) as Record<string, unknown>).find((b) => b.kind === 'recovery' && b.rule === 'pacs-down'));
    } finally {
      server.close();
    }
    const pageAlerts = hook.delivered().map((x) => JSON.parse(x.body) as Record<string, unknown>).filter((b) => b.rule === 'pacs-down' && b.kind === 'alert');
    expect(pageAlerts).toHaveLength(1);
  });

  it('makes a finally failed delivery visible and sends it through the fallback channel', async () => {
    const notice = await until('the delivery-failed notice on the fallback', () =>
      hook.delivered().map((x) => JSON.parse(x.body) as Record<string, unknown>).find((b) => b.kind === 'delivery-failed'),
    );
    expect(notice).toMatchObject({ kind: 'delivery-failed', channel: 'pager' });
    const messages = await until('the failure in the message log', async () => {
      const m = await app.store.messages({ receiver: 'alerting', limit: 10 });
      return m.length > 0 ? m : undefined;
    });
    expect(messages[0]?.text).toMatch(/siem/);
    expect(broken.requests.length).toBe(1);
    // The failed notification and its attempt are visible through the API.
    const { user } = await createTestUser(app.auth, { roles: ['administrator'] });
    const headers = (await bearerFor(app.auth, user)).headers;
    const list = (await (await fetch(`${app.url}api/notifications?status=failed`, { headers })).json()) as { items: { key: string; notification?: { channel: string }; channel?: string }[] };
    expect(list.items.length).toBeGreaterThanOrEqual(1);
    const one = (await (await fetch(`${app.url}api/notifications/${encodeURIComponent(list.items[0]!.key)}`, { headers })).json()) as { channel: string; attemptLog: { status: string; ok: boolean }[] };
    expect(one.channel).toBe('siem');
    expect(one.attemptLog).toEqual([expect.objectContaining({ ok: false, status: 'HTTP 410', response: 'gone', retryable: false })]);
  });
});
