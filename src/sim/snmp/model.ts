// The simulated devices' data: what a switch with 48 ports, a UPS and a server answer, computed
// from a clock so that counters move deterministically (tests inject the time), plus the knobs a
// test turns (reboot, counter values, an interface going down, UPS on battery).

import { T } from '../../protocols/snmp/lib.ts';
import { bigIntToBuffer } from '../../protocols/snmp/values.ts';

export const SIM_PROFILES = ['switch48', 'ups', 'server'] as const;
export type SimProfile = (typeof SIM_PROFILES)[number];

export interface SimScalar {
  readonly name: string;
  /** OID of the object, without the `.0` instance. */
  readonly oid: string;
  readonly type: number;
  value(): unknown;
}

export interface SimColumn {
  readonly number: number;
  readonly name: string;
  readonly type: number;
  value(index: number): unknown;
}

export interface SimTable {
  readonly name: string;
  readonly entryOid: string;
  readonly columns: readonly SimColumn[];
  /** Index column name when the table takes its index from another table (ifXTable from ifTable). */
  readonly foreignIndex?: { readonly table: string; readonly column: string };
  readonly rows: readonly number[];
}

export interface SimInterfaceState {
  operStatus: number;
  adminStatus: number;
  /** Octet counter value at `baseAt` (HC, 64-bit); the rate curve adds to it. */
  inBase: bigint;
  outBase: bigint;
  baseAt: number;
  /** ifName/ifDescr override (a test renumbering ports). */
  name?: string;
}

export interface UpsState {
  batteryStatus: number;
  secondsOnBattery: number;
  minutesRemaining: number;
  chargePercent: number;
  temperatureC: number;
  outputSource: number;
}

/** Everything mutable about a simulated device. */
export interface SimDevice {
  readonly profile: SimProfile;
  readonly scalars: SimScalar[];
  readonly tables: SimTable[];
  reboot(): void;
  readonly interfaces: Map<number, SimInterfaceState>;
  readonly ups: UpsState;
  /** HC octet counters of an interface at the current time. */
  octets(ifIndex: number): { in: bigint; out: bigint };
}

const PERIOD_S = 300;

/** Bytes/s average of port i, in and out: deterministic, different per port. */
function baseRate(i: number, dir: 0 | 1): number {
  return (((i * 7919 + dir * 104729) % 997) + 30) * 1000;
}

/** Integral of rate (a + 0.5a·sin(2πt/P)) from 0 to t seconds, in bytes. */
function integral(a: number, t: number): bigint {
  const b = a / 2;
  return BigInt(Math.floor(a * t + ((b * PERIOD_S) / (2 * Math.PI)) * (1 - Math.cos((2 * Math.PI * t) / PERIOD_S))));
}

export interface DeviceOptions {
  readonly profile: SimProfile;
  /** Epoch ms. */
  readonly now: () => number;
  /** An old agent without ifXTable 64-bit counters (v2c managers must fall back to 32-bit). */
  readonly noHighCapacity?: boolean;
}

