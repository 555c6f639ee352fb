// `ping`: ICMP echo via fping. Due ping sensors are batched: one fping process per set of probe
// parameters pings all their hosts at once, and each sensor gets RTT min/avg/max and packet loss.
// A single check is simply a batch of one.

import { z } from 'zod';
import type { Reading } from '../../core/model.ts';
import { failed, defineSensorKind, type CheckContext, type SensorKind } from '../sensor.ts';
import { host } from '../fields.ts';
import { runFping, type FpingParams, type SpawnFn } from './fping.ts';

const int = (what: string, min: number, max: number) =>
  z.number({ error: `expected ${what} ${min}–${max}` }).int({ error: `expected ${what} ${min}–${max}` }).min(min, { error: `expected ${what} ${min}–${max}` }).max(max, { error: `expected ${what} ${min}–${max}` });

const settings = z.strictObject({
  host,
  count: int('a packet count', 1, 100).default(5).describe('Echo requests sent per check (default 5)'),
  periodMs: int('milliseconds', 10, 60_000).default(200).describe('Time between two packets to the same host, ms (default 200)'),
  packetSize: int('bytes', 0, 65_000).default(56).describe('ICMP payload size in bytes (default 56)'),
  timeoutMs: int('milliseconds', 10, 60_000).default(1000).describe('How long to wait for each reply, ms (default 1000)'),
});

export type PingSettings = z.infer<typeof settings>;

export interface PingKindOptions {
  /** The fping binary (default `fping` on the PATH). */
  readonly fping?: string;
  /** Process spawner; tests inject a counting wrapper. */
  readonly spawn?: SpawnFn;
}

interface Item {
  readonly settings: PingSettings;
  readonly ctx: CheckContext;
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;

/** Turns one host's samples into a Reading: 100 % loss is a failure, partial loss is left to the limits. */
export function readingFromSamples(hostName: string, samples: readonly (number | null)[]): Reading {
  const rtts = samples.filter((s): s is number => s !== null);
  const sent = samples.length;
  const lossPct = sent === 0 ? 100 : round3(((sent - rtts.length) / sent) * 100);
  if (rtts.length === 0) {
    return failed('PING_UNREACHABLE', `${hostName}: no reply to ${sent} ping${sent === 1 ? '' : 's'} (100% loss)`, [{ key: 'packetLossPct', value: 100 }]);
  }
  const min = round3(Math.min(...rtts));
  const max = round3(Math.max(...rtts));
  const avg = round3(rtts.reduce((a, b) => a + b, 0) / rtts.length);
  return {
    channels: [
      { key: 'rttAvgMs', value: avg },
      { key: 'rttMinMs', value: min },
      { key: 'rttMaxMs', value: max },
      { key: 'packetLossPct', value: lossPct },
    ],
    message: `${hostName}: ${rtts.length}/${sent} replies, rtt min/avg/max ${min}/${avg}/${max} ms, ${lossPct}% loss`,
  };
}

function paramsKey(s: PingSettings): string {
  return `${s.count}/${s.periodMs}/${s.packetSize}/${s.timeoutMs}`;
}

function abortReading(reason: unknown): Reading {
  const timeout = (reason as { name?: unknown } | undefined)?.name === 'TimeoutError';
  return failed(timeout ? 'TIMEOUT' : 'ABORTED', timeout ? 'ping did not finish within the timeout' : 'ping was cancelled');
}

export function createPingKind(options: PingKindOptions = {}): SensorKind<typeof settings> {
  /** One fping process for a group of items that share the probe parameters. */
  async function runGroup(params: FpingParams, group: readonly Item[], signal: AbortSignal): Promise<Reading[]> {
    const hosts = [...new Set(group.map((i) => i.settings.host))];
    const outcome = await runFping(params, hosts, { command: options.fping, spawn: options.spawn, signal });
    switch (outcome.kind) {
      case 'missing':
        return group.map(() => failed('TOOL_MISSING', 'fping is not installed: apt-get install fping'));
      case 'aborted':
        return group.map(() => abortReading(outcome.reason));
      case 'failed':
        return group.map(() => failed('INTERNAL', outcome.message));
      case 'done':
        return group.map((item) => {
          const samples = outcome.results.get(item.settings.host);
          if (samples) return readingFromSamples(item.settings.host, samples);
          // with -q fping is silent about names it cannot resolve; exit code 2 says that happened
          if (outcome.exitCode === 2) return failed('ENOTFOUND', `${item.settings.host}: host name could not be resolved`);
          return failed('INTERNAL', `fping gave no result for ${item.settings.host}: ${outcome.stderr.trim().slice(0, 300) || 'no output'}`);
        });
    }
  }

  async function checkBatch(items: readonly Item[], signal: AbortSignal): Promise<Reading[]> {
    const groups = new Map<string, { params: FpingParams; indexes: number[] }>();
    items.forEach((item, i) => {
      const key = paramsKey(item.settings);
      const g = groups.get(key);
      if (g) g.indexes.push(i);
      else groups.set(key, { params: item.settings, indexes: [i] });
    });
    const readings = new Array<Reading>(items.length);
    await Promise.all(
      [...groups.values()].map(async (g) => {
        const out = await runGroup(g.params, g.indexes.map((i) => items[i]!), signal);
        g.indexes.forEach((idx, j) => (readings[idx] = out[j]!));
      }),
    );
    return readings;
  }

  return defineSensorKind({
    kind: 'ping',
    title: 'Ping (ICMP)',
    description:
      'Sends ICMP echo requests with fping and reports round-trip time (min/avg/max) and packet loss. Many ping sensors share one fping process, so thousands of devices cost little. Needs the fping package on the probe.',
    settings,
    channels: [
      { key: 'rttAvgMs', name: 'Average RTT', unit: 'ms', primary: true },
      { key: 'rttMinMs', name: 'Minimum RTT', unit: 'ms' },
      { key: 'rttMaxMs', name: 'Maximum RTT', unit: 'ms' },
      // One lost packet in five (20 %) is tolerated: busy switches rate-limit ICMP and wireless
      // modality carts drop the odd packet, and a warning on every such blip trains staff to ignore
      // it. Two or more lost (> 20 %) warns; more than half lost is as good as down for a clinician.
      { key: 'packetLossPct', name: 'Packet loss', unit: '%', limits: { upperWarning: 20, upperError: 50 } },
    ],
    concurrency: 64,
    defaultIntervalS: 60,
    usesHost: true,
    check: async (s, ctx) => (await checkBatch([{ settings: s, ctx }], ctx.signal))[0]!,
    batch: { maxSize: 1000, windowMs: 250, check: checkBatch },
  });
}

export const pingKind = createPingKind();
