// Sensor kinds for the config loader's tests, so that the expected messages do not change when
// the registry grows: a host/port kind with a kind-level rule, a kind with channels found at run
// time, a name lookup with a required setting, and a kind whose `timeout` setting clashes with a
// common sensor field (the schema must refuse it).

import { z } from 'zod';
import { host, port } from '../../sensors/fields.ts';
import { defineSensorKind } from '../../sensors/sensor.ts';
import type { AnySensorKind } from '../../sensors/sensor.ts';
import { syntheticKind } from '../../sensors/synthetic/index.ts';

const noCheck = async () => ({ channels: [] });

export const portcheckKind = defineSensorKind({
  kind: 'portcheck',
  title: 'Port check',
  description: 'Connects to a TCP port. Test kind.',
  settings: z
    .strictObject({
      host,
      port: port(),
      send: z.string().optional().describe('Text to send'),
      expect: z.string().optional().describe('Text expected back'),
    })
    .refine((s) => s.expect === undefined || s.send !== undefined, { error: 'expect needs send', path: ['expect'] }),
  channels: [{ key: 'connectTimeMs', name: 'Connect time', unit: 'ms', primary: true, limits: { upperWarning: 500 } }],
  concurrency: 10,
  usesHost: true,
  check: noCheck,
});

export const discoverKind = {
  ...defineSensorKind({
    kind: 'discover',
    title: 'Discovered values',
    description: 'Reports whatever values it finds. Test kind.',
    settings: z.strictObject({ command: z.string() }),
    channels: [],
    concurrency: 10,
    usesHost: false,
    check: noCheck,
  }),
  dynamicChannels: true,
};

export const lookupKind = defineSensorKind({
  kind: 'lookup',
  title: 'Name lookup',
  description: 'Resolves a name. Test kind.',
  settings: z.strictObject({ host, query: z.string().regex(/^[a-z0-9.-]+$/, { error: 'expected a DNS name' }), tries: z.number().int().default(2) }),
  channels: [{ key: 'responseTimeMs', name: 'Response time', unit: 'ms' }],
  concurrency: 10,
  usesHost: true,
  check: noCheck,
});

/** Not in TEST_KINDS: its `timeout` setting has the name of a common sensor field. */
export const clashingKind = defineSensorKind({
  kind: 'clashing',
  title: 'Clashing settings',
  description: 'Declares a setting named like a common sensor field. Test kind.',
  settings: z.strictObject({ host, timeout: z.number().optional() }),
  channels: [],
  concurrency: 10,
  usesHost: true,
  check: noCheck,
});

export const TEST_KINDS = [syntheticKind, portcheckKind, discoverKind, lookupKind] as unknown as readonly AnySensorKind[];
