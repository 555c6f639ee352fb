// The listen/check skeleton the rule-judging kinds (syslog, snmp-trap) share: subscribe to the
// device's inbox topic and feed a RuleTracker, record raised and cleared rules as events and ask
// for a check at once; the check turns the tracker's verdict and counts into a Reading.

import type { ChannelValue, Reading } from '../../core/model.ts';
import type { ReceivedMessage } from '../../store/store.ts';
import { failed, type CheckContext, type ListenContext, type Listener } from '../sensor.ts';
import { countsSince, deviceOfSensor, RuleTracker, type CountSnapshot, type TrackedRule } from './rules.ts';

const TRACKER_KEY = 'rules.tracker';
const PREV_KEY = 'rules.prev';

export type RuleCounts = ReturnType<typeof countsSince>;

/** Subscribes to `<receiver>:<device id>` and judges every message against the rules. */
export async function listenForRules(ctx: ListenContext, receiver: string, rules: TrackedRule<ReceivedMessage>[]): Promise<Listener> {
  const tracker = new RuleTracker(rules, ctx.wallNow());
  ctx.memory.set(TRACKER_KEY, tracker);
  ctx.memory.delete(PREV_KEY);
  const topic = `${receiver}:${deviceOfSensor(ctx.sensorId)}`;
  const unsubscribe = ctx.inbox.subscribe(topic, (raw) => {
    const m = raw as ReceivedMessage;
    const { raised, cleared } = tracker.offer(m, m.text, ctx.wallNow());
    for (const r of raised) ctx.record({ severity: r.state === 'down' ? 'error' : 'warning', text: `${r.name}: ${m.text}`, data: { rule: r.name, source: m.source } });
    for (const r of cleared) ctx.record({ severity: 'info', text: `${r.name} cleared: ${m.text}`, data: { rule: r.name } });
    if (raised.length > 0 || cleared.length > 0) ctx.checkNow();
  });
  return { address: `inbox:${topic}`, close: async () => unsubscribe() };
}

/** The worst active rule's state with its last match, and the counts since the previous check. */
export function judgeRules(ctx: CheckContext, receiverName: string, noun: string, channelsOf: (c: RuleCounts) => ChannelValue[]): Reading {
  const tracker = ctx.memory.get(TRACKER_KEY);
  if (!(tracker instanceof RuleTracker)) return failed('RECEIVER_NOT_LISTENING', `the sensor is not subscribed to the ${receiverName} yet`);
  const now = ctx.wallNow();
  const c = countsSince(tracker, ctx.memory.get(PREV_KEY) as CountSnapshot | undefined, now);
  ctx.memory.set(PREV_KEY, c.snapshot);
  const v = tracker.verdict(now);
  const channels = channelsOf(c);
  const counts = `${c.seen} ${noun}${c.seen === 1 ? '' : 's'}, ${c.matched} matching since the last check`;
  return v.status === 'up' ? { channels, status: 'up', message: counts } : { channels, status: v.status, message: `${v.rule}: ${v.message ?? ''} (${counts})` };
}
