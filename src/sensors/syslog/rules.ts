// Rule state shared by the listening kinds that judge what receivers publish (syslog, snmp-trap):
// each rule raises a state (warning/down) when a message matches it, and clears on a clearing
// message or after a quiet period. Pure and clock-free: callers pass "now" in.

import { z } from 'zod';

export type RuleState = 'warning' | 'down';

export interface TrackedRule<M> {
  readonly name: string;
  readonly state: RuleState;
  /** Quiet time after the last match that clears the rule, ms. */
  readonly clearAfterMs?: number;
  matches(m: M): boolean;
  clears(m: M): boolean;
}

interface Active {
  active: boolean;
  lastMatchAt: number;
  lastText: string;
}

export interface RuleVerdict {
  readonly status: 'up' | RuleState;
  /** The last matching line of the worst active rule. */
  readonly message?: string;
  readonly rule?: string;
}

/** What a listener counts and the check reads; lives in the sensor's memory. */
export class RuleTracker<M> {
  readonly rules: readonly TrackedRule<M>[];
  readonly startedAt: number;
  /** Messages seen for the device, and of them those matching a rule. */
  seen = 0;
  matched = 0;
  readonly #state: Active[];

  constructor(rules: readonly TrackedRule<M>[], startedAt: number) {
    this.rules = rules;
    this.startedAt = startedAt;
    this.#state = rules.map(() => ({ active: false, lastMatchAt: 0, lastText: '' }));
  }

  /** Applies one message; returns the rules it raised (newly active) and cleared. */
  offer(m: M, text: string, now: number): { raised: TrackedRule<M>[]; cleared: TrackedRule<M>[] } {
    this.seen++;
    const raised: TrackedRule<M>[] = [];
    const cleared: TrackedRule<M>[] = [];
    let any = false;
    this.rules.forEach((rule, i) => {
      const st = this.#state[i]!;
      if (rule.clears(m)) {
        if (st.active) cleared.push(rule);
        st.active = false;
        return;
      }
      if (!rule.matches(m)) return;
      any = true;
      if (!st.active) raised.push(rule);
      st.active = true;
      st.lastMatchAt = now;
      st.lastText = text;
    });
    if (any) this.matched++;
    return { raised, cleared };
  }

  /** The worst active rule at `now`, after clearing the rules quiet for their clearAfter. */
  verdict(now: number): RuleVerdict {
    let worst: { rule: TrackedRule<M>; st: Active } | undefined;
    this.rules.forEach((rule, i) => {
      const st = this.#state[i]!;
      if (st.active && rule.clearAfterMs !== undefined && now - st.lastMatchAt >= rule.clearAfterMs) st.active = false;
      if (!st.active) return;
      const better = !worst || (rule.state === 'down' && worst.rule.state !== 'down') || (rule.state === worst.rule.state && st.lastMatchAt > worst.st.lastMatchAt);
      if (better) worst = { rule, st };
    });
    return worst ? { status: worst.rule.state, message: worst.st.lastText, rule: worst.rule.name } : { status: 'up' };
  }
}

/** A regular expression setting (matched case-insensitively). */
export const regex = z
  .string()
  .min(1)
  .refine(
    (s) => {
      try {
        new RegExp(s, 'i');
        return true;
      } catch {
        return false;
      }
    },
    { error: (i) => `expected a regular expression, got ${JSON.stringify(i.input)}` },
  );

/** The device a sensor belongs to: its id without the last "/segment". */
export function deviceOfSensor(sensorId: string): string {
  const cut = sensorId.lastIndexOf('/');
  return cut < 0 ? sensorId : sensorId.slice(0, cut);
}

export interface CountSnapshot {
  readonly at: number;
  readonly seen: number;
  readonly matched: number;
}

/** Counts since the previous check and the per-minute rates; the snapshot goes back in memory. */
export function countsSince<M>(t: RuleTracker<M>, prev: CountSnapshot | undefined, now: number) {
  const p = prev ?? { at: t.startedAt, seen: 0, matched: 0 };
  const minutes = Math.max(now - p.at, 1) / 60_000;
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    seen: t.seen - p.seen,
    matched: t.matched - p.matched,
    seenPerMin: round((t.seen - p.seen) / minutes),
    matchedPerMin: round((t.matched - p.matched) / minutes),
    snapshot: { at: now, seen: t.seen, matched: t.matched } satisfies CountSnapshot,
  };
}
