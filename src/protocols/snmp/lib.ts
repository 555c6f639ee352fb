// A typed view of the part of the net-snmp npm package Wardwatch uses (it ships no type
// declarations). Loaded with createRequire so that no global `declare module` can clash with
// another part's declarations; everything else in protocols/snmp goes through this file.

import { createRequire } from 'node:module';

export interface Varbind {
  readonly oid: string;
  readonly type: number;
  readonly value: unknown;
}

export type Callback<T> = (error: Error | null, result: T) => void;

export interface NetSnmpSession {
  get(oids: readonly string[], cb: Callback<Varbind[]>): void;
  getBulk(oids: readonly string[], nonRepeaters: number, maxRepetitions: number, cb: Callback<Varbind[]>): void;
  subtree(oid: string, maxRepetitions: number, feed: (varbinds: Varbind[]) => boolean | void, done: (error: Error | null) => void): void;
  close(): void;
  on(event: 'error' | 'close', fn: (error?: Error) => void): void;
}

export interface SessionOptions {
  readonly port: number;
  readonly retries: number;
  readonly timeout: number;
  readonly version: number;
  readonly transport?: 'udp4' | 'udp6';
  readonly backoff?: number;
  readonly context?: string;
}

export interface V3User {
  readonly name: string;
  readonly level: number;
  readonly authProtocol?: number | string;
  readonly authKey?: string;
  readonly privProtocol?: number | string;
  readonly privKey?: string;
}

export interface MibRequest {
  readonly oid: string;
  readonly operation: number;
  readonly instanceNode: { value: unknown; readonly oid: string };
  done(error?: { errorStatus: number }): void;
}

export interface ProviderColumn {
  readonly number: number;
  readonly name: string;
  readonly type: number;
  readonly maxAccess: number;
}

export interface ProviderDefinition {
  readonly name: string;
  readonly type: number;
  readonly oid: string;
  readonly scalarType?: number;
  readonly maxAccess: number;
  readonly tableColumns?: readonly ProviderColumn[];
  readonly tableIndex?: readonly { readonly columnName: string }[];
  readonly handler?: (req: MibRequest) => void;
}

export interface Mib {
  registerProvider(def: ProviderDefinition): void;
  setScalarValue(name: string, value: unknown): void;
  addTableRow(name: string, row: readonly unknown[]): void;
  deleteTableRow(name: string, rowIndex: readonly unknown[]): boolean;
}

export interface Authorizer {
  addCommunity(community: string): void;
  addUser(user: V3User): void;
}

export interface Agent {
  getMib(): Mib;
  getAuthorizer(): Authorizer;
  close(cb?: () => void): void;
}

export interface AgentOptions {
  readonly port: number;
  readonly address: string;
  readonly disableAuthorization?: boolean;
  readonly engineID?: string;
  /** A dgram-compatible module (the simulator uses it to bind port 0 and count datagrams). */
  readonly dgramModule?: { createSocket(type: 'udp4' | 'udp6'): unknown };
}

export interface NetSnmp {
  readonly Version1: number;
  readonly Version2c: number;
  readonly Version3: number;
  readonly ObjectType: Readonly<Record<string, number>>;
  readonly ErrorStatus: Readonly<Record<string | number, string | number>>;
  readonly SecurityLevel: { readonly noAuthNoPriv: number; readonly authNoPriv: number; readonly authPriv: number };
  readonly AuthProtocols: Readonly<Record<string, number | string>>;
  readonly PrivProtocols: Readonly<Record<string, number | string>>;
  readonly ResponseInvalidCode: Readonly<Record<string, number>>;
  readonly MibProviderType: { readonly Scalar: number; readonly Table: number };
  readonly MaxAccess: Readonly<Record<string, number>>;
  createSession(target: string, community: string, options: SessionOptions): NetSnmpSession;
  createV3Session(target: string, user: V3User, options: SessionOptions): NetSnmpSession;
  createAgent(options: AgentOptions, callback: (error: Error | null, data: unknown) => void): Agent;
}

const require = createRequire(import.meta.url);

/** The net-snmp module, typed. */
export const snmp = require('net-snmp') as NetSnmp;

/** ASN.1 type tags of the value types that matter here. */
export const T = {
  Integer: 2,
  OctetString: 4,
  Null: 5,
  OID: 6,
  IpAddress: 64,
  Counter32: 65,
  Gauge32: 66,
  TimeTicks: 67,
  Opaque: 68,
  Counter64: 70,
  NoSuchObject: 128,
  NoSuchInstance: 129,
  EndOfMibView: 130,
} as const;
