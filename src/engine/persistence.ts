// Getting results out of the engine without slowing it: values and availability rows are batched
// and written every flushIntervalMs (or sooner at maxBatchRows), state events go with them, and
// changed states are saved every saveIntervalMs. Writes run one at a time, in order.

import type { Clock, TimerHandle } from '../core/clock.ts';
import type { CheckRow, StateStore, ValueRow, ValueWriter } from '../store/store.ts';
import type { StateTracker } from './tracker.ts';

/** Lets timers and I/O run (not a delay: it does not depend on the clock). */
function yieldToIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export interface PersistenceOptions {
  readonly clock: Clock;
  readonly writer: ValueWriter;
  readonly states: StateStore;
  readonly tracker: StateTracker;
  readonly flushIntervalMs: number;
  readonly maxBatchRows: number;
  readonly saveIntervalMs: number;
  readonly onError?: (err: unknown, what: string) => void;
}

export class Persistence {
  readonly #o: PersistenceOptions;
  #values: ValueRow[] = [];
  #checks: CheckRow[] = [];
  #chain: Promise<void> = Promise.resolve();
  #flushTimer: TimerHandle | undefined;
  #saveTimer: TimerHandle | undefined;
  #running = false;
  /** Rows handed to the writer since start (values + checks), for the benchmark and stats. */
  valuesWritten = 0;
  writeErrors = 0;

  constructor(opts: PersistenceOptions) {
    this.#o = opts;
  }

  get pendingRows(): number {
    return this.#values.length;
  }

  start(): void {
    this.#running = true;
    this.#armFlush();
    this.#armSave();
  }

  add(values: readonly ValueRow[], check: CheckRow | undefined): void {
    for (const v of values) this.#values.push(v);
    if (check) this.#checks.push(check);
    if (this.#values.length + this.#checks.length >= this.#o.maxBatchRows) void this.flush();
  }

  /** Queues a write of everything pending; resolves when it (and every earlier write) is done. */
  flush(): Promise<void> {
    const values = this.#values;
    const checks = this.#checks;
    this.#values = [];
    this.#checks = [];
    const events = this.#o.tracker.takeEvents();
    return this.#enqueue(async () => {
      if (values.length > 0 || checks.length > 0) {
        await this.#guard('writeBatch', () => this.#o.writer.writeBatch(values, checks));
        this.valuesWritten += values.length;
      }
      let first = true;
      for (const chunk of this.#chunks(events)) {
        if (!first) await yieldToIo();
        first = false;
        await this.#guard('appendEvents', () => this.#o.states.appendEvents(chunk));
      }
    });
  }

  /**
   * Splits a large write (100,000 sensors changing state at start-up) into maxBatchRows pieces and
   * lets I/O and timers run between them: an embedded store writes synchronously, and one huge
   * transaction would stall every check due meanwhile.
   */
  *#chunks<T>(rows: readonly T[]): Generator<readonly T[]> {
    const size = Math.max(1, this.#o.maxBatchRows);
    for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
  }

  /** Saves changed states (every touched one when `all`). */
  save(all: boolean): Promise<void> {
    const states = this.#o.tracker.takeChanged(all);
    return this.#enqueue(async () => {
      let first = true;
      for (const chunk of this.#chunks(states)) {
        if (!first) await yieldToIo();
        first = false;
        await this.#guard('saveStates', () => this.#o.states.saveStates(chunk));
      }
    });
  }

  /** Stops the timers and writes everything that is left. */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#flushTimer !== undefined) this.#o.clock.clearTimeout(this.#flushTimer);
    if (this.#saveTimer !== undefined) this.#o.clock.clearTimeout(this.#saveTimer);
    this.#flushTimer = this.#saveTimer = undefined;
    await this.flush();
    await this.save(true);
  }

  #enqueue(task: () => Promise<void>): Promise<void> {
    this.#chain = this.#chain.then(task);
    return this.#chain;
  }

  async #guard(what: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      // A failing store must not stop monitoring: count it, report it, keep going.
      this.writeErrors++;
      this.#o.onError?.(err, what);
    }
  }

  #armFlush(): void {
    if (!this.#running) return;
    this.#flushTimer = this.#o.clock.setTimeout(() => {
      void this.flush();
      this.#armFlush();
    }, this.#o.flushIntervalMs);
  }

  #armSave(): void {
    if (!this.#running) return;
    this.#saveTimer = this.#o.clock.setTimeout(() => {
      void this.save(false);
      this.#armSave();
    }, this.#o.saveIntervalMs);
  }
}
