// Per-kind admission: at most `kind.concurrency` checks (or batch calls) of a kind in flight, the
// rest wait in FIFO order. Kinds with `batch` first gather due checks for up to batch.windowMs or
// batch.maxSize and run them as one call.

import type { Clock, TimerHandle } from '../core/clock.ts';

/** A queue that pops from the front in O(1) amortised (Array.shift is O(n) on 100k items). */
export class Fifo<T> {
  #items: T[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head++] = undefined as T;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  drain(): T[] {
    const out = this.#items.slice(this.#head);
    this.#items = [];
    this.#head = 0;
    return out;
  }
}

export interface KindQueueOptions<J> {
  readonly clock: Clock;
  /** Most units (single checks or batch calls) in flight at once. */
  readonly concurrency: number;
  readonly batch?: { readonly maxSize: number; readonly windowMs: number };
  /** Runs one unit (one job, or a batch of jobs); resolves when it is done. Must not reject. */
  readonly run: (jobs: J[]) => Promise<void>;
}

export class KindQueue<J> {
  readonly #opts: KindQueueOptions<J>;
  readonly #waiting = new Fifo<J[]>();
  #waitingJobs = 0;
  #gathering: J[] = [];
  #gatherTimer: TimerHandle | undefined;
  #inFlight = 0;
  #inFlightJobs = 0;
  #closed = false;

  constructor(opts: KindQueueOptions<J>) {
    this.#opts = { ...opts, concurrency: Math.max(1, opts.concurrency) };
  }

  /** Jobs waiting for a slot (including those gathered for a batch). */
  get queued(): number {
    return this.#waitingJobs + this.#gathering.length;
  }

  /** Jobs being checked now. */
  get inFlight(): number {
    return this.#inFlightJobs;
  }

  push(job: J): void {
    if (this.#closed) return;
    const batch = this.#opts.batch;
    if (!batch) return this.#admit([job]);
    this.#gathering.push(job);
    if (this.#gathering.length >= Math.max(1, batch.maxSize)) this.#flushGathered();
    else if (this.#gatherTimer === undefined) this.#gatherTimer = this.#opts.clock.setTimeout(() => this.#flushGathered(), batch.windowMs);
  }

  /** Drops every waiting job (engine stop); returns them so that their sensors can be released. */
  close(): J[] {
    this.#closed = true;
    if (this.#gatherTimer !== undefined) this.#opts.clock.clearTimeout(this.#gatherTimer);
    this.#gatherTimer = undefined;
    const dropped = [...this.#gathering, ...this.#waiting.drain().flat()];
    this.#gathering = [];
    this.#waitingJobs = 0;
    return dropped;
  }

  #flushGathered(): void {
    if (this.#gatherTimer !== undefined) this.#opts.clock.clearTimeout(this.#gatherTimer);
    this.#gatherTimer = undefined;
    const jobs = this.#gathering;
    this.#gathering = [];
    if (jobs.length > 0) this.#admit(jobs);
  }

  #admit(unit: J[]): void {
    if (this.#inFlight < this.#opts.concurrency) this.#start(unit);
    else {
      this.#waiting.push(unit);
      this.#waitingJobs += unit.length;
    }
  }

  #start(unit: J[]): void {
    this.#inFlight++;
    this.#inFlightJobs += unit.length;
    void this.#opts.run(unit).finally(() => {
      this.#inFlight--;
      this.#inFlightJobs -= unit.length;
      if (this.#closed) return;
      const next = this.#waiting.shift();
      if (next) {
        this.#waitingJobs -= next.length;
        this.#start(next);
      }
    });
  }
}
