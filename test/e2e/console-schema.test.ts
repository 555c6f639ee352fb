// The console's edit forms read the configuration's JSON Schema (GET /api/config/schema): this
// holds the console's schema walk (web/src/schema.ts) to the schema the server really generates,
// for every object type and every sensor kind of the registry, so that neither can drift alone.

import { describe, expect, it } from 'vitest';
import { configJsonSchema } from '../../src/config/schema.ts';
import { SENSOR_KINDS } from '../../src/sensors/registry.ts';
import { entrySchema, fieldKindOf, type JsonSchema } from '../../web/src/schema.ts';

const root = configJsonSchema() as JsonSchema;

describe('console form schema', () => {
  it('finds the settings of every object type', () => {
    const props = (type: string) => Object.keys(entrySchema(root, type)?.properties ?? {});
    expect(props('site')).toEqual(expect.arrayContaining(['name', 'timezone', 'interval', 'probes']));
    expect(props('probe')).toEqual(expect.arrayContaining(['name', 'groups']));
    expect(props('group')).toEqual(expect.arrayContaining(['name', 'system', 'devices', 'groups']));
    expect(props('device')).toEqual(expect.arrayContaining(['name', 'host', 'tags', 'sensors']));
    expect(entrySchema(root, 'nonsense')).toBeUndefined();
  });

  it('finds each sensor kind by its kind, and nothing without one', () => {
    expect(entrySchema(root, 'sensor')).toBeUndefined();
    for (const k of SENSOR_KINDS) {
      const s = entrySchema(root, 'sensor', k.kind);
      expect(s?.properties?.kind?.const ?? s?.properties?.kind?.enum?.[0], k.kind).toBe(k.kind);
    }
    expect(Object.keys(entrySchema(root, 'sensor', 'dicom-echo')?.properties ?? {})).toEqual(expect.arrayContaining(['calledAe', 'port', 'interval']));
  });

  it('edits each setting with the input its type asks for', () => {
    const device = entrySchema(root, 'device')!.properties!;
    expect(fieldKindOf(root, device.host!)).toBe('text');
    expect(fieldKindOf(root, device.tags!)).toBe('list');
    expect(fieldKindOf(root, device.retries!)).toBe('number');
    expect(fieldKindOf(root, device.paused!)).toBe('boolean');
    // "30s" or 30: a duration is typed as text and parsed by the server.
    expect(fieldKindOf(root, device.interval!)).toBe('text');
    expect(fieldKindOf(root, entrySchema(root, 'group')!.properties!.system!)).toBe('choice');
  });
});
