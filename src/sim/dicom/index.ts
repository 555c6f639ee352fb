// A simulated DICOM SCP (PACS/RIS) for the demo hospital, tests and benchmarks: verification,
// patient/study root C-FIND over synthetic studies, modality worklist, storage that counts and
// discards; AE title policies and injectable faults (reject, abort, delay, hang, garbage, context refusal).

import type tls from 'node:tls';
import { startAcceptor, negotiateContexts, type AssociateAnswer, type RequestContext } from '../../protocols/dicom/acceptor.ts';
import { UID, COMMAND, STORAGE_SOP_PREFIX } from '../../protocols/dicom/constants.ts';
import { commandField, responseTo, type DimseMessage } from '../../protocols/dicom/dimse.ts';
import { decodeDataSet, encodeDataSet, getString, type DataSet } from '../../protocols/dicom/dataset.ts';
import type { AssociateRq } from '../../protocols/dicom/pdu.ts';
import { matches, project } from './matching.ts';
import { patients, studies, worklist } from './data.ts';

export type DicomFault =
  /** A-ASSOCIATE-RJ with this result (1 permanent, 2 transient), source and reason (PS3.8 §9.3.4). */
  | { readonly kind: 'reject'; readonly result?: number; readonly source: number; readonly reason: number }
  /** A-ABORT instead of the association answer, or instead of the first DIMSE response. */
  | { readonly kind: 'abort'; readonly when?: 'associate' | 'request'; readonly source?: number; readonly reason?: number }
  /** Every answer (association and DIMSE) is delayed by ms. */
  | { readonly kind: 'delay'; readonly ms: number }
  /** No answer at all at that point. */
  | { readonly kind: 'hang'; readonly when?: 'associate' | 'request' | 'release' }
  /** Bytes that are not DICOM instead of the answer. */
  | { readonly kind: 'garbage'; readonly when?: 'associate' | 'request' }
  /** Every DIMSE request answered with this status (e.g. 0xA700 out of resources). */
  | { readonly kind: 'status'; readonly status: number }
  /** Every presentation context refused with this result (default 3: abstract syntax not supported). */
  | { readonly kind: 'reject-context'; readonly result?: number };

export interface DicomSimulatorOptions {
  readonly host?: string;
  readonly port?: number;
  /** accept-any (default) or accept-listed: the called/calling AE must be in its list (an absent list allows any). */
  readonly policy?: 'accept-any' | 'accept-listed';
  readonly calledAeTitles?: readonly string[];
  readonly callingAeTitles?: readonly string[];
  readonly tls?: tls.TlsOptions;
  readonly fault?: DicomFault;
  /** Wall clock for "today" in the synthetic data (default Date.now). */
  readonly wallNow?: () => number;
  readonly idleTimeoutMs?: number;
}

export interface DicomSimulatorStats {
  associations: number;
  echoes: number;
  finds: number;
  stores: number;
  storedBytes: number;
}

export interface DicomSimulator {
  readonly port: number;
  readonly address: string;
  setFault(f: DicomFault | undefined): void;
  stats(): Readonly<DicomSimulatorStats>;
  connections(): number;
  close(): Promise<void>;
}

/** The garbage a misconfigured port typically answers with: a web server. */
export const GARBAGE = Buffer.from('HTTP/1.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n', 'latin1');

const FIND_SOPS = new Set<string>([UID.patientRootFind, UID.studyRootFind, UID.worklistFind]);

