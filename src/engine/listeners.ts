// Listening kinds (syslog, traps, HL7 feeds, push): their listener is opened when the sensor is
// added and closed when it goes away or the engine stops. What a listener records is kept in a
// bounded ring per sensor (the store has no table for messages yet) and passed to onMessage.

import type { Clock } from '../core/clock.ts';
import type { AnySensorKind, Credential, Inbox, Listener, SensorMessage } from '../sensors/sensor.ts';

export interface TimedMessage extends SensorMessage {
  readonly sensorId: string;
  readonly ts: number;
}

export interface ListenersOptions {
  readonly clock: Clock;
  readonly inbox: Inbox;
  /** Messages kept per sensor (default 200). */
  readonly ringSize?: number;
  readonly onMessage?: (m: TimedMessage) => void;
  readonly onError?: (err: unknown, what: string) => void;
  /** Asks the engine to check the sensor now. */
  readonly checkNow: (sensorId: string) => void;
}

export interface ListenRequest {
  readonly sensorId: string;
  readonly kind: AnySensorKind;
  readonly settings: unknown;
  readonly memory: Map<string, unknown>;
  readonly credential?: Credential;
}

export class Listeners {
  readonly #o: ListenersOptions;
  readonly #ringSize: number;
  readonly #open = new Map<string, Promise<Listener | undefined>>();
  readonly #rings = new Map<string, TimedMessage[]>();

  constructor(opts: ListenersOptions) {
    this.#o = opts;
    this.#ringSize = Math.max(1, opts.ringSize ?? 200);
  }

  has(sensorId: string): boolean {
    return this.#open.has(sensorId);
  }

  messages(sensorId: string): readonly TimedMessage[] {
    return this.#rings.get(sensorId) ?? [];
  }

  record(sensorId: string, m: SensorMessage): void {
    const tm: TimedMessage = { ...m, sensorId, ts: this.#o.clock.now() };
    let ring = this.#rings.get(sensorId);
    if (!ring) this.#rings.set(sensorId, (ring = []));
    ring.push(tm);
    if (ring.length > this.#ringSize) ring.splice(0, ring.length - this.#ringSize);
    try {
      this.#o.onMessage?.(tm);
    } catch (err) {
      this.#o.onError?.(err, 'onMessage');
    }
  }

  /** Opens the sensor's listener if its kind has one. */
  open(req: ListenRequest): void {
    const kind = req.kind;
    if (!kind.listen) return;
    const clock = this.#o.clock;
    const id = req.sensorId;
    const opening = (async () => {
      try {
        return await kind.listen!(req.settings, {
          sensorId: id,
          memory: req.memory,
          inbox: this.#o.inbox,
          ...(req.credential ? { credential: req.credential } : {}),
          now: () => clock.monotonic(),
          wallNow: () => clock.now(),
          record: (m) => this.record(id, m),
          checkNow: () => this.#o.checkNow(id),
        });
      } catch (err) {
        this.record(id, { severity: 'error', text: `the listener could not start: ${err instanceof Error ? err.message : String(err)}` });
        return undefined;
      }
    })();
    this.#open.set(id, opening);
  }

  /** Closes the sensor's listener; keeps its messages unless `forget`. */
  async close(sensorId: string, forget: boolean): Promise<void> {
    const opening = this.#open.get(sensorId);
    this.#open.delete(sensorId);
    if (forget) this.#rings.delete(sensorId);
    const listener = await opening;
    if (!listener) return;
    try {
      await listener.close();
    } catch (err) {
      this.#o.onError?.(err, `closing the listener of ${sensorId}`);
    }
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.#open.keys()].map((id) => this.close(id, false)));
  }
}
