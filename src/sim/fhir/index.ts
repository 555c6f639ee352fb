// A tiny FHIR R4 + DICOMweb server for the demo, tests and benchmarks (node:http on 127.0.0.1):
// /fhir/metadata, searches answered with a Bundle total, an OAuth2 client-credentials token endpoint,
// and QIDO-RS /dicom-web/studies with WADO-RS metadata. Every datum is synthetic.

import http from 'node:http';
import https from 'node:https';
import { randomBytes } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';

export const FHIR_FAULTS = ['none', 'metadata-not-json', 'metadata-wrong-type', 'status-500', 'hang', 'huge', 'qido-object', 'study-without-uid'] as const;
export type FhirFault = (typeof FHIR_FAULTS)[number];

export interface FhirStubOptions {
  readonly host?: string;
  readonly port?: number;
  /** Total reported by Patient searches (default 3). */
  readonly patients?: number;
  /** Studies known to QIDO-RS (default 2) and instances in each (default 3). */
  readonly studies?: number;
  readonly instancesPerStudy?: number;
  readonly fhirVersion?: string;
  /** When set, /fhir/* requires a Bearer token from /oauth/token for these client credentials. */
  readonly oauth?: { readonly clientId: string; readonly clientSecret: string; readonly expiresInS?: number };
  readonly tls?: { readonly cert: string; readonly key: string };
  readonly fault?: FhirFault;
}

export interface FhirStub {
  readonly baseUrl: string;
  readonly dicomwebUrl: string;
  readonly tokenUrl: string;
  readonly port: number;
  /** Requests seen per path kind. */
  counts(): { readonly token: number; readonly metadata: number; readonly search: number; readonly qido: number; readonly wado: number };
  /** The query string of the last QIDO-RS request. */
  lastQidoQuery(): string;
  /** Forgets every issued token (as a server restart would). */
  revokeTokens(): void;
  set(changes: { fault?: FhirFault; patients?: number; studies?: number }): void;
  close(): Promise<void>;
}

const STUDY_ROOT = '1.2.826.0.1.3680043.10.543';

