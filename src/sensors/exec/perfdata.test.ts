import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { channelKey, metricsToChannels } from './channels.ts';
import { parsePerfdata, parsePluginOutput, parseRange } from './perfdata.ts';

const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');

describe('Nagios plugin output', () => {
  it('takes perfdata from the first line and from the lines after a later |', () => {
    const out = parsePluginOutput(fixture('multiline.txt'));
    expect(out.text).toBe('DISK OK - free space: / 3326 MB (56%);');
    expect(out.longText).toBe('/ 15272 MB (77%);\n/boot 68 MB (69%);\n/home 69357 MB (27%);\n/var/log 819 MB (84%);');
    expect(out.metrics.map((m) => m.label)).toEqual(['/', '/boot', '/home', '/var/log']);
    expect(out.problems).toEqual([]);
    const { channels } = metricsToChannels(out.metrics);
    expect(channels.map((c) => c.key)).toEqual(['root', 'boot', 'home', 'varLog']);
    expect(channels[0]).toEqual({ key: 'root', value: 2643 * 1024 ** 2, unit: 'bytes', name: '/', limits: { upperWarning: 5948 * 1024 ** 2, lowerWarning: 0, upperError: 5958 * 1024 ** 2, lowerError: 0 } });
  });

  it('handles quoted labels with spaces and \'\' escapes, many spaces, every UOM and range forms', () => {
    const out = parsePluginOutput(fixture('quoted.txt'));
    expect(out.problems).toEqual([]);
    expect(out.metrics).toEqual([
      { label: 'label with spaces', value: 12, uom: 'ms', warn: { start: 0, end: 100, inside: false, text: '100' }, crit: { start: 0, end: 200, inside: false, text: '200' }, min: 0, max: 1000 },
      { label: "it's quoted", value: 5, uom: '%', warn: { start: 80, inside: false, text: '80:' }, crit: { end: 90, inside: false, text: '~:90' } },
      { label: 'time', value: 0.001234, uom: 's', min: 0 },
      { label: 'size', value: 1.5, uom: 'KB' },
      { label: 'c', value: 42, uom: 'c' },
    ]);
    const { channels } = metricsToChannels(out.metrics);
    expect(channels).toEqual([
      { key: 'labelWithSpaces', value: 12, unit: 'ms', name: 'label with spaces', limits: { upperWarning: 100, lowerWarning: 0, upperError: 200, lowerError: 0 } },
      { key: 'itSQuoted', value: 5, unit: '%', name: "it's quoted", limits: { lowerWarning: 80, upperError: 90 } },
      { key: 'time', value: 0.001234, unit: 's', name: 'time' },
      { key: 'size', value: 1536, unit: 'bytes', name: 'size' },
      { key: 'c', value: 42, unit: 'count', name: 'c' },
    ]);
  });

  it('keeps the valid metrics of broken perfdata and says exactly what is wrong with the rest', () => {
    const out = parsePluginOutput(fixture('broken.txt'));
    expect(out.metrics.map((m) => m.label)).toEqual(['temp', 'ok']);
    expect(out.problems).toEqual([
      'bad=abc: value "abc" is not a number',
      '=5: the label is empty',
      'novalue=: the value is missing',
      "'x'y=1: expected = after the label",
      'range=5;9:1: warning range "9:1": start is above end',
      'lonely: expected label=value',
      "'unclosed=3: the quote of the label is not closed",
    ]);
    const { channels, notes } = metricsToChannels(out.metrics);
    expect(channels[0]).toEqual({ key: 'temp', value: 78.5, unit: 'value', name: 'temp', limits: { upperWarning: 60, lowerWarning: 0, upperError: 70, lowerError: 0 } });
    expect(notes).toEqual(['temp: unknown unit "C" (kept as a plain value)']);
  });

  it('parses every range form of the guidelines', () => {
    expect(parseRange('10')).toEqual({ start: 0, end: 10, inside: false, text: '10' });
    expect(parseRange('10:')).toEqual({ start: 10, inside: false, text: '10:' });
    expect(parseRange('~:10')).toEqual({ end: 10, inside: false, text: '~:10' });
    expect(parseRange('10:20')).toEqual({ start: 10, end: 20, inside: false, text: '10:20' });
    expect(parseRange('@10:20')).toEqual({ start: 10, end: 20, inside: true, text: '@10:20' });
    expect(parseRange('-5.5:-1')).toEqual({ start: -5.5, end: -1, inside: false, text: '-5.5:-1' });
    expect(parseRange('x')).toBe('"x" is not a range');
  });

  it('keeps @ ranges as text and converts microseconds', () => {
    const { metrics } = parsePerfdata('lat=1500us;@1000:2000;3000');
    const r = metricsToChannels(metrics);
    expect(r.channels).toEqual([{ key: 'lat', value: 1.5, unit: 'ms', name: 'lat', limits: { upperError: 3, lowerError: 0 } }]);
    expect(r.notes).toEqual(['lat: warning range @1000:2000 alerts inside the range (kept as text)']);
  });

  it('skips U values and makes keys unique', () => {
    const { metrics, problems } = parsePerfdata("a=U 'rta'=1ms rta=2ms 1min=0.5");
    expect(problems).toEqual([]);
    expect(metricsToChannels(metrics).channels.map((c) => c.key)).toEqual(['rta', 'rta2', 'm1min']);
  });

  it('derives camelCase keys', () => {
    expect(channelKey('time to first byte')).toBe('timeToFirstByte');
    expect(channelKey('/var/lib/orthanc')).toBe('varLibOrthanc');
    expect(channelKey('Load-5')).toBe('load5');
    expect(channelKey('%%')).toBe('value');
  });

  it('plain text without perfdata', () => {
    expect(parsePluginOutput('PING OK\n')).toEqual({ text: 'PING OK', longText: '', metrics: [], problems: [] });
  });
});
