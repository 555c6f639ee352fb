// Writes a nats-server configuration for a Wardwatch cluster: JetStream, optional TLS, the core's
// user, and one NKEY user per probe whose permissions let it publish only under its own
// ww.probe.NAME.> subjects and read only its own configuration subject and reply inbox. Used by
// the tests and the benchmark, and a starting point for operators.

import { nkeys } from 'nats';
import { checkProbeName, subjects } from './subjects.ts';

export interface ServerConfigOptions {
  readonly host?: string;
  readonly port: number;
  readonly storeDir: string;
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
  readonly core: { readonly user: string; readonly password: string };
  /** Probes by name with the public key of their NKEY (U...). */
  readonly probes: readonly { readonly name: string; readonly nkey: string }[];
  /** Largest message accepted (default 1 MiB). */
  readonly maxPayload?: number;
}

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
  const list = (xs: readonly string[]) => `[${xs.map(q).join(', ')}]`;
  const users = [
    `    { user: ${q(o.core.user)}, password: ${q(o.core.password)} }`,
    ...o.probes.map((p) => {
      const perm = probePermissions(p.name);
      return `    { nkey: ${q(p.nkey)}, permissions: { publish: { allow: ${list(perm.publish)} }, subscribe: { allow: ${list(perm.subscribe)} } } }`;
    }),
  ];
  return [
    `listen: ${q(`${o.host ?? '127.0.0.1'}:${o.port}`)}`,
    `max_payload: ${o.maxPayload ?? 1024 * 1024}`,
    `jetstream { store_dir: ${q(o.storeDir)} }`,
    ...(o.tls ? [`tls { cert_file: ${q(o.tls.certFile)}, key_file: ${q(o.tls.keyFile)}, timeout: 5 }`] : []),
    'authorization {',
    '  users = [',
    users.join('\n'),
    '  ]',
    '}',
    '',
  ].join('\n');
}
