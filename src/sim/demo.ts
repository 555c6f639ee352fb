// The built-in demo hospital: starts simulated devices in this process (web applications and the
// protocol simulators), and describes them, plus this machine's own loopback services, as a
// Wardwatch configuration. A newcomer who starts Wardwatch without a config sees a living tree.

import { stringify } from 'yaml';
import { startWebApp, type WebApp } from './web-app.ts';
import { closedPort } from './closed-port.ts';

export interface DemoHospital {
  /** The configuration, as YAML, pointing at the simulators' ports. */
  readonly yaml: string;
  close(): Promise<void>;
}

type Sensor = Record<string, unknown> & { name: string; kind: string };
interface Device {
  name: string;
  host: string;
  dependsOn?: string;
  sensors: Sensor[];
}
interface Group {
  name: string;
  system: string;
  devices: Device[];
}

export async function startDemoHospital(): Promise<DemoHospital> {
  const started: { close(): Promise<void> }[] = [];
  try {
    const his: WebApp = await startWebApp({ name: 'HIS portal' });
    started.push(his);
    const lis: WebApp = await startWebApp({ name: 'LIS web front end', slowMs: 400 });
    started.push(lis);
    const offline = await closedPort();

    const site = 'st-elsewhere-general';
    const probe = `${site}/local-probe`;
    const groups: Group[] = [
      {
        name: 'Network',
        system: 'network',
        devices: [
          {
            name: 'Core switch (loopback)',
            host: '127.0.0.1',
            sensors: [{ name: 'Ping', kind: 'ping' }],
          },
          {
            name: 'This server',
            host: '127.0.0.1',
            dependsOn: `${probe}/network/core-switch-loopback/ping`,
            sensors: [
              { name: 'PostgreSQL', kind: 'tcp', port: 5432 },
              { name: 'NATS', kind: 'tcp', port: 4222 },
              { name: 'Mosquitto MQTT', kind: 'tcp', port: 1883 },
            ],
          },
        ],
      },
      {
        name: 'HIS',
        system: 'HIS',
        devices: [
          {
            name: 'HIS application server',
            host: '127.0.0.1',
            sensors: [
              { name: 'Portal health', kind: 'http', url: `${his.url}/health`, jsonPath: 'status', jsonExpect: 'ok' },
              { name: 'Login page', kind: 'http', url: `${his.url}/`, keyword: 'Sign in' },
            ],
          },
        ],
      },
      {
        name: 'LIMS',
        system: 'LIMS',
        devices: [
          {
            name: 'LIS web front end',
            host: '127.0.0.1',
            sensors: [
              { name: 'Result viewer', kind: 'http', url: `${lis.url}/slow`, channels: { responseTimeMs: { limits: { upperWarning: 300, upperError: 5000, upperWarningMessage: 'The result viewer is slow: clinicians wait for lab results' } } } },
            ],
          },
        ],
      },
      {
        name: 'Modalities',
        system: 'modality',
        devices: [
          {
            name: 'MR-02 (powered off)',
            host: '127.0.0.1',
            sensors: [{ name: 'DICOM port', kind: 'tcp', port: offline, retries: 1 }],
          },
        ],
      },
      {
        name: 'Wards',
        system: 'other',
        devices: [
          {
            name: 'Pharmacy fridge 3',
            host: '127.0.0.1',
            sensors: [
              { name: 'Temperature', kind: 'synthetic', base: 5, amplitude: 2.5, periodS: 900, interval: '15s', channels: { value: { name: 'Temperature', limits: { upperWarning: 7, upperError: 8, lowerWarning: 3, lowerError: 2, upperWarningMessage: 'Fridge above 7 °C: check the door', upperErrorMessage: 'Fridge above 8 °C: vaccines at risk, move them now' } } } },
            ],
          },
        ],
      },
    ];

    const doc = {
      defaults: { interval: '30s', timeout: '5s', retries: 1 },
      sites: [{ name: 'St. Elsewhere General', timezone: 'Europe/Berlin', probes: [{ name: 'Local probe', groups }] }],
    };
    const yaml = `# The built-in demo hospital: simulated devices on 127.0.0.1 plus this machine's own services.\n${stringify(doc)}`;
    return {
      yaml,
      close: async () => {
        for (const s of started.reverse()) await s.close();
      },
    };
  } catch (e) {
    for (const s of started.reverse()) await s.close().catch(() => undefined);
    throw e;
  }
}
