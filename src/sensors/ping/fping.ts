// fping as a tool: the command line for one batch of targets, the parser of its `-C` summary and
// the run of one process. Knows nothing about readings or limits; the ping kind (index.ts) does.
// One process pings many hosts at once, which is what keeps thousands of ping sensors cheap.

import { spawn as nodeSpawn } from 'node:child_process';

export type SpawnFn = typeof nodeSpawn;

/** Probe parameters shared by every target of one fping process. */
export interface FpingParams {
  readonly count: number;
  readonly periodMs: number;
  readonly packetSize: number;
  readonly timeoutMs: number;
}

/** One host's answer: round-trip times in ms, `null` for each packet lost. */
export interface FpingResult {
  readonly host: string;
  readonly samples: readonly (number | null)[];
}

export interface FpingRunOptions {
  /** Path or name of the fping binary (default `fping`). */
  readonly command?: string;
  /** Injected in tests to count processes; defaults to node:child_process spawn. */
  readonly spawn?: SpawnFn;
  readonly signal?: AbortSignal;
}

export type FpingOutcome =
  | { readonly kind: 'done'; readonly results: ReadonlyMap<string, readonly (number | null)[]>; readonly exitCode: number | null; readonly stderr: string }
  | { readonly kind: 'missing' }
  | { readonly kind: 'aborted'; readonly reason: unknown }
  | { readonly kind: 'failed'; readonly message: string };

/**
 * `-C` reports every packet (so min/avg/max/loss are ours to compute), `-q` keeps only the summary,
 * `-B1 -r0` stop fping from retrying with growing timeouts (the count already gives retries), and
 * `-i 1` lets a batch of hundreds of hosts go out within one period instead of 10 ms per host.
 */
export function fpingArgs(p: FpingParams, hosts: readonly string[]): string[] {
  return ['-C', String(p.count), '-q', '-p', String(p.periodMs), '-t', String(p.timeoutMs), '-b', String(p.packetSize), '-B1', '-r0', '-i', '1', '--', ...hosts];
}

const SAMPLE = /^(?:-|\d+(?:\.\d+)?)$/;

/**
 * Parses fping's `-C` summary lines (`host : 0.05 - 0.07`). Every other line (ICMP errors,
 * warnings, name errors, anything unexpected) is ignored. A host listed twice gets its samples
 * concatenated. The separator is " : " with spaces, so IPv6 addresses parse too.
 */
export function parseFpingOutput(text: string): Map<string, (number | null)[]> {
  const out = new Map<string, (number | null)[]>();
  for (const raw of text.split(/\r?\n/)) {
    const m = /^(\S+)\s+:\s+(.+)$/.exec(raw.trim());
    if (!m) continue;
    const tokens = m[2]!.trim().split(/\s+/);
    if (tokens.length === 0 || !tokens.every((t) => SAMPLE.test(t))) continue;
    const samples = tokens.map((t) => (t === '-' ? null : Number(t)));
    const host = m[1]!;
    out.set(host, [...(out.get(host) ?? []), ...samples]);
  }
  return out;
}

/** Runs one fping process for all `hosts` (deduplicated by the caller) and parses its output. */
export function runFping(p: FpingParams, hosts: readonly string[], opts: FpingRunOptions = {}): Promise<FpingOutcome> {
  const spawn = opts.spawn ?? nodeSpawn;
  const signal = opts.signal;
  if (signal?.aborted) return Promise.resolve({ kind: 'aborted', reason: signal.reason as unknown });
  return new Promise((resolve) => {
    let settled = false;
    const finish = (o: FpingOutcome) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      resolve(o);
    };
    let stdout = '';
    let stderr = '';
    const child = spawn(opts.command ?? 'fping', fpingArgs(p, hosts), { stdio: ['ignore', 'pipe', 'pipe'] });
    const onAbort = () => {
      child.kill('SIGKILL');
      finish({ kind: 'aborted', reason: signal?.reason as unknown });
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', (err: NodeJS.ErrnoException) => {
      finish(err.code === 'ENOENT' ? { kind: 'missing' } : { kind: 'failed', message: `fping could not be started: ${err.message}` });
    });
    child.once('close', (code) => {
      // fping exits 0 (all alive), 1 (some unreachable) or 2 (some names unknown); 3+ is a usage or system error
      if (code !== null && code >= 3) {
        finish({ kind: 'failed', message: `fping failed (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' / ') || 'no output'}` });
        return;
      }
      finish({ kind: 'done', results: parseFpingOutput(stderr + '\n' + stdout), exitCode: code, stderr });
    });
  });
}
