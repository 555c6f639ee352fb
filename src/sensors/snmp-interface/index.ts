// `snmp-interface`: one network interface of a switch, router or server, chosen by ifIndex, ifName
// or ifDescr: traffic in/out (bits/s, 64-bit counters with a 32-bit fallback), errors and discards
// per second, utilisation, and Down when an administratively-up port goes down. Sensors on the
// same device share one session and one chunked GET through `batch`.

import { z } from 'zod';
import type { Reading } from '../../core/model.ts';
import { IF, IF_STATUS, IFX, SYSTEM } from '../../protocols/snmp/oids.ts';
import { numeric, type SnmpValue } from '../../protocols/snmp/values.ts';
import { defineSensorKind, failed, type CheckContext } from '../sensor.ts';
import { connectionShape, isReading, runJobs, targetFor, type RunOptions, type SnmpJob } from '../snmp-system/common.ts';
import { missingReading } from '../snmp-system/errors.ts';
import { formatBps, rates, type IfSample } from './rates.ts';

export { listInterfaces, type InterfaceInfo, type ListInterfacesResult } from './list.ts';

const settings = z
  .strictObject({
    ...connectionShape,
    ifIndex: z.number().int().min(1).optional().describe('Interface by ifIndex (changes when line cards move: prefer ifName)'),
    ifName: z.string().min(1).optional().describe('Interface by ifName (e.g. Gi1/0/12, eth0)'),
    ifDescr: z.string().min(1).optional().describe('Interface by ifDescr (e.g. GigabitEthernet1/0/12)'),
    counters: z.enum(['auto', '64', '32']).default('auto').describe('auto: 64-bit ifHC counters when served (v2c/v3), else 32-bit'),
    adminDown: z.enum(['up', 'warning', 'down']).default('up').describe('State when the port is shut on purpose (ifAdminStatus down)'),
    speedMbps: z.number().positive().optional().describe('Line speed for utilisation when the agent reports a wrong one'),
  })
  .refine((s) => [s.ifIndex, s.ifName, s.ifDescr].filter((x) => x !== undefined).length === 1, { error: 'set exactly one of ifIndex, ifName or ifDescr' });
type Settings = z.infer<typeof settings>;

interface Memory {
  /** Selector the index was resolved for ("ifName=Gi1/0/5"). */
  resolvedFor?: string;
  ifIndex?: number;
  /** Does the agent serve ifHCInOctets for this interface? undefined: not known yet. */
  hc?: boolean;
  sample?: IfSample;
}
const MEMORY_KEY = 'snmp-interface';

const OK_OPER = new Set([1, 5]);

function memoryOf(ctx: CheckContext): Memory {
  let m = ctx.memory.get(MEMORY_KEY) as Memory | undefined;
  if (!m) ctx.memory.set(MEMORY_KEY, (m = {}));
  return m;
}

