// The loader's error messages, asserted exactly: one bad file per mistake a person makes in a
// config (fixtures in __fixtures__/bad), and a good file whose tree is checked level by level.

import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveSettings } from '../core/tree.ts';
import type { Tree } from '../core/tree.ts';
import { TEST_KINDS } from './__fixtures__/kinds.ts';
import { formatConfigError, loadConfigFile, parseConfig } from './load.ts';

const fixtures = join(import.meta.dirname, '__fixtures__');

/** Every bad fixture and exactly what the loader says about it. */
const EXPECTED: Record<string, readonly string[]> = {
  'bad-duration.yaml': [
    "bad-duration.yaml:1:23 defaults.interval: expected a duration such as 30s, 5m or 2h (at least 1s), got \"30 sec\"",
    "bad-duration.yaml:1:40 defaults.timeout: expected a duration such as 30s, 5m or 2h (at least 0.1s), got 0",
    "bad-duration.yaml:10:23 sites[0].probes[0].groups[0].interval: expected a duration such as 30s, 5m or 2h (at least 1s), got \"-5m\"",
  ],
  'bad-limits.yaml': [
    "bad-limits.yaml:17:48 sites[0].probes[0].groups[0].devices[0].sensors[0].channels.connectTimeMs.limits: upperWarning (500) must not be above upperError (200)",
  ],
  'bad-maintenance.yaml': [
    "bad-maintenance.yaml:2:27 maintenance[0].cron: expected a cron expression such as \"0 3 1 * *\", got \"0 3 32 * *\"",
    "bad-maintenance.yaml:3:5 maintenance[1]: expected exactly one of once, weekly or cron, got once and weekly",
    "bad-maintenance.yaml:3:49 maintenance[1].weekly.start: expected a time such as 02:00, got \"2:00\"",
    "bad-maintenance.yaml:3:113 maintenance[1].once.end: end must be after start",
    "bad-maintenance.yaml:4:5 maintenance[2]: expected exactly one of once, weekly or cron, got none",
    "bad-maintenance.yaml:5:5 maintenance[3].duration: missing required key \"duration\" (a cron window needs a duration)",
  ],
  'bad-system.yaml': [
    "bad-system.yaml:8:21 sites[0].probes[0].groups[0].system: expected one of HIS, LIMS, RIS, PACS, modality, interface-engine, network, other, got \"Radiology\"",
  ],
  'bad-timezone.yaml': [
    "bad-timezone.yaml:2:85 maintenance[0].timezone: unknown time zone \"Europe/Berln\" (use an IANA name such as Europe/Berlin or UTC)",
    "bad-timezone.yaml:5:15 sites[0].timezone: unknown time zone \"Mars/Olympus_Mons\" (use an IANA name such as Europe/Berlin or UTC)",
  ],
  'cycle.yaml': [
    "cycle.yaml:12:28 sites[0].probes[0].groups[0].devices[0].dependsOn: dependency cycle: st-elsewhere-general/local-probe/network/core-switch/ping → st-elsewhere-general/local-probe/network/firewall/ping → st-elsewhere-general/local-probe/network/core-switch/ping",
    "cycle.yaml:23:32 sites[0].probes[0].groups[0].devices[1].sensors[1].dependsOn: a sensor cannot depend on itself",
  ],
  'duplicate-ids.yaml': [
    "duplicate-ids.yaml:12:23 sites[0].probes[0].groups[0].devices[1].name: duplicate id \"st-elsewhere-general/local-probe/pacs/pacs-archive\" (also at duplicate-ids.yaml:10:23 sites[0].probes[0].groups[0].devices[0].name)",
    "duplicate-ids.yaml:15:21 sites[0].probes[0].groups[0].devices[2].id: duplicate id \"st-elsewhere-general/local-probe/pacs/pacs-archive\" (also at duplicate-ids.yaml:10:23 sites[0].probes[0].groups[0].devices[0].name)",
  ],
  'empty.yaml': [
    "empty.yaml:1:1 the file is empty: expected a mapping with at least \"sites\"",
  ],
  'kind-rule.yaml': [
    "kind-rule.yaml:13:69 sites[0].probes[0].groups[0].devices[0].sensors[0].expect: expect needs send",
  ],
  'many.yaml': [
    "many.yaml:1:22 defaults.retries: expected an integer ≥ 0, got -1",
    "many.yaml:1:34 defaults.paused: expected true or false, got \"no\"",
    "many.yaml:8:29 sites[0].probes[0].groups[0].tags[1]: expected a tag (letters, digits, \".\", \"_\", \":\", \"-\"), got \"bad tag\"",
    "many.yaml:10:23 sites[0].probes[0].groups[0].devices[0].name: expected a name, got an empty string",
    "many.yaml:11:23 sites[0].probes[0].groups[0].devices[0].host: expected a host name or IP address, got \"pacs archive\"",
    "many.yaml:12:26 sites[0].probes[0].groups[0].devices[0].sensors: expected a list, got a mapping",
  ],
  'missing-name.yaml': [
    "missing-name.yaml:10:17 sites[0].probes[0].groups[0].devices[0].name: missing required key \"name\"",
  ],
  'missing-port.yaml': [
    "missing-port.yaml:14:21 sites[0].probes[0].groups[0].devices[0].sensors[1].port: missing required key \"port\"",
  ],
  'missing-setting.yaml': [
    "missing-setting.yaml:13:21 sites[0].probes[0].groups[0].devices[0].sensors[0].query: missing required key \"query\"",
  ],
  'not-a-mapping.yaml': [
    "not-a-mapping.yaml:1:1 expected a mapping with at least \"sites\" at the top level, got a list",
  ],
  'syntax.yaml': [
    "syntax.yaml:4:5 invalid YAML: flow sequence in block collection must be sufficiently indented and end with a ] (check the indentation)",
  ],
  'tabs.yaml': [
    "tabs.yaml:3:1 invalid YAML: tabs are not allowed as indentation (indent with spaces)",
  ],
  'unknown-channel.yaml': [
    "unknown-channel.yaml:17:23 sites[0].probes[0].groups[0].devices[0].sensors[0].channels.conectTimeMs: unknown channel \"conectTimeMs\" (did you mean \"connectTimeMs\"?); portcheck has connectTimeMs",
    "unknown-channel.yaml:18:23 sites[0].probes[0].groups[0].devices[0].sensors[0].channels.responseMs: unknown channel \"responseMs\"; portcheck has connectTimeMs",
  ],
  'unknown-credential.yaml': [
    "unknown-credential.yaml:11:26 sites[0].probes[0].groups[0].credentials: unknown credential \"pacs-snpm\" (did you mean \"pacs-snmp\"?)",
  ],
  'unknown-dependson.yaml': [
    "unknown-dependson.yaml:16:24 sites[0].probes[0].groups[1].dependsOn: unknown sensor \"st-elsewhere-general/local-probe/network/core-switch/png\" (did you mean \"st-elsewhere-general/local-probe/network/core-switch/ping\"?)",
    "unknown-dependson.yaml:20:28 sites[0].probes[0].groups[1].devices[0].dependsOn: \"st-elsewhere-general/local-probe/network/core-switch\" is a device, not a sensor: dependsOn names a sensor",
  ],
  'unknown-key.yaml': [
    "unknown-key.yaml:12:17 sites[0].probes[0].groups[0].devices[0].hots: unknown key \"hots\" (did you mean \"host\"?)",
    "unknown-key.yaml:16:21 sites[0].probes[0].groups[0].devices[0].sensors[0].prot: unknown key \"prot\" (did you mean \"port\"?)",
    "unknown-key.yaml:18:21 sites[0].probes[0].groups[0].devices[0].sensors[0].intervall: unknown key \"intervall\" (did you mean \"interval\"?)",
  ],
  'unknown-kind.yaml': [
    "unknown-kind.yaml:14:27 sites[0].probes[0].groups[0].devices[0].sensors[0].kind: unknown sensor kind: expected one of synthetic, portcheck, discover, lookup, got \"tcpp\"",
    "unknown-kind.yaml:16:21 sites[0].probes[0].groups[0].devices[0].sensors[1].kind: missing required key \"kind\" (expected one of synthetic, portcheck, discover, lookup)",
  ],
  'unknown-maintenance.yaml': [
    "unknown-maintenance.yaml:11:39 sites[0].probes[0].groups[0].maintenance[1]: unknown maintenance window \"pacs-ptch\" (did you mean \"pacs-patch\"?)",
  ],
  'wrong-port.yaml': [
    "wrong-port.yaml:17:27 sites[0].probes[0].groups[1].devices[0].sensors[0].port: expected integer 1–65535, got \"abc\"",
  ],
};

