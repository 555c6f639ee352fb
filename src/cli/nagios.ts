// Nagios plugin output: one status line with perfdata, and the exit code convention
// (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN), so every Wardwatch sensor works as a plugin.

import type { ChannelSpec, Reading, Unit } from '../core/model.ts';
import type { Outcome } from '../core/state.ts';

export const EXIT = { ok: 0, warning: 1, failure: 2, unknown: 3 } as const;
const LABEL = { ok: 'OK', warning: 'WARNING', failure: 'CRITICAL', unknown: 'UNKNOWN' } as const;

const UOM: Partial<Record<Unit, string>> = { ms: 'ms', s: 's', '%': '%', bytes: 'B' };

function num(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Math.round(v * 1000) / 1000);
}

function threshold(lower: number | undefined, upper: number | undefined): string {
  if (lower === undefined && upper === undefined) return '';
  if (lower === undefined) return num(upper!);
  if (upper === undefined) return `${num(lower)}:`;
  return `${num(lower)}:${num(upper)}`;
}

export function perfdata(reading: Reading, specs: readonly ChannelSpec[]): string {
  const byKey = new Map(specs.map((s) => [s.key, s]));
  return reading.channels
    .map((c) => {
      const spec = byKey.get(c.key);
      const unit = spec?.unit ?? c.unit ?? 'value';
      const l = spec?.limits ?? c.limits;
      const warn = threshold(l?.lowerWarning, l?.upperWarning);
      const crit = threshold(l?.lowerError, l?.upperError);
      const label = /[\s'=]/.test(c.key) ? `'${c.key.replaceAll("'", "''")}'` : c.key;
      return `${label}=${num(c.value)}${UOM[unit] ?? ''};${warn};${crit};;`;
    })
    .join(' ');
}

export function statusLine(kind: string, outcome: Outcome, reading: Reading, specs: readonly ChannelSpec[]): string {
  const head = `WARDWATCH ${kind.toUpperCase()} ${LABEL[outcome.kind]} - ${outcome.message.replaceAll('|', '/').replaceAll('\n', ' ')}`;
  const perf = perfdata(reading, specs);
  return perf ? `${head} | ${perf}` : head;
}
