// THE list of sensor kinds. The config schema, the API enum, the CLI's `check` command and the
// generated docs all come from here; nothing else lists kinds or switches on them.

import type { AnySensorKind } from './sensor.ts';
import { syntheticKind } from './synthetic/index.ts';
import { dicomEchoKind } from './dicom-echo/index.ts';
import { dicomFindKind } from './dicom-find/index.ts';
import { dicomStoreKind } from './dicom-store/index.ts';
import { tcpKind } from './tcp/index.ts';
import { httpKind } from './http/index.ts';
import { probeHealthKind } from './probe-health/index.ts';
import { pingKind } from './ping/index.ts';
import { tlsKind } from './tls/index.ts';
import { dnsKind } from './dns/index.ts';
import { hl7Kind } from './hl7/index.ts';
import { hl7FeedKind } from './hl7-feed/index.ts';
import { fhirKind } from './fhir/index.ts';
import { dicomwebKind } from './dicomweb/index.ts';
import { snmpSystemKind } from './snmp-system/index.ts';
import { snmpInterfaceKind } from './snmp-interface/index.ts';
import { snmpOidKind } from './snmp-oid/index.ts';
import { execKind } from './exec/index.ts';
import { syslogKind } from './syslog/index.ts';
import { snmpTrapKind } from './snmp-trap/index.ts';
import { sqlKind } from './sql/index.ts';
import { mqttKind } from './mqtt/index.ts';
import { pushKind } from './push/index.ts';
import { tlsAuditKind } from './tls-audit/index.ts';
import { dicomExposureKind } from './dicom-exposure/index.ts';
import { hl7ExposureKind } from './hl7-exposure/index.ts';
import { insecureServicesKind } from './insecure-services/index.ts';

export const SENSOR_KINDS: readonly AnySensorKind[] = [
  // network and web
  pingKind,
  tcpKind,
  httpKind,
  tlsKind,
  tlsAuditKind,
  dnsKind,
  // imaging and clinical interfaces
  dicomEchoKind,
  dicomFindKind,
  dicomStoreKind,
  dicomwebKind,
  dicomExposureKind,
  hl7Kind,
  hl7FeedKind,
  hl7ExposureKind,
  fhirKind,
  // infrastructure
  snmpSystemKind,
  snmpInterfaceKind,
  snmpOidKind,
  sqlKind,
  execKind,
  insecureServicesKind,
  // what devices send on their own
  syslogKind,
  snmpTrapKind,
  mqttKind,
  pushKind,
  // Wardwatch itself and demos
  probeHealthKind,
  syntheticKind,
];

const byKind = new Map(SENSOR_KINDS.map((k) => [k.kind, k]));

export function sensorKind(kind: string): AnySensorKind | undefined {
  return byKind.get(kind);
}

export function kindNames(): string[] {
  return SENSOR_KINDS.map((k) => k.kind);
}
