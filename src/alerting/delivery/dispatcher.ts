// The dispatcher: claims due notifications from the store under a lease, sends each through its
// channel, logs every attempt, and decides delivered / retry (backoff within the channel's
// retryFor) / failed (hook + notice through the fallback). Time comes from the injected Clock.

import { hostname } from 'node:os';
import { z } from 'zod';
import { randomBytes } from 'node:crypto';
import type { Clock, TimerHandle } from '../../core/clock.ts';
import type { Notification } from '../notification.ts';
import type { AnyChannelKind, SendResult } from '../channels/channel.ts';
import { instanceSettings, type ChannelInstance } from '../channels/registry.ts';
import { nextAttemptAt, type BackoffOptions } from './backoff.ts';
import { failureNotice, fallbackFor, type FailedDelivery } from './failure.ts';
import type { AttemptOutcome, AttemptRecord, DeliveryStore, QueuedNotification } from './types.ts';

export interface DispatcherOptions {
  readonly store: DeliveryStore;
  readonly channels: readonly ChannelInstance[];
  /** Resolves secrets named by channel settings. */
  readonly secret?: (name: string) => string | undefined;
  readonly clock: Clock;
  readonly log?: (line: string) => void;
  /** Attempts in flight at once (default 8). */
  readonly concurrency?: number;
  /** Identifies this process in leases and the attempt log (default host:pid:random). */
  readonly owner?: string;
  readonly backoff?: BackoffOptions;
  /** [0, 1) source for jitter (tests pass a fixed one). */
  readonly random?: () => number;
  /** Extra lease time beyond the longest channel timeout, ms (default 30 s). */
  readonly leaseMarginMs?: number;
  /** Longest wait between two looks at the queue, ms, for rows other processes enqueue (default 30 s). */
  readonly pollMs?: number;
  readonly onDeliveryFailed?: (failure: FailedDelivery) => void | Promise<void>;
  /** Base environment for command hooks (e.g. PATH, LANG from Wardwatch's own); a minimal PATH when absent. */
  readonly hookEnv?: Readonly<Record<string, string>>;
}

interface Prepared {
  readonly instance: ChannelInstance;
  readonly kind: AnyChannelKind;
  readonly settings: unknown;
}

export class Dispatcher {
  readonly owner: string;
  readonly #o: DispatcherOptions;
  #channels = new Map<string, Prepared>();
  #leaseMs = 0;
  readonly #concurrency: number;
  readonly #inFlight = new Set<Promise<void>>();
  #timer: TimerHandle | undefined;
  #pumping = false;
  #again = false;
  #closed = false;
  #idleWaiters: (() => void)[] = [];
  readonly #aborts = new Set<AbortController>();

  constructor(o: DispatcherOptions) {
    this.#o = o;
    this.owner = o.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.setChannels(o.channels);
    this.#concurrency = Math.max(1, o.concurrency ?? 8);
  }

  /**
   * Replaces the channel instances (config reload). Attempts in flight finish with the old ones;
   * notifications for a channel that is gone fail visibly at their next attempt.
   */
  setChannels(channels: readonly ChannelInstance[]): void {
    const next = new Map<string, Prepared>();
    for (const instance of channels) {
      try {
        const { kind, settings } = instanceSettings(instance);
        next.set(instance.name, { instance, kind, settings });
      } catch (err) {
        const detail = err instanceof z.ZodError ? err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') : (err as Error).message;
        throw new Error(`alerting.channels: channel "${instance.name}": ${detail}`);
      }
    }
    this.#channels = next;
    const longest = Math.max(1, ...channels.map((c) => c.timeout)) * 1000;
    this.#leaseMs = longest + (this.#o.leaseMarginMs ?? 30_000);
  }

