// Command hook: runs a program (argv, never a shell) with the notification as JSON on stdin and as
// WARDWATCH_* environment variables. Exit 0 is delivered; the retry exit codes (75, EX_TEMPFAIL, by
// default) ask for another attempt; any other code is a permanent failure. A timeout kills it.

import { spawn } from 'node:child_process';
import type { Notification } from '../../notification.ts';
import { escapeNone, render } from '../../templates/index.ts';
import { clip, defineChannelKind, permanent, retryable, sent } from '../channel.ts';
import { webhookPayload } from '../webhook/index.ts';
import { commandSettings } from './settings.ts';

export const COMMAND_TEMPLATES = {
  text: '{{kindLabel}}: {{title}}{{#state}} is {{state}}{{/state}}{{#message}} — {{message}}{{/message}}',
} as const;

export interface CommandMessage {
  readonly stdin: string;
  readonly env: Readonly<Record<string, string>>;
}

/** Used when the composition root passes no base environment: enough to find ordinary programs. */
export const DEFAULT_HOOK_ENV: Readonly<Record<string, string>> = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' };

/** The notification as WARDWATCH_* variables (the base environment and the instance's extras are added when it runs). */
export function commandEnv(n: Notification, text: string): Record<string, string> {
  const v = n.vars;
  const env: Record<string, string> = {};
  const put = (k: string, val: string | number | undefined) => {
    if (val !== undefined) env[`WARDWATCH_${k}`] = String(val);
  };
  put('KEY', n.key);
  put('ALERT_ID', n.alertId);
  put('KIND', n.kind);
  put('RULE', n.ruleName);
  put('CHANNEL', n.channel);
  put('RECIPIENT', n.recipient.name);
  put('ADDRESS', n.recipient.address);
  put('TITLE', v.title);
  put('STATE', v.state);
  put('PREVIOUS_STATE', v.previousState);
  put('DEVICE', v.device);
  put('HOST', v.host);
  put('SENSOR', v.sensor);
  put('SENSOR_ID', v.sensorId);
  put('MESSAGE', v.message);
  put('VALUE', v.value);
  put('SINCE', v.since === undefined ? undefined : new Date(v.since).toISOString());
  put('SEVERITY', v.severity);
  put('CONSOLE_URL', v.consoleUrl);
  put('ACK_URL', v.ackUrl);
  put('TEXT', text);
  return env;
}

export const commandKind = defineChannelKind({
  kind: 'command',
  title: 'Command hook',
  description: 'Runs a program (no shell) with the notification as JSON on stdin and WARDWATCH_* environment variables; exit 0 means delivered, 75 means try again.',
  settings: commandSettings,
  needsAddress: false,
  templates: COMMAND_TEMPLATES,
  render(n, _settings, templates): CommandMessage {
    const text = render('text', COMMAND_TEMPLATES, templates, n, escapeNone);
    return { stdin: JSON.stringify({ ...webhookPayload(n, text), address: n.recipient.address }), env: commandEnv(n, text) };
  },
  send(msg, settings, ctx) {
    const [program, ...args] = settings.command;
    return new Promise((resolve) => {
      if (ctx.signal.aborted) {
        resolve(retryable('TIMEOUT', `${program}: timed out before it started`));
        return;
      }
      const child = spawn(program!, args, {
        shell: false,
        // Never Wardwatch's whole environment: a hook gets PATH and locale, not the store URL or secrets.
        env: { ...(ctx.env ?? DEFAULT_HOOK_ENV), ...msg.env, ...settings.env },
        ...(settings.cwd !== undefined ? { cwd: settings.cwd } : {}),
        stdio: ['pipe', 'pipe', 'pipe'],
        // Its own process group, so that a timeout also kills what the hook started (curl, sendmail...).
        detached: true,
      });
      let out = '';
      const take = (d: Buffer) => {
        if (out.length < 8192) out += d.toString('utf8');
      };
      child.stdout.on('data', take);
      child.stderr.on('data', take);
      // A hook that exits without reading stdin closes the pipe: that is its business, not an error.
      child.stdin.on('error', () => undefined);
      let spawnError: NodeJS.ErrnoException | undefined;
      child.on('error', (err: NodeJS.ErrnoException) => {
        spawnError = err;
      });
      let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
      let timedOut = false;
      child.on('exit', (code, signal) => {
        exited = { code, signal };
      });
      const onAbort = () => {
        if (exited === undefined) timedOut = true;
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
        // A grandchild still holding the pipes must not keep the attempt open past its timeout.
        child.stdout.destroy();
        child.stderr.destroy();
      };
      if (ctx.signal.aborted) onAbort();
      else ctx.signal.addEventListener('abort', onAbort, { once: true });
      child.on('close', (closeCode, closeSignal) => {
        ctx.signal.removeEventListener('abort', onAbort);
        const { code, signal } = exited ?? { code: closeCode, signal: closeSignal };
        const output = clip(out.trim());
        if (timedOut) resolve(retryable('TIMEOUT', `${program}: killed after ${ctx.timeoutMs} ms (timeout)`, output || undefined));
        else if (spawnError && (code === null || code < 0)) {
          const missing = spawnError.code === 'ENOENT' || spawnError.code === 'EACCES';
          resolve(missing ? permanent(spawnError.code ?? 'spawn', `${program}: cannot run it (${spawnError.code}: ${spawnError.message})`) : retryable(spawnError.code ?? 'spawn', `${program}: ${spawnError.message}`));
        } else if (code === 0) resolve(sent('exit 0', output || undefined));
        else if (code === null) resolve(retryable(`signal ${signal ?? '?'}`, `${program}: killed by ${signal ?? 'a signal'}`, output || undefined));
        else if (settings.retryExitCodes.includes(code)) resolve(retryable(`exit ${code}`, `${program}: exit code ${code} (try again later)`, output || undefined));
        else resolve(permanent(`exit ${code}`, `${program}: exit code ${code}`, output || undefined));
      });
      child.stdin.end(msg.stdin);
    });
  },
});
