import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { counterDelta, formatDuration, TWO_32, uptimeWentBack } from './counters.ts';
import { bigIntToBuffer, bufferToBigInt, decodeVarbind } from './values.ts';

describe('counter deltas', () => {
  it('adds 2^32 once for a 32-bit wrap when one wrap is the only explanation', () => {
    expect(counterDelta(TWO_32 - 100n, 50n, 32, 10, 125_000_000)).toEqual({ ok: true, delta: 150n, wrapped: true });
  });

  it('refuses a 32-bit wrap when the line could have wrapped it more than once', () => {
    const r = counterDelta(TWO_32 - 100n, 50n, 32, 60, 1_250_000_000);
    expect(r).toEqual({ ok: false, reason: '32-bit counter went backwards after 60 s: it may have wrapped more than once at this speed (use SNMP v2c/v3 for 64-bit counters or a shorter interval)' });
  });

  it('treats a 64-bit counter going back as a reset', () => {
    expect(counterDelta(1000n, 10n, 64, 10)).toEqual({ ok: false, reason: '64-bit counter went backwards (counter reset)' });
  });

  it('recovers any single-wrap delta below 2^32 (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: TWO_32 - 1n }), fc.bigInt({ min: 0n, max: TWO_32 - 1n }), (start, delta) => {
        const cur = (start + delta) % TWO_32;
        const r = counterDelta(start, cur, 32, 1);
        expect(r.ok && r.delta).toBe(delta);
      }),
    );
  });
});

describe('agent restarts', () => {
  it('sees uptime going back, or growing far less than the time passed', () => {
    expect(uptimeWentBack(100_000, 500, 60)).toBe(true);
    expect(uptimeWentBack(100_000, 101_000, 60)).toBe(true);
    expect(uptimeWentBack(100_000, 106_000, 60)).toBe(false);
    expect(uptimeWentBack(100_000, 105_700, 60)).toBe(false);
  });

  it('does not take the 497-day sysUpTime wrap for a restart', () => {
    expect(uptimeWentBack(2 ** 32 - 1000, 5000, 60)).toBe(false);
  });

  it('formats durations', () => {
    expect(formatDuration(3 * 86400 + 4 * 3600 + 5)).toBe('3 d 4 h');
    expect(formatDuration(3723)).toBe('1 h 2 min');
    expect(formatDuration(125)).toBe('2 min 5 s');
    expect(formatDuration(9.7)).toBe('9 s');
  });
});

describe('values', () => {
  it('Counter64 Buffers of any length become bigint and back', () => {
    expect(bufferToBigInt(Buffer.from([0x01, 0x00, 0x00, 0x00, 0x00]))).toBe(2n ** 32n);
    expect(bufferToBigInt(bigIntToBuffer(2n ** 64n - 1n))).toBe(2n ** 64n - 1n);
    expect(decodeVarbind({ oid: '1', type: 70, value: Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]) })).toEqual({ kind: 'counter64', value: 2n ** 64n - 1n });
    expect(decodeVarbind({ oid: '1', type: 129, value: null })).toEqual({ kind: 'missing', reason: 'noSuchInstance' });
  });
});
