// `snmp-oid`: any numeric OID as a channel — a gauge as read, or a counter as a rate per second
// (wrap- and restart-safe like snmp-interface) — with an optional lookup table that turns values
// into states and texts (UPS battery status), or a table walk aggregated by sum/avg/min/max/count.

import { z } from 'zod';
import { UNITS, type Reading } from '../../core/model.ts';
import { counterDelta, uptimeWentBack } from '../../protocols/snmp/counters.ts';
import { normaliseOid, NUMERIC_OID, SYSTEM } from '../../protocols/snmp/oids.ts';
import { numeric, text, type SnmpValue } from '../../protocols/snmp/values.ts';
import { defineSensorKind, failed, type CheckContext } from '../sensor.ts';
import { connectionShape, isReading, runJobs, targetFor, type RunOptions, type SnmpJob } from '../snmp-system/common.ts';
import { missingReading } from '../snmp-system/errors.ts';

const lookupEntry = z.strictObject({
  state: z.enum(['up', 'warning', 'down', 'unknown']),
  text: z.string().min(1).max(200),
});

const settings = z
  .strictObject({
    ...connectionShape,
    oid: z
      .string()
      .regex(NUMERIC_OID, { error: (i) => `expected a numeric OID such as 1.3.6.1.2.1.33.1.2.1.0, got ${JSON.stringify(i.input)}` })
      .transform(normaliseOid)
      .describe('Numeric OID (an instance such as ...1.0, or a table column with walk: true)'),
    mode: z.enum(['gauge', 'counter']).default('gauge').describe('gauge: the value as read; counter: its rate per second'),
    channelName: z.string().min(1).max(100).default('Value').describe('Channel name'),
    unit: z.enum(UNITS).optional().describe('Channel unit (default: value for gauges, per s for counters)'),
    factor: z.number().refine((v) => v !== 0, { error: 'factor must not be 0' }).default(1).describe('Multiply the value (e.g. 0.1 for tenths)'),
    lookup: z.record(z.string(), lookupEntry).optional().describe('Maps raw values to a state and a text, e.g. {"2": {state: up, text: normal}}'),
    walk: z.boolean().default(false).describe('Walk the OID as a table column and aggregate the rows'),
    aggregate: z.enum(['sum', 'avg', 'min', 'max', 'count']).default('sum').describe('How walked rows become one value'),
  })
  .refine((s) => !(s.walk && s.lookup), { error: 'lookup cannot be combined with walk' })
  .refine((s) => !(s.lookup && s.mode === 'counter'), { error: 'lookup cannot be combined with mode counter' });
type Settings = z.infer<typeof settings>;

interface Prev {
  readonly at: number;
  readonly ticks: number;
  readonly values: ReadonlyMap<string, bigint>;
}
const MEMORY_KEY = 'snmp-oid:prev';

const round = (v: number) => Math.round(v * 1e4) / 1e4;

function job(s: Settings, ctx: CheckContext): SnmpJob | Reading {
  const target = targetFor(s, ctx);
  if (isReading(target)) return target;
  let rows: [string, SnmpValue][] | undefined;
  return {
    target,
    async prepare(p) {
      if (s.walk) rows = await p.walk(s.oid);
    },
    oids: () => [...(s.walk ? [] : [s.oid]), ...(s.mode === 'counter' ? [SYSTEM.sysUpTime] : [])],
    finish(values) {
      const got: [string, SnmpValue][] = rows ?? [[s.oid, values.get(s.oid) ?? { kind: 'missing', reason: 'noSuchInstance' }]];
      const unit = s.unit ?? (s.mode === 'counter' ? 'per s' : 'value');
      const channel = (value: number) => ({ key: 'value', value: round(value), unit, name: s.channelName });
      if (!s.walk) {
        const v = got[0]![1];
        if (v.kind === 'missing') return missingReading(v, s.oid);
        if (s.lookup) return lookupReading(s, v);
      }
      if (s.walk && s.aggregate === 'count') return { channels: [channel(got.length)], message: `${s.channelName}: ${got.length} rows under ${s.oid}` };
      if (s.walk && got.length === 0) return failed('SNMP_NO_SUCH_OBJECT', `walk of ${s.oid} returned no rows`);
      const nums: [string, number | bigint][] = [];
      for (const [oid, v] of got) {
        const n = v.kind === 'counter64' ? v.value : numeric(v);
        if (n === undefined) return failed('SNMP_VALUE_NOT_NUMERIC', `${oid} is ${describe(v)}`);
        nums.push([oid, n]);
      }
      let perRow: number[];
      if (s.mode === 'counter') {
        const r = rates(s, got, nums, values, ctx);
        if (typeof r === 'string') return { channels: [], message: `${s.channelName}: ${r}` };
        perRow = r;
      } else perRow = nums.map(([, n]) => Number(n) * s.factor);
      const value = aggregate(s.walk ? s.aggregate : 'sum', perRow);
      const rateSuffix = s.mode === 'counter' && !/(\/s|per s)$/.test(unit) ? '/s' : '';
      const shown = `${round(value)}${unit === 'value' || unit === 'count' ? '' : ` ${unit}`}${rateSuffix}`;
      return { channels: [channel(value)], message: s.walk ? `${s.channelName}: ${s.aggregate} of ${perRow.length} rows ${shown}` : `${s.channelName} ${shown}` };
    },
  };
}

