// `probe-health`: the probe watching itself, like PRTG's Probe Health sensor. The engine hands its
// own figures (how late checks start, checks/s, queue, event-loop lag, memory) to the check through
// ctx.probe; a probe falling behind its schedule shows up as Warning/Down like any device.

import { z } from 'zod';
import { defineSensorKind, failed } from '../sensor.ts';

const settings = z.strictObject({});

const MB = 1024 * 1024;

export const probeHealthKind = defineSensorKind({
  kind: 'probe-health',
  title: 'Probe health',
  description:
    'The probe itself: how late checks start against their schedule (interval delay), checks per second, checks waiting for a slot, event-loop lag and memory. Add one per probe; it needs no host. Run outside an engine (wardwatch check) it reports process memory only.',
  settings,
  channels: [
    { key: 'intervalDelayP99Ms', name: 'Interval delay p99', unit: 'ms', primary: true, limits: { upperWarning: 1000, upperError: 10_000 }, description: '99th percentile of how late checks started over the last minute' },
    { key: 'intervalDelayP50Ms', name: 'Interval delay p50', unit: 'ms', description: 'Median lateness of check starts' },
    { key: 'intervalDelayMaxMs', name: 'Interval delay max', unit: 'ms', description: 'Worst lateness of a check start' },
    { key: 'checksPerS', name: 'Checks per second', unit: 'per s' },
    { key: 'queueLength', name: 'Queued checks', unit: 'count', limits: { upperWarning: 1000, upperError: 10_000 }, description: 'Checks waiting for a concurrency slot' },
    { key: 'inFlight', name: 'Checks in flight', unit: 'count' },
    { key: 'skippedOverlaps', name: 'Skipped runs', unit: 'count', limits: { upperWarning: 0 }, description: 'Runs skipped because the previous run of the same sensor was still going' },
    { key: 'eventLoopLagMs', name: 'Event-loop lag p99', unit: 'ms', limits: { upperWarning: 200, upperError: 1000 } },
    { key: 'memoryMB', name: 'Memory (RSS)', unit: 'value', limits: { upperWarning: 1024, upperError: 2048 }, description: 'Resident memory of the probe process, MB' },
    { key: 'heapUsedMB', name: 'Heap used', unit: 'value', description: 'JavaScript heap in use, MB' },
    { key: 'sensors', name: 'Sensors', unit: 'count' },
  ],
  concurrency: 1,
  defaultIntervalS: 60,
  usesHost: false,
  async check(_s, ctx) {
    if (ctx.signal.aborted) return failed('ABORTED', 'the check was cancelled');
    const mb = (b: number) => Math.round((b / MB) * 10) / 10;
    if (!ctx.probe) {
      // Outside an engine (wardwatch check): there is no schedule to be late for, only this process.
      const mem = process.memoryUsage();
      return {
        channels: [
          { key: 'memoryMB', value: mb(mem.rss) },
          { key: 'heapUsedMB', value: mb(mem.heapUsed) },
        ],
        message: `not running inside an engine: process memory only (${mb(mem.rss)} MB)`,
      };
    }
    const st = ctx.probe.stats();
    return {
      channels: [
        { key: 'intervalDelayP99Ms', value: st.latenessMs.p99 },
        { key: 'intervalDelayP50Ms', value: st.latenessMs.p50 },
        { key: 'intervalDelayMaxMs', value: st.latenessMs.max },
        { key: 'checksPerS', value: st.checksPerS },
        { key: 'queueLength', value: st.queueLength },
        { key: 'inFlight', value: st.inFlight },
        { key: 'skippedOverlaps', value: st.skippedOverlaps },
        { key: 'eventLoopLagMs', value: st.eventLoopLagMs },
        { key: 'memoryMB', value: mb(st.rssBytes) },
        { key: 'heapUsedMB', value: mb(st.heapUsedBytes) },
        { key: 'sensors', value: st.sensors },
      ],
      message: `${st.sensors} sensors, ${st.checksPerS} checks/s, interval delay p99 ${st.latenessMs.p99} ms, ${mb(st.rssBytes)} MB`,
    };
  },
});
