import { describe, expect, it } from 'vitest';
import { outcomeOf } from '../../core/state.ts';
import { makeContext, runSensorContract } from '../testing/contract.ts';
import type { ProbeStats } from '../sensor.ts';
import { probeHealthKind } from './index.ts';

runSensorContract(probeHealthKind, { good: async () => ({}) });

const healthy: ProbeStats = {
  checksPerS: 1700,
  latenessMs: { p50: 2, p99: 40, max: 120 },
  queueLength: 3,
  inFlight: 12,
  skippedOverlaps: 0,
  eventLoopLagMs: 8,
  rssBytes: 512 * 1024 * 1024,
  heapUsedBytes: 256 * 1024 * 1024,
  sensors: 102_000,
};

describe('probe-health', () => {
  it('reports the engine figures as channels', async () => {
    const r = await probeHealthKind.check({}, makeContext({ probe: { stats: () => healthy } }));
    expect(Object.fromEntries(r.channels.map((c) => [c.key, c.value]))).toEqual({
      intervalDelayP99Ms: 40,
      intervalDelayP50Ms: 2,
      intervalDelayMaxMs: 120,
      checksPerS: 1700,
      queueLength: 3,
      inFlight: 12,
      skippedOverlaps: 0,
      eventLoopLagMs: 8,
      memoryMB: 512,
      heapUsedMB: 256,
      sensors: 102_000,
    });
    expect(r.message).toBe('102000 sensors, 1700 checks/s, interval delay p99 40 ms, 512 MB');
    expect(outcomeOf(r, probeHealthKind.channels).kind).toBe('ok');
  });
  it('default limits: a probe falling behind its schedule is Warning, then Down', async () => {
    const late = await probeHealthKind.check({}, makeContext({ probe: { stats: () => ({ ...healthy, latenessMs: { p50: 300, p99: 2500, max: 4000 } }) } }));
    expect(outcomeOf(late, probeHealthKind.channels)).toEqual({ kind: 'warning', code: 'LIMIT_WARNING', message: 'Interval delay p99 2500 ms is above the warning limit of 1000 ms' });
    const stalled = await probeHealthKind.check({}, makeContext({ probe: { stats: () => ({ ...healthy, eventLoopLagMs: 1500 }) } }));
    expect(outcomeOf(stalled, probeHealthKind.channels)).toEqual({ kind: 'failure', code: 'LIMIT_ERROR', message: 'Event-loop lag p99 1500 ms is above the error limit of 1000 ms' });
  });
  it('outside an engine reports process memory only', async () => {
    const r = await probeHealthKind.check({}, makeContext());
    expect(r.channels.map((c) => c.key)).toEqual(['memoryMB', 'heapUsedMB']);
    expect(r.message).toMatch(/^not running inside an engine: process memory only \(\d+(\.\d)? MB\)$/);
  });
  it('rejects unknown settings', () => {
    expect(() => probeHealthKind.settings.parse({ host: 'x' })).toThrow();
  });
});
