// `snmp-system`: is the device's SNMP agent answering, what is it (sysDescr, sysObjectID, sysName),
// how long has it been up — and did it reboot since the last check (uptime went back), which shows
// as a Warning with SNMP_REBOOTED for that check.

import { z } from 'zod';
import type { Reading } from '../../core/model.ts';
import { formatDuration, uptimeWentBack } from '../../protocols/snmp/counters.ts';
import { HOST, SYSTEM } from '../../protocols/snmp/oids.ts';
import { numeric, text, type SnmpValue } from '../../protocols/snmp/values.ts';
import { defineSensorKind, type CheckContext } from '../sensor.ts';
import { connectionShape, isReading, runJobs, targetFor, type RunOptions, type SnmpJob } from './common.ts';
import { missingReading } from './errors.ts';

const settings = z.strictObject({
  ...connectionShape,
  uptimeSource: z
    .enum(['sysUpTime', 'hrSystemUptime'])
    .default('sysUpTime')
    .describe('sysUpTime is the agent uptime (default); hrSystemUptime is the host uptime where HOST-RESOURCES-MIB is served'),
});
type Settings = z.infer<typeof settings>;

interface Memory {
  readonly ticks: number;
  readonly at: number;
}
const MEMORY_KEY = 'snmp-system:uptime';

function job(s: Settings, ctx: CheckContext): SnmpJob | Reading {
  const target = targetFor(s, ctx);
  if (isReading(target)) return target;
  const uptimeOid = s.uptimeSource === 'sysUpTime' ? SYSTEM.sysUpTime : HOST.hrSystemUptime;
  return {
    target,
    oids: () => [SYSTEM.sysDescr, SYSTEM.sysObjectID, SYSTEM.sysName, uptimeOid],
    finish: (values, elapsedMs) => systemReading(values, uptimeOid, s.uptimeSource, ctx, elapsedMs),
  };
}

function systemReading(values: ReadonlyMap<string, SnmpValue>, uptimeOid: string, source: string, ctx: CheckContext, elapsedMs: number): Reading {
  const up = values.get(uptimeOid);
  if (up?.kind === 'missing') return missingReading(up, source);
  const ticks = numeric(up);
  if (ticks === undefined || up?.kind !== 'int') return { channels: [], error: 'SNMP_BAD_RESPONSE', message: `${source} is not TimeTicks` };
  const descr = (text(values.get(SYSTEM.sysDescr)) ?? '').split(/\r?\n/)[0]!.slice(0, 160);
  const name = text(values.get(SYSTEM.sysName));
  const objectId = text(values.get(SYSTEM.sysObjectID));
  const uptimeS = Math.floor(ticks / 100);
  const channels = [
    { key: 'uptimeS', value: uptimeS },
    { key: 'responseTimeMs', value: Math.round(elapsedMs * 100) / 100 },
  ];
  const prev = ctx.memory.get(MEMORY_KEY) as Memory | undefined;
  const at = ctx.now();
  ctx.memory.set(MEMORY_KEY, { ticks, at } satisfies Memory);
  const what = [name, descr, objectId ? `(${objectId})` : undefined].filter((x) => x).join(' ');
  if (prev && uptimeWentBack(prev.ticks, ticks, (at - prev.at) / 1000)) {
    return {
      channels,
      status: 'warning',
      error: 'SNMP_REBOOTED',
      message: `device rebooted ${formatDuration(uptimeS)} ago (${ticks < prev.ticks ? `uptime went back from ${formatDuration(prev.ticks / 100)} to ${formatDuration(uptimeS)}` : `uptime grew by only ${formatDuration((ticks - prev.ticks) / 100)} in ${formatDuration((at - prev.at) / 1000)}`}): ${what}`,
    };
  }
  return { channels, message: `${what}, up ${formatDuration(uptimeS)}` };
}

export function createSnmpSystemKind(opts: RunOptions = {}) {
  return defineSensorKind({
    kind: 'snmp-system',
    title: 'SNMP system',
    description:
      'Asks the SNMP agent (v1, v2c or v3) for sysDescr, sysObjectID, sysName and the uptime. Down when the agent does not answer (with v1/v2c a wrong community looks the same) or rejects the v3 credentials; Warning for one check when the uptime went back, i.e. the device rebooted. Credentials come from a credential of type snmp (community, or user/authProtocol/authKey/privProtocol/privKey/securityLevel).',
    settings,
    channels: [
      { key: 'uptimeS', name: 'Uptime', unit: 's', primary: true },
      { key: 'responseTimeMs', name: 'Response time', unit: 'ms' },
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

export const snmpSystemKind = createSnmpSystemKind();
