import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dicomEchoKind } from './index.ts';
import { checkContext, eventually, liveHandles } from './testing.ts';
import { startDicomSimulator, type DicomSimulator, type DicomFault } from '../../sim/dicom/index.ts';
import { freePort } from '../../../test/peers/harness.ts';
import { lookupError } from '../../core/errors.ts';

let sim: DicomSimulator;
beforeAll(async () => {
  sim = await startDicomSimulator({ policy: 'accept-listed', calledAeTitles: ['PACS'], callingAeTitles: ['WARDWATCH', 'ECHOSCU'] });
});
afterAll(async () => {
  await sim.close();
});

const settings = (over: Record<string, unknown> = {}) => dicomEchoKind.settings.parse({ host: '127.0.0.1', port: sim.port, calledAe: 'PACS', ...over });
const check = (over: Record<string, unknown> = {}, timeoutMs = 10_000) => dicomEchoKind.check(settings(over), checkContext(timeoutMs));

async function withFault<T>(f: DicomFault, fn: () => Promise<T>): Promise<T> {
  sim.setFault(f);
  try {
    return await fn();
  } finally {
    sim.setFault(undefined);
  }
}

describe('dicom-echo against the simulator', () => {
  it('reports association, echo, release and total time', async () => {
    const r = await check();
    expect(r.error).toBeUndefined();
    expect(r.channels.map((c) => c.key)).toEqual(['associateMs', 'echoMs', 'releaseMs', 'totalMs']);
    for (const c of r.channels) expect(c.value).toBeGreaterThanOrEqual(0);
    expect(r.message).toMatch(/^C-ECHO OK in [\d.]+ ms \(association [\d.]+ ms, total [\d.]+ ms\)$/);
    expect(Object.keys(r.phases ?? {})).toEqual(['connect', 'associate', 'echo', 'release']);
  });

  it('applies the defaults: port 104, WARDWATCH calling ANY-SCP', () => {
    const s = dicomEchoKind.settings.parse({ host: 'pacs.example' });
    expect(s).toMatchObject({ port: 104, callingAe: 'WARDWATCH', calledAe: 'ANY-SCP', connectTimeout: 5, associateTimeout: 10, dimseTimeout: 10 });
    expect(dicomEchoKind.settings.safeParse({ host: 'x', calledAe: 'A\\B' }).error?.issues[0]?.message).toBe('expected an AE title of 1 to 16 printable characters without backslash, got "A\\\\B"');
    expect(dicomEchoKind.settings.safeParse({ host: 'x', dimseTimeout: 'soon' }).error?.issues[0]?.message).toBe('expected a duration such as 30s, 5m or 2h (at least 0.001s), got "soon"');
  });

  it('decodes a rejection of the called AE title', async () => {
    const r = await check({ calledAe: 'NOT-PACS' });
    expect(r.error).toBe('DICOM_ASSOC_REJECTED_CALLED_AE');
    expect(r.message).toBe('association rejected (permanent) by the called application (service user): called AE title not recognized (called AE "NOT-PACS", calling AE "WARDWATCH")');
    expect(lookupError('DICOM_ASSOC_REJECTED_CALLED_AE').message).toBe('DICOM association rejected: the device does not recognize the called AE title');
  });

  it('decodes a rejection of the calling AE title', async () => {
    const r = await check({ callingAe: 'STRANGER' });
    expect(r.error).toBe('DICOM_ASSOC_REJECTED_CALLING_AE');
    expect(r.message).toBe('association rejected (permanent) by the called application (service user): calling AE title not recognized (called AE "PACS", calling AE "STRANGER")');
  });

  it('decodes "local limit exceeded" and "no reason given"', async () => {
    const limit = await withFault({ kind: 'reject', result: 2, source: 3, reason: 2 }, () => check());
    expect(limit.error).toBe('DICOM_ASSOC_REJECTED_LOCAL_LIMIT');
    expect(limit.message).toBe('association rejected (transient) by the DICOM service provider (presentation): local limit exceeded (called AE "PACS", calling AE "WARDWATCH")');
    const none = await withFault({ kind: 'reject', source: 1, reason: 1 }, () => check());
    expect(none.error).toBe('DICOM_ASSOC_REJECTED_NO_REASON');
  });

  it('reports an A-ABORT with its source and reason, at once', async () => {
    const atAssoc = await withFault({ kind: 'abort', source: 2, reason: 1 }, () => check({ associateTimeout: '30s' }));
    expect(atAssoc.error).toBe('DICOM_ABORTED');
    expect(atAssoc.message).toBe('association aborted by the DICOM service provider: unrecognized PDU (during association negotiation)');
    const atEcho = await withFault({ kind: 'abort', when: 'request', source: 0 }, () => check({ dimseTimeout: '30s' }));
    expect(atEcho.error).toBe('DICOM_ABORTED');
    expect(atEcho.message).toBe('association aborted by the peer application (service user) (during a DIMSE request)');
    expect(atEcho.channels.map((c) => c.key)).toEqual(['associateMs']);
  });

  it('reports a refused presentation context as such', async () => {
    const r = await withFault({ kind: 'reject-context', result: 3 }, () => check());
    expect(r.error).toBe('DICOM_CONTEXT_REJECTED');
    expect(r.message).toBe('the device refused Verification: abstract syntax not supported');
  });

  it('times out a hung association and a hung echo with the phase named', async () => {
    const assoc = await withFault({ kind: 'hang', when: 'associate' }, () => check({ associateTimeout: '150ms' }));
    expect(assoc.error).toBe('DICOM_TIMEOUT_ASSOCIATE');
    expect(assoc.message).toBe('no answer during association negotiation within 150 ms');
    const echo = await withFault({ kind: 'hang', when: 'request' }, () => check({ dimseTimeout: '150ms' }));
    expect(echo.error).toBe('DICOM_TIMEOUT_DIMSE');
    expect(echo.message).toBe('no answer during a DIMSE request within 150 ms');
  });

  it('reports a failure status of the C-ECHO', async () => {
    const r = await withFault({ kind: 'status', status: 0x0211 }, () => check());
    expect(r.error).toBe('DICOM_DIMSE_FAILURE');
    expect(r.message).toBe('C-ECHO answered with status 0x0211 (unrecognized operation)');
  });

  it('warns when the device answers the echo but never the release', async () => {
    // Long enough for a loaded machine to answer the echo itself; the release then never comes.
    const r = await withFault({ kind: 'hang', when: 'release' }, () => check({ dimseTimeout: '500ms' }));
    expect(r.status).toBe('warning');
    expect(r.error).toBe('DICOM_TIMEOUT_RELEASE');
    expect(r.message).toBe('no answer during release within 500 ms');
    expect(r.channels.map((c) => c.key)).toEqual(['associateMs', 'echoMs']);
  });

  it('recognizes garbage instead of an answer', async () => {
    const r = await withFault({ kind: 'garbage' }, () => check());
    expect(r.error).toBe('DICOM_PDU_INVALID');
    expect(r.message).toBe('the peer sent data that is not a DICOM PDU (starts with 48 54 54 50 2f 31 2e 30 "HTTP/1.0")');
    const later = await withFault({ kind: 'garbage', when: 'request' }, () => check());
    expect(later.error).toBe('DICOM_PDU_INVALID');
  });

  it('stops when the runner aborts the check', async () => {
    const ac = new AbortController();
    sim.setFault({ kind: 'hang', when: 'request' });
    try {
      const accepted = sim.stats().associations;
      const pending = dicomEchoKind.check(settings({ dimseTimeout: '60s' }), checkContext(60_000, ac.signal));
      await eventually(() => sim.stats().associations > accepted, 'the association was accepted');
      ac.abort(new DOMException('runner timeout', 'TimeoutError'));
      const r = await pending;
      expect(r.error).toBe('TIMEOUT');
      expect(r.message).toMatch(/^check timed out during (association negotiation|a DIMSE request)$/);
    } finally {
      sim.setFault(undefined);
    }
  });

  it('reports a closed port as connection refused', async () => {
    const r = await dicomEchoKind.check(dicomEchoKind.settings.parse({ host: '127.0.0.1', port: await freePort() }), checkContext());
    expect(r.error).toBe('ECONNREFUSED');
  });

  it('leaves no socket or timer behind after misbehaving peers', async () => {
    await check();
    await eventually(() => sim.connections() === 0, 'simulator connections closed');
    const before = liveHandles();
    const faults: DicomFault[] = [
      { kind: 'abort' },
      { kind: 'abort', when: 'request' },
      { kind: 'hang', when: 'associate' },
      { kind: 'hang', when: 'request' },
      { kind: 'hang', when: 'release' },
      { kind: 'garbage' },
      { kind: 'garbage', when: 'request' },
      { kind: 'reject', source: 1, reason: 7 },
      { kind: 'reject-context' },
    ];
    for (const f of faults) {
      const r = await withFault(f, () => check({ associateTimeout: '100ms', dimseTimeout: '100ms' }));
      expect(r.error).toBeDefined();
    }
    await eventually(() => sim.connections() === 0, 'simulator connections closed');
    // A leak can only add handles; a timer of the test runner that ends meanwhile may remove one.
    const after = liveHandles();
    expect(after.sockets).toBeLessThanOrEqual(before.sockets);
    expect(after.timers).toBeLessThanOrEqual(before.timers);
  });
});