export function createDevice(opts: DeviceOptions): SimDevice {
  const { now } = opts;
  let bootAt = now();
  const interfaces = new Map<number, SimInterfaceState>();
  const count = opts.profile === 'switch48' ? 48 : opts.profile === 'server' ? 2 : 1;
  for (let i = 1; i <= count; i++) interfaces.set(i, { operStatus: 1, adminStatus: 1, inBase: 0n, outBase: 0n, baseAt: bootAt });
  if (opts.profile === 'switch48') {
    // Port 48 is shut on purpose: admin down, oper down.
    const p = interfaces.get(48)!;
    p.adminStatus = 2;
    p.operStatus = 2;
  }
  const ups: UpsState = { batteryStatus: 2, secondsOnBattery: 0, minutesRemaining: 42, chargePercent: 100, temperatureC: 27, outputSource: 3 };

  const octets = (i: number) => {
    const st = interfaces.get(i);
    if (!st) return { in: 0n, out: 0n };
    // A port that is down moves no traffic: its counters stay where they were.
    if (st.operStatus !== 1) return { in: st.inBase, out: st.outBase };
    const t0 = Math.max(0, (st.baseAt - bootAt) / 1000);
    const t1 = Math.max(t0, (now() - bootAt) / 1000);
    const moved = (dir: 0 | 1) => integral(baseRate(i, dir), t1) - integral(baseRate(i, dir), t0);
    return { in: BigInt.asUintN(64, st.inBase + moved(0)), out: BigInt.asUintN(64, st.outBase + moved(1)) };
  };
  const uptimeTicks = () => Math.floor((now() - bootAt) / 10) % 2 ** 32;
  const sysObjectID = { switch48: '1.3.6.1.4.1.9.1.1208', ups: '1.3.6.1.4.1.318.1.3.27', server: '1.3.6.1.4.1.8072.3.2.10' }[opts.profile];
  const sysDescr = {
    switch48: 'Wardwatch simulated 48-port access switch, software 15.2(7)E',
    ups: 'Wardwatch simulated UPS 3000VA, firmware 7.1',
    server: 'Linux pacs-archive 6.1.0-18-amd64 #1 SMP x86_64',
  }[opts.profile];

  const scalars: SimScalar[] = [
    { name: 'sysDescr', oid: '1.3.6.1.2.1.1.1', type: T.OctetString, value: () => sysDescr },
    { name: 'sysObjectID', oid: '1.3.6.1.2.1.1.2', type: T.OID, value: () => sysObjectID },
    { name: 'sysUpTime', oid: '1.3.6.1.2.1.1.3', type: T.TimeTicks, value: uptimeTicks },
    { name: 'sysContact', oid: '1.3.6.1.2.1.1.4', type: T.OctetString, value: () => 'it-network@hospital.example' },
    { name: 'sysName', oid: '1.3.6.1.2.1.1.5', type: T.OctetString, value: () => `sim-${opts.profile}` },
    { name: 'sysLocation', oid: '1.3.6.1.2.1.1.6', type: T.OctetString, value: () => 'Building A, floor 2, comms room' },
    { name: 'ifNumber', oid: '1.3.6.1.2.1.2.1', type: T.Integer, value: () => interfaces.size },
  ];
  const ifRows = [...interfaces.keys()];
  const st = (i: number) => interfaces.get(i)!;
  const uplink = (i: number) => opts.profile === 'switch48' && i <= 2;
  const name = (i: number) => interfaces.get(i)?.name ?? (opts.profile === 'switch48' ? `Gi1/0/${i}` : ['lo', 'eth0'][i - 1] ?? `if${i}`);
  const descr = (i: number) => (interfaces.get(i)?.name !== undefined ? name(i) : opts.profile === 'switch48' ? `GigabitEthernet1/0/${i}` : opts.profile === 'ups' ? 'Network Management Card' : name(i));
  const speedBps = (i: number) => (uplink(i) ? 10_000_000_000 : 1_000_000_000);
  // Errors and discards only on the ports with a bad patch cable (7, 19, 31, 43), as on a real switch.
  const small = (i: number, k: number) => BigInt(Math.floor(((now() - bootAt) / 1000) * (i % 12 === 7 ? 0.2 * k : 0))) % 2n ** 32n;
  const tables: SimTable[] = [
    {
      name: 'ifTable',
      entryOid: '1.3.6.1.2.1.2.2.1',
      rows: ifRows,
      columns: [
        { number: 1, name: 'ifIndex', type: T.Integer, value: (i) => i },
        { number: 2, name: 'ifDescr', type: T.OctetString, value: descr },
        { number: 3, name: 'ifType', type: T.Integer, value: (i) => (opts.profile === 'server' && i === 1 ? 24 : 6) },
        { number: 5, name: 'ifSpeed', type: T.Gauge32, value: (i) => Math.min(speedBps(i), 4294967295) },
        { number: 7, name: 'ifAdminStatus', type: T.Integer, value: (i) => st(i).adminStatus },
        { number: 8, name: 'ifOperStatus', type: T.Integer, value: (i) => st(i).operStatus },
        { number: 10, name: 'ifInOctets', type: T.Counter32, value: (i) => Number(octets(i).in % 2n ** 32n) },
        { number: 13, name: 'ifInDiscards', type: T.Counter32, value: (i) => Number(small(i, 1)) },
        { number: 14, name: 'ifInErrors', type: T.Counter32, value: (i) => Number(small(i, 2)) },
        { number: 16, name: 'ifOutOctets', type: T.Counter32, value: (i) => Number(octets(i).out % 2n ** 32n) },
        { number: 19, name: 'ifOutDiscards', type: T.Counter32, value: (i) => Number(small(i, 3)) },
        { number: 20, name: 'ifOutErrors', type: T.Counter32, value: () => 0 },
      ],
    },
  ];
  if (!opts.noHighCapacity) {
    tables.push({
      name: 'ifXTable',
      entryOid: '1.3.6.1.2.1.31.1.1.1',
      rows: ifRows,
      foreignIndex: { table: 'ifTable', column: 'ifIndex' },
      columns: [
        { number: 1, name: 'ifName', type: T.OctetString, value: name },
        { number: 6, name: 'ifHCInOctets', type: T.Counter64, value: (i) => bigIntToBuffer(octets(i).in) },
        { number: 10, name: 'ifHCOutOctets', type: T.Counter64, value: (i) => bigIntToBuffer(octets(i).out) },
        { number: 15, name: 'ifHighSpeed', type: T.Gauge32, value: (i) => speedBps(i) / 1_000_000 },
        { number: 18, name: 'ifAlias', type: T.OctetString, value: (i) => (uplink(i) ? `uplink core-${i}` : `ward port ${i}`) },
        { number: 19, name: 'ifCounterDiscontinuityTime', type: T.TimeTicks, value: () => 0 },
      ],
    });
  }
  if (opts.profile === 'ups') {
    const u = (name: string, sub: string, type: number, value: () => number): SimScalar => ({ name, oid: `1.3.6.1.2.1.33.1.2.${sub}`, type, value });
    scalars.push(
      u('upsBatteryStatus', '1', T.Integer, () => ups.batteryStatus),
      u('upsSecondsOnBattery', '2', T.Integer, () => ups.secondsOnBattery),
      u('upsEstimatedMinutesRemaining', '3', T.Integer, () => ups.minutesRemaining),
      u('upsEstimatedChargeRemaining', '4', T.Integer, () => ups.chargePercent),
      u('upsBatteryTemperature', '7', T.Integer, () => ups.temperatureC),
      { name: 'upsOutputSource', oid: '1.3.6.1.2.1.33.1.4.1', type: T.Integer, value: () => ups.outputSource },
    );
  }
  if (opts.profile === 'server') {
    scalars.push({ name: 'hrSystemUptime', oid: '1.3.6.1.2.1.25.1.1', type: T.TimeTicks, value: uptimeTicks });
    const cpuRows = [196608, 196609, 196610, 196611];
    tables.push({
      name: 'hrDeviceTable',
      entryOid: '1.3.6.1.2.1.25.3.2.1',
      rows: cpuRows,
      columns: [
        { number: 1, name: 'hrDeviceIndex', type: T.Integer, value: (i) => i },
        { number: 2, name: 'hrDeviceType', type: T.OID, value: () => '1.3.6.1.2.1.25.3.1.3' },
        { number: 3, name: 'hrDeviceDescr', type: T.OctetString, value: (i) => `CPU ${i - 196608}: Intel Xeon` },
      ],
    });
    tables.push({
      name: 'hrProcessorTable',
      entryOid: '1.3.6.1.2.1.25.3.3.1',
      rows: cpuRows,
      foreignIndex: { table: 'hrDeviceTable', column: 'hrDeviceIndex' },
      columns: [
        { number: 1, name: 'hrProcessorFrwID', type: T.OID, value: () => '0.0' },
        { number: 2, name: 'hrProcessorLoad', type: T.Integer, value: (i) => 20 + ((i - 196608) * 13 + Math.floor((now() - bootAt) / 60_000)) % 50 },
      ],
    });
    const storage: Record<number, [string, number, number, () => number]> = {
      1: ['Physical memory', 1024, 16_000_000, () => 9_000_000],
      31: ['/', 4096, 25_000_000, () => 11_000_000],
      36: ['/var/lib/orthanc', 4096, 500_000_000, () => 400_000_000 + (Math.floor((now() - bootAt) / 1000) % 1000)],
    };
    tables.push({
      name: 'hrStorageTable',
      entryOid: '1.3.6.1.2.1.25.2.3.1',
      rows: Object.keys(storage).map(Number),
      columns: [
        { number: 1, name: 'hrStorageIndex', type: T.Integer, value: (i) => i },
        { number: 3, name: 'hrStorageDescr', type: T.OctetString, value: (i) => storage[i]![0] },
        { number: 4, name: 'hrStorageAllocationUnits', type: T.Integer, value: (i) => storage[i]![1] },
        { number: 5, name: 'hrStorageSize', type: T.Integer, value: (i) => storage[i]![2] },
        { number: 6, name: 'hrStorageUsed', type: T.Integer, value: (i) => storage[i]![3]() },
      ],
    });
  }

  return {
    profile: opts.profile,
    scalars,
    tables,
    interfaces,
    ups,
    octets,
    reboot() {
      bootAt = now();
      for (const s of interfaces.values()) {
        s.inBase = 0n;
        s.outBase = 0n;
        s.baseAt = bootAt;
      }
    },
  };
}

/** Changes an interface; counter values are the HC values from now on. */
export function patchInterface(dev: SimDevice, ifIndex: number, patch: { operStatus?: number; adminStatus?: number; inOctets?: bigint; outOctets?: bigint; name?: string }, now: number): void {
  const st = dev.interfaces.get(ifIndex);
  if (!st) throw new Error(`the simulated device has no interface ${ifIndex}`);
  const cur = dev.octets(ifIndex);
  st.inBase = patch.inOctets ?? cur.in;
  st.outBase = patch.outOctets ?? cur.out;
  st.baseAt = now;
  if (patch.operStatus !== undefined) st.operStatus = patch.operStatus;
  if (patch.adminStatus !== undefined) st.adminStatus = patch.adminStatus;
  if (patch.name !== undefined) st.name = patch.name;
}
