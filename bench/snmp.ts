// SNMP interface sensors per second: against the in-process simulator (48-port switches) and
// against net-snmp's snmpd on loopback, batched (one session and chunked GETs per device, as the
// engine runs them) and one check at a time. `npx tsx bench/snmp.ts` or `npm run bench snmp`.

import { pathToFileURL } from 'node:url';
import type { Reading } from '../src/core/model.ts';
import { snmpInterfaceKind } from '../src/sensors/snmp-interface/index.ts';
import { testCtx, type TestCtx } from '../src/sensors/snmp-system/testing/ctx.ts';
import { SNMPD_COMMUNITY, startSnmpd } from '../src/sensors/snmp-system/testing/snmpd.ts';
import { startSnmpAgent, type SimulatedSnmpAgent } from '../src/sim/snmp/index.ts';

type Item = { settings: ReturnType<typeof snmpInterfaceKind.settings.parse>; ctx: TestCtx };

function items(port: number, community: string, indexes: readonly number[]): Item[] {
  return indexes.map((ifIndex) => ({
    settings: snmpInterfaceKind.settings.parse({ host: '127.0.0.1', port, community, ifIndex, requestTimeout: '2s', requestRetries: 0 }),
    ctx: testCtx({ real: true, timeoutMs: 30_000 }),
  }));
}

/** Runs `rounds` rounds; returns sensors/s and the failures seen. */
async function measure(all: Item[], rounds: number, mode: 'batch' | 'single'): Promise<{ perS: number; failures: number }> {
  const signal = new AbortController().signal;
  const once = (): Promise<Reading[]> => (mode === 'batch' ? snmpInterfaceKind.batch!.check(all, signal) : Promise.all(all.map((i) => snmpInterfaceKind.check(i.settings, i.ctx))));
  await once(); // warm-up: first samples, JIT
  let failures = 0;
  const started = performance.now();
  for (let r = 0; r < rounds; r++) {
    const readings = await once();
    failures += readings.filter((x) => x.error !== undefined && x.error !== 'SNMP_INTERFACE_DOWN').length;
  }
  const s = (performance.now() - started) / 1000;
  return { perS: Math.round((all.length * rounds) / s), failures };
}

export async function run(): Promise<Record<string, number | string>> {
  const out: Record<string, number | string> = {};
  const agents: SimulatedSnmpAgent[] = [];
  try {
    for (let d = 0; d < 5; d++) agents.push(await startSnmpAgent({ profile: 'switch48', community: 'bench' }));
    const ports = Array.from({ length: 48 }, (_, i) => i + 1);
    const one = items(agents[0]!.port, 'bench', ports);
    const five = agents.flatMap((a) => items(a.port, 'bench', ports));
    const b1 = await measure(one, 10, 'batch');
    out['sim.1x48.batched.sensorsPerS'] = b1.perS;
    const s1 = await measure(one, 5, 'single');
    out['sim.1x48.single.sensorsPerS'] = s1.perS;
    const b5 = await measure(five, 5, 'batch');
    out['sim.5x48.batched.sensorsPerS'] = b5.perS;
    out['sim.failures'] = b1.failures + s1.failures + b5.failures;
  } finally {
    for (const a of agents) await a.close();
  }
  const snmpd = await startSnmpd();
  try {
    // Every interface this host has (lo, eth0, ...): distinct OIDs only, so nothing is deduplicated away.
    const probe = items(snmpd.port, SNMPD_COMMUNITY, [1, 2, 3, 4, 5, 6, 7, 8]);
    const present = (await snmpInterfaceKind.batch!.check(probe, new AbortController().signal))
      .map((r, i) => (r.error === 'SNMP_INTERFACE_NOT_FOUND' ? undefined : i + 1))
      .filter((x): x is number => x !== undefined);
    const all = items(snmpd.port, SNMPD_COMMUNITY, present);
    out['snmpd.sensors'] = all.length;
    const b = await measure(all, 100, 'batch');
    out['snmpd.batched.sensorsPerS'] = b.perS;
    const s = await measure(all, 100, 'single');
    out['snmpd.single.sensorsPerS'] = s.perS;
    out['snmpd.failures'] = b.failures + s.failures;
  } finally {
    await snmpd.stop();
  }
  out['note'] = 'simulator runs in the same Node process as the sensors (shares its CPU); 2-core VM';
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await run();
  for (const [k, v] of Object.entries(result)) console.log(`${k.padEnd(36)} ${v}`);
}
