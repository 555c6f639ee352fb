import { describe, expect, it } from 'vitest';
import { checkLimits, limitsProblem, worstBreach } from './limits.ts';
import type { ChannelSpec } from './model.ts';

describe('checkLimits', () => {
  const l = { upperError: 200, upperWarning: 100, lowerWarning: 10, lowerError: 5 };
  it('is ok inside the limits and at them (limits are exclusive bounds)', () => {
    expect(checkLimits('rt', 'Response time', 'ms', 50, l)).toBeUndefined();
    expect(checkLimits('rt', 'Response time', 'ms', 100, l)).toBeUndefined();
    expect(checkLimits('rt', 'Response time', 'ms', 10, l)).toBeUndefined();
    expect(checkLimits('rt', 'Response time', 'ms', 1e9, undefined)).toBeUndefined();
    expect(checkLimits('rt', 'Response time', 'ms', Number.NaN, l)).toBeUndefined();
  });
  it('names the level, bound, value and limit with the unit', () => {
    expect(checkLimits('rt', 'Response time', 'ms', 250, l)).toEqual({ channel: 'rt', level: 'error', bound: 'upper', value: 250, limit: 200, message: 'Response time 250 ms is above the error limit of 200 ms' });
    expect(checkLimits('rt', 'Response time', 'ms', 150.456, l)?.message).toBe('Response time 150.46 ms is above the warning limit of 100 ms');
    expect(checkLimits('rt', 'Response time', 'ms', 7, l)?.message).toBe('Response time 7 ms is below the warning limit of 10 ms');
    expect(checkLimits('rt', 'Response time', 'ms', 1, l)?.message).toBe('Response time 1 ms is below the error limit of 5 ms');
    expect(checkLimits('n', 'Queue', 'count', 12, { upperWarning: 10 })?.message).toBe('Queue 12 is above the warning limit of 10');
    expect(checkLimits('d', 'Certificate', 'days', 3, { lowerError: 7 })?.message).toBe('Certificate 3 days is below the error limit of 7 days');
  });
  it('uses the custom message of the limit broken', () => {
    const m = { ...l, upperErrorMessage: 'PACS too slow for reading', lowerWarningMessage: 'suspiciously fast' };
    expect(checkLimits('rt', 'Response time', 'ms', 300, m)?.message).toBe('PACS too slow for reading');
    expect(checkLimits('rt', 'Response time', 'ms', 8, m)?.message).toBe('suspiciously fast');
    expect(checkLimits('rt', 'Response time', 'ms', 150, m)?.message).toBe('Response time 150 ms is above the warning limit of 100 ms');
  });
});

describe('worstBreach', () => {
  const specs: ChannelSpec[] = [
    { key: 'rttAvgMs', name: 'RTT', unit: 'ms', limits: { upperWarning: 50 } },
    { key: 'lossPct', name: 'Packet loss', unit: '%', limits: { upperWarning: 0, upperError: 20 } },
  ];
  it('an error beats a warning whatever the order', () => {
    expect(worstBreach([{ key: 'rttAvgMs', value: 80 }, { key: 'lossPct', value: 40 }], specs)?.message).toBe('Packet loss 40 % is above the error limit of 20 %');
    expect(worstBreach([{ key: 'rttAvgMs', value: 80 }, { key: 'lossPct', value: 10 }], specs)?.message).toBe('RTT 80 ms is above the warning limit of 50 ms');
  });
  it('configured limits win over those a check reports; otherwise the check\'s own apply', () => {
    expect(worstBreach([{ key: 'rttAvgMs', value: 40, limits: { upperError: 30 } }], specs)).toBeUndefined();
    expect(worstBreach([{ key: 'load', value: 9, unit: 'value', name: 'Load', limits: { upperError: 8 } }], specs)?.message).toBe('Load 9 is above the error limit of 8');
    expect(worstBreach([{ key: 'other', value: 9 }], specs)).toBeUndefined();
  });
});

describe('limitsProblem', () => {
  it('accepts consistent limits and names inconsistent ones', () => {
    expect(limitsProblem({ upperError: 10, upperWarning: 5, lowerWarning: 2, lowerError: 1 })).toBeUndefined();
    expect(limitsProblem({ upperError: 5, upperWarning: 10 })).toBe('upperWarning (10) must not be above upperError (5)');
    expect(limitsProblem({ lowerError: 5, lowerWarning: 1 })).toBe('lowerWarning (1) must not be below lowerError (5)');
    expect(limitsProblem({ lowerWarning: 9, upperWarning: 3 })).toBe('lowerWarning (9) must not be above upperWarning (3)');
    expect(limitsProblem({ lowerError: 9, upperError: 3 })).toBe('lowerError (9) must not be above upperError (3)');
  });
});
