// Numeric OIDs of the standard MIB objects Wardwatch reads (Debian ships no MIB files, so every
// sensor works with numbers): SNMPv2-MIB system group, IF-MIB ifTable / ifXTable, HOST-RESOURCES.

export const SYSTEM = {
  sysDescr: '1.3.6.1.2.1.1.1.0',
  sysObjectID: '1.3.6.1.2.1.1.2.0',
  sysUpTime: '1.3.6.1.2.1.1.3.0',
  sysContact: '1.3.6.1.2.1.1.4.0',
  sysName: '1.3.6.1.2.1.1.5.0',
  sysLocation: '1.3.6.1.2.1.1.6.0',
} as const;

/** ifEntry columns (append `.<ifIndex>`). */
export const IF = {
  ifIndex: '1.3.6.1.2.1.2.2.1.1',
  ifDescr: '1.3.6.1.2.1.2.2.1.2',
  ifType: '1.3.6.1.2.1.2.2.1.3',
  ifSpeed: '1.3.6.1.2.1.2.2.1.5',
  ifPhysAddress: '1.3.6.1.2.1.2.2.1.6',
  ifAdminStatus: '1.3.6.1.2.1.2.2.1.7',
  ifOperStatus: '1.3.6.1.2.1.2.2.1.8',
  ifInOctets: '1.3.6.1.2.1.2.2.1.10',
  ifInDiscards: '1.3.6.1.2.1.2.2.1.13',
  ifInErrors: '1.3.6.1.2.1.2.2.1.14',
  ifOutOctets: '1.3.6.1.2.1.2.2.1.16',
  ifOutDiscards: '1.3.6.1.2.1.2.2.1.19',
  ifOutErrors: '1.3.6.1.2.1.2.2.1.20',
} as const;

/** ifXEntry columns (append `.<ifIndex>`). */
export const IFX = {
  ifName: '1.3.6.1.2.1.31.1.1.1.1',
  ifHCInOctets: '1.3.6.1.2.1.31.1.1.1.6',
  ifHCOutOctets: '1.3.6.1.2.1.31.1.1.1.10',
  ifHighSpeed: '1.3.6.1.2.1.31.1.1.1.15',
  ifAlias: '1.3.6.1.2.1.31.1.1.1.18',
  ifCounterDiscontinuityTime: '1.3.6.1.2.1.31.1.1.1.19',
} as const;

/** ifOperStatus / ifAdminStatus values (IF-MIB). */
export const IF_STATUS: Readonly<Record<number, string>> = {
  1: 'up',
  2: 'down',
  3: 'testing',
  4: 'unknown',
  5: 'dormant',
  6: 'notPresent',
  7: 'lowerLayerDown',
};

export const HOST = {
  hrSystemUptime: '1.3.6.1.2.1.25.1.1.0',
  hrStorageDescr: '1.3.6.1.2.1.25.2.3.1.3',
  hrStorageAllocationUnits: '1.3.6.1.2.1.25.2.3.1.4',
  hrStorageSize: '1.3.6.1.2.1.25.2.3.1.5',
  hrStorageUsed: '1.3.6.1.2.1.25.2.3.1.6',
  hrProcessorLoad: '1.3.6.1.2.1.25.3.3.1.2',
} as const;

/** UPS-MIB (RFC 1628) battery group. */
export const UPS = {
  upsBatteryStatus: '1.3.6.1.2.1.33.1.2.1.0',
  upsSecondsOnBattery: '1.3.6.1.2.1.33.1.2.2.0',
  upsEstimatedMinutesRemaining: '1.3.6.1.2.1.33.1.2.3.0',
  upsEstimatedChargeRemaining: '1.3.6.1.2.1.33.1.2.4.0',
  upsBatteryTemperature: '1.3.6.1.2.1.33.1.2.7.0',
  upsOutputSource: '1.3.6.1.2.1.33.1.4.1.0',
} as const;

/** Numeric OID syntax check: at least two arcs, no leading dot needed (one is accepted). */
export const NUMERIC_OID = /^\.?[0-2](\.(0|[1-9]\d*))+$/;

export function normaliseOid(oid: string): string {
  return oid.startsWith('.') ? oid.slice(1) : oid;
}
