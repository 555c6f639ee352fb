// `wardwatch snmp-interfaces --host H [--port 161] [--version 2c] [--community public]`: walks the
// agent's interface table and lists what an `snmp-interface` sensor can monitor (ifIndex, names,
// speed, states, 64-bit counters), so that an operator picks ports by name, not by guesswork.

import { listInterfaces } from '../sensors/snmp-interface/list.ts';
import { lookupError } from '../core/errors.ts';
import { ArgsError, optionsToSettings } from './args.ts';
import type { Io } from './io.ts';

export async function snmpInterfacesCommand(argv: readonly string[], io: Io): Promise<number> {
  let target: Record<string, unknown>;
  try {
    target = optionsToSettings(argv);
  } catch (e) {
    if (e instanceof ArgsError) {
      io.err(`${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const r = await listInterfaces(target as Parameters<typeof listInterfaces>[0]);
  if (!r.ok) {
    io.err(`${lookupError(r.error).message}: ${r.message}\n`);
    return r.error === 'BAD_SETTINGS' ? 2 : 1;
  }
  const rows = r.interfaces.map((i) => [String(i.ifIndex), i.ifName ?? '', i.ifDescr, i.ifAlias ?? '', i.speedMbps === undefined ? '' : `${i.speedMbps}`, `${i.adminStatus ?? '?'}/${i.operStatus ?? '?'}`, i.highCapacity ? '64-bit' : '32-bit']);
  const head = ['ifIndex', 'ifName', 'ifDescr', 'ifAlias', 'Mbit/s', 'admin/oper', 'counters'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c]!.length)));
  const line = (cells: readonly string[]) => cells.map((v, c) => v.padEnd(widths[c]!)).join('  ').trimEnd();
  io.out([line(head), ...rows.map(line), ''].join('\n'));
  return 0;
}
