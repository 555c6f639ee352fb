// `wardwatch` command dispatcher: one file per command.

import { checkCommand } from './check.ts';
import { docsCommand } from './docs.ts';
import { processIo, type Io } from './io.ts';
import { migrateCommand } from './migrate.ts';
import { probeCommand } from './probe.ts';
import { probesCommand } from './probes.ts';
import { securityCommand } from './security.ts';
import { simulateCommand } from './simulate.ts';
import { snmpInterfacesCommand } from './snmp-interfaces.ts';
import { startCommand } from './start.ts';
import { validateCommand } from './validate.ts';

const USAGE = `usage: wardwatch <command> [options]

commands:
  start [--config FILE] [--secrets FILE] [--data DIR] [--store postgres://…] [--host H] [--port P]
        [--insecure-http] [--tls-cert FILE --tls-key FILE] [--trust-proxy ADDR ...] [--public-url URL]
        [--nats nats://H:4222 [--nats-nkey F | --nats-creds F | --nats-user U --nats-password-file F] [--nats-tls-ca F [--nats-tls-cert F --nats-tls-key F]]]
                       run Wardwatch (without --config: the built-in demo hospital)
  validate FILE        check a configuration file without starting
  check KIND --option value ... [--json] [--timeout 10s]
                       run one check once, with Nagios plugin exit codes (KIND --help lists options)
  docs [--out DIR]     write the sensor reference (Markdown) generated from the registry
  simulate [--host H] [--dicom P] [--hl7 P] [--fhir P] [--snmp P] [--profile switch48|ups|server] [--ae-title AE ...]
                       start the simulated hospital devices on their own
  migrate --from sqlite:PATH --to postgres://USER@HOST:5432/DB [--schema NAME]
                       move a SQLite data file into PostgreSQL (resumes after an interruption)
  probe --core nats://H:4222 --name NAME [--data DIR] [--nkey F|--creds F|--user U --password-file F] [--tls-ca F]
                       run a remote probe that takes its configuration from the core
  probes list|approve NAME|reject NAME [--data DIR | --store URL]
                       list remote probes, approve or reject one
  security <command> ...
                       vulnerability feeds, SBOMs, findings, VEX, reports (wardwatch security help)
  snmp-interfaces --host H [--port 161] [--version 2c] [--community public]
                       list the interfaces an snmp-interface sensor can monitor
`;

export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'start':
      return startCommand(rest, io);
    case 'validate':
      return validateCommand(rest, io);
    case 'check':
      return checkCommand(rest, io);
    case 'docs':
      return docsCommand(rest, io);
    case 'simulate':
      return simulateCommand(rest, io);
    case 'migrate':
      return migrateCommand(rest, io);
    case 'probe':
      return probeCommand(rest, io);
    case 'probes':
      return probesCommand(rest, io);
    case 'security':
      return securityCommand(rest, io);
    case 'snmp-interfaces':
      return snmpInterfacesCommand(rest, io);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      io.out(USAGE);
      return cmd === undefined ? 2 : 0;
    default:
      io.err(`unknown command "${cmd}"\n${USAGE}`);
      return 2;
  }
}
