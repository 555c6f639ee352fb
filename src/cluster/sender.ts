// Delivers the probe's outbox to JetStream in order: a window of publishes in flight, each with a
// message id (probe, queue epoch, sequence) so that JetStream stores a resend only once; the cursor
// moves only over records the server confirmed. On a failure the sender waits (or until the
// connection comes back) and resends from the first unconfirmed record.

import type { JetStreamClient } from 'nats';
import type { FileQueue } from './file-queue.ts';
import { subjects } from './subjects.ts';

export interface SenderOptions {
  readonly probe: string;
  readonly queue: FileQueue;
  /** Publishes in flight at once (default 16). */
  readonly window?: number;
  /** How long to wait for JetStream's confirmation of one message (default 5 s). */
  readonly ackTimeoutMs?: number;
  /** Pause after a failure before trying again, unless woken earlier (default 1 s). */
  readonly retryMs?: number;
  readonly onError?: (err: unknown) => void;
}

export function messageId(probe: string, epoch: string, seq: number): string {
  return `${probe}.${epoch}.${seq}`;
}

export class Sender {
  readonly #o: SenderOptions;
  #js: JetStreamClient | undefined;
  #wake: (() => void) | undefined;
  #running = false;
  #loop: Promise<void> | undefined;
  /** Messages JetStream confirmed since start (duplicates included). */
  delivered = 0;
  duplicates = 0;
  failures = 0;

  constructor(opts: SenderOptions) {
    this.#o = opts;
  }

  /** Starts (or resumes with a new connection's client). */
  attach(js: JetStreamClient): void {
    this.#js = js;
    if (!this.#running) {
      this.#running = true;
      this.#loop = this.#run();
    }
    this.kick();
  }

  /** The connection went away: stop publishing until attach() again. */
  detach(): void {
    this.#js = undefined;
  }

  /** Something was appended or the link came back: go now. */
  kick(): void {
    const w = this.#wake;
    this.#wake = undefined;
    w?.();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.kick();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const q = this.#o.queue;
    while (this.#running) {
      const js = this.#js;
      const batch = js ? q.peek(q.ackedSeq, this.#o.window ?? 16) : [];
      if (batch.length === 0) {
        await this.#sleep(undefined);
        continue;
      }
      try {
        // Published together on one connection, stored in this order; confirmations are awaited in order.
        const acks = batch.map((r) =>
          js!.publish(subjects.readings(this.#o.probe), r.payload, { msgID: messageId(this.#o.probe, q.epoch, r.seq), timeout: this.#o.ackTimeoutMs ?? 5000 }),
        );
        let failed: unknown;
        for (const [i, p] of acks.entries()) {
          try {
            const ack = await p;
            if (failed !== undefined) continue;
            this.delivered++;
            if (ack.duplicate) this.duplicates++;
            q.ack(batch[i]!.seq);
          } catch (err) {
            failed ??= err;
          }
        }
        if (failed !== undefined) throw failed instanceof Error ? failed : new Error(JSON.stringify(failed));
      } catch (err) {
        this.failures++;
        this.#o.onError?.(err);
        await this.#sleep(this.#o.retryMs ?? 1000);
      }
    }
  }

  #sleep(ms: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      // Real time on purpose: this paces I/O retries against a server, it schedules no check.
      const t = ms === undefined ? undefined : setTimeout(() => this.kick(), ms);
      this.#wake = () => {
        if (t !== undefined) clearTimeout(t);
        resolve();
      };
      if (!this.#running) this.kick();
    });
  }
}
