// What the three SNMP sensor kinds share: the connection settings (version, port, requestTimeout,
// requestRetries, inline lab community), turning them and the `snmp` credential into a target, and the
// batch runner that gives many sensors on one device one session and as few GETs as possible.
// snmp-interface and snmp-oid import this module from here.

import { z } from 'zod';
import type { Reading } from '../../core/model.ts';
import {
  AUTH_PROTOCOLS,
  openSession,
  PRIV_PROTOCOLS,
  SECURITY_LEVELS,
  type SessionFactory,
  type SnmpSession,
  type SnmpTarget,
  type SnmpV3User,
  type SnmpVersion,
} from '../../protocols/snmp/client.ts';
import type { SnmpValue } from '../../protocols/snmp/values.ts';
import { duration, host, port } from '../fields.ts';
import { failed, type CheckContext } from '../sensor.ts';
import { failureReading } from './errors.ts';

/** Settings every SNMP kind has. `version` accepts 1, "1", "2c", 3 or "3" (YAML writes 1 and 3 as numbers). */
export const connectionShape = {
  host: host.optional(),
  port: port(161).describe('UDP port of the SNMP agent (default 161)'),
  version: z
    .union([z.literal(1), z.literal(3), z.enum(['1', '2c', '3'])], { error: (i) => `expected SNMP version 1, 2c or 3, got ${JSON.stringify(i.input)}` })
    .default('2c')
    .transform((v) => String(v) as SnmpVersion)
    .describe('SNMP version: 1, 2c (default) or 3'),
  community: z.string().min(1).max(255).optional().describe('Community for v1/v2c, for lab use; prefer a credential of type snmp'),
  context: z.string().max(255).optional().describe('SNMPv3 context name'),
  requestTimeout: duration({ min: 0.05, max: 60 }).default(2).describe('Wait per attempt (default 2s)'),
  requestRetries: z.number().int().min(0).max(5).default(1).describe('Re-sends after a timeout (default 1)'),
} as const;

export interface ConnectionSettings {
  readonly host?: string | undefined;
  readonly port: number;
  readonly version: SnmpVersion;
  readonly community?: string | undefined;
  readonly context?: string | undefined;
  readonly requestTimeout: number;
  readonly requestRetries: number;
}

const lower = (v: string | undefined) => v?.trim().toLowerCase();

/** The target for a check, or a failed Reading (BAD_SETTINGS) saying what is missing. */
export function targetFor(s: ConnectionSettings, ctx: Pick<CheckContext, 'credential' | 'timeoutMs'>): SnmpTarget | Reading {
  if (!s.host) return failed('BAD_SETTINGS', 'no host: set host on the sensor or its device');
  const cred = ctx.credential;
  if (cred && cred.type !== 'snmp') return failed('BAD_SETTINGS', `credential ${cred.name} is of type ${cred.type}, expected snmp`);
  const values = cred?.values ?? {};
  // Every attempt must fit in the runner's timeout, or the runner aborts before our own timeout speaks.
  const budget = Math.max(50, Math.floor((ctx.timeoutMs - 50) / (s.requestRetries + 1)));
  const base = { host: s.host, port: s.port, version: s.version, timeoutMs: Math.min(Math.round(s.requestTimeout * 1000), budget), retries: s.requestRetries, ...(s.context ? { context: s.context } : {}) };
  if (s.version !== '3') {
    const community = s.community ?? values.community;
    if (!community) return failed('BAD_SETTINGS', `no community for SNMP v${s.version}: name a credential of type snmp with a community (or set community for lab use)`);
    return { ...base, community };
  }
  const name = values.user;
  if (!name) return failed('BAD_SETTINGS', 'SNMP v3 needs a credential of type snmp with a user');
  const authProtocol = lower(values.authProtocol);
  const privProtocol = lower(values.privProtocol);
  if (authProtocol !== undefined && !(AUTH_PROTOCOLS as readonly string[]).includes(authProtocol)) {
    return failed('BAD_SETTINGS', `credential ${cred?.name ?? ''}: authProtocol ${JSON.stringify(values.authProtocol)} is not one of ${AUTH_PROTOCOLS.join(', ')}`);
  }
  if (privProtocol !== undefined && !(PRIV_PROTOCOLS as readonly string[]).includes(privProtocol)) {
    return failed('BAD_SETTINGS', `credential ${cred?.name ?? ''}: privProtocol ${JSON.stringify(values.privProtocol)} is not one of ${PRIV_PROTOCOLS.join(', ')}`);
  }
  const level = values.securityLevel ?? (values.privKey ? 'authPriv' : values.authKey ? 'authNoPriv' : 'noAuthNoPriv');
  if (!(SECURITY_LEVELS as readonly string[]).includes(level)) {
    return failed('BAD_SETTINGS', `credential ${cred?.name ?? ''}: securityLevel ${JSON.stringify(level)} is not one of ${SECURITY_LEVELS.join(', ')}`);
  }
  if (level !== 'noAuthNoPriv' && !values.authKey) return failed('BAD_SETTINGS', `credential ${cred?.name ?? ''}: securityLevel ${level} needs authKey`);
  if (level === 'authPriv' && !values.privKey) return failed('BAD_SETTINGS', `credential ${cred?.name ?? ''}: securityLevel authPriv needs privKey`);
  const user: SnmpV3User = {
    name,
    level: level as SnmpV3User['level'],
    ...(level !== 'noAuthNoPriv' ? { authProtocol: (authProtocol ?? 'sha') as SnmpV3User['authProtocol'], authKey: values.authKey } : {}),
    ...(level === 'authPriv' ? { privProtocol: (privProtocol ?? 'aes') as SnmpV3User['privProtocol'], privKey: values.privKey } : {}),
  };
  return { ...base, user };
}

