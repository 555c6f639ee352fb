// `wardwatch check KIND --option value ... [--json] [--timeout 10s]`: runs one check once and
// exits with Nagios conventions, so that every Wardwatch sensor is also a Nagios/Icinga plugin.

import { performance } from 'node:perf_hooks';
import { parseDuration } from '../sensors/fields.ts';
import { sensorKind, kindNames } from '../sensors/registry.ts';
import { renderKindHelp } from '../sensors/docs.ts';
import { outcomeOf } from '../core/state.ts';
import { lookupError } from '../core/errors.ts';
import type { Reading } from '../core/model.ts';
import type { CheckContext } from '../sensors/sensor.ts';
import { ArgsError, optionsToSettings } from './args.ts';
import { EXIT, statusLine } from './nagios.ts';
import type { Io } from './io.ts';

export async function checkCommand(argv: readonly string[], io: Io): Promise<number> {
  const [kindName, ...rest] = argv;
  if (!kindName || kindName === '--help' || kindName === '-h') {
    io.out(`usage: wardwatch check KIND --option value ... [--json] [--timeout 10s]\nkinds: ${kindNames().join(', ')}\n`);
    return kindName ? 0 : EXIT.unknown;
  }
  const kind = sensorKind(kindName);
  if (!kind) {
    io.err(`UNKNOWN - no sensor kind "${kindName}"; known kinds: ${kindNames().join(', ')}\n`);
    return EXIT.unknown;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(renderKindHelp(kind));
    return 0;
  }
  let json = false;
  let timeoutS = 10;
  const opts: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === '--json') json = true;
    else if (a === '--timeout' || a.startsWith('--timeout=')) {
      const raw = a.includes('=') ? a.slice(a.indexOf('=') + 1) : rest[++i];
      const s = parseDuration(raw);
      if (s === undefined || s <= 0) {
        io.err(`UNKNOWN - --timeout: expected a duration such as 10s, got ${JSON.stringify(raw ?? '')}\n`);
        return EXIT.unknown;
      }
      timeoutS = s;
    } else opts.push(a);
  }
  if (kind.listen) {
    io.err(`UNKNOWN - ${kindName} receives data over time and cannot run as a one-shot check\n`);
    return EXIT.unknown;
  }
  let raw: Record<string, unknown>;
  try {
    raw = optionsToSettings(opts);
  } catch (e) {
    if (e instanceof ArgsError) {
      io.err(`UNKNOWN - ${e.message}\n`);
      return EXIT.unknown;
    }
    throw e;
  }
  const parsed = kind.settings.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `--${i.path.map(String).join('.') || '(settings)'}: ${i.message}`);
    io.err(`UNKNOWN - invalid options\n${lines.join('\n')}\n`);
    return EXIT.unknown;
  }
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(new DOMException('timeout', 'TimeoutError')), timeoutS * 1000);
  const ctx: CheckContext = { signal: ac.signal, timeoutMs: timeoutS * 1000, now: () => performance.now(), wallNow: () => Date.now(), memory: new Map(), sensorId: `cli/${kindName}` };
  let reading: Reading;
  try {
    reading = await kind.check(parsed.data, ctx);
  } catch (e) {
    reading = { channels: [], error: ac.signal.aborted ? 'TIMEOUT' : 'INTERNAL', message: e instanceof Error ? e.message : String(e) };
  } finally {
    clearTimeout(timer);
  }
  const outcome = outcomeOf(reading, kind.channels);
  if (json) {
    io.out(JSON.stringify({ kind: kindName, state: outcome.kind, message: outcome.message, error: reading.error, errorText: reading.error ? lookupError(reading.error).message : undefined, channels: reading.channels, phases: reading.phases }, null, 2) + '\n');
  } else {
    io.out(statusLine(kindName, outcome, reading, kind.channels) + '\n');
  }
  return EXIT[outcome.kind];
}
