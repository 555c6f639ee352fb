// Nagios plugin output: the first line (the status text), the long text, and the performance data
// after `|` — `'label'=value[UOM];[warn];[crit];[min];[max]` per the Nagios plugin development
// guidelines. Broken metrics are reported one by one; the valid ones are kept. Pure functions.

export interface NagiosRange {
  /** Lower bound; undefined for `~` (negative infinity). */
  readonly start?: number;
  /** Upper bound; undefined for "to infinity" (`10:`). */
  readonly end?: number;
  /** `@`: alert when the value is INSIDE the range. */
  readonly inside: boolean;
  readonly text: string;
}

export interface PerfMetric {
  readonly label: string;
  /** undefined when the plugin wrote `U` (value could not be determined). */
  readonly value?: number;
  readonly uom: string;
  readonly warn?: NagiosRange;
  readonly crit?: NagiosRange;
  readonly min?: number;
  readonly max?: number;
}

export interface PluginOutput {
  readonly text: string;
  readonly longText: string;
  readonly metrics: readonly PerfMetric[];
  /** One entry per broken metric, e.g. `'load 1'=abc: value "abc" is not a number`. */
  readonly problems: readonly string[];
}

const NUM = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

/** Splits plugin stdout into text, long text and perfdata (first line after `|`, and after a `|` on a later line). */
export function parsePluginOutput(stdout: string): PluginOutput {
  const lines = stdout.replace(/\r\n/g, '\n').replace(/\n+$/, '').split('\n');
  const first = lines[0] ?? '';
  const bar = first.indexOf('|');
  const text = (bar >= 0 ? first.slice(0, bar) : first).trim();
  const perf: string[] = bar >= 0 ? [first.slice(bar + 1)] : [];
  const long: string[] = [];
  let inPerf = false;
  for (const line of lines.slice(1)) {
    if (inPerf) {
      perf.push(line);
      continue;
    }
    const b = line.indexOf('|');
    if (b >= 0) {
      long.push(line.slice(0, b));
      perf.push(line.slice(b + 1));
      inPerf = true;
    } else long.push(line);
  }
  const { metrics, problems } = parsePerfdata(perf.join(' '));
  return { text, longText: long.join('\n').trim(), metrics, problems };
}

/** Parses a perfdata string; never throws. */
export function parsePerfdata(input: string): { metrics: PerfMetric[]; problems: string[] } {
  const metrics: PerfMetric[] = [];
  const problems: string[] = [];
  let i = 0;
  const n = input.length;
  while (i < n) {
    while (i < n && /\s/.test(input[i]!)) i++;
    if (i >= n) break;
    const start = i;
    let label = '';
    if (input[i] === "'") {
      i++;
      let closed = false;
      while (i < n) {
        if (input[i] === "'") {
          if (input[i + 1] === "'") {
            label += "'";
            i += 2;
            continue;
          }
          i++;
          closed = true;
          break;
        }
        label += input[i];
        i++;
      }
      if (!closed) {
        problems.push(`${input.slice(start).trim()}: the quote of the label is not closed`);
        break;
      }
      if (input[i] !== '=') {
        const end = nextSpace(input, i);
        problems.push(`${input.slice(start, end)}: expected = after the label`);
        i = end;
        continue;
      }
    } else {
      while (i < n && input[i] !== '=' && !/\s/.test(input[i]!)) label += input[i++];
      if (input[i] !== '=') {
        const end = nextSpace(input, i);
        problems.push(`${input.slice(start, end)}: expected label=value`);
        i = end;
        continue;
      }
    }
    i++; // '='
    const end = nextSpace(input, i);
    const token = input.slice(start, end);
    const r = parseValuePart(label, input.slice(i, end));
    if (typeof r === 'string') problems.push(`${token}: ${r}`);
    else metrics.push(r);
    i = end;
  }
  return { metrics, problems };
}

function nextSpace(s: string, from: number): number {
  let i = from;
  while (i < s.length && !/\s/.test(s[i]!)) i++;
  return i;
}

function parseValuePart(label: string, part: string): PerfMetric | string {
  if (label === '') return 'the label is empty';
  const [valueUom = '', warn, crit, min, max, ...extra] = part.split(';');
  if (extra.length > 0 && extra.some((x) => x !== '')) return 'more than five fields';
  let value: number | undefined;
  let uom: string;
  if (valueUom === 'U' || valueUom === 'u') {
    uom = '';
  } else {
    const m = /^([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)(.*)$/.exec(valueUom);
    if (!m) return valueUom === '' ? 'the value is missing' : `value "${valueUom}" is not a number`;
    value = Number(m[1]);
    uom = m[2]!;
  }
  const w = warn ? parseRange(warn) : undefined;
  if (typeof w === 'string') return `warning range ${w}`;
  const c = crit ? parseRange(crit) : undefined;
  if (typeof c === 'string') return `critical range ${c}`;
  if (min && !NUM.test(min)) return `min "${min}" is not a number`;
  if (max && !NUM.test(max)) return `max "${max}" is not a number`;
  return {
    label,
    ...(value !== undefined ? { value } : {}),
    uom,
    ...(w ? { warn: w } : {}),
    ...(c ? { crit: c } : {}),
    ...(min ? { min: Number(min) } : {}),
    ...(max ? { max: Number(max) } : {}),
  };
}

/** `10`, `10:`, `~:10`, `10:20`, `@10:20` (guidelines, "Threshold and ranges"). */
export function parseRange(text: string): NagiosRange | string {
  const inside = text.startsWith('@');
  const body = inside ? text.slice(1) : text;
  const colon = body.indexOf(':');
  const startText = colon >= 0 ? body.slice(0, colon) : '';
  const endText = colon >= 0 ? body.slice(colon + 1) : body;
  let start: number | undefined = 0;
  if (startText === '~') start = undefined;
  else if (startText !== '') {
    if (!NUM.test(startText)) return `"${text}" is not a range`;
    start = Number(startText);
  }
  let end: number | undefined;
  if (endText !== '') {
    if (!NUM.test(endText)) return `"${text}" is not a range`;
    end = Number(endText);
  } else if (colon < 0) return `"${text}" is not a range`;
  if (start !== undefined && end !== undefined && start > end) return `"${text}": start is above end`;
  return { ...(start !== undefined ? { start } : {}), ...(end !== undefined ? { end } : {}), inside, text };
}
