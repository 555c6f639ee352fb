// Turns what an exposure check found into a Reading: every finding listed with its standard, the
// most severe one as the error code, Warning for low/medium findings and Down for high/critical,
// and what could not be tested said out loud rather than passed over in silence.

import type { ChannelValue, Reading } from '../../core/model.ts';
import { exposureFinding, severityRank, type ExposureCode } from './catalogue.ts';

/** The primary channel every exposure kind reports: how many findings the check made. */
export const FINDINGS_CHANNEL = { key: 'findings', name: 'Findings', unit: 'count', primary: true, description: 'Exposure findings of this check' } as const;

export interface Found {
  readonly code: ExposureCode;
  /** What was seen, e.g. "accepted called AE title WW-1A2B3C4D". */
  readonly detail: string;
}

export interface ExposureReadingInput {
  readonly found: readonly Found[];
  readonly channels: readonly ChannelValue[];
  readonly phases?: Readonly<Record<string, number>>;
  /** What was checked and passed, e.g. "rejects unknown called AE titles". */
  readonly passed: readonly string[];
  /** What could not be tested and why. */
  readonly notTested: readonly string[];
}

export function exposureReading(input: ExposureReadingInput): Reading {
  const found = [...input.found].sort((a, b) => severityRank(exposureFinding(b.code).severity) - severityRank(exposureFinding(a.code).severity));
  const parts = found.map((f) => `${f.detail} [${exposureFinding(f.code).standard}]`);
  if (input.passed.length) parts.push(`passed: ${input.passed.join(', ')}`);
  if (input.notTested.length) parts.push(`not tested: ${input.notTested.join('; ')}`);
  const channels = [...input.channels, { key: 'findings', value: found.length }];
  const base = { channels, message: parts.join('; '), ...(input.phases ? { phases: input.phases } : {}) };
  const worst = found[0];
  if (!worst) return base;
  const severe = severityRank(exposureFinding(worst.code).severity) >= severityRank('high');
  return { ...base, error: worst.code, ...(severe ? {} : { status: 'warning' as const }) };
}