function job(s: Settings, ctx: CheckContext): SnmpJob | Reading {
  const target = targetFor(s, ctx);
  if (isReading(target)) return target;
  const mem = memoryOf(ctx);
  const byName = s.ifName !== undefined ? { column: IFX.ifName, label: 'ifName', value: s.ifName } : s.ifDescr !== undefined ? { column: IF.ifDescr, label: 'ifDescr', value: s.ifDescr } : undefined;
  const selector = byName ? `${byName.label}=${byName.value}` : `ifIndex=${s.ifIndex}`;
  if (mem.resolvedFor !== selector) {
    // Another interface than last time (settings changed): nothing remembered applies.
    Object.assign(mem, { resolvedFor: byName ? undefined : selector, ifIndex: s.ifIndex, hc: undefined, sample: undefined });
  }
  let index = s.ifIndex ?? mem.ifIndex;
  const use64 = (): 'both' | 64 | 32 => (s.counters === '64' ? 64 : s.counters === '32' || target.version === '1' || mem.hc === false ? 32 : mem.hc ? 64 : 'both');
  let plan: 'both' | 64 | 32 = use64();
  const col = (base: string) => `${base}.${index ?? 0}`;
  return {
    target,
    async prepare(p) {
      if (index !== undefined || !byName) return;
      const rows = await p.walk(byName.column);
      const name = (v: SnmpValue) => (v.kind === 'string' ? v.value : undefined);
      let hit = rows.filter(([, v]) => name(v) === byName.value);
      if (hit.length === 0) hit = rows.filter(([, v]) => name(v)?.toLowerCase() === byName.value.toLowerCase());
      if (hit.length !== 1) {
        const known = rows.map(([, v]) => name(v)).filter((x) => x).slice(0, 8).join(', ');
        return failed('SNMP_INTERFACE_NOT_FOUND', hit.length === 0 ? `no interface with ${byName.label} "${byName.value}" (${rows.length} interfaces${known ? `: ${known}${rows.length > 8 ? ', ...' : ''}` : ''})` : `${hit.length} interfaces have ${byName.label} "${byName.value}": use ifIndex`);
      }
      index = Number(hit[0]![0].slice(byName.column.length + 1));
      Object.assign(mem, { resolvedFor: selector, ifIndex: index, hc: undefined, sample: undefined });
      plan = use64();
    },
    oids() {
      const oids = [SYSTEM.sysUpTime, col(IF.ifAdminStatus), col(IF.ifOperStatus), col(IF.ifInErrors), col(IF.ifOutErrors), col(IF.ifInDiscards), col(IF.ifOutDiscards), col(IF.ifSpeed)];
      if (plan !== 32) oids.push(col(IFX.ifHCInOctets), col(IFX.ifHCOutOctets), col(IFX.ifHighSpeed), col(IFX.ifCounterDiscontinuityTime));
      if (plan !== 64) oids.push(col(IF.ifInOctets), col(IF.ifOutOctets));
      if (byName) oids.push(col(byName.column));
      return oids;
    },
    finish(values) {
      const get = (base: string) => values.get(col(base));
      if (byName) {
        const now = get(byName.column);
        if (!now || now.kind !== 'string' || now.value.toLowerCase() !== byName.value.toLowerCase()) {
          // The index moved (line card change, reboot renumbering): look the name up again next time.
          Object.assign(mem, { resolvedFor: undefined, ifIndex: undefined, hc: undefined, sample: undefined });
          return failed('SNMP_INTERFACE_NOT_FOUND', `ifIndex ${index} is no longer ${byName.label} "${byName.value}"; it is looked up again on the next check`);
        }
      }
      const oper = get(IF.ifOperStatus);
      if (oper?.kind === 'missing') {
        if (s.ifIndex !== undefined) return failed('SNMP_INTERFACE_NOT_FOUND', `no interface with ifIndex ${index}`);
        return missingReading(oper, `ifOperStatus.${index}`);
      }
      const operStatus = numeric(oper);
      const adminStatus = numeric(get(IF.ifAdminStatus));
      const ticks = numeric(values.get(SYSTEM.sysUpTime));
      if (operStatus === undefined || ticks === undefined) return failed('SNMP_BAD_RESPONSE', `ifOperStatus.${index} or sysUpTime is not a number`);
      const hcIn = get(IFX.ifHCInOctets);
      const hcOut = get(IFX.ifHCOutOctets);
      const hcServed = hcIn?.kind === 'counter64' && hcOut?.kind === 'counter64';
      if (plan === 'both') mem.hc = hcServed;
      if (plan === 64 && !hcServed) {
        if (s.counters === '64') return failed('SNMP_NO_SUCH_OBJECT', `ifHCInOctets.${index}/ifHCOutOctets.${index} are not served (set counters: auto or 32)`);
        mem.hc = false;
      }
      const bits: 32 | 64 = hcServed ? 64 : 32;
      const big = (v: SnmpValue | undefined) => (v?.kind === 'counter64' ? v.value : BigInt(Math.max(0, Math.trunc(numeric(v) ?? 0))));
      const inOctets = bits === 64 ? big(hcIn) : big(get(IF.ifInOctets));
      const outOctets = bits === 64 ? big(hcOut) : big(get(IF.ifOutOctets));
      const highSpeed = numeric(get(IFX.ifHighSpeed));
      const ifSpeed = numeric(get(IF.ifSpeed));
      const speedBps = s.speedMbps !== undefined ? s.speedMbps * 1e6 : highSpeed && highSpeed > 0 ? highSpeed * 1e6 : ifSpeed && ifSpeed > 0 ? ifSpeed : undefined;
      const discontinuity = numeric(get(IFX.ifCounterDiscontinuityTime));
      const sample: IfSample = {
        at: ctx.now(),
        uptimeTicks: ticks,
        bits,
        inOctets,
        outOctets,
        errors: [big(get(IF.ifInErrors)), big(get(IF.ifOutErrors))],
        discards: [big(get(IF.ifInDiscards)), big(get(IF.ifOutDiscards))],
        ...(discontinuity !== undefined ? { discontinuity } : {}),
      };
      const r = rates(mem.sample, sample, speedBps);
      mem.sample = sample;
      const channels = [{ key: 'operStatus', value: operStatus }, ...(r.ok ? r.channels : [])];
      const name = byName ? `${byName.value} (ifIndex ${index})` : `ifIndex ${index}`;
      const statusText = IF_STATUS[operStatus] ?? `status ${operStatus}`;
      const traffic = r.ok ? `in ${formatBps(r.channels[1]!.value)}, out ${formatBps(r.channels[2]!.value)}${r.note ? ` (${r.note})` : ''}` : r.reason;
      const speed = speedBps ? `, ${formatBps(speedBps)}` : '';
      if (adminStatus === 2) {
        const message = `${name} is administratively down`;
        return s.adminDown === 'down' ? failed('SNMP_INTERFACE_DOWN', message, channels) : { channels, message, ...(s.adminDown === 'warning' ? { status: 'warning' as const } : {}) };
      }
      if (!OK_OPER.has(operStatus)) {
        const message = `${name} is ${statusText} (admin up)`;
        if (operStatus === 3) return { channels, status: 'warning', message };
        if (operStatus === 4) return { channels, status: 'unknown', message };
        return failed('SNMP_INTERFACE_DOWN', message, channels);
      }
      return { channels, message: `${name} ${statusText}${speed}: ${traffic}` };
    },
  };
}

