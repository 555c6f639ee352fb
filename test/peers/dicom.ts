// Starts DCMTK and Orthanc DICOM peers for tests and benchmarks (on free ports, TCP_NODELAY=1),
// and makes what they need: worklist files and study files from text dumps (dump2dcm), a
// dcmqrscp configuration and index, and a small PKI for DICOM TLS. DCMTK 3.6.7 and Orthanc 1.10
// have no option to bind one address, so these peers listen on all interfaces of the test machine.

import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, requireCommand, startPeer, type Peer } from './harness.ts';

const run = promisify(execFile);
const ENV = { ...process.env, TCP_NODELAY: '1' };

export interface DicomPeer extends Peer {
  readonly aet: string;
  /** Scratch directory of the peer, removed by stop(). */
  readonly dir: string;
}

export async function tempDir(prefix = 'ww-dicom-'): Promise<string> {
  return mkdtemp(path.join(tmpdir(), prefix));
}

/** Runs a DCMTK tool; resolves with its exit code and output (never rejects on a non-zero exit). */
export async function dcmtk(cmd: string, args: readonly string[], timeoutMs = 15_000): Promise<{ code: number; out: string }> {
  requireCommand(cmd, 'dcmtk');
  try {
    const r = await run(cmd, [...args], { env: ENV, timeout: timeoutMs });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

function withCleanup(peer: Peer, aet: string, dir: string): DicomPeer {
  return {
    ...peer,
    aet,
    dir,
    stop: async () => {
      await peer.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface StorescpOptions {
  readonly aet?: string;
  /** DICOM TLS: PEM files; the peer then requires a client certificate signed by `ca`. */
  readonly tls?: { readonly key: string; readonly cert: string; readonly ca: string };
}

/** storescp: C-ECHO and C-STORE (received objects are discarded). */
export async function startStorescp(opts: StorescpOptions = {}): Promise<DicomPeer> {
  requireCommand('storescp', 'dcmtk');
  const aet = opts.aet ?? 'STORESCP';
  const dir = await tempDir();
  const port = await freePort();
  const tlsArgs = opts.tls ? ['+tls', opts.tls.key, opts.tls.cert, '+cf', opts.tls.ca, '-rc'] : [];
  const peer = await startPeer('storescp', ['-aet', aet, '--ignore', '-od', dir, ...tlsArgs, String(port)], { port, env: { TCP_NODELAY: '1' } });
  return withCleanup(peer, aet, dir);
}

/** A data set written as a DCMTK text dump ("(0010,0010) PN [X]" lines) turned into a file. */
export async function dump2dcm(dump: string, file: string): Promise<void> {
  const src = `${file}.dump`;
  await writeFile(src, dump);
  const r = await dcmtk('dump2dcm', [src, file]);
  if (r.code !== 0) throw new Error(`dump2dcm failed: ${r.out}`);
}

export interface StudyFixture {
  readonly patientId: string;
  readonly patientName: string;
  readonly studyUid: string;
  readonly studyDate: string;
  readonly modality: string;
}

function studyDump(s: StudyFixture, i: number): string {
  return [
    '(0008,0016) UI =SecondaryCaptureImageStorage',
    `(0008,0018) UI [${s.studyUid}.1.${i}]`,
    `(0008,0020) DA [${s.studyDate}]`,
    '(0008,0030) TM [080000]',
    `(0008,0050) SH [ACC${i}]`,
    `(0008,0060) CS [${s.modality}]`,
    `(0010,0010) PN [${s.patientName}]`,
    `(0010,0020) LO [${s.patientId}]`,
    `(0020,000d) UI [${s.studyUid}]`,
    `(0020,000e) UI [${s.studyUid}.1]`,
    `(0020,0010) SH [${i}]`,
    '(0020,0011) IS [1]',
    '(0020,0013) IS [1]',
    '',
  ].join('\n');
}

/** dcmqrscp (Q/R SCP) with the given studies indexed; its AE title answers C-FIND at patient/study level. */
export async function startDcmqrscp(studies: readonly StudyFixture[], aet = 'QRSCP'): Promise<DicomPeer> {
  requireCommand('dcmqrscp', 'dcmtk');
  const dir = await tempDir();
  const db = path.join(dir, 'db');
  await mkdir(db);
  const files: string[] = [];
  for (const [i, s] of studies.entries()) {
    const f = path.join(db, `study${i}.dcm`);
    await dump2dcm(studyDump(s, i), f);
    files.push(f);
  }
  if (files.length) {
    const r = await dcmtk('dcmqridx', [db, ...files]);
    if (r.code !== 0) throw new Error(`dcmqridx failed: ${r.out}`);
  }
  const port = await freePort();
  const cfg = path.join(dir, 'dcmqrscp.cfg');
  await writeFile(cfg, [`NetworkTCPPort = ${port}`, 'MaxPDUSize = 16384', 'MaxAssociations = 32', '', 'HostTable BEGIN', 'HostTable END', '', 'VendorTable BEGIN', 'VendorTable END', '', 'AETable BEGIN', `${aet} ${db} RW (200, 1024mb) ANY`, 'AETable END', ''].join('\n'));
  const peer = await startPeer('dcmqrscp', ['-c', cfg], { port, env: { TCP_NODELAY: '1' } });
  return withCleanup(peer, aet, dir);
}

export interface WorklistFixture {
  readonly patientId: string;
  readonly modality: string;
  readonly stationAe: string;
  readonly date: string;
}

/** wlmscpfs (modality worklist SCP) serving one .wl file per entry under the AE title's folder. */
export async function startWlmscpfs(entries: readonly WorklistFixture[], aet = 'WLMSCP'): Promise<DicomPeer> {
  requireCommand('wlmscpfs', 'dcmtk');
  const dir = await tempDir();
  const folder = path.join(dir, aet);
  await mkdir(folder);
  await writeFile(path.join(folder, 'lockfile'), '');
  for (const [i, e] of entries.entries()) {
    const dump = [
      '(0008,0005) CS [ISO_IR 100]',
      `(0008,0050) SH [WLACC${i}]`,
      `(0010,0010) PN [WARDWATCH^WL${i}]`,
      `(0010,0020) LO [${e.patientId}]`,
      '(0010,0030) DA [19800101]',
      '(0010,0040) CS [O]',
      `(0020,000d) UI [2.25.7777.${i}]`,
      `(0032,1060) LO [SIM PROCEDURE ${i}]`,
      '(0040,0100) SQ (Sequence with explicit length #=1)',
      '(fffe,e000) na (Item with explicit length #=1)',
      `(0008,0060) CS [${e.modality}]`,
      `(0040,0001) AE [${e.stationAe}]`,
      `(0040,0002) DA [${e.date}]`,
      '(0040,0003) TM [0800]',
      '(0040,0006) PN [WARDWATCH^OPERATOR]',
      `(0040,0007) LO [SIM STEP ${i}]`,
      `(0040,0009) SH [SPS${i}]`,
      '(fffe,e00d) na (ItemDelimitationItem)',
      '(fffe,e0dd) na (SequenceDelimitationItem)',
      `(0040,1001) SH [RP${i}]`,
      '',
    ].join('\n');
    await dump2dcm(dump, path.join(folder, `entry${i}.wl`));
  }
  const port = await freePort();
  const peer = await startPeer('wlmscpfs', ['-dfr', '-dfp', dir, String(port)], { port, env: { TCP_NODELAY: '1' } });
  return withCleanup(peer, aet, dir);
}

export interface OrthancPeer extends DicomPeer {
  readonly httpPort: number;
}

/** Orthanc with DICOM on a free port, HTTP on loopback only, storage in a temp dir, called AE checked. */
export async function startOrthanc(aet = 'ORTHANC'): Promise<OrthancPeer> {
  requireCommand('Orthanc', 'orthanc');
  const dir = await tempDir();
  const [port, httpPort] = [await freePort(), await freePort()];
  const cfg = path.join(dir, 'orthanc.json');
  await writeFile(
    cfg,
    JSON.stringify({
      Name: 'WARDWATCH-TEST',
      StorageDirectory: path.join(dir, 'storage'),
      IndexDirectory: path.join(dir, 'storage'),
      DicomAet: aet,
      DicomPort: port,
      HttpPort: httpPort,
      RemoteAccessAllowed: false,
      AuthenticationEnabled: false,
      DicomCheckCalledAet: true,
      DicomAlwaysAllowEcho: true,
      DicomAlwaysAllowStore: true,
      DicomAlwaysAllowFind: true,
      DicomCheckModalityHost: false,
      DicomModalities: {},
      Plugins: [],
    }),
  );
  const peer = await startPeer('Orthanc', [cfg], { port, env: { TCP_NODELAY: '1' }, startTimeoutMs: 30_000 });
  return { ...withCleanup(peer, aet, dir), httpPort };
}

export interface TestPki {
  readonly dir: string;
  readonly ca: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
}

/** A throw-away CA with a server certificate for 127.0.0.1/localhost and a client certificate (openssl). */
export async function makeTestPki(): Promise<TestPki> {
  requireCommand('openssl', 'openssl');
  const dir = await tempDir('ww-pki-');
  const p = (f: string) => path.join(dir, f);
  const ssl = async (args: string[]) => {
    await run('openssl', args, { cwd: dir });
  };
  await ssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('ca.key'), '-out', p('ca.pem'), '-days', '2', '-subj', '/CN=Wardwatch Test CA']);
  for (const who of ['server', 'client']) {
    await ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', p(`${who}.key`), '-out', p(`${who}.csr`), '-subj', `/CN=${who === 'server' ? 'localhost' : 'WARDWATCH'}`]);
    await writeFile(p(`${who}.ext`), who === 'server' ? 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' : 'extendedKeyUsage=clientAuth\n');
    await ssl(['x509', '-req', '-in', p(`${who}.csr`), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial', '-out', p(`${who}.pem`), '-days', '2', '-extfile', p(`${who}.ext`)]);
  }
  return { dir, ca: p('ca.pem'), serverCert: p('server.pem'), serverKey: p('server.key'), clientCert: p('client.pem'), clientKey: p('client.key') };
}
