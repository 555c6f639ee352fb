// The DICOM association requestor (SCU): connect (TCP or DICOM TLS) → A-ASSOCIATE → C-ECHO /
// C-FIND / C-STORE → A-RELEASE. Every phase has its own timeout and honours an AbortSignal; a
// peer's A-ABORT, rejection or hang-up surfaces at once as a DicomError with the decoded reason,
// and every path ends with the socket closed and no timer left behind.

import net from 'node:net';
import tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import { DicomError, type DicomErrorCode, type TransportErrorCode } from './errors.ts';
import { UID, IMPLEMENTATION_VERSION, COMMAND, describeAbort, describeReject, describeContextResult, describeSopClass, isPending } from './constants.ts';
import { encodeDataSet, type DataSet, type TransferSyntax } from './dataset.ts';
import { echoRq, findRq, storeRq, encodeMessage, commandField, statusOf, errorCommentOf, TAG, type DimseMessage } from './dimse.ts';
import { getNumber } from './dataset.ts';
import { PduLink } from './link.ts';
import type { AssociateAc, Pdu } from './pdu.ts';

export interface ContextProposal {
  readonly abstractSyntax: string;
  /** Default: explicit then implicit VR little endian. */
  readonly transferSyntaxes?: readonly string[];
}

export interface AssociationOptions {
  readonly host: string;
  readonly port: number;
  readonly callingAe: string;
  readonly calledAe: string;
  readonly contexts: readonly ContextProposal[];
  /** DICOM TLS: node:tls options (ca, cert, key, minVersion, rejectUnauthorized, servername). */
  readonly tls?: tls.ConnectionOptions;
  readonly connectTimeoutMs?: number;
  readonly associateTimeoutMs?: number;
  /** Largest PDU we accept (announced in A-ASSOCIATE-RQ). */
  readonly maxPduLength?: number;
  readonly maxDatasetBytes?: number;
  readonly signal?: AbortSignal;
  /** Monotonic clock in ms (performance.now by default). */
  readonly now?: () => number;
}

export interface OperationOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

export interface AcceptedContext {
  readonly id: number;
  readonly abstractSyntax: string;
  readonly transferSyntax: TransferSyntax;
}

export interface FindResult {
  readonly status: number;
  readonly matches: number;
  /** ms from sending the request to each response (pending ones, then the final one). */
  readonly responseTimesMs: readonly number[];
  readonly errorComment?: string;
}

export interface DimseResult {
  readonly status: number;
  readonly errorComment?: string;
}

const TS_OF: Readonly<Record<string, TransferSyntax>> = { [UID.implicitLittle]: 'implicit', [UID.explicitLittle]: 'explicit' };

interface Waiter {
  pdu?(p: Pdu): void;
  message?(m: DimseMessage): void;
  fail(err: Error): void;
}

type Phase = 'connect' | 'associate' | 'dimse' | 'release';
const TIMEOUT_CODE: Record<Phase, DicomErrorCode | TransportErrorCode> = { connect: 'CONNECT_TIMEOUT', associate: 'DICOM_TIMEOUT_ASSOCIATE', dimse: 'DICOM_TIMEOUT_DIMSE', release: 'DICOM_TIMEOUT_RELEASE' };

export class Association {
  readonly #opts: AssociationOptions;
  readonly #now: () => number;
  #link: PduLink | undefined;
  #waiter: Waiter | undefined;
  #failure: Error | undefined;
  #phase: Phase = 'connect';
  #messageId = 0;
  #contexts = new Map<string, AcceptedContext>();
  #refused: { abstractSyntax: string; result: number }[] = [];
  #peerMaxPdu = 0;
  /** Phase durations in ms: connect, tls (DICOM TLS only), associate. */
  readonly timings: { connectMs: number; tlsMs?: number; associateMs: number } = { connectMs: 0, associateMs: 0 };

  private constructor(opts: AssociationOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? (() => performance.now());
  }

  /** Connects and negotiates; rejects with a DicomError or a Node.js socket/TLS error. */
  static async open(opts: AssociationOptions): Promise<Association> {
    const a = new Association(opts);
    try {
      await a.#connect();
      await a.#associate();
    } catch (e) {
      await a.destroy();
      throw e;
    }
    return a;
  }

