// `synthetic`: an in-process sensor whose values follow a deterministic wave, with optional
// failures. It costs almost nothing to run, so the demo and the scheduler benchmark use it to stand
// in for thousands of sensors; it is also handy to test limits and notifications end to end.

import { z } from 'zod';
import { defineSensorKind } from '../sensor.ts';

const settings = z.strictObject({
  /** Mean of the wave. */
  base: z.number().default(50).describe('Mean value of the generated channel'),
  amplitude: z.number().min(0).default(10).describe('Half the peak-to-peak swing of the wave'),
  periodS: z.number().positive().default(600).describe('Period of the wave in seconds'),
  failEvery: z.number().int().min(0).default(0).describe('Fail every Nth run (0: never)'),
  unit: z.enum(['ms', '%', 'count', 'value']).default('value').describe('Unit of the generated channel'),
});

export const syntheticKind = defineSensorKind({
  kind: 'synthetic',
  title: 'Synthetic value',
  description: 'Generates a deterministic sine wave (and optional failures) without any I/O. For demos, tests and load benchmarks.',
  settings,
  channels: [{ key: 'value', name: 'Value', unit: 'value', primary: true }],
  concurrency: 10_000,
  usesHost: false,
  async check(s, ctx) {
    const runs = ((ctx.memory.get('runs') as number | undefined) ?? 0) + 1;
    ctx.memory.set('runs', runs);
    if (s.failEvery > 0 && runs % s.failEvery === 0) {
      return { channels: [], error: 'TIMEOUT', message: `simulated failure (run ${runs})` };
    }
    const t = ctx.wallNow() / 1000;
    const value = s.base + s.amplitude * Math.sin((2 * Math.PI * t) / s.periodS);
    return { channels: [{ key: 'value', value: Math.round(value * 100) / 100, unit: s.unit }], message: `value ${value.toFixed(2)}` };
  },
});