export async function startFhirStub(opts: FhirStubOptions = {}): Promise<FhirStub> {
  let fault: FhirFault = opts.fault ?? 'none';
  let patients = opts.patients ?? 3;
  let studies = opts.studies ?? 2;
  const instances = opts.instancesPerStudy ?? 3;
  const tokens = new Set<string>();
  const counts = { token: 0, metadata: 0, search: 0, qido: 0, wado: 0 };
  const sockets = new Set<Socket>();
  let lastQido = '';

  const send = (res: http.ServerResponse, status: number, body: unknown, type = 'application/fhir+json') => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const outcome = (code: string, text: string) => ({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics: text }] });

  const readBody = (req: http.IncomingMessage) =>
    new Promise<string>((resolve) => {
      let body = '';
      req.on('data', (d: Buffer) => {
        if (body.length < 65536) body += d.toString();
      });
      req.on('end', () => resolve(body));
    });

  const token = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    counts.token++;
    const form = new URLSearchParams(await readBody(req));
    let id = form.get('client_id');
    let secret = form.get('client_secret');
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    if (basic) {
      const [u, p] = Buffer.from(basic[1]!, 'base64').toString().split(':');
      id = decodeURIComponent(u ?? '');
      secret = decodeURIComponent(p ?? '');
    }
    if (form.get('grant_type') !== 'client_credentials') return send(res, 400, { error: 'unsupported_grant_type' }, 'application/json');
    if (!opts.oauth || id !== opts.oauth.clientId || secret !== opts.oauth.clientSecret) return send(res, 401, { error: 'invalid_client', error_description: 'unknown client or wrong secret' }, 'application/json');
    const t = randomBytes(16).toString('hex');
    tokens.add(t);
    send(res, 200, { access_token: t, token_type: 'Bearer', expires_in: opts.oauth.expiresInS ?? 300, scope: form.get('scope') ?? '' }, 'application/json');
  };

  const fhir = (path: string, url: URL, res: http.ServerResponse) => {
    if (path === '/metadata') {
      counts.metadata++;
      if (fault === 'metadata-not-json') return send(res, 200, '<html>Welcome</html>', 'text/html');
      if (fault === 'metadata-wrong-type') return send(res, 200, { resourceType: 'Patient', id: 'x' });
      if (fault === 'huge') return send(res, 200, { resourceType: 'CapabilityStatement', padding: 'x'.repeat(2 * 1024 * 1024) });
      return send(res, 200, {
        resourceType: 'CapabilityStatement',
        status: 'active',
        date: '2026-01-05',
        kind: 'instance',
        fhirVersion: opts.fhirVersion ?? '4.0.1',
        software: { name: 'Wardwatch FHIR stub', version: '1.0.0' },
        format: ['json'],
        rest: [{ mode: 'server', resource: [{ type: 'Patient', interaction: [{ code: 'search-type' }, { code: 'read' }] }] }],
      });
    }
    const m = /^\/([A-Z][A-Za-z]+)$/.exec(path);
    if (!m) return send(res, 404, outcome('not-found', `unknown path ${path}`));
    counts.search++;
    const total = m[1] === 'Patient' ? patients : 0;
    const count = Math.min(total, Number(url.searchParams.get('_count') ?? 20) || 0);
    const entry = Array.from({ length: count }, (_, i) => ({ resource: { resourceType: 'Patient', id: `synthetic-${i + 1}`, name: [{ family: 'SYNTHETIC', given: ['TEST'] }] } }));
    send(res, 200, { resourceType: 'Bundle', type: 'searchset', total, entry });
  };

  const study = (i: number) => ({
    '0020000D': { vr: 'UI', Value: [`${STUDY_ROOT}.${i + 1}`] },
    '00080061': { vr: 'CS', Value: ['CT'] },
    '00100010': { vr: 'PN', Value: [{ Alphabetic: 'SYNTHETIC^TEST' }] },
  });

  const dicomweb = (path: string, url: URL, res: http.ServerResponse) => {
    const type = 'application/dicom+json';
    if (path === '/studies') {
      counts.qido++;
      lastQido = url.search;
      if (fault === 'qido-object') return send(res, 200, { studies: [] }, type);
      if (fault === 'study-without-uid') return send(res, 200, [{ '00080061': { vr: 'CS', Value: ['CT'] } }], type);
      const limit = Number(url.searchParams.get('limit') ?? 100) || 100;
      const n = Math.min(studies, limit);
      if (n === 0) {
        res.writeHead(204);
        res.end();
        return;
      }
      return send(res, 200, Array.from({ length: n }, (_, i) => study(i)), type);
    }
    const m = /^\/studies\/([0-9.]+)\/metadata$/.exec(path);
    const idx = m ? Number(m[1]!.slice(STUDY_ROOT.length + 1)) - 1 : -1;
    if (!m || !m[1]!.startsWith(`${STUDY_ROOT}.`) || !(idx >= 0 && idx < studies)) return send(res, 404, { error: 'no such study' }, 'application/json');
    counts.wado++;
    send(res, 200, Array.from({ length: instances }, (_, j) => ({ ...study(idx), '00080018': { vr: 'UI', Value: [`${m[1]!}.${j + 1}`] }, '00080060': { vr: 'CS', Value: ['CT'] } })), type);
  };

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    if (fault === 'hang') return; // the socket stays open until close()
    if (fault === 'status-500' && url.pathname !== '/oauth/token') return send(res, 500, outcome('exception', 'simulated failure'));
    if (url.pathname === '/oauth/token' && req.method === 'POST') return void token(req, res);
    if (url.pathname.startsWith('/fhir/')) {
      if (opts.oauth) {
        const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
        if (!bearer || !tokens.has(bearer)) return send(res, 401, outcome('login', 'a valid bearer token is required'));
      }
      return fhir(url.pathname.slice('/fhir'.length), url, res);
    }
    if (url.pathname.startsWith('/dicom-web/')) return dicomweb(url.pathname.slice('/dicom-web'.length), url, res);
    send(res, 404, { error: 'not found' }, 'application/json');
  };

  const server = opts.tls ? https.createServer({ cert: opts.tls.cert, key: opts.tls.key }, handler) : http.createServer(handler);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const origin = `${opts.tls ? 'https' : 'http'}://${host}:${port}`;
  return {
    baseUrl: `${origin}/fhir`,
    dicomwebUrl: `${origin}/dicom-web`,
    tokenUrl: `${origin}/oauth/token`,
    port,
    counts: () => ({ ...counts }),
    lastQidoQuery: () => lastQido,
    revokeTokens: () => tokens.clear(),
    set: (c) => {
      if (c.fault !== undefined) fault = c.fault;
      if (c.patients !== undefined) patients = c.patients;
      if (c.studies !== undefined) studies = c.studies;
    },
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
