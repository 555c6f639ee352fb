// The shape of the crash test's batches, shared by the writer fixture and the test that checks
// what survived: 200 series x 10 timestamps of values and 50 sensors x 10 checks per batch.

import type { CheckRow, ValueRow } from '../../store.ts';

export const SENSORS = 50;
export const CHANNELS = 4;
export const STEPS = 10;
export const VALUES_PER_BATCH = SENSORS * CHANNELS * STEPS;
export const CHECKS_PER_BATCH = SENSORS * STEPS;
const BASE = Date.UTC(2026, 0, 1);

export function crashBatch(k: number): { values: ValueRow[]; checks: CheckRow[] } {
  const values: ValueRow[] = [];
  const checks: CheckRow[] = [];
  for (let t = 0; t < STEPS; t++) {
    // 7 s apart: batches cross minute and hour buckets, so rollups merge across batches.
    const ts = BASE + (k * STEPS + t) * 7_000;
    for (let s = 0; s < SENSORS; s++) {
      checks.push({ sensorId: `s${s}`, ts, ok: (s + t) % 5 !== 0 });
      for (let c = 0; c < CHANNELS; c++) values.push({ sensorId: `s${s}`, channel: `c${c}`, ts, value: k + t / 10 + c });
    }
  }
  return { values, checks };
}