export async function startDicomSimulator(options: DicomSimulatorOptions = {}): Promise<DicomSimulator> {
  let fault = options.fault;
  const wallNow = options.wallNow ?? Date.now;
  const stats: DicomSimulatorStats = { associations: 0, echoes: 0, finds: 0, stores: 0, storedBytes: 0 };
  const timers = new Set<NodeJS.Timeout>();
  let closing = false;

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  const supported = (sop: string) => sop === UID.verification || FIND_SOPS.has(sop) || sop.startsWith(STORAGE_SOP_PREFIX);

  const associate = async (rq: AssociateRq): Promise<AssociateAnswer> => {
    const f = fault;
    if (f?.kind === 'delay') await pause(f.ms);
    if (closing) return { action: 'ignore' };
    if (options.policy === 'accept-listed') {
      if (options.calledAeTitles && !options.calledAeTitles.includes(rq.calledAe)) return { action: 'reject', result: 1, source: 1, reason: 7 };
      if (options.callingAeTitles && !options.callingAeTitles.includes(rq.callingAe)) return { action: 'reject', result: 1, source: 1, reason: 3 };
    }
    if (f?.kind === 'reject') return { action: 'reject', result: f.result ?? 1, source: f.source, reason: f.reason };
    if (f?.kind === 'abort' && (f.when ?? 'associate') === 'associate') return { action: 'abort', source: f.source ?? 2, reason: f.reason ?? 0 };
    if (f?.kind === 'hang' && (f.when ?? 'request') === 'associate') return { action: 'ignore' };
    if (f?.kind === 'garbage' && (f.when ?? 'associate') === 'associate') return { action: 'raw', bytes: GARBAGE };
    stats.associations++;
    return { action: 'accept', contexts: negotiateContexts(rq, supported, f?.kind === 'reject-context' ? (f.result ?? 3) : undefined) };
  };

  const request = async (m: DimseMessage, ctx: RequestContext): Promise<void> => {
    const f = fault;
    if (f?.kind === 'delay') await pause(f.ms);
    if (f?.kind === 'hang' && (f.when ?? 'request') === 'request') return;
    if (f?.kind === 'abort' && f.when === 'request') return ctx.abort(f.source ?? 2, f.reason ?? 0);
    if (f?.kind === 'garbage' && f.when === 'request') return ctx.raw(GARBAGE);
    if (f?.kind === 'status') return ctx.send(responseTo(m.command, f.status));
    switch (commandField(m)) {
      case COMMAND.cEchoRq:
        stats.echoes++;
        return ctx.send(responseTo(m.command, 0));
      case COMMAND.cStoreRq:
        stats.stores++;
        stats.storedBytes += m.dataset?.length ?? 0;
        return ctx.send(responseTo(m.command, 0));
      case COMMAND.cFindRq:
        stats.finds++;
        return find(m, ctx);
      default:
        // 0x0211: unrecognized operation
        return ctx.send(responseTo(m.command, 0x0211));
    }
  };

  const find = (m: DimseMessage, ctx: RequestContext): void => {
    let query: DataSet;
    try {
      query = decodeDataSet(m.dataset ?? new Uint8Array(), ctx.transferSyntax);
    } catch {
      return ctx.send(responseTo(m.command, 0xa900));
    }
    const now = wallNow();
    let records: DataSet[];
    if (ctx.abstractSyntax === UID.worklistFind) records = worklist(now);
    else {
      const level = getString(query, 0x00080052);
      records = level === 'PATIENT' ? patients(now) : level === 'STUDY' ? studies(now) : [];
      if (level !== 'PATIENT' && level !== 'STUDY' && level !== 'SERIES' && level !== 'IMAGE') return ctx.send(responseTo(m.command, 0xa900));
    }
    for (const r of records) {
      if (matches(query, r)) ctx.send(responseTo(m.command, 0xff00, true), encodeDataSet(project(query, r), ctx.transferSyntax));
    }
    ctx.send(responseTo(m.command, 0));
  };

  const acceptor = await startAcceptor({
    ...(options.host !== undefined ? { host: options.host } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.tls ? { tls: options.tls } : {}),
    ...(options.idleTimeoutMs !== undefined ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
    handler: { associate, request, release: () => !(fault?.kind === 'hang' && fault.when === 'release') },
  });

  return {
    port: acceptor.port,
    address: acceptor.address,
    setFault: (f) => {
      fault = f;
    },
    stats: () => ({ ...stats }),
    connections: () => acceptor.connections(),
    close: async () => {
      closing = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await acceptor.close();
    },
  };
}
