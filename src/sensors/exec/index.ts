// `exec`: runs a Nagios-compatible plugin (monitoring-plugins, vendor checks, in-house scripts) and
// maps its exit code to a state and its perfdata to channels with limits, so the whole plugin
// ecosystem works in Wardwatch. The plugin is run directly, never through a shell.

import path from 'node:path';
import { z } from 'zod';
import { registerErrors } from '../../core/errors.ts';
import type { Reading } from '../../core/model.ts';
import { duration, host } from '../fields.ts';
import { defineSensorKind, failed } from '../sensor.ts';
import { metricsToChannels } from './channels.ts';
import { parsePluginOutput } from './perfdata.ts';
import { DEFAULT_PLUGIN_DIRS, resolvePlugin, runPlugin } from './run.ts';

export { parsePluginOutput, parsePerfdata, parseRange } from './perfdata.ts';
export { channelKey, metricsToChannels } from './channels.ts';
export { DEFAULT_PLUGIN_DIRS } from './run.ts';

registerErrors({
  EXEC_NOT_FOUND: { message: 'The plugin was not found on the probe', http: 500 },
  EXEC_NOT_EXECUTABLE: { message: 'The plugin exists but cannot be executed by the probe', http: 500 },
  EXEC_TIMEOUT: { message: 'The plugin did not finish within its timeout and was killed', http: 504 },
  EXEC_FAILED: { message: 'The plugin could not be started', http: 500 },
  EXEC_PERFDATA_INVALID: { message: 'The plugin printed performance data that is not valid', http: 200 },
});

const settings = z.strictObject({
  command: z.string().min(1).max(4096).describe('Absolute path of the plugin, or its name in a plugin directory (check_disk)'),
  args: z.array(z.string().max(4096)).max(200).default([]).describe('Arguments, passed as they are (no shell, no quoting needed); {host} becomes the host'),
  host: host.optional(),
  pluginTimeout: duration({ min: 0.1, max: 3600 }).optional().describe('Kill the plugin after this long (default: the sensor timeout)'),
  env: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'environment variable names are letters, digits and _' }), z.string())
    .default({})
    .describe('Environment variables for the plugin (it inherits none from the probe, besides PATH and LANG=C)'),
  cwd: z
    .string()
    .refine((p) => path.isAbsolute(p), { error: 'cwd must be an absolute path' })
    .optional()
    .describe('Working directory'),
});

const EXIT = { 0: 'up', 1: 'warning', 2: 'down', 3: 'unknown' } as const;
const STATUS_WORD = { 0: 'OK', 1: 'WARNING', 2: 'CRITICAL', 3: 'UNKNOWN' } as const;

export interface ExecKindOptions {
  /** Where plugin names (commands without a slash) are looked up, in order. */
  readonly pluginDirs?: readonly string[];
}

export function createExecKind(opts: ExecKindOptions = {}) {
  const pluginDirs = opts.pluginDirs ?? DEFAULT_PLUGIN_DIRS;
  return defineSensorKind({
    kind: 'exec',
    title: 'Nagios plugin (exec)',
    description:
      `Runs a Nagios-compatible plugin and maps its exit code (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN) to Up, Warning, Down or Unknown; arguments may name the device's address as {host} (Nagios' $HOSTADDRESS$); the first output line is the message and the performance data ('label'=value[UOM];warn;crit;min;max) become channels with their limits. For safety the command is either an absolute path or a plugin name looked up only in the configured plugin directories (default ${pluginDirs.join(', ')}), never in PATH; it is run directly without a shell, so arguments cannot inject commands; it gets no environment from the probe except PATH and LANG=C plus the variables listed in env; and on timeout its whole process group is killed.`,
    settings,
    channels: [{ key: 'executionTimeMs', name: 'Execution time', unit: 'ms', primary: true }],
    concurrency: 16,
    defaultIntervalS: 300,
    usesHost: true,
    // Every perfdata label the plugin prints becomes a channel.
    dynamicChannels: true,
    async check(s, ctx): Promise<Reading> {
      if (s.args.some((a) => a.includes('{host}')) && !s.host) return failed('BAD_SETTINGS', 'the arguments use {host} but the sensor and its device have no host');
      const args = s.args.map((a) => a.replaceAll('{host}', s.host ?? ''));
      const resolved = await resolvePlugin(s.command, pluginDirs);
      if (!resolved.ok) return failed(resolved.error, resolved.message);
      const limitMs = Math.max(100, Math.min(s.pluginTimeout !== undefined ? s.pluginTimeout * 1000 : ctx.timeoutMs, ctx.timeoutMs));
      const started = ctx.now();
      const r = await runPlugin(resolved.file, { args, env: s.env, ...(s.cwd ? { cwd: s.cwd } : {}), timeoutMs: limitMs, signal: ctx.signal });
      const elapsed = Math.round((ctx.now() - started) * 100) / 100;
      const timing = { key: 'executionTimeMs', value: elapsed };
      const name = path.basename(resolved.file);
      if (r.spawnError) {
        const code = r.spawnError.code === 'ENOENT' ? 'EXEC_NOT_FOUND' : r.spawnError.code === 'EACCES' ? 'EXEC_NOT_EXECUTABLE' : 'EXEC_FAILED';
        const what = r.spawnError.code === 'ENOENT' && s.cwd ? `${name} or working directory ${s.cwd}` : name;
        return failed(code, `${what}: ${r.spawnError.message}`);
      }
      if (r.aborted) return failed('ABORTED', `${name} was killed: the check was cancelled`, [timing]);
      if (r.timedOut) return failed('EXEC_TIMEOUT', `${name} was killed after ${limitMs} ms`, [timing]);
      const out = parsePluginOutput(r.stdout);
      const { channels, notes } = metricsToChannels(out.metrics);
      const first = out.text || (r.stderr.split('\n')[0] ?? '').trim() || '(no output)';
      const extra = [
        ...(out.problems.length > 0 ? [`EXEC_PERFDATA_INVALID: ${out.problems.join('; ')}`] : []),
        ...notes,
        ...(r.truncated ? ['output truncated at 64 KiB'] : []),
      ];
      const message = extra.length > 0 ? `${first} [${extra.join('; ')}]` : first;
      const all = [timing, ...channels.filter((c) => c.key !== 'executionTimeMs')];
      const code = r.exitCode;
      if (code === null) return { channels: all, status: 'unknown', message: `${name} was killed by ${r.signal ?? 'a signal'}: ${message}` };
      if (code in EXIT) {
        const status = EXIT[code as keyof typeof EXIT];
        return { channels: all, message, ...(status === 'up' ? {} : { status }) };
      }
      return { channels: all, status: 'unknown', message: `${name} exited with code ${code}, which is not a plugin status (${Object.entries(STATUS_WORD).map(([k, v]) => `${k} ${v}`).join(', ')}): ${message}` };
    },
  });
}

export const execKind = createExecKind();