function loadGood(): Tree {
  const r = parseConfig(readFileSync(join(fixtures, 'good', 'hospital.yaml'), 'utf8'), 'hospital.yaml', { kinds: TEST_KINDS });
  if (!r.ok) throw new Error(r.errors.map(formatConfigError).join('\n'));
  return r.tree;
}

describe('bad config files', () => {
  it('has an expectation for every fixture and a fixture for every expectation', async () => {
    const files = (await readdir(join(fixtures, 'bad'))).filter((f) => f.endsWith('.yaml')).sort();
    expect(files).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const [file, lines] of Object.entries(EXPECTED)) {
    it(`${file}: ${lines[0]?.replace(/^\S+ /, '') ?? ''}`, () => {
      const r = parseConfig(readFileSync(join(fixtures, 'bad', file), 'utf8'), file, { kinds: TEST_KINDS });
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.errors.map(formatConfigError)).toEqual(lines);
    });
  }

  it('reports structured errors with file, line, column and path', () => {
    const r = parseConfig(readFileSync(join(fixtures, 'bad', 'wrong-port.yaml'), 'utf8'), 'hospital.yaml', { kinds: TEST_KINDS });
    expect(r).toEqual({
      ok: false,
      errors: [{ file: 'hospital.yaml', line: 17, column: 27, path: 'sites[0].probes[0].groups[1].devices[0].sensors[0].port', message: 'expected integer 1–65535, got "abc"' }],
    });
  });

  it('says when the file cannot be read', async () => {
    const r = await loadConfigFile(join(fixtures, 'no-such-file.yaml'), { kinds: TEST_KINDS });
    expect(r.ok ? [] : r.errors.map(formatConfigError)).toEqual([`${join(fixtures, 'no-such-file.yaml')}:1:1 cannot read the file: file not found`]);
  });
});

