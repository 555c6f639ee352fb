// Which rules apply where, and to whom a rule's step goes right now. A rule applies at and below its
// scope nodes (the whole tree by default), not below its excludes, and not where a rule that
// `replaces` it applies. Recipients resolve at send time: on-call roles answer who is on call now.

import type { Recipient } from '../notification.ts';
import { addressOf, contactsOf, type AlertingConfig, type AlertRule, type Contact } from '../config.ts';
import type { ChannelInstance } from '../channels/registry.ts';
import { channelKind } from '../channels/registry.ts';
import { inHours, nextHoursChange, onCallNow } from './hours.ts';
import type { Topology } from './topology.ts';

/** One message to send: a recipient on a channel. */
export interface Target {
  readonly recipient: Recipient;
  readonly channel: string;
  readonly fallbackChannel?: string;
}

export class RuleIndex {
  readonly config: AlertingConfig;
  readonly topology: Topology;
  readonly #cache = new Map<string, readonly AlertRule[]>();
  readonly #contacts: ReadonlyMap<string, Contact>;
  readonly #channels: ReadonlyMap<string, ChannelInstance>;

  constructor(config: AlertingConfig, topology: Topology) {
    this.config = config;
    this.topology = topology;
    this.#contacts = new Map(config.contacts.map((c) => [c.name, c]));
    this.#channels = new Map(config.channels.map((c) => [c.name, c as ChannelInstance]));
  }

  /** Whether any rule looks at readings (thresholds, unusual values, changes): without one, readings need no work. */
  get wantsReadings(): boolean {
    return this.config.rules.some((r) => r.trigger.threshold !== undefined || r.trigger.unusual !== undefined || r.trigger.change !== undefined);
  }

  rule(name: string): AlertRule | undefined {
    return this.config.rules.find((r) => r.name === name);
  }

  #inScope(rule: AlertRule, chain: ReadonlySet<string>): boolean {
    if (rule.scope.length > 0 && !rule.scope.some((id) => chain.has(id))) return false;
    return !rule.exclude.some((id) => chain.has(id));
  }

  /** The rules that apply to a node (a sensor, or a device for security findings), in config order. */
  rulesFor(nodeId: string): readonly AlertRule[] {
    const known = this.#cache.get(nodeId);
    if (known) return known;
    const chain = new Set(this.topology.selfAndAncestors(nodeId));
    const scoped = this.config.rules.filter((r) => this.#inScope(r, chain));
    const replaced = new Set(scoped.flatMap((r) => r.replaces));
    const out = scoped.filter((r) => !replaced.has(r.name));
    this.#cache.set(nodeId, out);
    return out;
  }

  /** Whether the rule's schedule (active hours, in its zone or the node's site's) covers the instant. */
  activeAt(rule: AlertRule, nodeId: string, now: number): boolean {
    if (!rule.schedule) return true;
    const zone = rule.schedule.timezone ?? (this.topology.node(nodeId) ? this.topology.timezoneOf(nodeId) : 'UTC');
    return inHours(rule.schedule.hours, now, zone);
  }

  /** The zone a rule's schedule is read in at a node: its own, else the node's site's. */
  scheduleZone(rule: AlertRule, nodeId: string): string {
    return rule.schedule?.timezone ?? (this.topology.node(nodeId) ? this.topology.timezoneOf(nodeId) : 'UTC');
  }

  /** The first instant at or after `now` at which the rule's schedule is active at the node (undefined: never again). */
  nextActiveAt(rule: AlertRule, nodeId: string, now: number): number | undefined {
    if (!rule.schedule || this.activeAt(rule, nodeId, now)) return now;
    return nextHoursChange(rule.schedule.hours, now, this.scheduleZone(rule, nodeId));
  }

  /**
   * Another rule that watches the same nodes for the same kind of trigger and whose schedule is
   * active at `now` ("page by night, email by day": the night rule covers the night for the day
   * rule). State and held-state triggers count as one kind.
   */
  coveringRule(rule: AlertRule, nodeIds: readonly string[], now: number): AlertRule | undefined {
    const family = (r: AlertRule): string => (r.trigger.state || r.trigger.held ? 'state' : Object.keys(r.trigger).find((k) => r.trigger[k as keyof AlertRule['trigger']] !== undefined) ?? '');
    const want = family(rule);
    for (const id of nodeIds) {
      if (!this.topology.node(id)) continue;
      const other = this.rulesFor(id).find((r) => r.name !== rule.name && family(r) === want && this.activeAt(r, id, now));
      if (other) return other;
    }
    return undefined;
  }

  /** Step 0 is the rule's own `to` and `channels`; step k the k-th escalation entry. */
  stepCount(rule: AlertRule): number {
    return 1 + rule.escalation.length;
  }

  /** Seconds after opening at which step k is due. */
  stepAfterS(rule: AlertRule, step: number): number {
    return step === 0 ? 0 : (rule.escalation[step - 1]?.after ?? Number.POSITIVE_INFINITY);
  }

  /** Who a step of the rule reaches now, one target per recipient and channel. */
  targets(rule: AlertRule, step: number, now: number): Target[] {
    const s = step === 0 ? { to: rule.to, channels: rule.channels } : rule.escalation[step - 1];
    if (!s) return [];
    const channels = s.channels ?? rule.channels;
    const contacts: string[] = [];
    for (const ref of s.to) {
      if (ref.startsWith('oncall:')) {
        const role = this.config.oncall.find((o) => o.name === ref.slice(7));
        if (role) contacts.push(...onCallNow(role, now));
      } else contacts.push(...contactsOf(this.config, ref));
    }
    const unique = [...new Set(contacts)];
    const out: Target[] = [];
    const seen = new Set<string>();
    for (const chName of channels) {
      const ch = this.#channels.get(chName);
      if (!ch) continue;
      const fallback = rule.fallbackChannel ?? ch.fallback;
      const add = (recipient: Recipient) => {
        const k = `${recipient.name}\u0000${chName}`;
        if (seen.has(k)) return;
        seen.add(k);
        out.push({ recipient, channel: chName, ...(fallback !== undefined ? { fallbackChannel: fallback } : {}) });
      };
      if (channelKind(ch.kind)?.needsAddress === true) {
        for (const name of unique) {
          const c = this.#contacts.get(name);
          const address = c ? addressOf(c, ch) : undefined;
          if (address !== undefined) add({ name, address });
        }
      } else if (unique.length > 0) add({ name: chName });
    }
    return out;
  }
}
