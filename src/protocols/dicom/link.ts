// One DICOM connection's byte plumbing, shared by the client Association and the acceptor:
// socket → framer → PDU decoder → DIMSE message assembler, and the way back. Nothing escapes a
// socket handler as an exception: every problem becomes exactly one call of `failure`.

import type { Socket } from 'node:net';
import { PduFramer } from './framer.ts';
import { decodePdu, encodePdu, type Pdu } from './pdu.ts';
import { MessageAssembler, type DimseMessage } from './dimse.ts';

export interface LinkHandlers {
  /** Any PDU except P-DATA-TF (those arrive as whole messages). */
  pdu(p: Pdu): void;
  message(m: DimseMessage): void;
  /** Malformed input or a socket error; called at most once, after which input is ignored. */
  failure(err: Error): void;
  /** The socket is gone (always called exactly once, last). */
  closed(): void;
}

export interface LinkOptions {
  /** The maximum PDU length we announced: a longer P-DATA-TF is refused. */
  readonly maxPduLength: number;
  readonly maxDatasetBytes: number;
}

export class PduLink {
  readonly #socket: Socket;
  readonly #framer: PduFramer;
  readonly #assembler: MessageAssembler;
  readonly #h: LinkHandlers;
  readonly #closed: Promise<void>;
  #dead = false;

  constructor(socket: Socket, opts: LinkOptions, handlers: LinkHandlers) {
    this.#socket = socket;
    this.#h = handlers;
    // Peers fill the PDU up to the announced length; a 0 ("unlimited") announcement is capped by our own limit.
    this.#framer = new PduFramer({ maxPDataLength: opts.maxPduLength === 0 ? 16 * 1024 * 1024 : opts.maxPduLength });
    this.#assembler = new MessageAssembler({ maxDatasetBytes: opts.maxDatasetBytes });
    this.#closed = new Promise((resolve) => {
      socket.once('close', () => {
        this.#dead = true;
        resolve();
        this.#h.closed();
      });
    });
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (err) => this.#failOnce(err));
  }

  get open(): boolean {
    return !this.#socket.destroyed && this.#socket.writable;
  }

  get socket(): Socket {
    return this.#socket;
  }

  #failOnce(err: Error): void {
    if (this.#dead) return;
    this.#dead = true;
    this.#h.failure(err);
  }

  #onData(chunk: Buffer): void {
    if (this.#dead) return;
    const { pdus, error } = this.#framer.push(chunk);
    try {
      for (const raw of pdus) {
        if (this.#dead) return;
        const pdu = decodePdu(raw.type, raw.body);
        if (pdu.type !== 'p-data') {
          this.#h.pdu(pdu);
          continue;
        }
        for (const pdv of pdu.pdvs) {
          const m = this.#assembler.push(pdv);
          if (m && !this.#dead) this.#h.message(m);
        }
      }
    } catch (e) {
      this.#failOnce(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    if (error) this.#failOnce(error);
  }

  send(buffers: Buffer | readonly Buffer[]): void {
    if (!this.open) return;
    if (Buffer.isBuffer(buffers)) {
      this.#socket.write(buffers);
      return;
    }
    this.#socket.cork();
    for (const b of buffers) this.#socket.write(b);
    this.#socket.uncork();
  }

  sendPdu(pdu: Pdu): void {
    this.send(encodePdu(pdu));
  }

  /** Sends a last PDU (A-ABORT, A-RELEASE-RP) and closes once it is flushed. */
  finish(last?: Pdu): Promise<void> {
    this.#dead = true;
    const s = this.#socket;
    if (!s.destroyed && s.writable && last) s.end(encodePdu(last), () => s.destroy());
    else s.destroy();
    return this.#closed;
  }

  /** Drops the connection at once; resolves when the socket handle is released. */
  destroy(): Promise<void> {
    this.#dead = true;
    this.#socket.destroy();
    return this.#closed;
  }

  get closed(): Promise<void> {
    return this.#closed;
  }
}
