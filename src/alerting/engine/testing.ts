// Test helpers for the alerting engine: a hospital-shaped tree in one call, an in-memory delivery
// queue that refuses duplicate keys like the real one, sensor states a test sets by hand, and a
// harness that starts alerting on a ManualClock over an in-memory SQLite alert store.

import type { SensorStatus, State, StateEvent, PauseReason } from '../../core/model.ts';
import type { MaintenanceWindow, Tree, TreeNode } from '../../core/tree.ts';
import { ManualClock } from '../../shared/clock.ts';
import { openSqliteAlertStore } from '../../store/sqlite/alerting.ts';
import { openSqliteStore, type SqliteStore } from '../../store/sqlite/index.ts';
import { alertingSchema, type AlertingConfig } from '../config.ts';
import type { DeliveryQueue, Notification } from '../notification.ts';
import { startAlerting, type Alerting, type AlertingOptions } from '../start.ts';

export class MemoryQueue implements DeliveryQueue {
  readonly sent: Notification[] = [];
  readonly #keys = new Set<string>();
  /** Calls to enqueue, including duplicates refused. */
  offered = 0;

  async enqueue(list: readonly Notification[]): Promise<number> {
    let n = 0;
    for (const x of list) {
      this.offered++;
      if (this.#keys.has(x.key)) continue;
      this.#keys.add(x.key);
      this.sent.push(x);
      n++;
    }
    return n;
  }

  /** "kind recipient@channel: title", for compact assertions. */
  lines(): string[] {
    return this.sent.map((n) => `${n.kind} ${n.recipient.name}@${n.channel}: ${n.vars.title}`);
  }

  take(): string[] {
    const out = this.lines();
    this.sent.length = 0;
    return out;
  }
}

export interface DeviceSpec {
  readonly sensors: readonly string[];
  readonly host?: string;
  readonly dependsOn?: string;
}

export interface HospitalSpec {
  readonly timezone?: string;
  /** group id → device id → sensors; ids are local, full ids are "main/core/<group>/<device>/<sensor>". */
  readonly groups: Readonly<Record<string, Readonly<Record<string, DeviceSpec>>>>;
  readonly maintenance?: readonly MaintenanceWindow[];
}

export const SITE = 'main';
export const PROBE = 'main/core';

/** site "main" → probe "main/core" → groups → devices → sensors. */
export function hospitalTree(spec: HospitalSpec): Tree {
  const nodes = new Map<string, TreeNode>();
  const groups = Object.keys(spec.groups).map((g) => `${PROBE}/${g}`);
  nodes.set(SITE, { type: 'site', id: SITE, name: 'Main hospital', timezone: spec.timezone ?? 'UTC', settings: {}, children: [PROBE] });
  nodes.set(PROBE, { type: 'probe', id: PROBE, name: 'Core probe', parentId: SITE, settings: {}, children: groups });
  for (const [g, devices] of Object.entries(spec.groups)) {
    const gid = `${PROBE}/${g}`;
    nodes.set(gid, { type: 'group', id: gid, name: g, parentId: PROBE, system: 'network', settings: {}, children: Object.keys(devices).map((d) => `${gid}/${d}`) });
    for (const [d, dev] of Object.entries(devices)) {
      const did = `${gid}/${d}`;
      nodes.set(did, {
        type: 'device',
        id: did,
        name: d,
        parentId: gid,
        host: dev.host ?? `${d}.hospital.example`,
        settings: dev.dependsOn !== undefined ? { dependsOn: dev.dependsOn } : {},
        children: dev.sensors.map((s) => `${did}/${s}`),
      });
      for (const s of dev.sensors) {
        nodes.set(`${did}/${s}`, { type: 'sensor', id: `${did}/${s}`, name: s, parentId: did, kind: 'ping', kindSettings: {}, channels: {}, settings: {}, children: [] });
      }
    }
  }
  return { nodes, roots: [SITE], maintenance: new Map((spec.maintenance ?? []).map((m) => [m.name, m])), credentials: new Map(), defaults: {} };
}

/** Sensor states a test sets; `change` returns the StateEvent the monitoring engine would emit. */
export class States {
  readonly map = new Map<string, SensorStatus>();
  readonly statusOf = (id: string): SensorStatus | undefined => this.map.get(id);

