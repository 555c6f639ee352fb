// The small JSON messages of the control path between a probe and the core: the hello a probe sends
// (and the answer: pending, rejected, or its configuration), the configuration the core pushes, and
// the heartbeat with the probe's own health, and the statuses of the masters outside a probe's
// subtree that its sensors depend on. Parsed defensively on both sides.

import { PAUSE_REASONS, STATES, type PauseReason, type State } from '../core/model.ts';
import type { ProbeStats } from '../sensors/sensor.ts';
import type { ProbeConfig } from './tree-wire.ts';

export interface Hello {
  readonly version: string;
  readonly at: number;
}

export interface HelloAnswer {
  readonly approval: 'pending' | 'approved' | 'rejected';
  /** Present when approved: which configuration, fetched in chunks (it may exceed a message). */
  readonly config?: ConfigManifest;
  /** Why the configuration is empty (no probe node of that name, ambiguous name). */
  readonly problem?: string;
}

export interface ConfigManifest {
  readonly fingerprint: string;
  readonly chunks: number;
  /** Size of the gzipped configuration. */
  readonly bytes: number;
}

/** A probe asking for one chunk of a configuration. */
export interface ChunkRequest {
  readonly fingerprint: string;
  readonly index: number;
}

export interface ProbeHeartbeat {
  readonly at: number;
  /** Records waiting in the probe's outbox, and their bytes on disk. */
  readonly bufferDepth: number;
  readonly bufferBytes: number;
  /** Records dropped because the outbox bound was reached (since start). */
  readonly bufferDropped: number;
  /** CPU used by the probe process over the last heartbeat interval, percent of one core. */
  readonly cpuPct: number;
  readonly stats: ProbeStats;
  /** Configuration the probe runs (fingerprint), if any. */
  readonly configFingerprint?: string;
}

/**
 * Pushed on the probe's configuration subject (next to HelloAnswer, told apart by `type`): the
 * statuses of masters run by the core or by other probes that the probe's own sensors name.
 */
export interface MastersMessage {
  readonly type: 'masters';
  /** When the core sent it (core clock; the probe ages statuses by its own clock from receipt). */
  readonly at: number;
  readonly masters: readonly MasterStatus[];
}

export interface MasterStatus {
  readonly id: string;
  readonly state: State;
  readonly pauseReason?: PauseReason;
  /** When paused by dependency: the Down sensor at the top of the master's chain. */
  readonly pausedBy?: string;
}

export function parseJson(data: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8'));
  } catch (err) {
    throw new Error(`${what}: not JSON (${(err as Error).message})`);
  }
}

export function asHelloAnswer(v: unknown, what: string): HelloAnswer {
  const o = v as Partial<HelloAnswer> | null;
  if (!o || typeof o !== 'object' || !['pending', 'approved', 'rejected'].includes(String(o.approval))) throw new Error(`${what}: expected {approval: pending|approved|rejected}`);
  if (o.config !== undefined) {
    const c = o.config as Partial<ConfigManifest> | null;
    if (!c || typeof c.fingerprint !== 'string' || !Number.isInteger(c.chunks) || (c.chunks ?? 0) < 1 || typeof c.bytes !== 'number') throw new Error(`${what}.config: expected {fingerprint, chunks ≥ 1, bytes}`);
  }
  return o as HelloAnswer;
}

export function asProbeConfig(v: unknown, what: string): ProbeConfig {
  const c = v as Partial<ProbeConfig> | null;
  if (!c || typeof c !== 'object' || typeof c.fingerprint !== 'string' || !c.tree || !Array.isArray(c.tree.nodes) || !Array.isArray(c.tree.roots) || !Array.isArray(c.credentials)) {
    throw new Error(`${what}: expected {fingerprint, tree: {nodes: [...], roots: [...]}, credentials: [...]}`);
  }
  return c as ProbeConfig;
}

export function asChunkRequest(v: unknown, what: string): ChunkRequest {
  const o = v as Partial<ChunkRequest> | null;
  if (!o || typeof o.fingerprint !== 'string' || !Number.isInteger(o.index) || (o.index ?? -1) < 0) throw new Error(`${what}: expected {fingerprint, index ≥ 0}`);
  return o as ChunkRequest;
}

export function asHeartbeat(v: unknown, what: string): ProbeHeartbeat {
  const o = v as Partial<ProbeHeartbeat> | null;
  const n = (x: unknown) => typeof x === 'number' && Number.isFinite(x);
  if (!o || typeof o !== 'object' || !n(o.at) || !n(o.bufferDepth) || !n(o.bufferBytes) || !n(o.cpuPct) || !o.stats || typeof o.stats !== 'object') {
    throw new Error(`${what}: expected {at, bufferDepth, bufferBytes, cpuPct, stats}`);
  }
  return o as ProbeHeartbeat;
}

/** A MastersMessage, or undefined when `v` is another kind of message (a HelloAnswer has no `type`). */
export function asMastersMessage(v: unknown, what: string): MastersMessage | undefined {
  const o = v as Partial<MastersMessage> | null;
  if (!o || typeof o !== 'object' || o.type !== 'masters') return undefined;
  if (typeof o.at !== 'number' || !Array.isArray(o.masters)) throw new Error(`${what}: expected {type: "masters", at, masters: [...]}`);
  o.masters.forEach((m: Partial<MasterStatus> | null, i) => {
    const bad =
      !m ||
      typeof m !== 'object' ||
      typeof m.id !== 'string' ||
      !(STATES as readonly unknown[]).includes(m.state) ||
      (m.pauseReason !== undefined && !(PAUSE_REASONS as readonly unknown[]).includes(m.pauseReason)) ||
      (m.pausedBy !== undefined && typeof m.pausedBy !== 'string');
    if (bad) throw new Error(`${what}: masters.${i}: expected {id, state: ${STATES.join('|')}, pauseReason?: ${PAUSE_REASONS.join('|')}, pausedBy?}`);
  });
  return o as MastersMessage;
}
