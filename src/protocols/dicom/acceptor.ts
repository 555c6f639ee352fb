// The DICOM association acceptor (SCP side): listens on the host given (127.0.0.1 by default),
// hands each A-ASSOCIATE-RQ and DIMSE request to a handler, and answers release and abort. The
// handler decides everything (accept, reject, which contexts); the simulator is one such handler.

import net from 'node:net';
import tls from 'node:tls';
import { once } from 'node:events';
import { UID, IMPLEMENTATION_VERSION } from './constants.ts';
import { encodeMessage, type DimseMessage } from './dimse.ts';
import type { DataSet, TransferSyntax } from './dataset.ts';
import { PduLink } from './link.ts';
import type { AssociateRq, PresentationContextAc, Pdu } from './pdu.ts';

export type AssociateAnswer =
  | { readonly action: 'accept'; readonly contexts: readonly PresentationContextAc[] }
  | { readonly action: 'reject'; readonly result: number; readonly source: number; readonly reason: number }
  | { readonly action: 'abort'; readonly source: number; readonly reason: number }
  /** Sends these bytes as they are (tests: a peer that speaks garbage) and closes. */
  | { readonly action: 'raw'; readonly bytes: Uint8Array }
  /** Never answers (tests: a hung peer); the idle timeout eventually closes the connection. */
  | { readonly action: 'ignore' };

export interface RequestContext {
  readonly abstractSyntax: string;
  readonly transferSyntax: TransferSyntax;
  readonly callingAe: string;
  readonly calledAe: string;
  /** Sends a response message (command plus optional data set bytes) on the request's context. */
  send(command: DataSet, dataset?: Uint8Array): void;
  abort(source: number, reason: number): void;
  raw(bytes: Uint8Array): void;
}

export interface AcceptorHandler {
  associate(rq: AssociateRq): AssociateAnswer | Promise<AssociateAnswer>;
  /** Requests of one association are handled one after another, in order. */
  request(msg: DimseMessage, ctx: RequestContext): void | Promise<void>;
  /** Optional: false leaves an A-RELEASE-RQ unanswered (tests: a peer that never releases). */
  release?(): boolean;
}

export interface AcceptorOptions {
  /** Default 127.0.0.1: a simulator never listens on every interface unless told to. */
  readonly host?: string;
  readonly port?: number;
  readonly tls?: tls.TlsOptions;
  readonly maxPduLength?: number;
  readonly maxDatasetBytes?: number;
  /** Closes connections silent for this long (default 30 s). */
  readonly idleTimeoutMs?: number;
  readonly handler: AcceptorHandler;
}

export interface DicomAcceptor {
  readonly port: number;
  readonly address: string;
  /** Associations currently connected. */
  connections(): number;
  close(): Promise<void>;
}

const TS_OF: Readonly<Record<string, TransferSyntax>> = { [UID.implicitLittle]: 'implicit', [UID.explicitLittle]: 'explicit' };

/** Accepts each proposed context whose abstract syntax `supported` approves, preferring explicit VR. */
export function negotiateContexts(rq: AssociateRq, supported: (abstractSyntax: string) => boolean, rejectAll?: number): PresentationContextAc[] {
  return rq.contexts.map((pc) => {
    if (rejectAll !== undefined) return { id: pc.id, result: rejectAll, transferSyntax: pc.transferSyntaxes[0] ?? UID.implicitLittle };
    if (!supported(pc.abstractSyntax)) return { id: pc.id, result: 3, transferSyntax: pc.transferSyntaxes[0] ?? UID.implicitLittle };
    const ts = [UID.explicitLittle, UID.implicitLittle].find((t) => pc.transferSyntaxes.includes(t));
    return ts ? { id: pc.id, result: 0, transferSyntax: ts } : { id: pc.id, result: 4, transferSyntax: pc.transferSyntaxes[0]! };
  });
}