  /** Looks at the queue now (after an enqueue, or when a timer fires). */
  kick(): void {
    if (this.#closed) return;
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumping = true;
    void this.#pump().finally(() => {
      this.#pumping = false;
      if (this.#again) {
        this.#again = false;
        this.kick();
      }
    });
  }

  /** Resolves when nothing is due and nothing is in flight (tests and benchmarks wait on it). */
  idle(): Promise<void> {
    return new Promise((resolve) => {
      this.#idleWaiters.push(resolve);
      this.kick();
    });
  }

  async #pump(): Promise<void> {
    try {
      for (;;) {
        if (this.#closed) return;
        const room = this.#concurrency - this.#inFlight.size;
        // Claim in batches (a quarter of the slots at least) rather than one row per finished attempt:
        // one store transaction then serves several notifications. A finishing attempt kicks again.
        if (room <= 0 || (this.#inFlight.size > 0 && room < Math.max(1, this.#concurrency >> 2))) return;
        const rows = await this.#o.store.claim(this.owner, this.#o.clock.now(), this.#leaseMs, room);
        for (const row of rows) {
          const p: Promise<void> = this.#attempt(row)
            .catch((err: unknown) => this.#log(`delivery: notification ${row.notification.key}: ${err instanceof Error ? err.message : String(err)}`))
            .finally(() => {
              this.#inFlight.delete(p);
              this.kick();
            });
          this.#inFlight.add(p);
        }
        if (rows.length < room) break;
      }
      if (this.#inFlight.size === 0) {
        await this.#armTimer();
        const waiters = this.#idleWaiters;
        this.#idleWaiters = [];
        for (const w of waiters) w();
      }
    } catch (err) {
      // The store is unreachable (PostgreSQL restarting): nothing is lost, look again later.
      this.#log(`delivery: cannot read the queue: ${err instanceof Error ? err.message : String(err)}`);
      this.#schedule(this.#o.pollMs ?? 30_000);
    }
  }

  async #armTimer(): Promise<void> {
    const due = await this.#o.store.nextDue();
    const poll = this.#o.pollMs ?? 30_000;
    this.#schedule(due === undefined ? poll : Math.min(poll, Math.max(0, due - this.#o.clock.now())));
  }

  #schedule(ms: number): void {
    if (this.#closed) return;
    if (this.#timer !== undefined) this.#o.clock.clearTimeout(this.#timer);
    this.#timer = this.#o.clock.setTimeout(() => {
      this.#timer = undefined;
      this.kick();
    }, ms);
  }

  #log(line: string): void {
    this.#o.log?.(line);
  }

  async #send(row: QueuedNotification, ch: Prepared | undefined): Promise<SendResult> {
    const n = row.notification;
    if (!ch) return { ok: false, retryable: false, status: 'config', error: `channel "${n.channel}" is not configured` };
    if (ch.kind.needsAddress && !n.recipient.address) return { ok: false, retryable: false, status: 'no address', error: `recipient ${n.recipient.name} has no address for ${ch.kind.kind} channel "${n.channel}"` };
    let message: unknown;
    try {
      message = ch.kind.render(n, ch.settings, ch.instance.templates ?? {});
    } catch (err) {
      return { ok: false, retryable: false, status: 'template', error: `rendering for channel "${n.channel}": ${(err as Error).message}` };
    }
    const abort = new AbortController();
    this.#aborts.add(abort);
    const timeoutMs = ch.instance.timeout * 1000;
    const timer = this.#o.clock.setTimeout(() => abort.abort(), timeoutMs);
    try {
      return await ch.kind.send(message, ch.settings, { signal: abort.signal, timeoutMs, now: () => this.#o.clock.now(), secret: this.#o.secret ?? (() => undefined), ...(this.#o.hookEnv ? { env: this.#o.hookEnv } : {}) }, n);
    } catch (err) {
      // A kind should return failures, not throw them; if one does, the notification is still kept and retried.
      return { ok: false, retryable: true, status: 'exception', error: `channel "${n.channel}": ${err instanceof Error ? err.message : String(err)}` };
    } finally {
      this.#o.clock.clearTimeout(timer);
      this.#aborts.delete(abort);
    }
  }

  async #attempt(row: QueuedNotification): Promise<void> {
    const n = row.notification;
    const ch = this.#channels.get(n.channel);
    const startedAt = this.#o.clock.now();
    const m0 = this.#o.clock.monotonic();
    const result = await this.#send(row, ch);
    if (this.#closed && !result.ok) return; // cut short by close(): the row is handed back by release(), not counted
    const now = this.#o.clock.now();
    const record: AttemptRecord = {
      attempt: row.attempts,
      owner: this.owner,
      startedAt,
      durationMs: Math.max(0, this.#o.clock.monotonic() - m0),
      ok: result.ok,
      ...(result.ok ? {} : { retryable: result.retryable, error: result.error }),
      status: result.status,
      ...(result.response !== undefined ? { response: result.response } : {}),
    };
    let outcome: AttemptOutcome;
    if (result.ok) outcome = { next: 'delivered' };
    else {
      const retryFor = (ch?.instance.retryFor ?? 0) * 1000;
      const at = result.retryable ? nextAttemptAt(now, row.attempts, row.enqueuedAt + retryFor, (this.#o.random ?? Math.random)()) : undefined;
      outcome = at === undefined ? { next: 'failed' } : { next: 'retry', dueAt: at };
    }
    const fallback = outcome.next === 'failed' ? fallbackFor(n, ch?.instance.fallback, (name) => this.#channels.has(name)) : undefined;
    const followUps: Notification[] = fallback && 'channel' in fallback ? [failureNotice(n, fallback.channel, row.attempts, record, now)] : [];
    const held = await this.#o.store.finish(row.id, this.owner, record, outcome, followUps);
    if (!held) {
      this.#log(`delivery: notification ${n.key}: the lease ran out during attempt ${row.attempts}; another dispatcher has taken it over`);
      return;
    }
    if (outcome.next === 'retry') this.#log(`delivery: ${n.channel} → ${n.recipient.name}: attempt ${row.attempts} failed (${result.ok ? '' : result.error}); next at ${new Date(outcome.dueAt).toISOString()}`);
    if (outcome.next === 'failed' && fallback) {
      this.#log(`delivery: ${n.channel} → ${n.recipient.name}: FAILED after ${row.attempts} attempt${row.attempts === 1 ? '' : 's'} (${result.ok ? '' : result.error}); ${'channel' in fallback ? `notice queued for fallback "${fallback.channel}"` : `no fallback: ${fallback.none}`}`);
      try {
        await this.#o.onDeliveryFailed?.({ notification: n, attempts: row.attempts, lastAttempt: record, fallback });
      } catch (err) {
        this.#log(`delivery: onDeliveryFailed hook failed for ${n.key}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  /** Stops claiming, aborts attempts in flight and hands their rows back to the queue. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== undefined) this.#o.clock.clearTimeout(this.#timer);
    for (const a of this.#aborts) a.abort();
    await Promise.allSettled([...this.#inFlight]);
    await this.#o.store.release(this.owner, this.#o.clock.now());
    for (const w of this.#idleWaiters) w();
    this.#idleWaiters = [];
  }
}
