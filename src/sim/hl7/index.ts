// Simulated HL7 v2 receiver (an interface engine's inbound channel) for the demo, tests and the
// benchmark: answers over MLLP (plain or TLS) with AA/AE/AR, or misbehaves on purpose (delay, drop,
// garbage, close, unframed, partial frame, wrong control ID). It keeps counts only, never contents.

import { buildAck, decodeHl7, encodeHl7, Hl7ParseError, parseHl7, type AckCode, type Hl7Message } from '../../protocols/hl7/index.ts';
import { encodeFrame, startMllpServer, type MllpConnection, type MllpServerTlsOptions } from '../../protocols/mllp/index.ts';

export const HL7_FAULTS = ['none', 'delay', 'drop', 'garbage', 'close', 'unframed', 'partial', 'wrong-control-id'] as const;
export type Hl7Fault = (typeof HL7_FAULTS)[number];

export interface Hl7Behaviour {
  /** ACK code for well-formed messages (default AA). */
  readonly ack: AckCode;
  /** MSA-3 / ERR-8 text for the ACK. */
  readonly text?: string;
  readonly fault: Hl7Fault;
  /** For fault "delay": ms before the ACK. */
  readonly delayMs: number;
}

export interface Hl7EndpointOptions extends Partial<Hl7Behaviour> {
  readonly host?: string;
  readonly port?: number;
  readonly tls?: MllpServerTlsOptions;
  /** Epoch ms for ACK timestamps (default Date.now). */
  readonly now?: () => number;
}

export interface Hl7Endpoint {
  readonly host: string;
  readonly port: number;
  /** Messages received so far, and by type (MSH-9.1). */
  received(): number;
  receivedByType(): Readonly<Record<string, number>>;
  /** Resolves when the next message arrives (before it is answered). */
  nextMessage(): Promise<void>;
  /** Changes the behaviour for the following messages. */
  set(behaviour: Partial<Hl7Behaviour>): void;
  connections(): number;
  close(): Promise<void>;
}

export async function startHl7Endpoint(opts: Hl7EndpointOptions = {}): Promise<Hl7Endpoint> {
  let behaviour: Hl7Behaviour = { ack: opts.ack ?? 'AA', fault: opts.fault ?? 'none', delayMs: opts.delayMs ?? 100, ...(opts.text !== undefined ? { text: opts.text } : {}) };
  const now = opts.now ?? Date.now;
  let count = 0;
  let seq = 0;
  const byType: Record<string, number> = {};
  let waiters: (() => void)[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const reply = (msg: Hl7Message | undefined, b: Hl7Behaviour, salvagedId: string): Buffer => {
    const code: AckCode = msg ? b.ack : 'AE';
    const ack = buildAck(msg, {
      code,
      now: now(),
      controlId: `SIM${++seq}`,
      ...(b.fault === 'wrong-control-id' ? { ackedControlId: `NOT-${salvagedId}` } : msg ? {} : { ackedControlId: salvagedId }),
      ...(msg ? (b.text !== undefined ? { text: b.text } : {}) : { text: 'message could not be parsed' }),
    });
    return encodeHl7(ack.toString());
  };

  const handler = (payload: Buffer, conn: MllpConnection): Buffer | undefined | Promise<Buffer | undefined> => {
    count++;
    const b = behaviour;
    let msg: Hl7Message | undefined;
    try {
      msg = parseHl7(decodeHl7(payload));
    } catch (e) {
      if (!(e instanceof Hl7ParseError)) throw e;
    }
    const type = msg?.messageType || 'unparseable';
    byType[type] = (byType[type] ?? 0) + 1;
    const w = waiters;
    waiters = [];
    for (const fn of w) fn();
    const salvagedId = msg?.controlId ?? /^MSH(.)(?:[^\r\n]*?\1){8}([^\r\n|]*)/.exec(payload.toString('latin1'))?.[2] ?? '';
    switch (b.fault) {
      case 'drop':
        return undefined;
      case 'close':
        conn.close();
        return undefined;
      case 'garbage':
        return Buffer.from('HELLO this is not HL7\x00\x01', 'latin1');
      case 'unframed':
        conn.writeRaw(reply(msg, b, salvagedId));
        return undefined;
      case 'partial': {
        const framed = encodeFrame(reply(msg, b, salvagedId));
        conn.writeRaw(framed.subarray(0, Math.floor(framed.length / 2)));
        conn.close();
        return undefined;
      }
      case 'delay':
        return new Promise((resolve) => {
          const t = setTimeout(() => {
            timers.delete(t);
            resolve(reply(msg, b, salvagedId));
          }, b.delayMs);
          timers.add(t);
        });
      case 'none':
      case 'wrong-control-id':
        return reply(msg, b, salvagedId);
    }
  };

  const server = await startMllpServer({ handler, ...(opts.host ? { host: opts.host } : {}), ...(opts.port !== undefined ? { port: opts.port } : {}), ...(opts.tls ? { tls: opts.tls } : {}) });
  return {
    host: server.host,
    port: server.port,
    received: () => count,
    receivedByType: () => ({ ...byType }),
    nextMessage: () => new Promise<void>((resolve) => waiters.push(resolve)),
    set: (b) => {
      behaviour = { ...behaviour, ...b };
    },
    connections: () => server.connections(),
    close: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await server.close();
    },
  };
}
