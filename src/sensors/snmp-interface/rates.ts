// From two samples of an interface's counters to rates: traffic in/out (bits/s), errors and
// discards per second, utilisation. A sample after an agent restart or a counter discontinuity
// gives no rates (a spike of petabits would be worse than a gap); a 32-bit wrap is corrected
// once when the line speed makes a single wrap the only explanation.

import type { ChannelValue } from '../../core/model.ts';
import { counterDelta, uptimeWentBack } from '../../protocols/snmp/counters.ts';

export interface IfSample {
  /** ctx.now() at the sample, ms. */
  readonly at: number;
  readonly uptimeTicks: number;
  readonly bits: 32 | 64;
  readonly inOctets: bigint;
  readonly outOctets: bigint;
  readonly errors: readonly [bigint, bigint];
  readonly discards: readonly [bigint, bigint];
  /** ifCounterDiscontinuityTime, when served. */
  readonly discontinuity?: number;
}

export type RateResult =
  | { readonly ok: true; readonly channels: ChannelValue[]; readonly note?: string }
  | { readonly ok: false; readonly reason: string };

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

/** Rates between prev and cur; `speedBps` is the line speed in bits/s (0 or undefined: unknown). */
export function rates(prev: IfSample | undefined, cur: IfSample, speedBps: number | undefined): RateResult {
  if (!prev) return { ok: false, reason: 'first sample: rates from the next check on' };
  const elapsedS = (cur.at - prev.at) / 1000;
  if (!(elapsedS > 0)) return { ok: false, reason: 'no time passed since the previous sample' };
  if (uptimeWentBack(prev.uptimeTicks, cur.uptimeTicks, elapsedS)) return { ok: false, reason: 'the agent restarted (sysUpTime went back): counters start again, rates from the next check on' };
  if (prev.bits !== cur.bits) return { ok: false, reason: `counters changed from ${prev.bits}-bit to ${cur.bits}-bit: rates from the next check on` };
  if (prev.discontinuity !== undefined && cur.discontinuity !== undefined && prev.discontinuity !== cur.discontinuity) {
    return { ok: false, reason: 'the interface counters were reset (ifCounterDiscontinuityTime changed): rates from the next check on' };
  }
  const lineBytesPerS = speedBps ? speedBps / 8 : undefined;
  const inD = counterDelta(prev.inOctets, cur.inOctets, cur.bits, elapsedS, lineBytesPerS);
  const outD = counterDelta(prev.outOctets, cur.outOctets, cur.bits, elapsedS, lineBytesPerS);
  if (!inD.ok) return { ok: false, reason: `traffic in: ${inD.reason}` };
  if (!outD.ok) return { ok: false, reason: `traffic out: ${outD.reason}` };
  const perS = (a: readonly [bigint, bigint], b: readonly [bigint, bigint]) => {
    let sum = 0;
    for (const k of [0, 1] as const) {
      const d = counterDelta(a[k], b[k], 32, elapsedS);
      if (!d.ok) return undefined;
      sum += Number(d.delta);
    }
    return round(sum / elapsedS, 3);
  };
  const inBps = Math.round((Number(inD.delta) * 8) / elapsedS);
  const outBps = Math.round((Number(outD.delta) * 8) / elapsedS);
  const channels: ChannelValue[] = [
    { key: 'trafficTotalBps', value: inBps + outBps },
    { key: 'trafficInBps', value: inBps },
    { key: 'trafficOutBps', value: outBps },
  ];
  const errors = perS(prev.errors, cur.errors);
  const discards = perS(prev.discards, cur.discards);
  if (errors !== undefined) channels.push({ key: 'errorsPerS', value: errors });
  if (discards !== undefined) channels.push({ key: 'discardsPerS', value: discards });
  if (speedBps && speedBps > 0) {
    channels.push({ key: 'utilisationInPct', value: round((inBps / speedBps) * 100, 2) }, { key: 'utilisationOutPct', value: round((outBps / speedBps) * 100, 2) });
  }
  const wrapped = inD.wrapped || outD.wrapped;
  return { ok: true, channels, ...(wrapped ? { note: '32-bit counter wrapped (corrected)' } : {}) };
}

/** Formats bits/s for messages: "12.3 Mbit/s". */
export function formatBps(v: number): string {
  const units = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s', 'Tbit/s'];
  let x = v;
  let u = 0;
  while (x >= 1000 && u < units.length - 1) {
    x /= 1000;
    u++;
  }
  return `${u === 0 ? x.toFixed(0) : x.toFixed(1)} ${units[u]}`;
}
