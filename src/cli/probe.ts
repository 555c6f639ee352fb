// `wardwatch probe`: runs a remote probe that takes its configuration from the core over NATS,
// keeps monitoring with the last one it received when the core is away, and delivers its readings
// through JetStream. Runs until SIGINT/SIGTERM.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { VERSION } from '../app.ts';
import { NatsRefusedError, type NatsLinkOptions } from '../cluster/connect.ts';
import { startProbe } from '../cluster/probe.ts';
import type { Io } from './io.ts';

export const PROBE_USAGE = `usage: wardwatch probe --core nats://HOST:4222 --name NAME [--data DIR]
                       [--nkey SEEDFILE | --creds FILE | --user USER --password-file FILE]
                       [--tls-ca FILE] [--tls-cert FILE --tls-key FILE] [--outbox-max-mb 512]
`;

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
    probe = await startProbe({ name: values.name, dataDir: values.data, link, log, version: VERSION, outbox: { maxBytes: maxMb * 1024 * 1024 } });
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
