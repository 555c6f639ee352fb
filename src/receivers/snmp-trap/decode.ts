// An SNMP notification (v1 Trap-PDU, v2c/v3 SNMPv2-Trap or InformRequest) as a ReceivedMessage:
// the trap OID (v1 traps translated per RFC 3584), well-known names, and varbinds as text, so
// that rules match on one OID whatever version the device speaks.

import { T, type Varbind } from '../../protocols/snmp/lib.ts';
import { IF, IF_STATUS, SYSTEM } from '../../protocols/snmp/oids.ts';
import { decodeVarbind, text } from '../../protocols/snmp/values.ts';
import type { ReceivedMessage } from '../../store/store.ts';

export const SNMP_TRAP_OID = '1.3.6.1.6.3.1.1.4.1.0';
const SNMP_TRAP_ENTERPRISE = '1.3.6.1.6.3.1.1.4.3.0';
const GENERIC_BASE = '1.3.6.1.6.3.1.1.5';

/** The generic traps of SNMPv2-MIB, by their v2 OID. */
export const WELL_KNOWN_TRAPS: Readonly<Record<string, string>> = {
  [`${GENERIC_BASE}.1`]: 'coldStart',
  [`${GENERIC_BASE}.2`]: 'warmStart',
  [`${GENERIC_BASE}.3`]: 'linkDown',
  [`${GENERIC_BASE}.4`]: 'linkUp',
  [`${GENERIC_BASE}.5`]: 'authenticationFailure',
  [`${GENERIC_BASE}.6`]: 'egpNeighborLoss',
};

const COLUMN_NAMES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries({ ...IF, sysUpTime: SYSTEM.sysUpTime.replace(/\.0$/, ''), ifName: '1.3.6.1.2.1.31.1.1.1.1', ifAlias: '1.3.6.1.2.1.31.1.1.1.18' }).map(([k, v]) => [v, k]),
);

const SEVERITY: Readonly<Record<string, ReceivedMessage['severity']>> = {
  coldStart: 'notice',
  warmStart: 'notice',
  linkDown: 'warning',
  linkUp: 'info',
  authenticationFailure: 'warning',
  egpNeighborLoss: 'warning',
};

export interface TrapVarbind {
  readonly oid: string;
  readonly name?: string;
  readonly value: string;
}

/** What net-snmp hands over for a notification (pdu part). */
export interface NotificationPdu {
  readonly type: number;
  readonly varbinds?: readonly Varbind[];
  readonly enterprise?: string;
  readonly agentAddr?: string;
  readonly generic?: number;
  readonly specific?: number;
  readonly upTime?: number;
  readonly community?: string;
  readonly user?: string;
}

/** PDU type tags (ASN.1 context tags). */
export const PDU = { Trap: 164, InformRequest: 166, TrapV2: 167 } as const;

/** A varbind OID's name: a known column or object plus its instance ("ifIndex.3"). */
export function oidName(oid: string): string | undefined {
  for (let cut = oid.lastIndexOf('.'); cut > 0; cut = oid.lastIndexOf('.', cut - 1)) {
    const name = COLUMN_NAMES[oid.slice(0, cut)];
    if (name) return `${name}${oid.slice(cut)}`;
  }
  return undefined;
}

function varbindText(vb: Varbind): string {
  const v = decodeVarbind(vb);
  const t = text(v) ?? (v.kind === 'missing' ? v.reason : vb.type === T.Null ? 'null' : `type ${vb.type}`);
  // ifOperStatus / ifAdminStatus read better as words.
  if (v.kind === 'int' && (vb.oid.startsWith(`${IF.ifOperStatus}.`) || vb.oid.startsWith(`${IF.ifAdminStatus}.`))) return IF_STATUS[v.value] ?? t;
  return t;
}

export interface DecodedTrap {
  readonly version: 'v1' | 'v2c' | 'v3';
  readonly trapOid: string;
  readonly trapName?: string;
  readonly inform: boolean;
  readonly varbinds: readonly TrapVarbind[];
}

/** Decodes the PDU; the v1 fields go to v2 form (generic n → 1.3.6.1.6.3.1.1.5.(n+1), specific → enterprise.0.specific). */
export function decodeTrap(pdu: NotificationPdu, version: 'v1' | 'v2c' | 'v3'): DecodedTrap {
  const raw = pdu.varbinds ?? [];
  let trapOid: string;
  let rest: readonly Varbind[];
  if (pdu.type === PDU.Trap) {
    const generic = pdu.generic ?? 6;
    trapOid = generic === 6 ? `${pdu.enterprise ?? '0.0'}.0.${pdu.specific ?? 0}` : `${GENERIC_BASE}.${generic + 1}`;
    rest = raw;
  } else {
    const t = raw.find((vb) => vb.oid === SNMP_TRAP_OID);
    trapOid = t ? String(t.value) : 'unknown';
    rest = raw.filter((vb) => vb.oid !== SNMP_TRAP_OID && vb.oid !== SYSTEM.sysUpTime && vb.oid !== SNMP_TRAP_ENTERPRISE);
  }
  const varbinds = rest.map((vb) => {
    const name = oidName(vb.oid);
    return { oid: vb.oid, ...(name ? { name } : {}), value: varbindText(vb) };
  });
  const trapName = WELL_KNOWN_TRAPS[trapOid];
  return { version, trapOid, ...(trapName ? { trapName } : {}), inform: pdu.type === PDU.InformRequest, varbinds };
}

/** One line: "linkDown (1.3.6.1.6.3.1.1.5.3) ifIndex=3 ifOperStatus=down". */
export function trapText(t: DecodedTrap): string {
  const vbs = t.varbinds.map((v) => `${v.name ? v.name.replace(/\.\d+(\.\d+)*$/, '') : v.oid}=${v.value}`);
  return [t.trapName ? `${t.trapName} (${t.trapOid})` : t.trapOid, ...vbs].join(' ');
}

export function toReceivedMessage(pdu: NotificationPdu, t: DecodedTrap, source: string, deviceId: string | undefined, ts: number): ReceivedMessage {
  const v1 =
    pdu.type === PDU.Trap
      ? { enterprise: pdu.enterprise, agentAddr: pdu.agentAddr, generic: pdu.generic, specific: pdu.specific, upTime: pdu.upTime }
      : {};
  return {
    receiver: 'snmp-trap',
    ts,
    source,
    ...(deviceId !== undefined ? { deviceId } : {}),
    severity: (t.trapName && SEVERITY[t.trapName]) || 'notice',
    text: trapText(t),
    data: {
      version: t.version,
      trapOid: t.trapOid,
      ...(t.trapName ? { trapName: t.trapName } : {}),
      ...(t.inform ? { inform: true } : {}),
      ...v1,
      ...(pdu.community !== undefined ? { community: pdu.community } : {}),
      ...(pdu.user !== undefined ? { user: pdu.user } : {}),
      varbinds: t.varbinds,
    },
  };
}
