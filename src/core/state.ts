// The sensor state machine. A Reading becomes an Outcome (ok / warning / failure / unknown); the
// outcome and the sensor's previous status give its next status. Failures are confirmed before
// Down, as PRTG does: the runner re-checks at once, and the sensor shows Warning until
// `retries + 1` consecutive runs have failed. Pauses (user, maintenance, dependency) override.

import { lookupError } from './errors.ts';
import { worstBreach } from './limits.ts';
import type { ChannelSpec, PauseReason, Reading, SensorStatus, State, StateEvent } from './model.ts';

export type OutcomeKind = 'ok' | 'warning' | 'failure' | 'unknown';

export interface Outcome {
  readonly kind: OutcomeKind;
  /** Catalogue code, or LIMIT_ERROR / LIMIT_WARNING. */
  readonly code?: string;
  readonly message: string;
}

export function outcomeOf(reading: Reading, specs: readonly ChannelSpec[]): Outcome {
  if (reading.error !== undefined) {
    const base = lookupError(reading.error).message;
    return { kind: reading.status === 'warning' ? 'warning' : 'failure', code: reading.error, message: reading.message ? `${base}: ${reading.message}` : base };
  }
  const breach = worstBreach(reading.channels, specs);
  if (breach?.level === 'error') return { kind: 'failure', code: 'LIMIT_ERROR', message: breach.message };
  if (reading.status === 'down') return { kind: 'failure', message: reading.message ?? 'Down' };
  if (reading.status === 'unknown') return { kind: 'unknown', message: reading.message ?? 'Unknown' };
  if (reading.status === 'warning' || breach) {
    return breach ? { kind: 'warning', code: 'LIMIT_WARNING', message: breach.message } : { kind: 'warning', message: reading.message ?? 'Warning' };
  }
  return { kind: 'ok', message: reading.message ?? 'OK' };
}

export function initialStatus(now: number): SensorStatus {
  return { state: 'unknown', failures: 0, since: now, message: 'Not checked yet' };
}

export interface Transition {
  readonly status: SensorStatus;
  readonly event?: StateEvent;
  /** The runner should re-check at once (an unconfirmed failure). */
  readonly recheck: boolean;
}

function transition(sensorId: string, prev: SensorStatus, next: Omit<SensorStatus, 'since'>, now: number, reason: string): Transition {
  const changed = prev.state !== next.state || prev.pauseReason !== next.pauseReason;
  const status: SensorStatus = { ...next, since: changed ? now : prev.since };
  const event: StateEvent | undefined = changed
    ? { sensorId, ts: now, from: prev.state, to: next.state, ...(next.pauseReason ? { pauseReason: next.pauseReason } : {}), reason, ...(next.message !== undefined ? { message: next.message } : {}) }
    : undefined;
  return { status, ...(event ? { event } : {}), recheck: false };
}

/** Applies one check's outcome. `retries` is the number of immediate re-checks before Down. */
export function applyOutcome(sensorId: string, prev: SensorStatus, outcome: Outcome, now: number, retries: number, values?: Readonly<Record<string, number>>): Transition {
  const base = { lastCheck: now, message: outcome.message, ...(values ? { lastValues: values } : {}) };
  if (outcome.kind === 'failure') {
    const failures = prev.failures + 1;
    const confirmed = failures > retries;
    const state: State = confirmed ? 'down' : 'warning';
    const keepAck = prev.state === 'down' && confirmed && prev.acknowledged ? { acknowledged: prev.acknowledged } : {};
    const reason = confirmed ? (outcome.code ?? 'DOWN') : `${outcome.code ?? 'DOWN'} (unconfirmed, failure ${failures} of ${retries + 1})`;
    const t = transition(sensorId, prev, { state, failures, ...base, ...(outcome.code ? { error: outcome.code } : {}), ...keepAck }, now, reason);
    return { ...t, recheck: !confirmed };
  }
  const state: State = outcome.kind === 'ok' ? 'up' : outcome.kind;
  return transition(sensorId, prev, { state, failures: 0, ...base, ...(outcome.code ? { error: outcome.code } : {}) }, now, outcome.code ?? outcome.kind.toUpperCase());
}

/** Enters or leaves a pause. `reason` null resumes: the sensor goes Unknown until its next check. */
export function applyPause(sensorId: string, prev: SensorStatus, reason: PauseReason | null, now: number, detail: string): Transition {
  if (reason === null) {
    if (prev.state !== 'paused') return { status: prev, recheck: false };
    return transition(sensorId, prev, { state: 'unknown', failures: 0, message: `Resumed: ${detail}` }, now, `resumed (${detail})`);
  }
  if (prev.state === 'paused' && prev.pauseReason === reason) return { status: prev, recheck: false };
  const lastValues = prev.lastValues ? { lastValues: prev.lastValues } : {};
  return transition(sensorId, prev, { state: 'paused', pauseReason: reason, failures: 0, message: `Paused by ${reason}: ${detail}`, ...lastValues }, now, `paused by ${reason}: ${detail}`);
}

/** Acknowledges a Down sensor; refused (undefined) when the sensor is not Down. */
export function acknowledge(prev: SensorStatus, by: string, at: number, note?: string): SensorStatus | undefined {
  if (prev.state !== 'down') return undefined;
  return { ...prev, acknowledged: { by, at, ...(note !== undefined ? { note } : {}) } };
}

/** Which pause applies, by priority: a user's pause, then maintenance, then a dependency. */
export function pauseFor(userPaused: boolean, inMaintenance: string | undefined, masterDown: string | undefined): { reason: PauseReason; detail: string } | null {
  if (userPaused) return { reason: 'user', detail: 'paused in the configuration' };
  if (inMaintenance !== undefined) return { reason: 'maintenance', detail: `maintenance window ${inMaintenance}` };
  if (masterDown !== undefined) return { reason: 'dependency', detail: `master sensor ${masterDown} is Down` };
  return null;
}
