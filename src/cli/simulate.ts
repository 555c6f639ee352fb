// `wardwatch simulate [--host H] [--dicom P] [--hl7 P] [--fhir P] [--snmp P] [--profile switch48]`:
// starts the simulated hospital devices on their own (for trying Wardwatch, other tools, or
// a demo on another machine) and prints where each one listens.

import { parseArgs } from 'node:util';
import { startDicomSimulator } from '../sim/dicom/index.ts';
import { startFhirStub } from '../sim/fhir/index.ts';
import { startHl7Endpoint } from '../sim/hl7/index.ts';
import { SIM_PROFILES, startSnmpAgent, type SimProfile } from '../sim/snmp/index.ts';
import type { Io } from './io.ts';

function portOf(name: string, raw: string | undefined): number {
  const n = Number(raw ?? '0');
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--${name}: expected integer 0–65535, got ${JSON.stringify(raw)}`);
  return n;
}

export async function simulateCommand(argv: readonly string[], io: Io, until: Promise<void> = signalled()): Promise<number> {
  let closers: { close(): Promise<void> }[] = [];
  try {
    const { values } = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        host: { type: 'string', default: '127.0.0.1' },
        dicom: { type: 'string', default: '0' },
        hl7: { type: 'string', default: '0' },
        fhir: { type: 'string', default: '0' },
        snmp: { type: 'string', default: '0' },
        profile: { type: 'string', default: 'switch48' },
        'ae-title': { type: 'string', multiple: true },
      },
    });
    if (!(SIM_PROFILES as readonly string[]).includes(values.profile)) throw new Error(`--profile: expected one of ${SIM_PROFILES.join(', ')}, got ${JSON.stringify(values.profile)}`);
    const host = values.host;
    const aes = values['ae-title'];
    const dicom = await startDicomSimulator({ host, port: portOf('dicom', values.dicom), ...(aes?.length ? { policy: 'accept-listed' as const, calledAeTitles: aes } : {}) });
    closers.push(dicom);
    const hl7 = await startHl7Endpoint({ host, port: portOf('hl7', values.hl7) });
    closers.push(hl7);
    const fhir = await startFhirStub({ host, port: portOf('fhir', values.fhir) });
    closers.push(fhir);
    const snmp = await startSnmpAgent({ host, port: portOf('snmp', values.snmp), profile: values.profile as SimProfile });
    closers.push(snmp);
    io.out(
      [
        `DICOM SCP     dicom://${host}:${dicom.port}  (${aes?.length ? `called AE titles: ${aes.join(', ')}` : 'any AE title'}; echo, find, worklist, store)`,
        `HL7 MLLP      mllp://${host}:${hl7.port}  (answers AA)`,
        `FHIR          ${fhir.baseUrl}`,
        `DICOMweb      ${fhir.dicomwebUrl}`,
        `SNMP agent    udp://${host}:${snmp.port}  (community public, profile ${values.profile})`,
        'Ctrl-C stops the simulators.',
        '',
      ].join('\n'),
    );
    await until;
    return 0;
  } catch (e) {
    io.err(`${(e as Error).message}\n`);
    return 2;
  } finally {
    for (const c of closers.reverse()) await c.close().catch(() => undefined);
    closers = [];
  }
}

function signalled(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
