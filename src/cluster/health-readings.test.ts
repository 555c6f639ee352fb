// The core's probe-health readings from heartbeats: channels, one reading per interval whatever the
// heartbeat rate, the kind's limits judging the figures, and the gap recorded once per silence.

import { describe, expect, it } from 'vitest';
import type { SensorStatus } from '../core/model.ts';
import { probeHealthKind } from '../sensors/probe-health/index.ts';
import { ManualClock } from '../shared/clock.ts';
import { heartbeatChannels, ProbeHealthWriter, type HealthSensor } from './health-readings.ts';
import type { ProbeHeartbeat } from './protocol.ts';
import { decodeEnvelope, encodeEnvelope, type Envelope } from './wire.ts';

const T0 = Date.UTC(2026, 5, 1, 8);
const sensor: HealthSensor = { id: 'site/b/probe/health', specs: probeHealthKind.channels, intervalMs: 10_000, retries: 0, paused: false };

function beat(at: number, p99 = 5): ProbeHeartbeat {
  return {
    at,
    bufferDepth: 7,
    bufferBytes: 4096,
    bufferDropped: 2,
    cpuPct: 12.5,
    stats: { checksPerS: 3, latenessMs: { p50: 1, p99, max: p99 }, queueLength: 0, inFlight: 1, skippedOverlaps: 0, eventLoopLagMs: 4, rssBytes: 150 * 1024 * 1024, heapUsedBytes: 40 * 1024 * 1024, sensors: 12 },
  };
}

function writer(sensors: HealthSensor[] = [sensor]) {
  const sent: { id: string; env: Envelope }[] = [];
  const statuses = new Map<string, SensorStatus>();
  const clock = new ManualClock(T0);
  const w = new ProbeHealthWriter({
    clock,
    sensorsOf: () => sensors,
    statusOf: (id) => statuses.get(id),
    publish: (_probe, id, env) => {
      // Through the same decoder the ingest uses: what is sent must be a valid readings message.
      decodeEnvelope(encodeEnvelope(env));
      sent.push({ id, env });
      return Promise.resolve();
    },
    log: () => undefined,
  });
  return { w, sent, clock };
}

describe('probe health readings', () => {
  it('turns a heartbeat into channels named with their unit', () => {
    const byKey = Object.fromEntries(heartbeatChannels(beat(T0)).map((c) => [c.key, c.value]));
    expect(byKey).toMatchObject({ connected: 1, bufferDepth: 7, bufferDropped: 2, cpuPct: 12.5, intervalDelayP99Ms: 5, checksPerS: 3, memoryMB: 150, heapUsedMB: 40, sensors: 12 });
    const odd = { ...beat(T0), stats: { ...beat(T0).stats, checksPerS: Number.NaN, latenessMs: undefined } } as unknown as ProbeHeartbeat;
    const keys = heartbeatChannels(odd).map((c) => c.key);
    expect(keys).not.toContain('checksPerS');
    expect(keys).not.toContain('intervalDelayP99Ms');
  });

  it('writes one reading per interval with a state, and judges the figures by the kind limits', () => {
    const { w, sent } = writer();
    w.heartbeat('SITE-B', beat(T0));
    w.heartbeat('SITE-B', beat(T0 + 1000));
    w.heartbeat('SITE-B', beat(T0 + 9000));
    expect(sent).toHaveLength(1);
    expect(sent[0]!.id).toBe(`health:SITE-B:${T0 / 10_000}`);
    const first = sent[0]!.env;
    expect(first.values).toContainEqual([sensor.id, 'connected', T0, 1]);
    expect(first.checks).toEqual([[sensor.id, T0, 1]]);
    expect(first.events?.[0]?.e).toMatchObject({ from: 'unknown', to: 'up' });
    expect(first.states?.[0]).toMatchObject({ sensorId: sensor.id, state: 'up' });

    // Next interval: interval delay p99 over the kind's warning limit (1000 ms).
    w.heartbeat('SITE-B', beat(T0 + 10_000, 2500));
    expect(sent).toHaveLength(2);
    expect(sent[1]!.env.events?.[0]?.e).toMatchObject({ from: 'up', to: 'warning', reason: 'LIMIT_WARNING' });
  });

  it('records connected 0 and a failed check once the probe is silent, then writes at the next heartbeat', async () => {
    const { w, sent, clock } = writer([sensor, { ...sensor, id: 'paused', paused: true }]);
    w.heartbeat('SITE-B', beat(T0));
    await clock.advance(40_000);
    w.disconnected('SITE-B', T0 + 30_000);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.id).toBe(`health-gone:SITE-B:${T0}`);
    expect(sent[1]!.env.values).toEqual([[sensor.id, 'connected', clock.now(), 0]]);
    expect(sent[1]!.env.checks).toEqual([[sensor.id, clock.now(), 0]]);
    expect(sent[1]!.env.readings?.[0]?.r.error).toBe('PROBE_DISCONNECTED');
    // The state is the watch's overlay; no event from here.
    expect(sent[1]!.env.events).toBeUndefined();
    // Back: the next interval's reading (the state itself comes back with the watch's reconnect).
    w.heartbeat('SITE-B', beat(T0 + 5000));
    expect(sent).toHaveLength(2);
    w.heartbeat('SITE-B', beat(T0 + 10_000));
    expect(sent).toHaveLength(3);
    expect(sent[2]!.env.values).toContainEqual([sensor.id, 'connected', T0 + 10_000, 1]);
  });
});