function describe(v: SnmpValue): string {
  const t = text(v);
  return t !== undefined ? `${JSON.stringify(t)}, not a number` : `of SNMP type ${v.kind}, not a number`;
}

function lookupReading(s: Settings, v: SnmpValue): Reading {
  const raw = text(v) ?? '';
  const entry = s.lookup?.[raw];
  const n = numeric(v);
  const channels = n !== undefined ? [{ key: 'value', value: n, unit: s.unit ?? ('value' as const), name: s.channelName }] : [];
  if (!entry) return { channels, status: 'unknown', message: `${s.channelName}: value ${raw} is not in the lookup table` };
  return { channels, message: `${s.channelName}: ${entry.text} (${raw})`, ...(entry.state === 'up' ? {} : { status: entry.state }) };
}

/** Per-row rates per second, or why there are none this time. */
function rates(s: Settings, got: readonly [string, SnmpValue][], nums: readonly [string, number | bigint][], values: ReadonlyMap<string, SnmpValue>, ctx: CheckContext): number[] | string {
  const ticks = numeric(values.get(SYSTEM.sysUpTime)) ?? 0;
  const at = ctx.now();
  const prev = ctx.memory.get(MEMORY_KEY) as Prev | undefined;
  const cur: Prev = { at, ticks, values: new Map(nums.map(([oid, n]) => [oid, typeof n === 'bigint' ? n : BigInt(Math.trunc(n))])) };
  ctx.memory.set(MEMORY_KEY, cur);
  if (!prev) return 'first sample: the rate follows from the next check on';
  const elapsedS = (at - prev.at) / 1000;
  if (!(elapsedS > 0)) return 'no time passed since the previous sample';
  if (uptimeWentBack(prev.ticks, ticks, elapsedS)) return 'the agent restarted (sysUpTime went back): the rate follows from the next check on';
  const out: number[] = [];
  const kinds = new Map(got.map(([oid, v]) => [oid, v]));
  for (const [oid, n] of cur.values) {
    const p = prev.values.get(oid);
    if (p === undefined) continue; // a new row: no rate yet
    const v = kinds.get(oid);
    const bits = v?.kind === 'int' && v.type === 'counter32' ? 32 : 64;
    const d = counterDelta(p, n, bits, elapsedS);
    if (!d.ok) return `${oid}: ${d.reason}`;
    out.push((Number(d.delta) / elapsedS) * s.factor);
  }
  if (out.length === 0) return 'no row was there at the previous check: the rate follows from the next check on';
  return out;
}

function aggregate(how: Settings['aggregate'], xs: readonly number[]): number {
  switch (how) {
    case 'sum':
      return xs.reduce((a, b) => a + b, 0);
    case 'avg':
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    case 'min':
      return Math.min(...xs);
    case 'max':
      return Math.max(...xs);
    case 'count':
      return xs.length;
  }
}

export function createSnmpOidKind(opts: RunOptions = {}) {
  return defineSensorKind({
    kind: 'snmp-oid',
    title: 'SNMP value (any OID)',
    description:
      'Reads any numeric OID (no MIB files needed): as a gauge, or as a counter turned into a rate per second (correct across a 32-bit wrap, skipped after an agent restart). A lookup table maps values to a state and a text (e.g. UPS-MIB upsBatteryStatus 1 unknown, 2 normal, 3 low → Warning, 4 depleted → Down). With walk: true the OID is a table column whose rows are aggregated (sum, avg, min, max, count).',
    settings,
    channels: [{ key: 'value', name: 'Value', unit: 'value', primary: true }],
    concurrency: 200,
    defaultIntervalS: 60,
    usesHost: true,
    async check(s, ctx) {
      const [r] = await runJobs([job(s, ctx)], ctx.signal, opts);
      return r!;
    },
    batch: {
      maxSize: 500,
      windowMs: 50,
      check: (items, signal) => runJobs(items.map((it) => job(it.settings, it.ctx)), signal, opts),
    },
  });
}

export const snmpOidKind = createSnmpOidKind();
