// Writes a nats-server configuration for a Wardwatch cluster: JetStream, optional TLS (and client
// certificates), and either the core's user and one NKEY user per probe whose permissions let it
// publish only under its own ww.probe.NAME.> subjects and read only its own configuration subject
// and reply inbox, or operator mode with JWTs (jwt.ts issues them with the same permissions). Used
// by the tests and the benchmark, and a starting point for operators.

import { nkeys } from 'nats';
import { checkProbeName, subjects } from './subjects.ts';

interface ConfigBase {
  readonly host?: string;
  readonly port: number;
  readonly storeDir: string;
  /** With caFile and verifyClients, a client must present a certificate signed by that CA. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string; readonly caFile?: string; readonly verifyClients?: boolean };
  /** Largest message accepted (default 1 MiB). */
  readonly maxPayload?: number;
}

export interface UsersConfigOptions extends ConfigBase {
  readonly core: { readonly user: string; readonly password: string };
  /** Probes by name with the public key of their NKEY (U...). */
  readonly probes: readonly { readonly name: string; readonly nkey: string }[];
}

export interface OperatorConfigOptions extends ConfigBase {
  /** Operator mode: the server trusts what this operator signed; users bring their own JWTs. */
  readonly operator: {
    readonly jwt: string;
    readonly systemAccount: string;
    /** Account JWTs the server knows from the start (resolver MEMORY), by public key. */
    readonly accounts: readonly { readonly publicKey: string; readonly jwt: string }[];
  };
}

export type ServerConfigOptions = UsersConfigOptions | OperatorConfigOptions;

/** A new NKEY user pair for a probe: give the seed to the probe, the public key to the server config. */
export function newProbeKey(): { seed: string; publicKey: string } {
  // nats re-exports nkeys.js without its types.
  const kp = (nkeys as unknown as { createUser: () => { getSeed(): Uint8Array; getPublicKey(): string } }).createUser();
  return { seed: new TextDecoder().decode(kp.getSeed()), publicKey: kp.getPublicKey() };
}

export function probePermissions(name: string): { publish: string[]; subscribe: string[] } {
  checkProbeName(name, 'probe');
  return { publish: [`ww.probe.${name}.>`], subscribe: [`${subjects.inboxPrefix(name)}.>`, subjects.config(name)] };
}

export function natsServerConfig(o: ServerConfigOptions): string {
  const q = (s: string) => JSON.stringify(s);
  const tls = o.tls
    ? [
        `tls { cert_file: ${q(o.tls.certFile)}, key_file: ${q(o.tls.keyFile)}`
          + `${o.tls.caFile !== undefined ? `, ca_file: ${q(o.tls.caFile)}` : ''}${o.tls.verifyClients ? ', verify: true' : ''}, timeout: 5 }`,
      ]
    : [];
  if (o.tls?.verifyClients && o.tls.caFile === undefined) throw new Error('nats-server TLS: verifyClients needs caFile, the CA that signs the client certificates');
  return [
    `listen: ${q(`${o.host ?? '127.0.0.1'}:${o.port}`)}`,
    `max_payload: ${o.maxPayload ?? 1024 * 1024}`,
    `jetstream { store_dir: ${q(o.storeDir)} }`,
    ...tls,
    ...('operator' in o ? operatorAuth(o.operator) : usersAuth(o)),
    '',
  ].join('\n');
}

function usersAuth(o: UsersConfigOptions): string[] {
  const q = (s: string) => JSON.stringify(s);
  const list = (xs: readonly string[]) => `[${xs.map(q).join(', ')}]`;
  const users = [
    `    { user: ${q(o.core.user)}, password: ${q(o.core.password)} }`,
    ...o.probes.map((p) => {
      const perm = probePermissions(p.name);
      return `    { nkey: ${q(p.nkey)}, permissions: { publish: { allow: ${list(perm.publish)} }, subscribe: { allow: ${list(perm.subscribe)} } } }`;
    }),
  ];
  return ['authorization {', '  users = [', users.join('\n'), '  ]', '}'];
}

function operatorAuth(op: OperatorConfigOptions['operator']): string[] {
  const q = (s: string) => JSON.stringify(s);
  return [
    `operator: ${q(op.jwt)}`,
    `system_account: ${q(op.systemAccount)}`,
    // Accounts are fixed in the file: nothing to run beside the server (no account server, no $SYS pushes).
    'resolver: MEMORY',
    'resolver_preload: {',
    ...op.accounts.map((a) => `  ${a.publicKey}: ${q(a.jwt)}`),
    '}',
  ];
}
