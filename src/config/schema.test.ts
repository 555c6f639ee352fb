// The schema is generated from the registry: whatever kinds are registered, each one is accepted,
// strict about its keys, listed in the unknown-kind message and present in the JSON Schema.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { SENSOR_ENTRY_KEYS } from '../sensors/docs.ts';
import { SENSOR_KINDS, kindNames } from '../sensors/registry.ts';
import { TEST_KINDS, clashingKind } from './__fixtures__/kinds.ts';
import { treeToDocument } from './export.ts';
import { formatConfigError, loadConfigFile, parseConfig } from './load.ts';
import type { AnySensorKind } from '../sensors/sensor.ts';
import { COMMON_SENSOR_KEYS, buildConfigSchema, configJsonSchema, settingsShape } from './schema.ts';

const oneSensor = (entry: string) => `sites:
  - name: S
    probes:
      - name: P
        groups:
          - name: G
            devices:
              - name: D
                host: 127.0.0.1
                sensors:
                  - ${entry}
`;
const sensorPath = 'sites[0].probes[0].groups[0].devices[0].sensors[0]';

describe('schema generated from the registry', () => {
  it('names every registered kind when the kind is unknown', () => {
    const r = parseConfig(oneSensor('{ name: X, kind: no-such-kind }'), 'h.yaml');
    expect(r.ok ? [] : r.errors.map(formatConfigError)).toEqual([`h.yaml:11:38 ${sensorPath}.kind: unknown sensor kind: expected one of ${kindNames().join(', ')}, got "no-such-kind"`]);
  });

  for (const kind of SENSOR_KINDS) {
    it(`${kind.kind}: accepted by kind, strict about unknown keys`, () => {
      const r = parseConfig(oneSensor(`{ name: X, zzzUnknownKey: 1, kind: ${kind.kind} }`), 'h.yaml');
      expect(r.ok).toBe(false);
      if (r.ok) return;
      const lines = r.errors.map(formatConfigError);
      if (settingsShape(kind.settings)) expect(lines).toContain(`h.yaml:11:32 ${sensorPath}.zzzUnknownKey: unknown key "zzzUnknownKey"`);
      // Whatever else is wrong (required settings), the kind itself was recognised.
      expect(lines.some((l) => l.includes('unknown sensor kind'))).toBe(false);
    });
  }

  it('lists every registered kind in the JSON Schema, with the kind settings inline', () => {
    const text = JSON.stringify(configJsonSchema());
    for (const kind of SENSOR_KINDS) {
      expect(text).toContain(`"const":"${kind.kind}"`);
      for (const key of Object.keys(settingsShape(kind.settings) ?? {})) expect(text).toContain(`"${key}":`);
    }
  });

  it('describes durations in the JSON Schema as a number of seconds or a text such as 30s', () => {
    const schema = configJsonSchema(TEST_KINDS) as { properties: { defaults: { properties: { interval: unknown } } } };
    expect(schema.properties.defaults.properties.interval).toEqual({
      description: 'Time between two checks',
      anyOf: [{ type: 'number', minimum: 0 }, { type: 'string', pattern: '^\\d+(\\.\\d+)?\\s*(ms|s|m|h|d)$' }],
    });
  });

  it('refuses to build when a kind declares a setting named like a common sensor field', () => {
    const kinds = [...TEST_KINDS, clashingKind as unknown as AnySensorKind];
    expect(() => buildConfigSchema(kinds)).toThrow(
      'sensor kind "clashing" declares setting "timeout", which is a common sensor key: rename it in the kind (common keys: name, id, description, interval, timeout, retries, credentials, tags, dependsOn, maintenance, paused, channels, kind)',
    );
    expect(() => parseConfig('sites: []', 'h.yaml', { kinds })).toThrow('sensor kind "clashing" declares setting "timeout"');
  });

  it('no registered kind has a setting named like a common sensor field', () => {
    for (const kind of SENSOR_KINDS) expect(Object.keys(settingsShape(kind.settings) ?? {}).filter((k) => COMMON_SENSOR_KEYS.has(k)), kind.kind).toEqual([]);
    expect(() => buildConfigSchema()).not.toThrow();
  });

  it('agrees with the docs on the keys a sensor entry uses itself', () => {
    expect([...SENSOR_ENTRY_KEYS].sort()).toEqual([...COMMON_SENSOR_KEYS].sort());
  });

  it('names no concrete sensor kind in the config code', () => {
    const dir = import.meta.dirname;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
      const source = readFileSync(join(dir, file), 'utf8');
      for (const kind of kindNames()) expect(source, `${file} mentions ${kind}`).not.toMatch(new RegExp(`['"\`]${kind}['"\`]`));
    }
  });
});

describe('the examples', () => {
  const examples = join(import.meta.dirname, '..', '..', 'examples');
  for (const file of readdirSync(examples).filter((f) => f.endsWith('.yaml'))) {
    it(`${file} loads with the registry`, async () => {
      const r = await loadConfigFile(join(examples, file));
      expect(r.ok ? 'ok' : r.errors.map(formatConfigError).join('\n')).toBe('ok');
      expect(r.ok && r.warnings).toEqual([]);
      // Exporting the running config gives a file that loads into the same tree.
      if (!r.ok) return;
      const again = parseConfig(stringify(treeToDocument(r.tree)), file);
      expect(again.ok && again.tree).toEqual(r.tree);
    });
  }
});