export async function startAcceptor(opts: AcceptorOptions): Promise<DicomAcceptor> {
  const sockets = new Set<net.Socket>();
  const onSocket = (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    serve(socket, opts);
  };
  const server = opts.tls ? tls.createServer(opts.tls, onSocket) : net.createServer(onSocket);
  // A TLS handshake failure must not take the server down.
  server.on('tlsClientError', () => undefined);
  server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1');
  await once(server, 'listening');
  const addr = server.address() as net.AddressInfo;
  return {
    port: addr.port,
    address: addr.address,
    connections: () => sockets.size,
    close: async () => {
      const closed = new Promise<void>((r) => server.close(() => r()));
      await Promise.all([...sockets].map((s) => {
        const gone = once(s, 'close');
        s.destroy();
        return gone;
      }));
      await closed;
    },
  };
}

function serve(socket: net.Socket, opts: AcceptorOptions): void {
  socket.setNoDelay(true);
  socket.setTimeout(opts.idleTimeoutMs ?? 30_000, () => socket.destroy());
  const maxPdu = opts.maxPduLength ?? 65_536;
  let rq: AssociateRq | undefined;
  let peerMaxPdu = 0;
  let accepted = new Map<number, PresentationContextAc & { abstractSyntax: string }>();
  let queue: Promise<void> = Promise.resolve();

  const link: PduLink = new PduLink(socket, { maxPduLength: maxPdu, maxDatasetBytes: opts.maxDatasetBytes ?? 64 * 1024 * 1024 }, {
    pdu: (p) => onPdu(p),
    message: (m) => {
      queue = queue.then(() => onMessage(m)).catch(() => void link.finish({ type: 'abort', source: 2, reason: 0 }));
    },
    failure: () => void link.finish({ type: 'abort', source: 2, reason: 1 }),
    closed: () => undefined,
  });

  const onPdu = (p: Pdu) => {
    if (p.type === 'associate-rq' && !rq) {
      rq = p;
      peerMaxPdu = p.userInfo.maxPduLength;
      queue = queue.then(() => answerAssociate(p)).catch(() => void link.finish({ type: 'abort', source: 2, reason: 0 }));
    } else if (p.type === 'release-rq') {
      if (opts.handler.release?.() === false) return;
      // Answer after pending requests, so a response is never cut off by the release.
      queue = queue.then(() => link.finish({ type: 'release-rp' }));
    } else if (p.type === 'abort') {
      void link.destroy();
    } else {
      void link.finish({ type: 'abort', source: 2, reason: 2 });
    }
  };

  const answerAssociate = async (p: AssociateRq) => {
    const answer = await opts.handler.associate(p);
    switch (answer.action) {
      case 'accept':
        accepted = new Map(answer.contexts.filter((c) => c.result === 0).map((c) => [c.id, { ...c, abstractSyntax: p.contexts.find((x) => x.id === c.id)?.abstractSyntax ?? '' }]));
        link.sendPdu({
          type: 'associate-ac',
          protocolVersion: 1,
          calledAe: p.calledAe || 'ANY-SCP',
          callingAe: p.callingAe || 'ANY-SCU',
          applicationContext: UID.applicationContext,
          contexts: answer.contexts,
          userInfo: { maxPduLength: maxPdu, implementationClassUid: UID.implementationClass, implementationVersion: IMPLEMENTATION_VERSION },
        });
        return;
      case 'reject':
        await link.finish({ type: 'associate-rj', result: answer.result, source: answer.source, reason: answer.reason });
        return;
      case 'abort':
        await link.finish({ type: 'abort', source: answer.source, reason: answer.reason });
        return;
      case 'raw':
        socket.end(answer.bytes);
        return;
      case 'ignore':
        return;
    }
  };

  const onMessage = async (m: DimseMessage) => {
    const pc = accepted.get(m.contextId);
    if (!rq || !pc) {
      await link.finish({ type: 'abort', source: 2, reason: 6 });
      return;
    }
    const ctx: RequestContext = {
      abstractSyntax: pc.abstractSyntax,
      transferSyntax: TS_OF[pc.transferSyntax] ?? 'implicit',
      callingAe: rq.callingAe,
      calledAe: rq.calledAe,
      send: (command, dataset) => link.send(encodeMessage(m.contextId, command, dataset, peerMaxPdu)),
      abort: (source, reason) => void link.finish({ type: 'abort', source, reason }),
      raw: (bytes) => link.send(Buffer.from(bytes)),
    };
    await opts.handler.request(m, ctx);
  };
}
