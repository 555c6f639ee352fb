// Channel limits: which values break a warning or an error limit, and the message to show.
// Evaluation order: error limits before warning limits, upper before lower.

import type { ChannelSpec, ChannelValue, Limits } from './model.ts';

export type LimitLevel = 'ok' | 'warning' | 'error';

export interface LimitBreach {
  readonly channel: string;
  readonly level: 'warning' | 'error';
  readonly value: number;
  readonly limit: number;
  readonly bound: 'upper' | 'lower';
  readonly message: string;
}

export function checkLimits(channel: string, name: string, unit: string, value: number, limits: Limits | undefined): LimitBreach | undefined {
  if (!limits || !Number.isFinite(value)) return undefined;
  const fmt = (v: number) => `${Number.isInteger(v) ? v : v.toFixed(2)}${unit === 'count' || unit === 'value' ? '' : ' ' + unit}`;
  const breach = (level: 'warning' | 'error', bound: 'upper' | 'lower', limit: number, custom: string | undefined): LimitBreach => ({
    channel,
    level,
    value,
    limit,
    bound,
    message: custom ?? `${name} ${fmt(value)} is ${bound === 'upper' ? 'above' : 'below'} the ${level} limit of ${fmt(limit)}`,
  });
  if (limits.upperError !== undefined && value > limits.upperError) return breach('error', 'upper', limits.upperError, limits.upperErrorMessage);
  if (limits.lowerError !== undefined && value < limits.lowerError) return breach('error', 'lower', limits.lowerError, limits.lowerErrorMessage);
  if (limits.upperWarning !== undefined && value > limits.upperWarning) return breach('warning', 'upper', limits.upperWarning, limits.upperWarningMessage);
  if (limits.lowerWarning !== undefined && value < limits.lowerWarning) return breach('warning', 'lower', limits.lowerWarning, limits.lowerWarningMessage);
  return undefined;
}

/** Checks every value against its channel's limits (configured spec first, then the check's own). The worst breach wins. */
export function worstBreach(values: readonly ChannelValue[], specs: readonly ChannelSpec[]): LimitBreach | undefined {
  const byKey = new Map(specs.map((s) => [s.key, s]));
  let worst: LimitBreach | undefined;
  for (const v of values) {
    const spec = byKey.get(v.key);
    const b = checkLimits(v.key, spec?.name ?? v.name ?? v.key, spec?.unit ?? v.unit ?? 'value', v.value, spec?.limits ?? v.limits);
    if (b && (!worst || (b.level === 'error' && worst.level === 'warning'))) worst = b;
  }
  return worst;
}

/** Checks that a limits object is consistent (error beyond warning); returns a problem or undefined. */
export function limitsProblem(l: Limits): string | undefined {
  if (l.upperError !== undefined && l.upperWarning !== undefined && l.upperWarning > l.upperError) return `upperWarning (${l.upperWarning}) must not be above upperError (${l.upperError})`;
  if (l.lowerError !== undefined && l.lowerWarning !== undefined && l.lowerWarning < l.lowerError) return `lowerWarning (${l.lowerWarning}) must not be below lowerError (${l.lowerError})`;
  if (l.upperWarning !== undefined && l.lowerWarning !== undefined && l.lowerWarning > l.upperWarning) return `lowerWarning (${l.lowerWarning}) must not be above upperWarning (${l.upperWarning})`;
  if (l.upperError !== undefined && l.lowerError !== undefined && l.lowerError > l.upperError) return `lowerError (${l.lowerError}) must not be above upperError (${l.upperError})`;
  return undefined;
}
