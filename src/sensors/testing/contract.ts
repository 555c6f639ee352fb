// The contract every sensor kind passes: its test calls runSensorContract(kind, peer) with a live
// local peer, and the suite checks what the engine, the config schema and the console rely on —
// declared channels named with their unit, Readings instead of throws, abort honoured, no leaks.

import { describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import { isKnownError } from '../../core/errors.ts';
import { UNITS, type ChannelSpec, type Reading, type Unit } from '../../core/model.ts';
import type { AnySensorKind, CheckContext } from '../sensor.ts';
import { activeResources, settleResources } from './handles.ts';

/** A peer that accepted the check's connection (or received its request) and will never answer. */
export interface HangingPeer {
  /** Settings (as written in config, before parsing) aimed at the hanging peer. */
  readonly settings: unknown;
  /**
   * Resolves once the peer has the check's connection or, better, its first bytes (TestServer's
   * nextRequest()): the contract aborts then and expects TIMEOUT or ABORTED, not CONNECT_TIMEOUT.
   */
  readonly accepted: Promise<unknown>;
}

export interface ContractPeer {
  /** Settings that reach a live local peer and succeed. */
  good(): Promise<unknown>;
  /** Settings aimed at a closed port (see closedPort() in ./peers.ts). */
  refused?(): Promise<unknown>;
  /** The exact code `refused` must give (ECONNREFUSED for TCP-ish kinds); default: any catalogue code. */
  readonly refusedError?: string;
  /** A peer that accepts but never answers (see startHangingServer() in ./peers.ts). */
  hang?(): Promise<HangingPeer>;
}

/** A CheckContext for tests: real monotonic clock, fresh memory, a signal nobody aborts unless overridden. */
export function makeContext(overrides: Partial<CheckContext> = {}): CheckContext {
  return {
    signal: new AbortController().signal,
    timeoutMs: 10_000,
    now: () => performance.now(),
    wallNow: () => Date.now(),
    memory: new Map<string, unknown>(),
    sensorId: 'contract-test',
    ...overrides,
  };
}

/** What the runner does on a timeout: abort with a TimeoutError reason (AbortSignal.timeout() does the same). */
export function timeoutReason(): DOMException {
  return new DOMException('The check timed out', 'TimeoutError');
}

/** Units whose channel keys must carry a suffix (responseTimeMs, lossPct, certDaysLeft...). */
const UNIT_SUFFIX: Partial<Record<Unit, RegExp>> = {
  ms: /Ms$/,
  '%': /Pct$/,
  days: /Days(Left)?$/,
  bytes: /(^b|B)ytes$/,
  'MB/s': /MBps$/,
};

const ABORT_CODES = ['TIMEOUT', 'ABORTED', 'CONNECT_TIMEOUT'];
/** How long a check may take to resolve after its signal was aborted (a guard, not a measurement). */
const PROMPT_MS = 2000;

export function runSensorContract(kind: AnySensorKind, peer: ContractPeer): void {
  describe(`sensor contract: ${kind.kind}`, () => {
    it('describes itself', () => {
      expect(kind.kind).toMatch(/^[a-z][a-z0-9-]*$/);
      expect(kind.title.trim()).not.toBe('');
      expect(kind.description.trim()).not.toBe('');
      expect(Number.isInteger(kind.concurrency) && kind.concurrency > 0).toBe(true);
      if (kind.defaultIntervalS !== undefined) expect(kind.defaultIntervalS).toBeGreaterThan(0);
    });

    it('declares channels with unique keys named with their unit, exactly one primary', () => {
      expect(kind.channels.length).toBeGreaterThan(0);
      const keys = kind.channels.map((c) => c.key);
      expect(new Set(keys).size, `duplicate channel keys in ${keys.join(', ')}`).toBe(keys.length);
      for (const c of kind.channels) {
        expect(c.key).toMatch(/^[a-z][A-Za-z0-9]*$/);
        expect(UNITS).toContain(c.unit);
        expect(c.name.trim()).not.toBe('');
        const suffix = UNIT_SUFFIX[c.unit];
        if (suffix) expect(c.key, `channel ${c.key} in ${c.unit} must be named with its unit`).toMatch(suffix);
      }
      expect(kind.channels.filter((c) => c.primary).map((c) => c.key)).toHaveLength(1);
    });

    it('parses the good settings and returns a Reading without error, with declared finite channels', async () => {
      const settings = kind.settings.parse(await peer.good());
      const before = activeResources();
      const reading = await kind.check(settings, makeContext());
      expect(reading.error, `unexpected error: ${reading.message ?? ''}`).toBeUndefined();
      expectWellFormed(reading, kind.channels);
      expect(reading.channels.length).toBeGreaterThan(0);
      expect(await settleResources(before), 'resources left open by a successful check').toEqual({});
    });

    it('returns ABORTED or TIMEOUT (and does not throw) when the signal is already aborted', async () => {
      const settings = kind.settings.parse(await peer.good());
      const controller = new AbortController();
      controller.abort();
      const before = activeResources();
      const reading = await withinPrompt(kind.check(settings, makeContext({ signal: controller.signal })));
      expect(ABORT_CODES).toContain(reading.error);
      expectWellFormed(reading, kind.channels);
      expect(await settleResources(before), 'resources left open by a cancelled check').toEqual({});
    });

    if (peer.refused) {
      const refused = peer.refused.bind(peer);
      it('returns (does not throw) a catalogue error when the port is closed', async () => {
        const settings = kind.settings.parse(await refused());
        const before = activeResources();
        const reading = await kind.check(settings, makeContext());
        expect(reading.error).toBeDefined();
        if (peer.refusedError) expect(reading.error).toBe(peer.refusedError);
        else expect(isKnownError(reading.error ?? '') && reading.error !== 'INTERNAL', `unknown code ${reading.error ?? ''}`).toBe(true);
        expect(reading.message?.trim()).toBeTruthy();
        expectWellFormed(reading, kind.channels);
        expect(await settleResources(before), 'resources left open after a refused connection').toEqual({});
      });
    }

    if (peer.hang) {
      const hang = peer.hang.bind(peer);
      it('resolves promptly with TIMEOUT or ABORTED when aborted while the peer hangs, leaving nothing open', async () => {
        const hanging = await hang();
        const settings = kind.settings.parse(hanging.settings);
        const controller = new AbortController();
        const before = activeResources();
        const pending = kind.check(settings, makeContext({ signal: controller.signal }));
        // abort only once the peer holds the connection, so the kind is really waiting on I/O; the
        // extra loop turns let the client side see its own connect (the server may see it first)
        await hanging.accepted;
        await loopTurns(3);
        controller.abort(timeoutReason());
        const reading = await withinPrompt(pending);
        expect(['TIMEOUT', 'ABORTED']).toContain(reading.error);
        expectWellFormed(reading, kind.channels);
        expect(await settleResources(before), 'resources left open by an aborted check').toEqual({});
      });
    }
  });
}

function expectWellFormed(reading: Reading, declared: readonly ChannelSpec[]): void {
  if (reading.error !== undefined) expect(isKnownError(reading.error), `unknown error code ${reading.error}`).toBe(true);
  if (reading.message !== undefined) expect(typeof reading.message).toBe('string');
  const declaredKeys = new Set(declared.map((c) => c.key));
  const seen = new Set<string>();
  for (const ch of reading.channels) {
    expect(seen.has(ch.key), `channel ${ch.key} reported twice`).toBe(false);
    seen.add(ch.key);
    expect(declaredKeys.has(ch.key) || ch.unit !== undefined, `channel ${ch.key} is neither declared nor carries a unit`).toBe(true);
    expect(Number.isFinite(ch.value), `channel ${ch.key} is ${ch.value}`).toBe(true);
    if (ch.unit !== undefined) expect(UNITS).toContain(ch.unit);
  }
  for (const [phase, ms] of Object.entries(reading.phases ?? {})) {
    expect(Number.isFinite(ms) && ms >= 0, `phase ${phase} is ${ms}`).toBe(true);
  }
}

/** Lets the event loop pass through its I/O phase `n` times (pending I/O events get delivered). */
async function loopTurns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Fails (instead of hanging the suite) when a check ignores its signal. */
async function withinPrompt(pending: Promise<Reading>): Promise<Reading> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`check did not resolve within ${PROMPT_MS} ms of the abort`)), PROMPT_MS);
    timer.unref();
  });
  try {
    return await Promise.race([pending, guard]);
  } finally {
    clearTimeout(timer);
  }
}
