// Alert changes on the live stream (GET /api/live?alerts=1) with the real alerting part behind the
// API: an alert opening, escalating, being acknowledged and resolving reaches a stream whose user
// reads the alert's object, never one who does not, and never a stream that did not ask for alerts;
// a reconnect with Last-Event-ID replays the alert changes it missed.

import { request, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertChange, AlertingService } from '../../src/alerting/service.ts';
import { MemoryQueue, testConfig } from '../../src/alerting/engine/testing.ts';
import { startAlerting, type Alerting } from '../../src/alerting/start.ts';
import { openSqliteAlertStore } from '../../src/store/sqlite/alerting.ts';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/index.ts';
import { startHarness, type Harness, type RoleName } from './harness.ts';

const ICU_PING = 'site-a/p1/icu/monitor-1/ping';
const LAB_HL7 = 'site-b/p1/lab/analyzer/hl7';
/** Bound on waiting for one event (the events are sent as soon as the clock moves; this is a ceiling). */
const EVENT_MS = 10_000;

interface Frame {
  readonly id: string | undefined;
  readonly event: string;
  readonly data: unknown;
}

interface Stream {
  readonly res: IncomingMessage;
  /** The next frame of this event name not yet taken; fails after EVENT_MS. */
  next(event: string): Promise<Frame>;
  /** Every frame received so far. */
  readonly frames: Frame[];
  close(): void;
}

