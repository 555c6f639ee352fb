// The security part as app.ts builds it: the store tables, the service, triage with the audit
// trail, the alerting hook, the exposure reader, feeds from URLs on a schedule, a rescan when an
// exposure sensor changes state (debounced), and the API routes. One object to start and close.

import { randomUUID } from 'node:crypto';
import type { AuditSink } from '../api/access.ts';
import type { RouteTable } from '../api/routes/define.ts';
import { securityRoutes } from '../api/routes/security.ts';
import type { SecurityFindingNotice } from '../alerting/service.ts';
import type { Clock, TimerHandle } from '../core/clock.ts';
import type { SensorStatus, StateEvent } from '../core/model.ts';
import type { Tree } from '../core/tree.ts';
import type { AnyStore } from '../store/open.ts';
import { FeedScheduler } from './feeds/schedule.ts';
import type { FeedSource } from './feeds/schedule.ts';
import { EXPOSURE_KINDS, exposureReader } from './risk/exposure.ts';
import { SecurityService } from './service/service.ts';
import { openSecurityStore } from './store-open.ts';
import type { SecurityStore } from './store.ts';
import { Triage } from './vex/triage.ts';

export interface SecurityPartOptions {
  readonly store: AnyStore;
  readonly clock: Clock;
  readonly tree: () => Tree;
  /** The engine's current status of a sensor. */
  readonly status: (sensorId: string) => SensorStatus | undefined;
  readonly audit?: AuditSink | undefined;
  /** AlertingService.securityFinding. */
  readonly notify?: ((n: SecurityFindingNotice) => Promise<void>) | undefined;
  readonly feeds?: readonly FeedSource[] | undefined;
  readonly fetch?: typeof globalThis.fetch | undefined;
  /** Wait after an exposure sensor changes state before rescanning (default 60 s), so a burst costs one scan. */
  readonly rescanDelayMs?: number | undefined;
  readonly log: (line: string) => void;
}

export class SecurityPart {
  readonly #o: SecurityPartOptions;
  #timer: TimerHandle | undefined;
  #closed = false;

  private constructor(
    o: SecurityPartOptions,
    readonly store: SecurityStore,
    readonly service: SecurityService,
    readonly triage: Triage,
    readonly feeds: FeedScheduler | undefined,
  ) {
    this.#o = o;
  }

  static async open(o: SecurityPartOptions): Promise<SecurityPart> {
    const store = await openSecurityStore(o.store);
    const service = new SecurityService({
      store, clock: o.clock, tree: o.tree, exposure: exposureReader(o.tree, o.status),
      ...(o.notify !== undefined ? { notify: o.notify } : {}),
    });
    const triage = new Triage(store, o.clock, o.audit);
    const feeds = o.feeds !== undefined && o.feeds.length > 0
      ? new FeedScheduler({ service, clock: o.clock, fetch: o.fetch ?? globalThis.fetch, sources: o.feeds, log: o.log })
      : undefined;
    feeds?.start();
    return new SecurityPart(o, store, service, triage, feeds);
  }

  /** Declares the security API on the server's route table (ApiOptions.extraRoutes). */
  routes(table: RouteTable): void {
    securityRoutes(table, { service: this.service, store: this.store, triage: this.triage, tree: this.#o.tree, clock: this.#o.clock, uuid: randomUUID });
  }

  /** Give it every state change (Engine onStateChange): exposure sensors trigger a debounced rescan. */
  onStateChange(event: Pick<StateEvent, 'sensorId'>): void {
    if (this.#closed || this.#timer !== undefined) return;
    const n = this.#o.tree().nodes.get(event.sensorId);
    if (n?.type !== 'sensor' || !EXPOSURE_KINDS.has(n.kind)) return;
    this.#timer = this.#o.clock.setTimeout(() => {
      this.#timer = undefined;
      this.service.scan().catch((e: unknown) => this.#o.log(`security rescan failed: ${e instanceof Error ? e.message : String(e)}`));
    }, this.#o.rescanDelayMs ?? 60_000);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.feeds?.stop();
    if (this.#timer !== undefined) this.#o.clock.clearTimeout(this.#timer);
    await this.feeds?.idle();
  }
}
