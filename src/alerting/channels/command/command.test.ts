// The command hook with real child processes: stdin JSON and WARDWATCH_* variables, no shell,
// exit codes mapped to delivered / retry / permanent, and a hook past its timeout killed.

import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sampleNotification, sendOnce } from '../testing/fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'ww-hook-'));
const node = process.execPath;

/** A hook that records its stdin, argv and WARDWATCH_* environment, then exits with `code`. */
function recorder(out: string, code = 0): string[] {
  const js = `let d='';process.stdin.on('data',c=>d+=c).on('end',()=>{require('fs').writeFileSync(${JSON.stringify(out)},JSON.stringify({stdin:JSON.parse(d),argv:process.argv.slice(1),env:Object.fromEntries(Object.entries(process.env).filter(([k])=>k.startsWith('WARDWATCH_')||k==='EXTRA')),pid:process.pid}));console.log('done');process.exit(${code})})`;
  return [node, '-e', js];
}

/** True once the process is gone or a zombie (SIGKILL is delivered asynchronously: check until it lands, at most 5 s). */
async function gone(pid: number): Promise<boolean> {
  const deadline = Date.now() + 5000;
  for (;;) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return true;
    }
    if (/^\d+ \(.*\) Z/.test(stat)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setImmediate(r));
  }
}

describe('command channel', () => {
  it('runs the program without a shell, with the notification on stdin and in WARDWATCH_* variables', async () => {
    const out = join(dir, 'ok.json');
    const marker = join(dir, 'shell-ran');
    const res = await sendOnce({ kind: 'command', command: [...recorder(out), `$(touch ${marker})`], env: { EXTRA: 'yes' } });
    expect(res).toEqual({ ok: true, status: 'exit 0', response: 'done' });
    const got = JSON.parse(readFileSync(out, 'utf8')) as { stdin: Record<string, unknown>; argv: string[]; env: Record<string, string> };
    expect(got.argv).toEqual([`$(touch ${marker})`]);
    expect(existsSync(marker)).toBe(false);
    expect(got.stdin).toMatchObject({ key: 'alert-42:alert:0:dr-night:ch', alertId: 'alert-42', state: 'Down', address: 'oncall@hospital.example', title: 'PACS <Archive> "A&B"' });
    expect(got.env).toMatchObject({
      WARDWATCH_ALERT_ID: 'alert-42',
      WARDWATCH_KIND: 'alert',
      WARDWATCH_STATE: 'Down',
      WARDWATCH_DEVICE: 'PACS archive | B=2',
      WARDWATCH_ADDRESS: 'oncall@hospital.example',
      WARDWATCH_MESSAGE: 'association rejected: called AE "PACS" unknown\nsecond line ]',
      EXTRA: 'yes',
    });
  });

  it('maps exit 75 to retry, another code to a permanent failure, and a missing program to permanent', async () => {
    expect(await sendOnce({ kind: 'command', command: recorder(join(dir, 'r.json'), 75) })).toEqual({ ok: false, retryable: true, status: 'exit 75', error: `${node}: exit code 75 (try again later)`, response: 'done' });
    expect(await sendOnce({ kind: 'command', command: recorder(join(dir, 'p.json'), 2) })).toEqual({ ok: false, retryable: false, status: 'exit 2', error: `${node}: exit code 2`, response: 'done' });
    expect(await sendOnce({ kind: 'command', command: recorder(join(dir, 'c.json'), 3), retryExitCodes: [3] })).toMatchObject({ ok: false, retryable: true, status: 'exit 3' });
    const missing = await sendOnce({ kind: 'command', command: ['/nonexistent/hook'] });
    expect(missing).toMatchObject({ ok: false, retryable: false, status: 'ENOENT' });
  });

  it('kills a hook that outlives its timeout, with the children it started', async () => {
    const pidFile = join(dir, 'slow.pid');
    // The hook starts a grandchild that holds the same stdout, then both wait forever.
    const grand = `setInterval(() => {}, 1000)`;
    const js = `const c = require('child_process').spawn(process.execPath, ['-e', ${JSON.stringify(grand)}], { stdio: 'inherit' }); require('fs').writeFileSync(${JSON.stringify(pidFile)}, process.pid + ' ' + c.pid); setInterval(() => {}, 1000)`;
    const res = await sendOnce({ kind: 'command', command: [node, '-e', js] }, sampleNotification(), { timeoutMs: 1500 });
    expect(res).toMatchObject({ ok: false, retryable: true, status: 'TIMEOUT', error: `${node}: killed after 1500 ms (timeout)` });
    const pids = readFileSync(pidFile, 'utf8').split(' ').map(Number);
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(await gone(pid)).toBe(true);
  });
});
