// The small JSON messages of the control path between a probe and the core: the hello a probe sends
// (and the answer: pending, rejected, or its configuration), the configuration the core pushes, and
// the heartbeat with the probe's own health. Parsed defensively on both sides.

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