function openStream(h: Harness, port: number, role: RoleName, query: string, lastEventId?: string): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const headers = { ...h.headers[role], ...(lastEventId !== undefined ? { 'last-event-id': lastEventId } : {}) };
    const req = request({ host: '127.0.0.1', port, path: `/api/live?${query}`, headers }, (res) => {
      const frames: Frame[] = [];
      const taken = new Set<Frame>();
      let wake: (() => void) | undefined;
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        buf += c;
        for (let end = buf.indexOf('\n\n'); end >= 0; end = buf.indexOf('\n\n')) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event !== undefined && data !== undefined) frames.push({ id: /^id: (.*)$/m.exec(block)?.[1], event, data: JSON.parse(data) as unknown });
        }
        wake?.();
      });
      resolve({
        res,
        frames,
        async next(event) {
          const deadline = Date.now() + EVENT_MS;
          for (;;) {
            const f = frames.find((x) => x.event === event && !taken.has(x));
            if (f) {
              taken.add(f);
              return f;
            }
            const left = deadline - Date.now();
            if (left <= 0) throw new Error(`no "${event}" event within ${EVENT_MS} ms on /api/live?${query} as ${role}; got: ${frames.map((x) => x.event).join(', ')}`);
            await new Promise<void>((r) => {
              const t = setTimeout(r, left);
              wake = () => {
                clearTimeout(t);
                r();
              };
            });
          }
        },
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const changeOf = (f: Frame) => f.data as AlertChange;
const alertsIn = (s: Stream) => s.frames.filter((f) => f.event === 'alert').map((f) => `${changeOf(f).change} ${changeOf(f).alert.nodeId}`);

describe('alert changes on the live stream', () => {
  let h: Harness;
  let alerting: Alerting;
  let db: SqliteStore;
  let port: number;
  /** Moves the clock on and lets alerting decide on what the engine reported. */
  const advance = async (ms: number) => {
    await h.clock.advance(ms);
    await alerting.idle();
  };

  beforeAll(async () => {
    // The API is built before alerting can start on the harness's clock and tree: it reaches alerting through this.
    const late: { alerting?: Alerting } = {};
    const running = (): AlertingService => {
      if (!late.alerting) throw new Error('test setup: alerting is not started yet');
      return late.alerting.service;
    };
    h = await startHarness({
      alerting: {
        alerts: (q) => running().alerts(q),
        alert: (id) => running().alert(id),
        acknowledge: (id, by, note, via) => running().acknowledge(id, by, note, via),
        verifyAckToken: (t) => running().verifyAckToken(t),
        securityFinding: (f) => running().securityFinding(f),
      },
    });
    db = openSqliteStore({ path: ':memory:' });
    alerting = late.alerting = await startAlerting({
      clock: h.clock,
      tree: h.tree(),
      config: testConfig({ rules: [{ name: 'down', grouping: false, trigger: { state: { to: ['down'] } }, to: ['alice'], channels: ['mail'], escalation: [{ after: '10m', to: ['lead'] }] }] }),
      store: openSqliteAlertStore(db.connection),
      queue: new MemoryQueue(),
      statusOf: (id) => h.engine.status(id),
      // As app.ts wires it: the engine's state changes into alerting, alerting's changes into the stream.
      onChange: (c) => h.live.publish({ type: 'alert', ...c }),
    });
    h.live.subscribe((e) => {
      if (e.type === 'state') alerting.onStateChange(e.event, e.status);
    });
    for (const id of [ICU_PING, 'site-a/p1/icu/monitor-1/temp', 'site-a/p1/pacs/archive/echo', LAB_HL7]) h.fake.script(id, 5);
    await advance(61_000);
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    port = (h.app.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await alerting?.close();
    await h?.close();
    await db?.close();
  });

  it('sends each change of an alert to the streams whose user reads its object, and to no other', async () => {
    const all = await openStream(h, port, 'read-only', 'alerts=1');
    const ward = await openStream(h, port, 'ward', 'alerts=true');
    // The tree page's stream (nodes, no alerts) gets no alert changes, though its user reads everything.
    const tree = await openStream(h, port, 'administrator', `nodes=${encodeURIComponent('site-a/p1/icu')}`);
    for (const s of [all, ward, tree]) {
      expect(s.res.statusCode).toBe(200);
      expect((await s.next('snapshot')).data).toMatchObject({ nodes: expect.any(Array) as unknown });
    }

    // The lab (outside the ward's rights) fails first, the ICU after it: the ward's stream has the
    // ICU alert, so the lab's would have arrived before it, were it sent.
    h.fake.script(LAB_HL7, 'throw');
    await advance(60_000);
    const labOpened = changeOf(await all.next('alert'));
    expect(labOpened).toMatchObject({ change: 'opened', alert: { nodeId: LAB_HL7, state: 'open', escalationStep: 0 } });
    h.fake.script(ICU_PING, 'throw');
    await advance(60_000);
    const icuOpened = changeOf(await ward.next('alert'));
    expect(icuOpened).toMatchObject({ change: 'opened', alert: { nodeId: ICU_PING, state: 'open', ruleName: 'down' } });
    expect(changeOf(await all.next('alert')).alert.id).toBe(icuOpened.alert.id);
    // The stream says what GET /api/alerts/:id says.
    expect((await h.call('ward', 'GET', `/api/alerts/${icuOpened.alert.id}`)).json()).toEqual(icuOpened.alert);

    // Acknowledged, by whom: again the lab first.
    expect((await h.call('operator', 'POST', `/api/alerts/${labOpened.alert.id}/acknowledge`, { note: 'lab knows' })).statusCode).toBe(200);
    expect(changeOf(await all.next('alert'))).toMatchObject({ change: 'acknowledged', alert: { id: labOpened.alert.id, state: 'acknowledged', acknowledged: { by: expect.stringContaining('operator') as unknown, note: 'lab knows', via: 'api' } } });
    expect((await h.call('ward', 'POST', `/api/alerts/${icuOpened.alert.id}/acknowledge`, { note: 'bedside check' })).statusCode).toBe(200);
    expect(changeOf(await ward.next('alert'))).toMatchObject({ change: 'acknowledged', alert: { id: icuOpened.alert.id, acknowledged: { by: expect.stringContaining('ward-nurse') as unknown, note: 'bedside check' } } });
    expect(changeOf(await all.next('alert'))).toMatchObject({ change: 'acknowledged', alert: { id: icuOpened.alert.id } });

    // The ICU's state change is sent after every alert change above: the tree's stream has it, and nothing of alerts.
    h.fake.script(ICU_PING, 5);
    await advance(60_000);
    expect(changeOf(await all.next('alert'))).toMatchObject({ change: 'resolved', alert: { id: icuOpened.alert.id, state: 'resolved' } });
    expect(changeOf(await ward.next('alert'))).toMatchObject({ change: 'resolved', alert: { id: icuOpened.alert.id } });
    await tree.next('state');
    expect(tree.frames.map((f) => f.event)).not.toContain('alert');
    expect(alertsIn(ward)).toEqual([`opened ${ICU_PING}`, `acknowledged ${ICU_PING}`, `resolved ${ICU_PING}`]);
    expect(alertsIn(all)).toEqual([`opened ${LAB_HL7}`, `opened ${ICU_PING}`, `acknowledged ${LAB_HL7}`, `acknowledged ${ICU_PING}`, `resolved ${ICU_PING}`]);
    for (const s of [all, ward, tree]) s.close();
    h.fake.script(LAB_HL7, 5);
    await advance(60_000);
  });

  it('replays the alert changes missed after Last-Event-ID, escalation included', async () => {
    const first = await openStream(h, port, 'read-only', 'alerts=1');
    const snap = await first.next('snapshot');
    first.close();
    h.fake.script(LAB_HL7, 'throw');
    await advance(60_000);
    // The rule's escalation step is due 10 minutes after opening.
    for (let i = 0; i < 10; i++) await advance(60_000);
    const again = await openStream(h, port, 'read-only', 'alerts=1', snap.id);
    const opened = changeOf(await again.next('alert'));
    expect(opened).toMatchObject({ change: 'opened', alert: { nodeId: LAB_HL7, escalationStep: 0 } });
    expect(changeOf(await again.next('alert'))).toMatchObject({ change: 'escalated', alert: { id: opened.alert.id, escalationStep: 1 } });
    expect(again.frames.map((f) => f.event)).not.toContain('snapshot');
    again.close();
    // The ward's reconnect from the same point replays nothing of the lab.
    const ward = await openStream(h, port, 'ward', 'alerts=1', snap.id);
    h.fake.script(ICU_PING, 'throw');
    await advance(60_000);
    expect(changeOf(await ward.next('alert'))).toMatchObject({ change: 'opened', alert: { nodeId: ICU_PING } });
    expect(alertsIn(ward)).toEqual([`opened ${ICU_PING}`]);
    ward.close();
  });

  it('refuses a stream that asks for neither nodes nor alerts, and documents the alerts parameter', async () => {
    const none = await h.call('read-only', 'GET', '/api/live');
    expect(none.statusCode).toBe(400);
    expect(none.json<{ errors: { path: string }[] }>().errors[0]!.path).toBe('query.nodes');
    expect((await h.call('read-only', 'GET', '/api/live?alerts=maybe')).json<{ errors: { path: string }[] }>().errors[0]!.path).toBe('query.alerts');
    expect((await h.call('anonymous', 'GET', '/api/live?alerts=1')).statusCode).toBe(401);
    const spec = (await h.call('anonymous', 'GET', '/api/openapi.json')).json<{ paths: Record<string, { get: { parameters: { name: string; description?: string }[] } }> }>();
    const params = spec.paths['/api/live']!.get.parameters;
    expect(params.find((p) => p.name === 'alerts')?.description).toContain('alert');
    expect(params.find((p) => p.name === 'nodes')).toBeDefined();
  });
});