describe('a good config file', () => {
  it('loads with the expected ids, in document order', () => {
    const tree = loadGood();
    expect(tree.roots).toEqual(['st-elsewhere-general', 'clinic-nord']);
    expect(tree.nodes.get('st-elsewhere-general/local-probe/pacs')?.children).toEqual(['st-elsewhere-general/local-probe/pacs/arch', 'st-elsewhere-general/local-probe/pacs/viewer']);
    expect([...tree.nodes.values()].filter((n) => n.type === 'sensor').map((n) => n.id)).toEqual([
      'st-elsewhere-general/local-probe/network/core-switch/ping',
      'st-elsewhere-general/local-probe/pacs/arch/pacs-archive/dicom-port',
      'st-elsewhere-general/local-probe/pacs/arch/pacs-archive/worklist-port',
      'st-elsewhere-general/local-probe/pacs/viewer/resolve-viewer',
      'st-elsewhere-general/local-probe/pacs/viewer/plugins',
    ]);
  });

  it('inherits settings downwards and lets every level override them', () => {
    const tree = loadGood();
    expect(resolveSettings(tree, 'st-elsewhere-general/local-probe/pacs/arch/pacs-archive/dicom-port')).toEqual({
      intervalS: 30,
      timeoutS: 5,
      retries: 1,
      credentials: 'pacs-snmp',
      dependsOn: 'st-elsewhere-general/local-probe/network/core-switch/ping',
      tags: ['hospital', 'imaging', 'dicom'],
      maintenance: ['monthly-reboot', 'pacs-patch'],
      paused: false,
      timezone: 'Europe/Berlin',
    });
    expect(resolveSettings(tree, 'st-elsewhere-general/local-probe/pacs/viewer/plugins')).toMatchObject({ intervalS: 120, timeoutS: 10, retries: 3, maintenance: ['monthly-reboot'] });
    expect(resolveSettings(tree, 'st-elsewhere-general/local-probe/pacs/arch/pacs-archive/worklist-port').paused).toBe(true);
    expect(resolveSettings(tree, 'st-elsewhere-general/local-probe/network/core-switch/ping')).toMatchObject({ intervalS: 120, tags: ['hospital'] });
    expect(resolveSettings(tree, 'clinic-nord/remote-probe/lab')).toMatchObject({ intervalS: 60, timezone: 'UTC' });
  });

  it('parses kind settings with the kind\'s schema, host filled from the device', () => {
    const tree = loadGood();
    const sensor = (id: string) => {
      const n = tree.nodes.get(`st-elsewhere-general/local-probe/pacs/${id}`);
      return n?.type === 'sensor' ? n : undefined;
    };
    expect(sensor('arch/pacs-archive/dicom-port')?.kindSettings).toEqual({ host: '127.0.0.1', port: 104 });
    expect(sensor('arch/pacs-archive/worklist-port')?.kindSettings).toEqual({ host: '127.0.0.2', port: 105 });
    expect(sensor('viewer/resolve-viewer')).toMatchObject({ name: 'Resolve viewer', kindSettings: { host: 'viewer.example', query: 'viewer.example', tries: 2 } });
    expect(sensor('viewer/plugins')?.kindSettings).toEqual({ command: 'list-plugins' });
    expect(sensor('arch/pacs-archive/dicom-port')?.channels).toEqual({ connectTimeMs: { limits: { upperWarning: 200, upperWarningMessage: 'slow' } } });
    expect(sensor('arch/pacs-archive/worklist-port')?.description).toBe('Paused until the new worklist server is live');
  });

  it('keeps groups\' clinical systems, maintenance windows and credentials', () => {
    const tree = loadGood();
    expect(tree.nodes.get('clinic-nord/remote-probe/lab')).toMatchObject({ type: 'group', system: 'LIMS' });
    expect([...tree.maintenance.values()]).toEqual([
      { name: 'pacs-patch', schedule: { type: 'weekly', days: ['sun'], start: '02:00', durationMin: 120 }, timezone: 'Europe/Berlin' },
      { name: 'migration', schedule: { type: 'once', start: '2026-12-01T22:00', end: '2026-12-02T02:00' } },
      { name: 'monthly-reboot', schedule: { type: 'cron', cron: '0 3 1 * *', durationMin: 90 } },
    ]);
    expect([...tree.credentials.values()]).toEqual([{ name: 'pacs-snmp', type: 'snmp' }]);
    expect(tree.defaults).toEqual({ intervalS: 60, timeoutS: 10, retries: 1, tags: ['hospital'] });
  });

  it('warns (and keeps the override) for a channel a dynamic kind may discover', () => {
    const r = parseConfig(readFileSync(join(fixtures, 'good', 'hospital.yaml'), 'utf8'), 'hospital.yaml', { kinds: TEST_KINDS });
    expect(r.ok && r.warnings).toEqual([
      'hospital.yaml:63:33 sites[0].probes[0].groups[1].devices[0].sensors[1].channels.pluginCount: channel "pluginCount" is not one of the default channels; discover has no fixed channels (kept: this kind discovers channels when it runs)',
    ]);
  });

  it('accepts anchors and merge keys to share settings', () => {
    const anchored = parseConfig(`sites:
  - name: S
    probes:
      - name: P
        groups:
          - name: G
            devices:
              - name: D
                host: 10.0.0.1
                sensors:
                  - &dicom { kind: portcheck, port: 104, interval: 30s, name: A }
                  - { <<: *dicom, name: B, port: 11112 }
`, 'h.yaml', { kinds: TEST_KINDS });
    if (!anchored.ok) throw new Error(anchored.errors.map(formatConfigError).join('\n'));
    const b = anchored.tree.nodes.get('s/p/g/d/b');
    expect(b?.type === 'sensor' && [b.kindSettings, b.settings]).toEqual([{ host: '10.0.0.1', port: 11112 }, { intervalS: 30 }]);
  });
});