  change(id: string, to: State, ts: number, o: { pauseReason?: PauseReason; message?: string } = {}): StateEvent {
    const prev = this.map.get(id);
    const from = prev?.state ?? 'unknown';
    this.map.set(id, { state: to, since: ts, failures: to === 'down' ? 1 : 0, ...(o.pauseReason ? { pauseReason: o.pauseReason } : {}), ...(o.message !== undefined ? { message: o.message } : {}) });
    return { sensorId: id, ts, from, to, reason: to.toUpperCase(), ...(o.pauseReason ? { pauseReason: o.pauseReason } : {}), ...(o.message !== undefined ? { message: o.message } : {}) };
  }
}

export const TEST_CHANNELS = [
  { name: 'mail', kind: 'email', host: 'smtp.hospital.example', from: 'wardwatch@hospital.example' },
  { name: 'pager', kind: 'pagerduty', routingKeySecret: 'pd-key' },
  { name: 'hook', kind: 'webhook', url: 'http://127.0.0.1:9/hook' },
];

export const TEST_CONTACTS = [
  { name: 'alice', email: 'alice@hospital.example' },
  { name: 'bob', email: 'bob@hospital.example' },
  { name: 'carol', email: 'carol@hospital.example' },
  { name: 'lead', email: 'lead@hospital.example' },
  { name: 'manager', email: 'it-manager@hospital.example' },
];

/** Parses an alerting section with the test channels and contacts unless the input gives its own. */
export function testConfig(input: Record<string, unknown>): AlertingConfig {
  return alertingSchema.parse({ channels: TEST_CHANNELS, contacts: TEST_CONTACTS, ...input });
}

export const ACK_KEY = 'test-key-0123456789abcdef';

export interface Harness {
  readonly clock: ManualClock;
  readonly queue: MemoryQueue;
  readonly states: States;
  readonly db: SqliteStore;
  alerting: Alerting;
  readonly acks: string[];
  /** Emits a state change to alerting (as the Engine's onStateChange would) and waits for the decision. */
  change(id: string, to: State, o?: { pauseReason?: PauseReason; message?: string }): Promise<void>;
  /** Moves the clock forward in steps (default 1 s), letting alerting finish each step's work before the next. */
  advance(ms: number, stepMs?: number): Promise<void>;
  /** Closes alerting and starts it again on the same store (a restart). */
  restart(over?: Partial<AlertingOptions>): Promise<void>;
  close(): Promise<void>;
}

export async function harness(tree: Tree, config: AlertingConfig, over: Partial<AlertingOptions> & { clock?: ManualClock } = {}): Promise<Harness> {
  const clock = over.clock ?? new ManualClock(Date.UTC(2026, 0, 5, 8, 0, 0));
  const queue = new MemoryQueue();
  const states = new States();
  const db = openSqliteStore({ path: ':memory:' });
  const acks: string[] = [];
  const start = (o: Partial<AlertingOptions>) =>
    startAlerting({
      clock,
      tree,
      config,
      store: openSqliteAlertStore(db.connection),
      queue,
      statusOf: states.statusOf,
      history: db,
      consoleUrl: 'https://wardwatch.hospital.example',
      ackKey: ACK_KEY,
      onAcknowledge: (s, by, note) => acks.push(`${s} by ${by}${note !== undefined ? `: ${note}` : ''}`),
      ...over,
      ...o,
    });
  const h: Harness = {
    clock,
    queue,
    states,
    db,
    acks,
    alerting: await start({}),
    async change(id, to, o = {}) {
      const e = states.change(id, to, clock.now(), o);
      h.alerting.onStateChange(e, states.statusOf(id)!);
      await h.alerting.idle();
    },
    async advance(ms, stepMs = 1000) {
      for (let left = ms; left > 0; left -= stepMs) {
        await clock.advance(Math.min(stepMs, left));
        await h.alerting.idle();
      }
    },
    async restart(o = {}) {
      await h.alerting.close();
      h.alerting = await start(o);
      await h.alerting.idle();
    },
    async close() {
      await h.alerting.close();
      await db.close();
    },
  };
  return h;
}
