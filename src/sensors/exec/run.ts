// Runs a plugin without a shell, in its own process group, with a minimal explicit environment and
// bounded output; on timeout or abort the whole group is killed (plugins start children: ping,
// ssh, curl) so nothing outlives the check.

import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';

export const DEFAULT_PLUGIN_DIRS = ['/usr/lib/nagios/plugins', '/usr/local/lib/nagios/plugins'] as const;
const MAX_OUTPUT = 64 * 1024;
/** The environment a plugin sees besides the sensor's explicit `env`: no probe secrets leak in. */
const BASE_ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C', LC_ALL: 'C' } as const;

export type Resolved = { readonly ok: true; readonly file: string } | { readonly ok: false; readonly error: 'EXEC_NOT_FOUND' | 'EXEC_NOT_EXECUTABLE' | 'BAD_SETTINGS'; readonly message: string };

/** An absolute path, or a bare name looked up in the plugin directories (never PATH). */
export async function resolvePlugin(command: string, pluginDirs: readonly string[]): Promise<Resolved> {
  let candidates: string[];
  if (path.isAbsolute(command)) candidates = [path.normalize(command)];
  else if (command.includes('/') || command === '.' || command === '..') {
    return { ok: false, error: 'BAD_SETTINGS', message: `command "${command}" must be an absolute path or a plugin name without a slash` };
  } else candidates = pluginDirs.map((d) => path.join(d, command));
  for (const file of candidates) {
    const st = await stat(file).catch(() => undefined);
    if (!st) continue;
    if (!st.isFile()) return { ok: false, error: 'EXEC_NOT_EXECUTABLE', message: `${file} is not a file` };
    const ok = await access(file, constants.X_OK).then(
      () => true,
      () => false,
    );
    if (!ok) return { ok: false, error: 'EXEC_NOT_EXECUTABLE', message: `${file} is not executable by the probe's user` };
    return { ok: true, file };
  }
  return {
    ok: false,
    error: 'EXEC_NOT_FOUND',
    message: path.isAbsolute(command) ? `${command} does not exist` : `plugin ${command} is not in ${pluginDirs.join(', ') || 'any plugin directory'}`,
  };
}

export interface RunResult {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly aborted: boolean;
  readonly truncated: boolean;
  readonly spawnError?: NodeJS.ErrnoException;
}

export interface RunOptions {
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

export function runPlugin(file: string, opts: RunOptions): Promise<RunResult> {
  return new Promise((resolveOnce) => {
    let done = false;
    const resolve = (r: RunResult) => {
      if (done) return;
      done = true;
      resolveOnce(r);
    };
    let stdout = '';
    let stderr = '';
    let truncated = false;
    let timedOut = false;
    let aborted = false;
    let spawnError: NodeJS.ErrnoException | undefined;
    const child = spawn(file, [...opts.args], {
      cwd: opts.cwd,
      env: { ...BASE_ENV, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so that a kill reaches the plugin's children too.
      detached: true,
      shell: false,
    });
    const killGroup = (sig: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        // the group is already gone
      }
    };
    let hardKill: NodeJS.Timeout | undefined;
    const stop = (why: 'timeout' | 'abort') => {
      if (why === 'timeout') timedOut = true;
      else aborted = true;
      killGroup('SIGTERM');
      hardKill = setTimeout(() => killGroup('SIGKILL'), 500);
    };
    const timer = setTimeout(() => stop('timeout'), opts.timeoutMs);
    const onAbort = () => stop('abort');
    if (opts.signal.aborted) onAbort();
    else opts.signal.addEventListener('abort', onAbort, { once: true });
    const take = (which: 'out' | 'err') => (d: Buffer) => {
      const cur = which === 'out' ? stdout : stderr;
      if (cur.length >= MAX_OUTPUT) {
        truncated = true;
        return;
      }
      const next = cur + d.toString('utf8');
      if (next.length > MAX_OUTPUT) truncated = true;
      if (which === 'out') stdout = next.slice(0, MAX_OUTPUT);
      else stderr = next.slice(0, MAX_OUTPUT);
    };
    child.stdout.on('data', take('out'));
    child.stderr.on('data', take('err'));
    const finish = (code: number | null, sig: NodeJS.Signals | null) => {
      clearTimeout(timer);
      // The plugin is gone; make sure nothing it started lingers either.
      if (timedOut || aborted) killGroup('SIGKILL');
      if (hardKill) clearTimeout(hardKill);
      opts.signal.removeEventListener('abort', onAbort);
      resolve({ exitCode: code, signal: sig, stdout, stderr, timedOut, aborted, truncated, ...(spawnError ? { spawnError } : {}) });
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      spawnError = e;
      // A process that never started emits no 'close' we can count on.
      if (child.pid === undefined) finish(null, null);
    });
    child.on('close', finish);
  });
}
