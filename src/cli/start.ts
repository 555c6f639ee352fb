// `wardwatch start`: runs Wardwatch until SIGINT/SIGTERM; SIGHUP reloads the configuration file.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { NatsLinkOptions } from '../cluster/connect.ts';
import { startApp } from '../app.ts';
import type { Io } from './io.ts';

export async function startCommand(argv: readonly string[], io: Io): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        config: { type: 'string' },
        secrets: { type: 'string' },
        data: { type: 'string', default: './data' },
        store: { type: 'string' },
        'insecure-http': { type: 'boolean', default: false },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'trust-proxy': { type: 'string', multiple: true },
        'public-url': { type: 'string' },
        nats: { type: 'string' },
        'nats-nkey': { type: 'string' },
        'nats-creds': { type: 'string' },
        'nats-user': { type: 'string' },
        'nats-password-file': { type: 'string' },
        'nats-tls-ca': { type: 'string' },
        'nats-tls-cert': { type: 'string' },
        'nats-tls-key': { type: 'string' },
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: '8080' },
      },
    }));
  } catch (e) {
    io.err(`${(e as Error).message}\n`);
    return 2;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.err(`--port: expected integer 0–65535, got ${JSON.stringify(values.port)}\n`);
    return 2;
  }
  const log = (line: string) => io.err(`${new Date().toISOString()} ${line}\n`);
  let app;
  try {
    app = await startApp({ hookEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: process.env.LANG ?? 'C.UTF-8' }, dataDir: values.data, host: values.host, port, log, ...(values.config ? { configPath: values.config } : {}), ...(values.store ? { storeUrl: values.store } : {}), ...(values.secrets ? { secretsPath: values.secrets } : {}),
      insecureHttp: values['insecure-http'],
      ...(values['trust-proxy'] ? { trustProxy: values['trust-proxy'] } : {}),
      ...(values['public-url'] !== undefined ? { publicUrl: values['public-url'] } : {}),
      ...(values.nats !== undefined ? { nats: natsLink(values) } : {}),
      ...(values['tls-cert'] !== undefined ? { tlsCertFile: values['tls-cert'] } : {}),
      ...(values['tls-key'] !== undefined ? { tlsKeyFile: values['tls-key'] } : {}),
    });
  } catch (e) {
    io.err(`wardwatch could not start: ${(e as Error).message}\n`);
    return 1;
  }
  const sensors = [...app.tree().nodes.values()].filter((n) => n.type === 'sensor').length;
  io.out(`Wardwatch ${values.config ? `monitoring ${values.config}` : 'monitoring the built-in demo hospital'}: ${sensors} sensors, data in ${values.data}\n`);
  io.out(`Console and API: ${app.url}  (API reference: ${app.url}api/docs)\n`);
  if (app.setupUrl !== undefined) io.out(`First start: create the first administrator at ${app.setupUrl}\n`);
  const running = app;
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGHUP', reload);
      resolve();
    };
    const reload = () => void running.reload();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    process.on('SIGHUP', reload);
  });
  io.out('stopping…\n');
  await running.close();
  return 0;
}

/** The core's NATS link from the --nats* options (the password is read from its file, never from argv). */
function natsLink(v: { nats?: string; 'nats-nkey'?: string; 'nats-creds'?: string; 'nats-user'?: string; 'nats-password-file'?: string; 'nats-tls-ca'?: string; 'nats-tls-cert'?: string; 'nats-tls-key'?: string }): NatsLinkOptions {
  const password = v['nats-password-file'] !== undefined ? readFileSync(v['nats-password-file'], 'utf8').trim() : undefined;
  return {
    url: v.nats ?? '',
    ...(v['nats-nkey'] !== undefined ? { nkeyFile: v['nats-nkey'] } : {}),
    ...(v['nats-creds'] !== undefined ? { credsFile: v['nats-creds'] } : {}),
    ...(v['nats-user'] !== undefined ? { user: v['nats-user'] } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(v['nats-tls-ca'] !== undefined ? { tlsCaFile: v['nats-tls-ca'] } : {}),
    // A client certificate for a NATS server that verifies its clients (mutual TLS).
    ...(v['nats-tls-cert'] !== undefined ? { tlsCertFile: v['nats-tls-cert'] } : {}),
    ...(v['nats-tls-key'] !== undefined ? { tlsKeyFile: v['nats-tls-key'] } : {}),
  };
}
