// Receivers on a remote probe: the listening kinds (syslog, snmp-trap) judge what the shared
// receivers publish in the inbox, so a probe whose subtree has such sensors runs those receivers
// itself (a site's devices send to the probe beside them, not across the WAN to the core). What they
// take in goes into the outbox with the readings, to the core's message log. Listen addresses come
// from the probe's own `receivers:` section (the same schema as the core's); push sensors get the
// push endpoint (POST/GET /api/push/<token>) on the probe's own small HTTP listener, since a probe
// has no API server. A receiver no sensor needs is not started.

import Fastify, { type FastifyInstance } from 'fastify';
import type { Tree } from '../core/tree.ts';
import { pushRoutes } from '../receivers/push/route.ts';
import type { ReceiversConfig } from '../receivers/config.ts';
import { startReceivers, type RunningReceivers } from '../receivers/start.ts';
import type { Inbox } from '../sensors/sensor.ts';
import type { MessageLog } from '../store/store.ts';

/** Sensor kinds whose input is a shared receiver, and which receiver of the `receivers:` section. */
export const RECEIVER_OF_KIND: Readonly<Record<string, keyof ReceiversConfig>> = { syslog: 'syslog', 'snmp-trap': 'snmpTraps' };

export interface ProbeReceiversOptions {
  /** The probe's `receivers:` section; undefined: the probe was given none. */
  readonly config: ReceiversConfig | undefined;
  readonly messages: MessageLog;
  readonly inbox: Inbox;
  readonly log: (line: string) => void;
  /** Where push sensors' devices send (HTTP); undefined: the probe takes no pushes. */
  readonly push?: { readonly host: string; readonly port: number };
  /** Wall-clock epoch ms for received pushes. */
  readonly now: () => number;
}

/** Receiver name → the sensors that need it, for the sensors of a tree. */
export function neededReceivers(tree: Tree): Map<keyof ReceiversConfig, string[]> {
  const out = new Map<keyof ReceiversConfig, string[]>();
  for (const n of tree.nodes.values()) {
    if (n.type !== 'sensor') continue;
    const r = RECEIVER_OF_KIND[n.kind];
    if (r === undefined) continue;
    const list = out.get(r) ?? [];
    list.push(n.id);
    out.set(r, list);
  }
  return out;
}

export class ProbeReceivers {
  readonly #o: ProbeReceiversOptions;
  #running: RunningReceivers | undefined;
  #runningKey = '';
  #devicesByHost = new Map<string, string>();
  #push: { app: FastifyInstance; address: string } | undefined;
  /** Applies run one after the other: a listener is closed before its port is bound again. */
  #chain: Promise<void> = Promise.resolve();

  constructor(opts: ProbeReceiversOptions) {
    this.#o = opts;
  }

  addresses(): readonly string[] {
    return [...(this.#running?.addresses ?? []), ...(this.#push ? [this.#push.address] : [])];
  }

  stats(): Readonly<Record<string, unknown>> {
    return this.#running?.stats() ?? {};
  }

  /** Starts, keeps or stops receivers for the sensors of this tree. */
  apply(tree: Tree): Promise<void> {
    const run = this.#chain.then(() => this.#apply(tree));
    this.#chain = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.#chain;
    const r = this.#running;
    this.#running = undefined;
    this.#runningKey = '';
    await r?.close();
    const p = this.#push;
    this.#push = undefined;
    await p?.app.close();
  }

  async #applyPush(tree: Tree): Promise<void> {
    const pushSensors = [...tree.nodes.values()].filter((n) => n.type === 'sensor' && n.kind === 'push').map((n) => n.id);
    if (pushSensors.length === 0) {
      const p = this.#push;
      this.#push = undefined;
      await p?.app.close();
      return;
    }
    if (this.#push) return;
    const where = this.#o.push;
    if (!where) {
      this.#o.log(`${pushSensors.length} push sensor(s) (${pushSensors.slice(0, 3).join(', ')}${pushSensors.length > 3 ? ', …' : ''}) need the probe's push endpoint, which it was not given: start the probe with --push HOST:PORT`);
      return;
    }
    const app = Fastify({ logger: false });
    pushRoutes(app, { inbox: this.#o.inbox, now: this.#o.now });
    try {
      await app.listen({ host: where.host, port: where.port });
      const a = app.server.address();
      const port = a !== null && typeof a === 'object' ? a.port : where.port;
      this.#push = { app, address: `push/http ${where.host}:${port}` };
      this.#o.log(`receiver listening: push/http ${where.host}:${port}`);
    } catch (err) {
      await app.close().catch(() => undefined);
      this.#o.log(`the push endpoint could not listen on ${where.host}:${where.port} (${(err as Error).message}): push sensors get nothing until the next configuration`);
    }
  }

  async #apply(tree: Tree): Promise<void> {
    await this.#applyPush(tree);
    // Senders map to the devices whose host they are (the first one, as on the core).
    const hosts = new Map<string, string>();
    for (const n of tree.nodes.values()) if (n.type === 'device' && !hosts.has(n.host)) hosts.set(n.host, n.id);
    this.#devicesByHost = hosts;

    const wanted: Partial<Record<keyof ReceiversConfig, unknown>> = {};
    for (const [receiver, sensors] of neededReceivers(tree)) {
      const cfg = this.#o.config?.[receiver];
      if (cfg === undefined) {
        this.#o.log(`${sensors.length} ${receiver === 'syslog' ? 'syslog' : 'snmp-trap'} sensor(s) (${sensors.slice(0, 3).join(', ')}${sensors.length > 3 ? ', …' : ''}) need the probe's ${receiver} receiver, which it was not given: start the probe with --receivers FILE whose receivers.${receiver} says where to listen`);
        continue;
      }
      wanted[receiver] = cfg;
    }
    const key = JSON.stringify(wanted);
    if (key === this.#runningKey && (this.#running !== undefined || key === '{}')) return;
    const before = this.#running;
    this.#running = undefined;
    this.#runningKey = '';
    await before?.close();
    if (key === '{}') return;
    try {
      this.#running = await startReceivers(wanted as ReceiversConfig, {
        deviceOf: (address) => this.#devicesByHost.get(address),
        messages: this.#o.messages,
        inbox: this.#o.inbox,
        log: this.#o.log,
      });
      this.#runningKey = key;
      for (const a of this.#running.addresses) this.#o.log(`receiver listening: ${a}`);
    } catch (err) {
      // A port in use or an unreadable certificate: the probe keeps monitoring; the next configuration retries.
      this.#o.log(`receivers could not start (${(err as Error).message}): listening sensors get no messages until the next configuration`);
    }
  }
}
