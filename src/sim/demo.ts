// The built-in demo hospital: starts simulated devices in this process (web applications and the
// protocol simulators), and describes them, plus this machine's own loopback services, as a
// Wardwatch configuration. A newcomer who starts Wardwatch without a config sees a living tree.

import { stringify } from 'yaml';
import { startWebApp } from './web-app.ts';
import { closedPort } from './closed-port.ts';
import { startLegacyDevice } from './legacy-device.ts';
import { startPagerGateway } from './pager-gateway.ts';
import { startDicomSimulator } from './dicom/index.ts';
import { startHl7Endpoint } from './hl7/index.ts';
import { startFhirStub } from './fhir/index.ts';
import { startSnmpAgent } from './snmp/index.ts';

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
    const start = async <T extends { close(): Promise<void> }>(p: Promise<T>): Promise<T> => {
      const v = await p;
      started.push(v);
      return v;
    };
    const his = await start(startWebApp({ name: 'HIS portal' }));
    const lis = await start(startWebApp({ name: 'LIS web front end', slowMs: 400 }));
    const pacs = await start(startDicomSimulator({ policy: 'accept-listed', calledAeTitles: ['PACS', 'RIS'] }));
    const ct = await start(startDicomSimulator({ policy: 'accept-any' }));
    const us = await start(startDicomSimulator({ policy: 'accept-listed', calledAeTitles: ['US03'] }));
    const engine = await start(startHl7Endpoint({}));
    const lisInbound = await start(startHl7Endpoint({}));
    const fhir = await start(startFhirStub({}));
    const sw = await start(startSnmpAgent({ profile: 'switch48' }));
    const ups = await start(startSnmpAgent({ profile: 'ups' }));
    // A device with the cleartext services old firmware ships with, for the security posture view.
    const legacy = await start(startLegacyDevice({ name: 'PUMP-GW' }));
    // Where the demo's alerts are paged to (a DECT/pager gateway's HTTP inbox).
    const pager = await start(startPagerGateway());
    const offline = await closedPort();

    const site = 'st-elsewhere-general';
    const probe = `${site}/local-probe`;
    const switchPing = `${probe}/network/core-switch/ping`;
    const groups: Group[] = [
      {
        name: 'Network',
        system: 'network',
        devices: [
          {
            name: 'Core switch',
            host: '127.0.0.1',
            sensors: [
              { name: 'Ping', kind: 'ping' },
              { name: 'System', kind: 'snmp-system', port: sw.port, community: 'public' },
              { name: 'Uplink Gi1/0/1', kind: 'snmp-interface', port: sw.port, community: 'public', ifName: 'Gi1/0/1' },
              { name: 'Radiology wing Gi1/0/12', kind: 'snmp-interface', port: sw.port, community: 'public', ifName: 'Gi1/0/12' },
            ],
          },
          {
            name: 'UPS comms room',
            host: '127.0.0.1',
            dependsOn: switchPing,
            sensors: [
              { name: 'Battery status', kind: 'snmp-oid', port: ups.port, community: 'public', oid: '1.3.6.1.2.1.33.1.2.1.0', channelName: 'Battery status', lookup: { '1': { state: 'unknown', text: 'unknown' }, '2': { state: 'up', text: 'battery normal' }, '3': { state: 'warning', text: 'battery low' }, '4': { state: 'down', text: 'battery depleted' } } },
            ],
          },
          {
            name: 'This server',
            host: '127.0.0.1',
            dependsOn: switchPing,
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
            dependsOn: switchPing,
            sensors: [
              { name: 'Portal health', kind: 'http', url: `${his.url}/health`, jsonPath: 'status', jsonExpect: 'ok' },
              { name: 'Login page', kind: 'http', url: `${his.url}/`, keyword: 'Sign in' },
              { name: 'FHIR API', kind: 'fhir', baseUrl: fhir.baseUrl },
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
              { name: 'ADT inbound interface', kind: 'hl7', port: lisInbound.port, template: 'adt-a01', msh: { receivingApplication: 'LIS', receivingFacility: 'LAB' } },
              { name: 'Result viewer', kind: 'http', url: `${lis.url}/slow`, channels: { responseTimeMs: { limits: { upperWarning: 300, upperError: 5000, upperWarningMessage: 'The result viewer is slow: clinicians wait for lab results' } } } },
            ],
          },
        ],
      },
      {
        name: 'Interface engine',
        system: 'interface-engine',
        devices: [
          {
            name: 'ADT interface',
            host: '127.0.0.1',
            sensors: [{ name: 'ADT^A01 round trip', kind: 'hl7', port: engine.port, template: 'adt-a01' }],
          },
        ],
      },
      {
        name: 'RIS',
        system: 'RIS',
        devices: [
          {
            name: 'RIS worklist server',
            host: '127.0.0.1',
            sensors: [
              { name: "Today's CT worklist", kind: 'dicom-find', port: pacs.port, calledAe: 'RIS', level: 'worklist', keys: { Modality: 'CT', ScheduledProcedureStepStartDate: 'today' }, interval: '60s', channels: { matches: { limits: { lowerWarning: 1, lowerWarningMessage: "Today's CT worklist is empty: check the RIS-to-modality interface" } } } },
            ],
          },
        ],
      },
      {
        name: 'PACS',
        system: 'PACS',
        devices: [
          {
            name: 'PACS archive',
            host: '127.0.0.1',
            dependsOn: switchPing,
            sensors: [
              { name: 'C-ECHO', kind: 'dicom-echo', port: pacs.port, calledAe: 'PACS' },
              { name: 'Study query', kind: 'dicom-find', port: pacs.port, calledAe: 'PACS', level: 'study', interval: '60s' },
              { name: 'C-STORE throughput', kind: 'dicom-store', port: pacs.port, calledAe: 'PACS', size: '512KB', interval: '120s' },
              { name: 'DICOMweb QIDO-RS', kind: 'dicomweb', baseUrl: fhir.dicomwebUrl },
            ],
          },
        ],
      },
      {
        name: 'Modalities',
        system: 'modality',
        devices: [
          {
            name: 'CT-01',
            host: '127.0.0.1',
            sensors: [
              { name: 'C-ECHO', kind: 'dicom-echo', port: ct.port, calledAe: 'CT01' },
              // The CT accepts any AE title: the exposure check shows what an attacker on the network could do.
              { name: 'DICOM exposure', kind: 'dicom-exposure', port: ct.port, calledAe: 'CT01', interval: '300s' },
            ],
          },
          { name: 'US-03 (AE title changed after service)', host: '127.0.0.1', sensors: [{ name: 'C-ECHO', kind: 'dicom-echo', port: us.port, calledAe: 'US3' }] },
          { name: 'MR-02 (powered off)', host: '127.0.0.1', sensors: [{ name: 'C-ECHO', kind: 'dicom-echo', port: offline, calledAe: 'MR02' }] },
          {
            name: 'Infusion pump gateway (legacy firmware)',
            host: '127.0.0.1',
            sensors: [
              {
                name: 'Insecure services',
                kind: 'insecure-services',
                telnetPorts: [legacy.telnetPort],
                ftpPorts: [legacy.ftpPort],
                httpPorts: [legacy.httpPort],
                snmpCommunities: [],
                interval: '300s',
              },
            ],
          },
        ],
      },
      {
        name: 'Wardwatch',
        system: 'other',
        devices: [{ name: 'Local probe', host: '127.0.0.1', sensors: [{ name: 'Probe health', kind: 'probe-health', interval: '15s' }] }],
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
      // The on-call engineer is paged for anything clinical that goes Down; unacknowledged after
      // 15 minutes, the IT duty manager too. Network alerts are grouped behind the switch.
      alerting: {
        contacts: [
          { name: 'clinical-engineering-oncall', email: 'ce-oncall@st-elsewhere.example' },
          { name: 'it-duty-manager', email: 'it-duty@st-elsewhere.example' },
        ],
        channels: [{ name: 'pager', kind: 'webhook', url: pager.url }],
        rules: [
          {
            name: 'page-oncall-on-down',
            trigger: { state: { to: ['down'] } },
            to: ['clinical-engineering-oncall'],
            channels: ['pager'],
            escalation: [{ after: '15m', to: ['it-duty-manager'] }],
            repeat: { every: '30m' },
          },
        ],
      },
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