export function isReading(x: SnmpTarget | Reading): x is Reading {
  return 'channels' in x;
}

/** What a device's session offers a job before the shared GET: walks, done once per device. */
export interface Prepare {
  walk(base: string): Promise<[string, SnmpValue][]>;
}

/** One sensor's part in a device round: OIDs to fetch and how to turn them into a Reading. */
export interface SnmpJob {
  readonly target: SnmpTarget;
  /** Optional walks before the GET (name → ifIndex); a Reading returned (or a throw) ends this job only. */
  prepare?(p: Prepare): Promise<Reading | void>;
  /** OIDs to GET (after prepare); an empty list is fine. */
  oids(): readonly string[];
  finish(values: ReadonlyMap<string, SnmpValue>, elapsedMs: number): Reading;
}

export interface RunOptions {
  readonly openSession?: SessionFactory;
  readonly maxVarbinds?: number;
}

function groupKey(t: SnmpTarget): string {
  return JSON.stringify([t.host, t.port, t.version, t.community ?? null, t.user ?? null, t.context ?? null, t.timeoutMs, t.retries]);
}

/**
 * Runs jobs grouped by device and credential: one session per group (closed on every path), walks
 * shared, every OID of the group in one GET chunked by maxVarbinds. Results keep the jobs' order.
 *
 * Why a fresh session per round rather than one cached in ctx.memory: a session is only a UDP
 * socket (microseconds to open) and the batch already gives a whole device one session; a cached
 * one would have no owner to close it when a sensor is deleted or the engine stops (memory has no
 * lifecycle hook), so sockets would leak. The cost is SNMPv3 engine discovery, one extra round
 * trip per device per round, which is cheap next to the GETs themselves.
 * Specific instances are fetched with GET in every version: GETBULK only helps for walks, where
 * net-snmp's subtree uses it for v2c/v3.
 */
export async function runJobs(jobs: readonly (SnmpJob | Reading)[], signal: AbortSignal, opts: RunOptions = {}): Promise<Reading[]> {
  const results: Reading[] = jobs.map((j) => ('channels' in j ? j : failed('INTERNAL', 'not run')));
  const groups = new Map<string, { job: SnmpJob; i: number }[]>();
  jobs.forEach((job, i) => {
    if ('channels' in job) return;
    const key = groupKey(job.target);
    const g = groups.get(key);
    if (g) g.push({ job, i });
    else groups.set(key, [{ job, i }]);
  });
  const open = opts.openSession ?? openSession;
  await Promise.all(
    [...groups.values()].map(async (group) => {
      const first = group[0]!.job;
      let session: SnmpSession | undefined;
      try {
        session = open(first.target, { signal, ...(opts.maxVarbinds ? { maxVarbinds: opts.maxVarbinds } : {}) });
        const s = session;
        const walks = new Map<string, Promise<[string, SnmpValue][]>>();
        const prepare: Prepare = {
          walk(base) {
            let w = walks.get(base);
            if (!w) walks.set(base, (w = s.walk(base)));
            return w;
          },
        };
        const live: { job: SnmpJob; i: number }[] = [];
        for (const item of group) {
          try {
            const early = await item.job.prepare?.(prepare);
            if (early) results[item.i] = early;
            else live.push(item);
          } catch (e) {
            results[item.i] = failureReading(e);
          }
        }
        const started = performance.now();
        let values: ReadonlyMap<string, SnmpValue>;
        try {
          values = await s.get(live.flatMap((x) => x.job.oids()));
        } catch (e) {
          for (const x of live) results[x.i] = failureReading(e);
          return;
        }
        const elapsed = performance.now() - started;
        for (const x of live) {
          try {
            results[x.i] = x.job.finish(values, elapsed);
          } catch (e) {
            results[x.i] = failureReading(e);
          }
        }
      } catch (e) {
        for (const x of group) results[x.i] = failureReading(e);
      } finally {
        session?.close();
      }
    }),
  );
  return results;
}
