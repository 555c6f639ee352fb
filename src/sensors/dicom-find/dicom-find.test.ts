// dicom-find against our simulator, DCMTK dcmqrscp (study root), DCMTK wlmscpfs (worklist) and
// Orthanc; and DCMTK's findscu against our simulator.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dicomFindKind } from './index.ts';
import { checkContext } from '../dicom-echo/testing.ts';
import { startDicomSimulator, type DicomSimulator } from '../../sim/dicom/index.ts';
import { localDate } from '../../sim/dicom/data.ts';
import { dcmtk, startDcmqrscp, startOrthanc, startWlmscpfs, type DicomPeer, type OrthancPeer } from '../../../test/peers/dicom.ts';
import { resolveDate } from './dates.ts';

const find = (over: Record<string, unknown>) => dicomFindKind.check(dicomFindKind.settings.parse({ host: '127.0.0.1', ...over }), checkContext());
const value = (r: { channels: readonly { key: string; value: number }[] }, key: string) => r.channels.find((c) => c.key === key)?.value;

describe('dicom-find against the simulator', () => {
  let sim: DicomSimulator;
  beforeAll(async () => {
    sim = await startDicomSimulator();
  });
  afterAll(async () => {
    await sim.close();
  });

  it("counts today's CT worklist for a station", async () => {
    const r = await find({ port: sim.port, level: 'worklist', keys: { Modality: 'CT', ScheduledStationAETitle: 'CT01', ScheduledProcedureStepStartDate: 'today' } });
    expect(r.error).toBeUndefined();
    expect(value(r, 'matches')).toBe(2);
    expect(r.message).toMatch(/^2 matches at worklist level in [\d.]+ ms, first response after [\d.]+ ms$/);
    expect(r.channels.map((c) => c.key)).toEqual(['matches', 'firstResponseMs', 'minGapMs', 'avgGapMs', 'maxGapMs', 'totalMs']);
    // The message and the channels carry counts and times only, never what the worklist contains.
    expect(JSON.stringify(r)).not.toMatch(/WARDWATCH\^|WW-SIM/);
  });

  it('finds studies by date range and patients by ID wildcard', async () => {
    const week = await find({ port: sim.port, level: 'study', keys: { StudyDate: 'today-7d..today' } });
    expect(value(week, 'matches')).toBe(4);
    const ct = await find({ port: sim.port, level: 'study', keys: { ModalitiesInStudy: 'CT' } });
    expect(value(ct, 'matches')).toBe(2);
    const patients = await find({ port: sim.port, level: 'patient', keys: { PatientID: 'WW-SIM-000*' } });
    expect(value(patients, 'matches')).toBe(3);
  });

  it('reports an empty result as zero matches without gap channels', async () => {
    const r = await find({ port: sim.port, level: 'worklist', keys: { ScheduledStationAETitle: 'NOSUCH' } });
    expect(r.error).toBeUndefined();
    expect(value(r, 'matches')).toBe(0);
    expect(r.channels.map((c) => c.key)).toEqual(['matches', 'firstResponseMs', 'totalMs']);
    expect(r.message).toMatch(/^0 matches at worklist level/);
  });

  it('times out a device that never answers the query', async () => {
    sim.setFault({ kind: 'hang', when: 'request' });
    try {
      const r = await find({ port: sim.port, level: 'study', dimseTimeout: '150ms' });
      expect(r.error).toBe('DICOM_TIMEOUT_DIMSE');
    } finally {
      sim.setFault(undefined);
    }
  });

  it('refuses settings with unknown keys or time zones', () => {
    expect(dicomFindKind.settings.safeParse({ host: 'x', keys: { Modaliti: 'CT' } }).error?.issues[0]?.message).toMatch(/^unknown DICOM attribute "Modaliti"/);
    expect(dicomFindKind.settings.safeParse({ host: 'x', timeZone: 'Mars/Olympus' }).error?.issues[0]?.message).toBe('unknown time zone "Mars/Olympus" (expected an IANA name such as Europe/Berlin)');
    expect(dicomFindKind.settings.safeParse({ host: 'x', level: 'series' }).success).toBe(false);
  });

  it('is answered when DCMTK findscu queries it (worklist)', async () => {
    const r = await dcmtk('findscu', ['-W', '-k', 'ScheduledProcedureStepSequence[0].Modality=MR', '-k', 'PatientID', '127.0.0.1', String(sim.port)]);
    expect(r.code, r.out).toBe(0);
    expect(sim.stats().finds).toBeGreaterThan(0);
  });

  it('is answered when DCMTK findscu queries it (study root), one response per match', async () => {
    const r = await dcmtk('findscu', ['-v', '-S', '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyDate=${localDate(Date.now(), 0)}`, '-k', 'StudyInstanceUID', '127.0.0.1', String(sim.port)]);
    expect(r.code, r.out).toBe(0);
    expect(r.out.match(/Find Response: \d+ \(Pending\)/g)?.length).toBe(2);
  });
});

describe('dicom-find against DCMTK dcmqrscp (study root)', () => {
  let peer: DicomPeer;
  const now = Date.now();
  const day = (offset: number) => resolveDate(offset === 0 ? 'today' : `today${offset > 0 ? '+' : ''}${offset}d`, now, 'UTC')!;
  beforeAll(async () => {
    peer = await startDcmqrscp([
      { patientId: 'WW-QR-1', patientName: 'WARDWATCH^QR ONE', studyUid: '2.25.4242.1', studyDate: day(0), modality: 'CT' },
      { patientId: 'WW-QR-1', patientName: 'WARDWATCH^QR ONE', studyUid: '2.25.4242.2', studyDate: day(-3), modality: 'MR' },
      { patientId: 'WW-QR-2', patientName: 'WARDWATCH^QR TWO', studyUid: '2.25.4242.3', studyDate: day(-30), modality: 'CT' },
    ]);
  });
  afterAll(async () => {
    await peer.stop();
  });

  it('counts studies of the last week', async () => {
    const r = await find({ port: peer.port, calledAe: peer.aet, level: 'study', timeZone: 'UTC', keys: { StudyDate: 'today-7d..today' } });
    expect(r.error, r.message).toBeUndefined();
    expect(value(r, 'matches')).toBe(2);
  });

  it('counts patients', async () => {
    const r = await find({ port: peer.port, calledAe: peer.aet, level: 'patient' });
    expect(value(r, 'matches')).toBe(2);
  });

  it('reports a called AE title dcmqrscp does not know', async () => {
    const r = await find({ port: peer.port, calledAe: 'NOT-QR', level: 'study' });
    expect(r.error).toBe('DICOM_ASSOC_REJECTED_CALLED_AE');
  });
});

describe('dicom-find against DCMTK wlmscpfs (modality worklist)', () => {
  let peer: DicomPeer;
  const today = resolveDate('today', Date.now(), 'UTC')!;
  const tomorrow = resolveDate('tomorrow', Date.now(), 'UTC')!;
  beforeAll(async () => {
    peer = await startWlmscpfs([
      { patientId: 'WW-WL-1', modality: 'CT', stationAe: 'CT01', date: today },
      { patientId: 'WW-WL-2', modality: 'CT', stationAe: 'CT01', date: today },
      { patientId: 'WW-WL-3', modality: 'MR', stationAe: 'MR01', date: today },
      { patientId: 'WW-WL-4', modality: 'CT', stationAe: 'CT01', date: tomorrow },
    ]);
  });
  afterAll(async () => {
    await peer.stop();
  });

  it("counts today's CT01 worklist", async () => {
    const r = await find({ port: peer.port, calledAe: peer.aet, level: 'worklist', timeZone: 'UTC', keys: { Modality: 'CT', ScheduledStationAETitle: 'CT01', ScheduledProcedureStepStartDate: 'today' } });
    expect(r.error, r.message).toBeUndefined();
    expect(value(r, 'matches')).toBe(2);
    expect(value(r, 'avgGapMs')).toBeGreaterThanOrEqual(0);
  });

  it('counts the whole worklist', async () => {
    const r = await find({ port: peer.port, calledAe: peer.aet, level: 'worklist' });
    expect(value(r, 'matches')).toBe(4);
  });

  it('reports the rejection DCMTK sends when none of our contexts is acceptable (a study-root query)', async () => {
    const r = await find({ port: peer.port, calledAe: peer.aet, level: 'study' });
    expect(r.error).toBe('DICOM_ASSOC_REJECTED_NO_REASON');
    expect(r.message).toBe('association rejected (permanent) by the called application (service user): no reason given (called AE "WLMSCP", calling AE "WARDWATCH")');
  });
});

describe('dicom-find against Orthanc', () => {
  let orthanc: OrthancPeer;
  beforeAll(async () => {
    orthanc = await startOrthanc();
  }, 40_000);
  afterAll(async () => {
    await orthanc.stop();
  });

  it('answers an empty archive with zero matches', async () => {
    const r = await find({ port: orthanc.port, calledAe: orthanc.aet, level: 'study', keys: { StudyDate: 'today-7d..today' } });
    expect(r.error, r.message).toBeUndefined();
    expect(value(r, 'matches')).toBe(0);
  });
});
