// Feeds from URLs on a schedule, for hospitals whose core may reach NVD / CISA / a mirror: each
// source is fetched with the injected fetch (ETag / Last-Modified honoured, so an unchanged feed
// costs one 304), then imported like a file. Failures are recorded per source and retried next time.

import type { Clock, TimerHandle } from '../../core/clock.ts';
import type { ImportSummary, SecurityService } from '../service/service.ts';

export interface FeedSource {
  /** Shown in status and errors: "CISA KEV". */
  readonly name: string;
  readonly url: string;
  readonly intervalS: number;
}

export interface FeedSourceStatus {
  readonly name: string;
  readonly url: string;
  readonly lastRunAt?: number;
  readonly lastOkAt?: number;
  /** "not modified", or the import's counts. */
  readonly lastResult?: string;
  readonly lastError?: string;
}

export interface FeedSchedulerOptions {
  readonly service: Pick<SecurityService, 'importFeeds'>;
  readonly clock: Pick<Clock, 'now' | 'setTimeout' | 'clearTimeout'>;
  readonly fetch: typeof globalThis.fetch;
  readonly sources: readonly FeedSource[];
  /** Per request (default 120 s): bulk NVD files are large. */
  readonly timeoutMs?: number;
  readonly log?: (line: string) => void;
}

export class FeedScheduler {
  readonly #o: FeedSchedulerOptions;
  readonly #timers = new Map<string, TimerHandle>();
  readonly #status = new Map<string, FeedSourceStatus>();
  readonly #validators = new Map<string, { etag?: string; lastModified?: string }>();
  #running: Promise<void> = Promise.resolve();
  #stopped = true;

  constructor(o: FeedSchedulerOptions) {
    this.#o = o;
    for (const s of o.sources) this.#status.set(s.url, { name: s.name, url: s.url });
  }

  /** Runs every source now, then each on its interval. */
  start(): void {
    this.#stopped = false;
    for (const s of this.#o.sources) this.#schedule(s, 0);
  }

  stop(): void {
    this.#stopped = true;
    for (const t of this.#timers.values()) this.#o.clock.clearTimeout(t);
    this.#timers.clear();
  }

  status(): FeedSourceStatus[] {
    return [...this.#status.values()];
  }

  /** Resolves when the runs started so far are done (imports run one at a time). */
  idle(): Promise<void> {
    return this.#running;
  }

  #schedule(s: FeedSource, ms: number): void {
    this.#timers.set(s.url, this.#o.clock.setTimeout(() => {
      this.#running = this.#running.then(() => this.runOnce(s)).then(() => {
        if (!this.#stopped) this.#schedule(s, s.intervalS * 1000);
      });
    }, ms));
  }

  /** Fetches and imports one source; never throws (the outcome is in status()). */
  async runOnce(s: FeedSource): Promise<void> {
    const now = this.#o.clock.now();
    const prev = this.#status.get(s.url) ?? { name: s.name, url: s.url };
    const v = this.#validators.get(s.url) ?? {};
    try {
      const res = await this.#o.fetch(s.url, {
        headers: { ...(v.etag ? { 'if-none-match': v.etag } : {}), ...(v.lastModified ? { 'if-modified-since': v.lastModified } : {}), accept: 'application/json' },
        signal: AbortSignal.timeout(this.#o.timeoutMs ?? 120_000),
      });
      if (res.status === 304) {
        this.#status.set(s.url, { ...prev, lastRunAt: now, lastOkAt: now, lastResult: 'not modified', lastError: undefined });
        return;
      }
      if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText} from ${s.url}`);
      const text = await res.text();
      const r: ImportSummary = await this.#o.service.importFeeds([{ name: `${s.name} (${s.url})`, text }]);
      this.#validators.set(s.url, { etag: res.headers.get('etag') ?? undefined, lastModified: res.headers.get('last-modified') ?? undefined });
      const result = `${r.vulns.inserted + r.kev.inserted} new, ${r.vulns.updated + r.kev.updated} updated, ${r.vulns.unchanged + r.kev.unchanged} unchanged`;
      this.#status.set(s.url, { ...prev, lastRunAt: now, lastOkAt: now, lastResult: result, lastError: undefined });
      this.#o.log?.(`security feed ${s.name}: ${result}`);
    } catch (e) {
      const cause = e instanceof Error && e.cause instanceof Error ? ` (${e.cause.message})` : '';
      const msg = e instanceof Error
        ? e.name === 'TimeoutError' ? `no answer from ${s.url} within ${(this.#o.timeoutMs ?? 120_000) / 1000} s` : e.message === 'fetch failed' ? `${s.url}: fetch failed${cause}` : e.message
        : String(e);
      this.#status.set(s.url, { ...prev, lastRunAt: now, lastError: msg });
      this.#o.log?.(`security feed ${s.name} failed: ${msg}`);
    }
  }
}
