// The interface table of a device, for the API and console to offer "which ports to monitor":
// a walk of the ifTable and ifXTable columns that describe an interface (not its counters).

import { z } from 'zod';
import type { SessionFactory } from '../../protocols/snmp/client.ts';
import { IF, IF_STATUS, IFX } from '../../protocols/snmp/oids.ts';
import { numeric, text, type SnmpValue } from '../../protocols/snmp/values.ts';
import type { Credential } from '../sensor.ts';
import { connectionShape, isReading, runJobs, targetFor } from '../snmp-system/common.ts';

export interface InterfaceInfo {
  readonly ifIndex: number;
  readonly ifDescr: string;
  readonly ifName?: string;
  readonly ifAlias?: string;
  readonly ifType?: number;
  readonly speedMbps?: number;
  readonly adminStatus?: string;
  readonly operStatus?: string;
  /** 64-bit counters served (the sensor uses them). */
  readonly highCapacity: boolean;
}

export type ListInterfacesResult =
  | { readonly ok: true; readonly interfaces: readonly InterfaceInfo[] }
  | { readonly ok: false; readonly error: string; readonly message: string };

const targetSchema = z.object(connectionShape);

export interface ListInterfacesOptions {
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  readonly openSession?: SessionFactory;
}

/**
 * Walks the interface table of `target` ({ host, port?, version?, community?, requestTimeout?, requestRetries? }).
 * Never throws for a device problem: the result says what failed, with a catalogue code.
 */
export async function listInterfaces(target: z.input<typeof targetSchema>, credential?: Credential, opts: ListInterfacesOptions = {}): Promise<ListInterfacesResult> {
  const parsed = targetSchema.safeParse(target);
  if (!parsed.success) return { ok: false, error: 'BAD_SETTINGS', message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  const t = targetFor(parsed.data, { ...(credential ? { credential } : {}), timeoutMs: opts.timeoutMs ?? 30_000 });
  if (isReading(t)) return { ok: false, error: t.error ?? 'BAD_SETTINGS', message: t.message ?? '' };
  const columns = { descr: IF.ifDescr, type: IF.ifType, speed: IF.ifSpeed, admin: IF.ifAdminStatus, oper: IF.ifOperStatus, name: IFX.ifName, alias: IFX.ifAlias, high: IFX.ifHighSpeed, hc: IFX.ifHCInOctets } as const;
  const tables = new Map<string, Map<number, SnmpValue>>();
  const signal = opts.signal ?? new AbortController().signal;
  const [r] = await runJobs(
    [
      {
        target: t,
        async prepare(p) {
          for (const [key, base] of Object.entries(columns)) {
            const rows = await p.walk(base);
            tables.set(key, new Map(rows.map(([oid, v]) => [Number(oid.slice(base.length + 1)), v])));
          }
        },
        oids: () => [],
        finish: () => ({ channels: [] }),
      },
    ],
    signal,
    opts.openSession ? { openSession: opts.openSession } : {},
  );
  if (r?.error) return { ok: false, error: r.error, message: r.message ?? r.error };
  const col = (k: keyof typeof columns, i: number) => tables.get(k)?.get(i);
  const status = (v: SnmpValue | undefined) => {
    const n = numeric(v);
    return n === undefined ? undefined : (IF_STATUS[n] ?? String(n));
  };
  const indexes = [...(tables.get('descr')?.keys() ?? [])].sort((a, b) => a - b);
  const interfaces = indexes.map((i): InterfaceInfo => {
    const high = numeric(col('high', i));
    const speed = numeric(col('speed', i));
    const speedMbps = high && high > 0 ? high : speed !== undefined ? speed / 1e6 : undefined;
    const name = text(col('name', i));
    const alias = text(col('alias', i));
    const type = numeric(col('type', i));
    const admin = status(col('admin', i));
    const oper = status(col('oper', i));
    return {
      ifIndex: i,
      ifDescr: text(col('descr', i)) ?? '',
      ...(name ? { ifName: name } : {}),
      ...(alias ? { ifAlias: alias } : {}),
      ...(type !== undefined ? { ifType: type } : {}),
      ...(speedMbps !== undefined ? { speedMbps } : {}),
      ...(admin ? { adminStatus: admin } : {}),
      ...(oper ? { operStatus: oper } : {}),
      highCapacity: col('hc', i)?.kind === 'counter64',
    };
  });
  return { ok: true, interfaces };
}
