// Getting results out of the engine without slowing it: values and availability rows are batched
// and written every flushIntervalMs (or sooner at maxBatchRows), state events go with them, and
// changed states are saved every saveIntervalMs. Writes run one at a time, in order. A failed write
// (a database restarting, a full disk) is kept and retried with the next flush: the store's writes are
// idempotent, so a retry never counts twice. The buffer is bounded; past it the oldest rows are
// dropped and counted, never silently.

import type { Clock, TimerHandle } from '../core/clock.ts';
import type { StateEvent } from '../core/model.ts';
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
  /** Most value + check rows kept for retry while the store fails (default 2,000,000). */
  readonly maxBufferedRows?: number;
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
  /** Rows given up because the store failed for longer than the buffer could hold. */
  rowsDropped = 0;
  #pendingEvents: StateEvent[] = [];
  #saveAllNext = false;

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
    return this.#enqueue(async () => {
      const values = this.#values;
      const checks = this.#checks;
      this.#values = [];
      this.#checks = [];
      if (values.length > 0 || checks.length > 0) {
        if (await this.#guard('writeBatch', () => this.#o.writer.writeBatch(values, checks))) this.valuesWritten += values.length;
        else this.#requeue(values, checks);
      }
      const events = this.#pendingEvents.concat(this.#o.tracker.takeEvents());
      this.#pendingEvents = [];
      let done = 0;
      for (const chunk of this.#chunks(events)) {
        if (done > 0) await yieldToIo();
        if (!(await this.#guard('appendEvents', () => this.#o.states.appendEvents(chunk)))) {
          this.#pendingEvents = events.slice(done);
          break;
        }
        done += chunk.length;
      }
    });
  }

  /** Puts a failed batch back in front of what arrived meanwhile, keeping the newest rows within the bound. */
  #requeue(values: ValueRow[], checks: CheckRow[]): void {
    const max = this.#o.maxBufferedRows ?? 2_000_000;
    this.#values = values.concat(this.#values);
    this.#checks = checks.concat(this.#checks);
    const excess = this.#values.length + this.#checks.length - max;
    if (excess > 0) {
      const fromValues = Math.min(excess, this.#values.length);
      this.#values.splice(0, fromValues);
      this.#checks.splice(0, excess - fromValues);
      this.rowsDropped += excess;
      this.#o.onError?.(new Error(`the store has been failing: ${excess} oldest rows dropped (buffer of ${max} rows full)`), 'writeBatch');
    }
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

  /** Saves changed states (every touched one when `all`, or after a failed save). */
  save(all: boolean): Promise<void> {
    return this.#enqueue(async () => {
      const states = this.#o.tracker.takeChanged(all || this.#saveAllNext);
      this.#saveAllNext = false;
      let first = true;
      for (const chunk of this.#chunks(states)) {
        if (!first) await yieldToIo();
        first = false;
        if (!(await this.#guard('saveStates', () => this.#o.states.saveStates(chunk)))) this.#saveAllNext = true;
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

  /** Runs a store call; a failure is counted and reported (monitoring goes on) and returns false. */
  async #guard(what: string, fn: () => Promise<void>): Promise<boolean> {
    try {
      await fn();
      return true;
    } catch (err) {
      this.writeErrors++;
      this.#o.onError?.(err, what);
      return false;
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