  get peerMaxPdu(): number {
    return this.#peerMaxPdu;
  }

  /** Presentation contexts the peer refused, with the PS3.8 result code. */
  get refusedContexts(): readonly { abstractSyntax: string; result: number }[] {
    return this.#refused;
  }

  context(abstractSyntax: string): AcceptedContext {
    const c = this.#contexts.get(abstractSyntax);
    if (c) return c;
    const refused = this.#refused.find((r) => r.abstractSyntax === abstractSyntax);
    const why = refused ? describeContextResult(refused.result) : 'not proposed';
    throw new DicomError('DICOM_CONTEXT_REJECTED', `the device refused ${describeSopClass(abstractSyntax)}: ${why}`);
  }

  // ------------------------------------------------------------ phases

  #connect(): Promise<void> {
    const { host, port } = this.#opts;
    const start = this.#now();
    return this.#wait('connect', this.#opts.connectTimeoutMs ?? 10_000, (resolve) => {
      const socket = this.#opts.tls ? tls.connect({ host, port, ...this.#opts.tls }) : net.connect({ host, port });
      socket.setNoDelay(true);
      this.#link = new PduLink(socket, { maxPduLength: this.#maxPdu(), maxDatasetBytes: this.#opts.maxDatasetBytes ?? 16 * 1024 * 1024 }, {
        pdu: (p) => this.#onPdu(p),
        message: (m) => this.#onMessage(m),
        failure: (err) => this.#fail(err, err instanceof DicomError ? 'protocol' : 'none'),
        closed: () => this.#onClosed(),
      });
      socket.once('connect', () => {
        this.timings.connectMs = this.#now() - start;
        if (!this.#opts.tls) resolve(undefined);
      });
      if (this.#opts.tls) {
        socket.once('secureConnect', () => {
          this.timings.tlsMs = this.#now() - start - this.timings.connectMs;
          resolve(undefined);
        });
      }
    });
  }

  #maxPdu(): number {
    return this.#opts.maxPduLength ?? 65_536;
  }

  #associate(): Promise<void> {
    const start = this.#now();
    const { callingAe, calledAe } = this.#opts;
    const proposed = this.#opts.contexts.map((c, i) => ({ id: i * 2 + 1, abstractSyntax: c.abstractSyntax, transferSyntaxes: c.transferSyntaxes ?? [UID.explicitLittle, UID.implicitLittle] }));
    return this.#wait('associate', this.#opts.associateTimeoutMs ?? 10_000, (resolve, reject) => {
      this.#waiter!.pdu = (p) => {
        if (p.type === 'associate-rj') {
          const { code, text } = describeReject(p.result, p.source, p.reason);
          reject(new DicomError(code, `${text} (called AE "${calledAe}", calling AE "${callingAe}")`));
        } else if (p.type === 'associate-ac') {
          this.#accept(p, proposed);
          this.timings.associateMs = this.#now() - start;
          resolve(undefined);
        } else this.#unexpected(p.type);
      };
      this.#link!.sendPdu({
        type: 'associate-rq',
        protocolVersion: 1,
        calledAe,
        callingAe,
        applicationContext: UID.applicationContext,
        contexts: proposed,
        userInfo: { maxPduLength: this.#maxPdu(), implementationClassUid: UID.implementationClass, implementationVersion: IMPLEMENTATION_VERSION },
      });
    });
  }

  #accept(ac: AssociateAc, proposed: readonly { id: number; abstractSyntax: string; transferSyntaxes: readonly string[] }[]): void {
    this.#peerMaxPdu = ac.userInfo.maxPduLength;
    for (const p of proposed) {
      const answer = ac.contexts.find((c) => c.id === p.id);
      if (!answer || answer.result !== 0) {
        this.#refused.push({ abstractSyntax: p.abstractSyntax, result: answer?.result ?? 2 });
        continue;
      }
      const ts = TS_OF[answer.transferSyntax];
      if (!ts || !p.transferSyntaxes.includes(answer.transferSyntax)) {
        throw new DicomError('DICOM_PDU_INVALID', `the device accepted ${describeSopClass(p.abstractSyntax)} with transfer syntax ${answer.transferSyntax}, which we did not propose`);
      }
      this.#contexts.set(p.abstractSyntax, { id: p.id, abstractSyntax: p.abstractSyntax, transferSyntax: ts });
    }
  }

  // ------------------------------------------------------------ DIMSE

  /** C-ECHO (verification). */
  echo(opts: OperationOptions): Promise<DimseResult> {
    const ctx = this.context(UID.verification);
    return this.#single(ctx, echoRq(this.#nextId()), undefined, COMMAND.cEchoRsp, opts);
  }

  /** C-STORE of one object; `encode` renders the data set in the negotiated transfer syntax. */
  store(sopClass: string, sopInstance: string, encode: (ts: TransferSyntax) => Uint8Array, opts: OperationOptions): Promise<DimseResult> {
    const ctx = this.context(sopClass);
    return this.#single(ctx, storeRq(this.#nextId(), sopClass, sopInstance), encode(ctx.transferSyntax), COMMAND.cStoreRsp, opts);
  }

  /** C-FIND: counts pending responses (their identifiers are never decoded) and times them. */
  find(sopClass: string, identifier: DataSet, opts: OperationOptions): Promise<FindResult> {
    const ctx = this.context(sopClass);
    const id = this.#nextId();
    const times: number[] = [];
    let matches = 0;
    let start = 0;
    return this.#wait('dimse', opts.timeoutMs, (resolve, reject, restartTimer) => {
      this.#waiter!.message = (m) => {
        if (!this.#isResponse(m, COMMAND.cFindRsp, id, reject)) return;
        times.push(this.#now() - start);
        const status = statusOf(m);
        if (isPending(status)) {
          if (m.dataset) matches++;
          restartTimer();
          return;
        }
        const comment = errorCommentOf(m);
        resolve({ status, matches, responseTimesMs: times, ...(comment ? { errorComment: comment } : {}) });
      };
      start = this.#now();
      this.#link!.send(encodeMessage(ctx.id, findRq(id, sopClass), encodeDataSet(identifier, ctx.transferSyntax), this.#peerMaxPdu));
    }, opts.signal);
  }

  #single(ctx: AcceptedContext, command: DataSet, dataset: Uint8Array | undefined, rspField: number, opts: OperationOptions): Promise<DimseResult> {
    const id = getNumber(command, TAG.messageId)!;
    return this.#wait('dimse', opts.timeoutMs, (resolve, reject) => {
      this.#waiter!.message = (m) => {
        if (!this.#isResponse(m, rspField, id, reject)) return;
        const comment = errorCommentOf(m);
        resolve({ status: statusOf(m), ...(comment ? { errorComment: comment } : {}) });
      };
      this.#link!.send(encodeMessage(ctx.id, command, dataset, this.#peerMaxPdu));
    }, opts.signal);
  }

  #isResponse(m: DimseMessage, field: number, id: number, reject: (e: Error) => void): boolean {
    const got = commandField(m);
    const to = getNumber(m.command, TAG.respondedTo);
    if (got === field && to === id) return true;
    reject(new DicomError('DICOM_PDU_INVALID', `expected response 0x${field.toString(16)} to message ${id}, got command 0x${got.toString(16)} for message ${String(to)}`));
    return false;
  }

  #nextId(): number {
    this.#messageId = (this.#messageId % 0xffff) + 1;
    return this.#messageId;
  }

  // ------------------------------------------------------------ release, abort, close

  /** A-RELEASE; a peer that hangs up instead of answering counts as released. */
  async release(opts: OperationOptions): Promise<void> {
    await this.#wait('release', opts.timeoutMs, (resolve) => {
      this.#waiter!.pdu = (p) => {
        if (p.type === 'release-rp') resolve(undefined);
        else if (p.type === 'release-rq') this.#link?.sendPdu({ type: 'release-rp' });
        else this.#unexpected(p.type);
      };
      this.#link!.sendPdu({ type: 'release-rq' });
    }, opts.signal);
    await this.destroy();
  }

  /** Sends A-ABORT (service user) and closes. */
  async abort(): Promise<void> {
    if (!this.#failure) this.#failure = new DicomError('ABORTED', 'association aborted by us');
    await this.#link?.finish({ type: 'abort', source: 0, reason: 0 });
  }

  /** Closes the connection at once; resolves when the socket is released. */
  async destroy(): Promise<void> {
    if (!this.#failure) this.#failure = new DicomError('ABORTED', 'association closed');
    await this.#link?.destroy();
  }

  // ------------------------------------------------------------ plumbing

  #onPdu(p: Pdu): void {
    if (p.type === 'abort') {
      this.#fail(new DicomError('DICOM_ABORTED', `${describeAbort(p.source, p.reason)} (during ${this.#phaseText()})`), 'none');
      return;
    }
    if (this.#waiter?.pdu) this.#waiter.pdu(p);
    else this.#unexpected(p.type);
  }

  #onMessage(m: DimseMessage): void {
    if (this.#waiter?.message) this.#waiter.message(m);
    else this.#fail(new DicomError('DICOM_PDU_INVALID', `unexpected DIMSE message (command 0x${commandField(m).toString(16)}) during ${this.#phaseText()}`), 'unexpected');
  }

  #unexpected(type: string): void {
    this.#fail(new DicomError('DICOM_PDU_INVALID', `unexpected ${type} PDU during ${this.#phaseText()}`), 'unexpected');
  }

  #onClosed(): void {
    if (this.#failure) return;
    if (this.#phase === 'release' && this.#waiter) {
      this.#waiter.pdu?.({ type: 'release-rp' });
      return;
    }
    this.#fail(new DicomError('CLOSED_EARLY', `the device closed the connection during ${this.#phaseText()} without an A-ABORT`), 'none');
  }

  #phaseText(): string {
    return { connect: 'connection set-up', associate: 'association negotiation', dimse: 'a DIMSE request', release: 'release' }[this.#phase];
  }

  /** Records the first failure, tells the peer (A-ABORT) where the protocol asks for it, and closes. */
  #fail(err: Error, tell: 'none' | 'protocol' | 'unexpected' | 'user'): void {
    if (this.#failure) return;
    this.#failure = err;
    const w = this.#waiter;
    this.#waiter = undefined;
    const link = this.#link;
    if (link) {
      if (tell === 'none') void link.destroy();
      else void link.finish({ type: 'abort', source: tell === 'user' ? 0 : 2, reason: tell === 'unexpected' ? 2 : tell === 'protocol' ? 1 : 0 });
    }
    w?.fail(err);
  }

  /**
   * Runs one phase: installs a waiter, arms the phase timeout and the abort signal, and cleans
   * both up however the phase ends. A timeout aborts the association (its state is unknown).
   */
  #wait<T>(phase: Phase, timeoutMs: number, start: (resolve: (v: T) => void, reject: (e: Error) => void, restartTimer: () => void) => void, signal: AbortSignal | undefined = this.#opts.signal): Promise<T> {
    if (this.#failure) return Promise.reject(this.#failure);
    this.#phase = phase;
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => {
        const timeout = (signal?.reason as { name?: string } | undefined)?.name === 'TimeoutError';
        this.#fail(new DicomError(timeout ? 'TIMEOUT' : 'ABORTED', `check ${timeout ? 'timed out' : 'cancelled'} during ${this.#phaseText()}`), phase === 'connect' ? 'none' : 'user');
      };
      const arm = () => {
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => {
          const what = phase === 'connect' ? `no connection to ${this.#opts.host}:${this.#opts.port}` : `no answer during ${this.#phaseText()}`;
          this.#fail(new DicomError(TIMEOUT_CODE[phase], `${what} within ${timeoutMs} ms`), phase === 'connect' ? 'none' : 'user');
        }, timeoutMs);
      };
      const done = () => {
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (this.#waiter === waiter) this.#waiter = undefined;
      };
      const waiter: Waiter = {
        fail: (e) => {
          done();
          reject(e);
        },
      };
      this.#waiter = waiter;
      if (signal?.aborted) {
        onAbort();
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      arm();
      const ok = (v: T) => {
        done();
        resolve(v);
      };
      const bad = (e: Error) => {
        const tell = e instanceof DicomError && e.code === 'DICOM_PDU_INVALID' ? 'unexpected' : 'none';
        this.#fail(e, tell);
      };
      try {
        start(ok, bad, arm);
      } catch (e) {
        bad(e instanceof Error ? e : new Error(String(e)));
      }
    });
  }
}
