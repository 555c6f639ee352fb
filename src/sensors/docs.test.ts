// The generated reference: settings tables, defaults, channels and limits, the YAML example and the
// CLI help come out of a kind's schema, so they change when the kind changes.

import { parse } from 'yaml';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { describeLimits, formatDuration, optionFlag, renderAllDocs, renderDocsIndex, renderKindExample, renderKindHelp, renderKindMarkdown, settingDocs } from './docs.ts';
import { duration, host, port } from './fields.ts';
import { SENSOR_KINDS } from './registry.ts';
import { defineSensorKind } from './sensor.ts';
import type { AnySensorKind } from './sensor.ts';
import { syntheticKind } from './synthetic/index.ts';

const echoKind = defineSensorKind({
  kind: 'echo-test',
  title: 'Echo test',
  description: 'Sends a line and expects it back. Only for these tests.',
  settings: z.strictObject({
    host,
    port: port(7),
    payload: z.string().describe('Text to send'),
    mode: z.enum(['line', 'raw']).default('line').describe('How to frame the text'),
    wait: duration().default(2).describe('How long to wait for the echo'),
    names: z.array(z.string()).optional().describe('Alternative | names'),
  }),
  channels: [
    { key: 'echoMs', name: 'Echo time', unit: 'ms', primary: true, limits: { upperWarning: 200, upperError: 1000 } },
    { key: 'certDaysLeft', name: 'Days left', unit: 'days', limits: { lowerWarning: 30, lowerError: 7 } },
  ],
  concurrency: 5,
  usesHost: true,
  check: async () => ({ channels: [] }),
}) as unknown as AnySensorKind;

describe('settingDocs', () => {
  it('reads type, default, required and description from the schema', () => {
    expect(settingDocs(echoKind)).toEqual([
      { key: 'host', type: 'text', default: 'the device host', required: false, description: 'Host name or IP address (default: the device host)' },
      { key: 'port', type: 'integer 1–65535', default: '7', required: false, description: 'TCP port (default 7)' },
      { key: 'payload', type: 'text', required: true, description: 'Text to send' },
      { key: 'mode', type: 'one of line, raw', default: 'line', required: false, description: 'How to frame the text' },
      { key: 'wait', type: 'duration', default: '2s', required: false, description: 'How long to wait for the echo' },
      { key: 'names', type: 'list of text', required: false, description: 'Alternative | names' },
    ]);
  });
});

describe('renderKindMarkdown', () => {
  it('renders the synthetic kind exactly', () => {
    expect(renderKindMarkdown(syntheticKind as unknown as AnySensorKind)).toBe(`# Synthetic value (\`synthetic\`)

Generates a deterministic sine wave (and optional failures) without any I/O. For demos, tests and load benchmarks.

## Settings

| Setting | Type | Default | Required | Description |
|---|---|---|---|---|
| \`base\` | number | \`50\` | no | Mean value of the generated channel |
| \`amplitude\` | number ≥ 0 | \`10\` | no | Half the peak-to-peak swing of the wave |
| \`periodS\` | number > 0 | \`600\` | no | Period of the wave in seconds |
| \`failEvery\` | integer ≥ 0 | \`0\` | no | Fail every Nth run (0: never) |
| \`unit\` | one of ms, %, count, value | \`value\` | no | Unit of the generated channel |

## Channels

| Channel | Name | Unit | Default limits | Description |
|---|---|---|---|---|
| \`value\` (primary) | Value | value |  |  |

## Example

In a device's \`sensors:\` list:

\`\`\`yaml
- name: Synthetic value
  kind: synthetic
  # base: 50       # Mean value of the generated channel
  # amplitude: 10  # Half the peak-to-peak swing of the wave
  # periodS: 600   # Period of the wave in seconds
  # failEvery: 0   # Fail every Nth run (0: never)
  # unit: value    # Unit of the generated channel
\`\`\`

## Command line

\`\`\`
${renderKindHelp(syntheticKind as unknown as AnySensorKind)}
\`\`\`
`);
  });

  it('shows default limits and escapes table pipes', () => {
    const md = renderKindMarkdown(echoKind);
    expect(md).toContain('| `echoMs` (primary) | Echo time | ms | > 1000 ms: error; > 200 ms: warning |  |');
    expect(md).toContain('| `certDaysLeft` | Days left | days | < 30 days: warning; < 7 days: error |  |');
    expect(md).toContain('| `names` | list of text |  | no | Alternative \\| names |');
    expect(md).toContain('| `host` | text | the device host | no |');
    expect(md).not.toContain('settings:');
  });

  it('gives an example that is valid YAML with the required settings set', () => {
    const example = renderKindExample(echoKind);
    expect(parse(example)).toEqual([{ name: 'Echo test', kind: 'echo-test', payload: '<payload>' }]);
    expect(example).toContain('  # wait: 2s');
  });
});

describe('renderKindHelp', () => {
  it('lists --option flags with types and defaults, then channels and exit codes', () => {
    expect(renderKindHelp(echoKind)).toBe(`Usage: wardwatch check echo-test --payload <payload> [--option value ...] [--timeout 10s] [--json]

Echo test: Sends a line and expects it back. Only for these tests.

Options:
  --host <text>              Host name or IP address (default: the device host)
  --port <integer 1–65535>   TCP port (default 7)
  --payload <text>           Text to send; required
  --mode <one of line, raw>  How to frame the text; default: line
  --wait <duration>          How long to wait for the echo; default: 2s
  --names <list of text>     Alternative | names
  --timeout <duration>       Longest the check may take; default: 10s
  --json                     Print the result as JSON instead of a status line

Channels:
  echoMs (ms)          Echo time; > 1000 ms: error; > 200 ms: warning
  certDaysLeft (days)  Days left; < 30 days: warning; < 7 days: error

Exit status (Nagios plugin conventions): 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.`);
  });

  it('turns camelCase keys into --kebab-case flags', () => {
    expect(optionFlag('expectStatus')).toBe('--expect-status');
    expect(optionFlag('port')).toBe('--port');
  });
});

describe('index and helpers', () => {
  it('renders one index row per kind with its first sentence', () => {
    expect(renderDocsIndex([echoKind])).toBe(`# Sensor kinds

Generated from the sensor registry (\`src/sensors/registry.ts\`); do not edit by hand.

| Kind | Title | Channels | Description |
|---|---|---|---|
| [\`echo-test\`](echo-test.md) | Echo test | \`echoMs\`, \`certDaysLeft\` | Sends a line and expects it back. |
`);
  });

  it('renders a page for every registered kind', () => {
    const pages = renderAllDocs(SENSOR_KINDS);
    expect([...pages.keys()]).toEqual(['index.md', ...SENSOR_KINDS.map((k) => `${k.kind}.md`)]);
    for (const k of SENSOR_KINDS) expect(pages.get(`${k.kind}.md`)).toContain(`# ${k.title} (\`${k.kind}\`)`);
  });

  it('formats durations and limits', () => {
    expect([7200, 90, 60, 0.25, 86400, 0].map(formatDuration)).toEqual(['2h', '90s', '1m', '250ms', '1d', '0s']);
    expect(describeLimits({ upperWarning: 5, lowerError: 1 }, 'count')).toBe('> 5: warning; < 1: error');
    expect(describeLimits(undefined, 'ms')).toBe('');
  });
});
