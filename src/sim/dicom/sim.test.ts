import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { eventually } from '../../sensors/dicom-echo/testing.ts';
import { startDicomSimulator } from './index.ts';
import { matches, project } from './matching.ts';
import { worklist, studies } from './data.ts';
import { fromKeywords } from '../../protocols/dicom/keywords.ts';
import { getItems, getString } from '../../protocols/dicom/dataset.ts';
import { Association } from '../../protocols/dicom/association.ts';
import { UID } from '../../protocols/dicom/constants.ts';

const T = Date.UTC(2026, 0, 5, 12);

describe('C-FIND matching', () => {
  it('matches single values, wildcards, date ranges and sequence items', () => {
    const [ct] = studies(T);
    expect(matches(fromKeywords({ ModalitiesInStudy: 'CT' }), ct!)).toBe(true);
    expect(matches(fromKeywords({ ModalitiesInStudy: 'MR' }), ct!)).toBe(false);
    expect(matches(fromKeywords({ PatientName: 'wardwatch^test*' }), ct!)).toBe(false);
    expect(matches(fromKeywords({ PatientName: 'WARDWATCH^TEST ONE' }), ct!)).toBe(true);
    expect(matches(fromKeywords({ PatientID: 'WW-SIM-00?1' }), ct!)).toBe(true);
    const date = getString(ct!, 0x00080020)!;
    expect(matches(fromKeywords({ StudyDate: `${date}-` }), ct!)).toBe(true);
    expect(matches(fromKeywords({ StudyDate: `-${date}` }), ct!)).toBe(true);
    expect(matches(fromKeywords({ StudyDate: '19000101-19001231' }), ct!)).toBe(false);
    const wl = worklist(T);
    const q = fromKeywords({ ScheduledProcedureStepSequence: [{ Modality: 'CT', ScheduledStationAETitle: 'CT01' }] });
    expect(wl.filter((r) => matches(q, r))).toHaveLength(3);
  });

  it('answers exactly the keys asked for', () => {
    const q = fromKeywords({ PatientID: '', ScheduledProcedureStepSequence: [{ Modality: 'CT', ScheduledStationName: '' }] });
    const out = project(q, worklist(T)[0]!);
    expect([...out.keys()]).toEqual([0x00100020, 0x00400100]);
    const item = getItems(out, 0x00400100)![0]!;
    expect(getString(item, 0x00080060)).toBe('CT');
    expect(getString(item, 0x00400010)).toBe('');
  });

  it('holds only obviously synthetic identities', () => {
    for (const r of [...studies(T), ...worklist(T)]) {
      expect(getString(r, 0x00100010)).toMatch(/^WARDWATCH\^/);
      expect(getString(r, 0x00100020)).toMatch(/^WW-SIM-/);
    }
  });
});

describe('simulator lifecycle', () => {
  it('answers bytes that are not DICOM with an A-ABORT and closes', async () => {
    const sim = await startDicomSimulator();
    try {
      const socket = net.connect(sim.port, '127.0.0.1');
      socket.end('GET / HTTP/1.1\r\nHost: pacs\r\n\r\n');
      const chunks: Buffer[] = [];
      for await (const c of socket) chunks.push(c as Buffer);
      // A-ABORT, source 2 (service provider), reason 1 (unrecognized PDU)
      expect(Buffer.concat(chunks).toString('hex')).toBe('07000000000400000201');
      await eventually(() => sim.connections() === 0, 'connection closed');
    } finally {
      await sim.close();
    }
  });

  it('binds 127.0.0.1 by default and closes its connections on close()', async () => {
    const sim = await startDicomSimulator({ fault: { kind: 'hang', when: 'request' } });
    expect(sim.address).toBe('127.0.0.1');
    const assoc = await Association.open({ host: '127.0.0.1', port: sim.port, callingAe: 'WW', calledAe: 'SIM', contexts: [{ abstractSyntax: UID.verification }] });
    const echo = assoc.echo({ timeoutMs: 60_000 });
    await sim.close();
    // The simulator going away mid-request is reported at once (a reset or a close without A-ABORT), not after 60 s.
    await expect(echo).rejects.toThrow(/^(read ECONNRESET|the device closed the connection during a DIMSE request without an A-ABORT)$/);
    await assoc.destroy();
  });
});
