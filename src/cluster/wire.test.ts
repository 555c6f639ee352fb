// The readings envelope: round trip, splitting to the message limit, and exact errors for bad input.

import { describe, expect, it } from 'vitest';
import { decodeEnvelope, encodeEnvelope, splitEnvelope, WireError, type Envelope } from './wire.ts';

const env: Envelope = {
  v: 1,
  probe: 'SITE-B',
  at: 1000,
  values: Array.from({ length: 100 }, (_, i) => [`s${i}`, 'value', 1000 + i, i * 1.5]),
  checks: Array.from({ length: 100 }, (_, i) => [`s${i}`, 1000 + i, (i % 2) as 0 | 1]),
  events: [{ e: { sensorId: 's1', ts: 1000, from: 'unknown', to: 'up', reason: 'first check' }, s: { state: 'up', failures: 0, since: 1000 } }],
};

const bytes = (o: unknown) => Buffer.from(JSON.stringify(o));

describe('readings envelope', () => {
  it('round-trips rows', () => {
    const d = decodeEnvelope(encodeEnvelope(env));
    expect(d.values[3]).toEqual({ sensorId: 's3', channel: 'value', ts: 1003, value: 4.5 });
    expect(d.checks[3]).toEqual({ sensorId: 's3', ts: 1003, ok: true });
    expect(d.events[0]!.e.to).toBe('up');
  });

  it('splits into messages under the limit without losing or reordering a row', () => {
    const parts = splitEnvelope(env, 1500);
    expect(parts.length).toBeGreaterThan(2);
    for (const p of parts) expect(p.byteLength).toBeLessThanOrEqual(1500);
    const decoded = parts.map(decodeEnvelope);
    expect(decoded.flatMap((d) => d.values.map((v) => v.sensorId))).toEqual(env.values!.map((v) => v[0]));
    expect(decoded.flatMap((d) => d.checks).length).toBe(100);
    expect(decoded.flatMap((d) => d.events).length).toBe(1);
  });

  it('says which field is wrong', () => {
    expect(() => decodeEnvelope(Buffer.from('{nope'))).toThrow(WireError);
    expect(() => decodeEnvelope(bytes({ v: 1, probe: 'x', at: 1, values: [['s', 'c', 'late', 1]] }))).toThrow('values.0: expected [sensorId, channel, ts, value]');
    expect(() => decodeEnvelope(bytes({ v: 1, probe: 'x', at: 1, checks: [['s', 1, 2]] }))).toThrow('checks.0: expected [sensorId, ts, 0|1]');
    expect(() => decodeEnvelope(bytes({ v: 1, probe: 'x', at: 1, events: [{ e: { sensorId: 's', ts: 1, from: 'up', to: 'sideways', reason: 'r' } }] }))).toThrow(/^events\.0\.e\.to: /);
    expect(() => decodeEnvelope(bytes({ v: 2, probe: 'x', at: 1 }))).toThrow(/^v: /);
    expect(() => decodeEnvelope(bytes({ v: 1, probe: 'x', at: 1, messages: [{ receiver: 'syslog', ts: 1, source: '10.0.0.1', severity: 'loud', text: 't' }] }))).toThrow(/^messages\.0\.severity: /);
  });

  it('carries received messages for the core message log', () => {
    const m = { receiver: 'syslog', ts: 5, source: '10.0.0.1', deviceId: 'site/dev', severity: 'error' as const, text: 'link down', data: { app: 'ifmgr' } };
    expect(decodeEnvelope(encodeEnvelope({ v: 1, probe: 'x', at: 1, messages: [m] })).messages).toEqual([m]);
    expect(decodeEnvelope(encodeEnvelope({ v: 1, probe: 'x', at: 1 })).messages).toEqual([]);
  });
});
