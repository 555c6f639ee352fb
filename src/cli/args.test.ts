import { describe, expect, it } from 'vitest';
import { optionFlag, settingDocs } from '../sensors/docs.ts';
import { SENSOR_KINDS } from '../sensors/registry.ts';
import { ArgsError, camelCase, optionsToSettings } from './args.ts';
import { perfdata, statusLine } from './nagios.ts';

describe('optionsToSettings', () => {
  it('reads typed scalars, flags, lists and dotted names', () => {
    expect(optionsToSettings(['--host', '127.0.0.1', '--port', '104', '--verify', 'false', '--tls.ca', '/etc/ca.pem', '--json-flag', '--codes', '[200, 204]', '--name=a=b'])).toEqual({
      host: '127.0.0.1',
      port: 104,
      verify: false,
      tls: { ca: '/etc/ca.pem' },
      jsonFlag: true,
      codes: [200, 204],
      name: 'a=b',
    });
  });

  it('maps kebab-case option names to the camelCase setting names, and keeps camelCase working', () => {
    expect(optionsToSettings(['--expect-status', '204', '--called-ae', 'PACS', '--tls.ca-file=/ca.pem', '--requestTimeout', '2s'])).toEqual({
      expectStatus: 204,
      calledAe: 'PACS',
      tls: { caFile: '/ca.pem' },
      requestTimeout: '2s',
    });
    expect(optionsToSettings(['--expectStatus', '200'])).toEqual({ expectStatus: 200 });
    expect(camelCase('called-aet')).toBe('calledAet');
  });

  it('reads back every flag the kind help prints as the setting it names', () => {
    for (const kind of SENSOR_KINDS) {
      for (const { key } of settingDocs(kind)) {
        expect(Object.keys(optionsToSettings([optionFlag(key), '1'])), `${kind.kind} ${optionFlag(key)}`).toEqual([key]);
        // `wardwatch check` keeps --json and --timeout for itself.
        expect(['json', 'timeout'], kind.kind).not.toContain(key);
      }
    }
  });

  it('keeps strings that YAML would read as null or a mapping', () => {
    expect(optionsToSettings(['--expect', '~', '--send', 'a: b'])).toEqual({ expect: '~', send: 'a: b' });
  });

  it('names the argument it cannot read', () => {
    expect(() => optionsToSettings(['host'])).toThrow(new ArgsError('unexpected argument "host": options are written --name value'));
    expect(() => optionsToSettings(['--__proto__.x', '1'])).toThrow('invalid option name --__proto__.x');
    expect(() => optionsToSettings(['--tls', 'true', '--tls.ca', 'x'])).toThrow('option --tls.ca conflicts with --tls');
  });
});

describe('nagios output', () => {
  const specs = [
    { key: 'responseTimeMs', name: 'Response time', unit: 'ms' as const, limits: { upperWarning: 200, upperError: 1000 } },
    { key: 'certDaysLeft', name: 'Days left', unit: 'days' as const, limits: { lowerWarning: 30, lowerError: 7 } },
    { key: 'lossPct', name: 'Loss', unit: '%' as const },
  ];
  it('writes perfdata with units and thresholds', () => {
    const reading = { channels: [{ key: 'responseTimeMs', value: 12.3456 }, { key: 'certDaysLeft', value: 20 }, { key: 'lossPct', value: 0 }, { key: 'odd label', value: 1 }] };
    expect(perfdata(reading, specs)).toBe("responseTimeMs=12.346ms;200;1000;; certDaysLeft=20;30:;7:;; lossPct=0%;;;; 'odd label'=1;;;;");
  });
  it('writes one status line and keeps the pipe out of the message', () => {
    const line = statusLine('http', { kind: 'failure', code: 'HTTP_STATUS', message: 'HTTP 503 | down' }, { channels: [{ key: 'responseTimeMs', value: 5 }] }, specs);
    expect(line).toBe('WARDWATCH HTTP CRITICAL - HTTP 503 / down | responseTimeMs=5ms;200;1000;;');
  });
});