export function createSnmpInterfaceKind(opts: RunOptions = {}) {
  return defineSensorKind({
    kind: 'snmp-interface',
    title: 'SNMP interface traffic',
    description:
      'Traffic of one network interface (by ifIndex, ifName or ifDescr) from the IF-MIB: bits/s in and out from the 64-bit ifHC counters (32-bit with SNMP v1 or old agents, corrected across a wrap), errors and discards per second, utilisation of ifHighSpeed/ifSpeed. Down when the port is administratively up but operationally down. Rates skip the sample after an agent restart rather than show a spike. Sensors on one device share one SNMP session and request.',
    settings,
    channels: [
      { key: 'trafficTotalBps', name: 'Traffic total', unit: 'bits/s', primary: true },
      { key: 'trafficInBps', name: 'Traffic in', unit: 'bits/s' },
      { key: 'trafficOutBps', name: 'Traffic out', unit: 'bits/s' },
      { key: 'utilisationInPct', name: 'Utilisation in', unit: '%' },
      { key: 'utilisationOutPct', name: 'Utilisation out', unit: '%' },
      { key: 'errorsPerS', name: 'Errors (in+out)', unit: 'per s', limits: { upperWarning: 0.1 } },
      { key: 'discardsPerS', name: 'Discards (in+out)', unit: 'per s' },
      { key: 'operStatus', name: 'Operational status (1 up, 2 down, 7 lowerLayerDown)', unit: 'value' },
    ],
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

export const snmpInterfaceKind = createSnmpInterfaceKind();
