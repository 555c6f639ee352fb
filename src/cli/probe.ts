// `wardwatch probe`: runs a remote probe that takes its configuration from the core over NATS,
// keeps monitoring with the last one it received when the core is away, and delivers its readings
// through JetStream. Runs until SIGINT/SIGTERM.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isNode, LineCounter, parseDocument } from 'yaml';
import { receiversSchema, type ReceiversConfig } from '../receivers/config.ts';
import { VERSION } from '../app.ts';
import { NatsRefusedError, type NatsLinkOptions } from '../cluster/connect.ts';
import { startProbe } from '../cluster/probe.ts';
import type { Io } from './io.ts';

export const PROBE_USAGE = `usage: wardwatch probe --core nats://HOST:4222 --name NAME [--data DIR]
                       [--nkey SEEDFILE | --creds FILE | --user USER --password-file FILE]
                       [--tls-ca FILE] [--tls-cert FILE --tls-key FILE] [--outbox-max-mb 512]
                       [--receivers FILE]   (YAML with a receivers: section, as in the core's
                                             configuration: where this probe's syslog / SNMP trap
                                             receivers listen for the sensors that need them)
                       [--push HOST:PORT]   (HTTP listener for its push sensors: /api/push/<token>)
`;

/** --push HOST:PORT (IPv6 in brackets). */
export function parseListen(text: string, option: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || !Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${option}: expected HOST:PORT with a port 1–65535 (e.g. 0.0.0.0:8081), got ${JSON.stringify(text)}`);
  return { host: (m[1] ?? m[2])!, port };
}

/** Reads a --receivers file: its `receivers:` section, checked against the core's schema. Errors name file:line:col and the field. */
export function readReceiversFile(file: string): ReceiversConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`--receivers ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const at = (offset: number | undefined) => {
    if (offset === undefined) return file;
    const p = lines.linePos(offset);
    return `${file}:${p.line}:${p.col}`;
  };
  const yamlError = doc.errors[0];
  if (yamlError) throw new Error(`${at(yamlError.pos[0])}: ${yamlError.message.split('\n')[0]}`);
  const root: unknown = doc.toJS();
  const section = (root as { receivers?: unknown } | null)?.receivers;
  if (section === undefined) throw new Error(`${file}: expected a "receivers:" section`);
  const parsed = receiversSchema.safeParse(section);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = ['receivers', ...issue.path.map((k) => (typeof k === 'symbol' ? String(k) : k))];
    // The nearest node that exists (a missing field is reported where its parent is).
    let node: unknown;
    for (let n = path.length; n > 0 && !isNode(node); n--) node = doc.getIn(path.slice(0, n), true);
    const offset = isNode(node) ? node.range?.[0] : undefined;
    throw new Error(`${at(offset)}: ${path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

export async function probeCommand(argv: readonly string[], io: Io): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        core: { type: 'string' },
        name: { type: 'string' },
        data: { type: 'string', default: './probe-data' },
        nkey: { type: 'string' },
        creds: { type: 'string' },
        user: { type: 'string' },
        'password-file': { type: 'string' },
        'tls-ca': { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'outbox-max-mb': { type: 'string', default: '512' },
        receivers: { type: 'string' },
        push: { type: 'string' },
      },
    }));
  } catch (e) {
    io.err(`${(e as Error).message}\n${PROBE_USAGE}`);
    return 2;
  }
  if (values.core === undefined || values.name === undefined) {
    io.err(`--core and --name are required\n${PROBE_USAGE}`);
    return 2;
  }
  const auth = [values.nkey, values.creds, values.user].filter((x) => x !== undefined).length;
  if (auth > 1) {
    io.err('give one of --nkey, --creds or --user\n');
    return 2;
  }
  const maxMb = Number(values['outbox-max-mb']);
  if (!Number.isFinite(maxMb) || maxMb < 1) {
    io.err(`--outbox-max-mb: expected a number of MiB ≥ 1, got ${JSON.stringify(values['outbox-max-mb'])}\n`);
    return 2;
  }
  let password: string | undefined;
  if (values['password-file'] !== undefined) {
    try {
      password = readFileSync(values['password-file'], 'utf8').trim();
    } catch (e) {
      io.err(`--password-file ${values['password-file']}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
      return 2;
    }
  }
  let receivers: ReceiversConfig | undefined;
  if (values.receivers !== undefined) {
    try {
      receivers = readReceiversFile(values.receivers);
    } catch (e) {
      io.err(`${(e as Error).message}\n`);
      return 2;
    }
  }
  let push: { host: string; port: number } | undefined;
  if (values.push !== undefined) {
    try {
      push = parseListen(values.push, '--push');
    } catch (e) {
      io.err(`${(e as Error).message}\n`);
      return 2;
    }
  }
  const link: NatsLinkOptions = {
    url: values.core,
    ...(values.nkey !== undefined ? { nkeyFile: values.nkey } : {}),
    ...(values.creds !== undefined ? { credsFile: values.creds } : {}),
    ...(values.user !== undefined ? { user: values.user } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(values['tls-ca'] !== undefined ? { tlsCaFile: values['tls-ca'] } : {}),
    ...(values['tls-cert'] !== undefined ? { tlsCertFile: values['tls-cert'] } : {}),
    ...(values['tls-key'] !== undefined ? { tlsKeyFile: values['tls-key'] } : {}),
  };
  const log = (line: string) => io.err(`${new Date().toISOString()} ${line}\n`);
  let probe;
  try {
    probe = await startProbe({ name: values.name, dataDir: values.data, link, log, version: VERSION, outbox: { maxBytes: maxMb * 1024 * 1024 }, ...(receivers ? { receivers } : {}), ...(push ? { push } : {}) });
  } catch (e) {
    io.err(`wardwatch probe could not start: ${(e as Error).message}\n`);
    return e instanceof NatsRefusedError ? 3 : 1;
  }
  io.out(`Wardwatch probe ${values.name}: core ${values.core}, data in ${values.data}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  io.out('stopping…\n');
  await probe.close();
  return 0;
}
