// Opening and closing alerts about sensors, shared by every trigger: an outage gathered in the
// grouping window (one grouped alert per common parent), a single sensor's alert with its words,
// template variables and severity, and recovery (a grouped alert ends once none of its members is
// still Down, worked out once per alert so that an outage of thousands ends in linear time).

import type { SensorStatus, StateEvent } from '../../core/model.ts';
import type { AlertRule } from '../config.ts';
import type { TemplateVars } from '../notification.ts';
import type { AlertData, Severity } from './alert-store.ts';
import type { Episodes } from './episodes.ts';
import type { RuleIndex } from './rules.ts';
import { clusterDown } from './grouping.ts';
import { memberOf, pickParent, stateTitle } from './titles.ts';

export interface OpenerOptions {
  readonly episodes: Episodes;
  readonly index: () => RuleIndex;
  readonly statusOf: (sensorId: string) => SensorStatus | undefined;
  readonly consoleLink: (nodeId: string) => string | undefined;
}

export type SingleTrigger = Exclude<AlertData['trigger'], 'security'>;

export class Opener {
  readonly #o: OpenerOptions;
  /** Grouped alert id → members still Down. */
  readonly downMembers = new Map<string, Set<string>>();

  constructor(o: OpenerOptions) {
    this.#o = o;
  }

  label(id: string): string {
    const v = this.#o.index().topology.vars(id);
    return v.device !== undefined && v.sensor !== undefined ? `${v.device} / ${v.sensor}` : (v.sensor ?? id);
  }

  link(id: string): Pick<TemplateVars, 'consoleUrl'> {
    const url = this.#o.consoleLink(id);
    return url !== undefined ? { consoleUrl: url } : {};
  }

  async openSingle(
    rule: AlertRule,
    id: string,
    e: Pick<StateEvent, 'ts' | 'to'> & { readonly from?: StateEvent['from']; readonly message?: string | undefined },
    trigger: SingleTrigger,
    o: { oneShot?: boolean; title?: string; kind?: 'alert' | 'flapping'; discriminator?: string; value?: number },
  ): Promise<void> {
    const topo = this.#o.index().topology;
    const status = this.#o.statusOf(id);
    const message = e.message ?? status?.message;
    const severity: Severity = rule.severity ?? (trigger === 'unusual' ? 'warning' : trigger === 'change' || e.to === 'up' ? 'info' : e.to === 'down' ? 'critical' : 'warning');
    await this.#o.episodes.open({
      rule,
      nodeId: id,
      sensorIds: [id],
      trigger,
      discriminator: o.discriminator ?? `${e.ts}`,
      openedAt: e.ts,
      severity,
      kind: o.kind ?? 'alert',
      vars: {
        title: o.title ?? stateTitle(this.label(id), e.to),
        state: e.to,
        ...(e.from !== undefined ? { previousState: e.from } : {}),
        ...topo.vars(id),
        ...(message !== undefined ? { message } : {}),
        ...(o.value !== undefined ? { value: String(o.value) } : {}),
        since: status?.since ?? e.ts,
        ...this.link(id),
      },
      affectedDependents: topo.dependentsOf(id),
      ...(o.oneShot ? { oneShot: true } : {}),
      ...(o.kind === 'flapping' ? { noEscalation: true } : {}),
      timezone: topo.timezoneOf(id),
    });
  }

  /** A sensor is back Up: its alert resolves once none of its sensors is still Down. */
  async recovered(rule: string, id: string): Promise<void> {
    const a = this.#o.episodes.covering(rule, id);
    if (!a || a.data.trigger === 'flapping' || a.data.trigger === 'security') return;
    if (a.sensorIds.length > 1) {
      // Members still Down, worked out once per alert, so that an outage of thousands ends in linear time.
      let down = this.downMembers.get(a.id);
      if (!down) this.downMembers.set(a.id, (down = new Set(a.sensorIds.filter((s) => this.#o.statusOf(s)?.state === 'down'))));
      down.delete(id);
      for (const s of down) {
        if (this.#o.statusOf(s)?.state === 'down') return;
        down.delete(s);
      }
      this.downMembers.delete(a.id);
    }
    const title = a.sensorIds.length > 1 || a.data.trigger === 'threshold' || a.data.trigger === 'unusual' ? `Recovered: ${a.title}` : `${this.label(id)} is back Up`;
    await this.#o.episodes.resolve(a, { kind: 'recovery', title, state: 'up' });
  }

  /**
   * Opens the alerts of the Down sensors gathered in a rule's grouping window (sensor → when it went
   * Down): one grouped alert per common parent, a single alert for each of the others.
   */
  async openOutage(rule: AlertRule, gathered: ReadonlyMap<string, number>): Promise<void> {
    const idx = this.#o.index();
    // A member paused by its master in the meantime, or back up, is no longer an alert.
    const still = [...gathered.keys()].filter((id) => this.#o.statusOf(id)?.state === 'down' && !this.#o.episodes.covering(rule.name, id));
    const g = idx.config.grouping;
    const clusters = clusterDown(still, idx.topology, (s) => {
      const st = this.#o.statusOf(s);
      if (st?.state === 'down' || (st?.state === 'paused' && st.pauseReason === 'dependency')) return 'affected';
      return st?.state === 'paused' ? 'inactive' : 'healthy';
    }, g);
    for (const [parent, members] of clusters.groups) {
      const openedAt = Math.min(...members.map((m) => gathered.get(m)!));
      const dependents = members.reduce((n, m) => n + idx.topology.dependentsOf(m), 0);
      const title = `${members.length} sensors Down behind ${idx.topology.name(parent)}`;
      await this.#o.episodes.open({
        rule,
        nodeId: parent,
        sensorIds: members,
        trigger: 'state',
        discriminator: `${openedAt}`,
        openedAt,
        severity: rule.severity ?? 'critical',
        kind: 'grouped',
        vars: {
          title,
          state: 'down',
          ...pickParent(idx.topology.vars(members[0]!), idx.topology.node(parent)?.type),
          since: openedAt,
          ...this.link(parent),
          members: members.map((m) => memberOf(idx.topology, m, this.#o.statusOf(m))),
        },
        affectedDependents: dependents,
        timezone: idx.topology.timezoneOf(members[0]!),
      });
    }
    for (const id of clusters.singles) await this.openSingle(rule, id, { ts: gathered.get(id)!, to: 'down' }, 'state', {});
  }
}
