import { describe, expect, it } from 'vitest';
import { resolveDate, validTimeZone } from './dates.ts';
import { buildIdentifier, keyProblem } from './identifier.ts';
import { getItems, getString } from '../../protocols/dicom/dataset.ts';

// 2026-01-05 23:30 UTC: already the 6th in Berlin, still the 5th in New York.
const T = Date.UTC(2026, 0, 5, 23, 30);

describe('date macros', () => {
  it('resolves today/yesterday/tomorrow in the given time zone', () => {
    expect(resolveDate('today', T, 'UTC')).toBe('20260105');
    expect(resolveDate('today', T, 'Europe/Berlin')).toBe('20260106');
    expect(resolveDate('yesterday', T, 'America/New_York')).toBe('20260104');
    expect(resolveDate('tomorrow', T, 'Europe/Berlin')).toBe('20260107');
  });

  it('resolves offsets and ranges, across month and year ends', () => {
    expect(resolveDate('today-7d', T, 'UTC')).toBe('20251229');
    expect(resolveDate('today+30d', T, 'UTC')).toBe('20260204');
    expect(resolveDate('today-7d..today', T, 'UTC')).toBe('20251229-20260105');
    expect(resolveDate('20260101..tomorrow', T, 'UTC')).toBe('20260101-20260106');
  });

  it('passes DICOM dates and ranges through and refuses anything else', () => {
    expect(resolveDate('20260105', T, 'UTC')).toBe('20260105');
    expect(resolveDate('20260101-20260131', T, 'UTC')).toBe('20260101-20260131');
    expect(resolveDate('-20260131', T, 'UTC')).toBe('-20260131');
    expect(resolveDate('next week', T, 'UTC')).toBeUndefined();
    expect(resolveDate('today..', T, 'UTC')).toBe('20260105-');
    expect(resolveDate('today..tomorrow..today', T, 'UTC')).toBeUndefined();
    expect(validTimeZone('Europe/Berlin')).toBe(true);
    expect(validTimeZone('Mars/Olympus')).toBe(false);
  });
});

describe('query identifiers', () => {
  it('nests worklist step keys in the Scheduled Procedure Step Sequence', () => {
    const id = buildIdentifier('worklist', { Modality: 'CT', ScheduledStationAETitle: 'CT01', ScheduledProcedureStepStartDate: 'today', PatientID: 'X*' }, T, 'UTC');
    const sps = getItems(id, 0x00400100)![0]!;
    expect(getString(sps, 0x00080060)).toBe('CT');
    expect(getString(sps, 0x00400001)).toBe('CT01');
    expect(getString(sps, 0x00400002)).toBe('20260105');
    expect(getString(id, 0x00100020)).toBe('X*');
    expect(id.has(0x00080052)).toBe(false);
  });

  it('sets the level and its unique key for patient and study queries', () => {
    const study = buildIdentifier('study', { StudyDate: 'today-1d..today' }, T, 'UTC');
    expect(getString(study, 0x00080052)).toBe('STUDY');
    expect(getString(study, 0x0020000d)).toBe('');
    expect(getString(study, 0x00080020)).toBe('20260104-20260105');
    const patient = buildIdentifier('patient', {}, T, 'UTC');
    expect(getString(patient, 0x00080052)).toBe('PATIENT');
    expect(getString(patient, 0x00100020)).toBe('');
  });

  it('explains bad keys', () => {
    expect(keyProblem('Modaliti', 'CT')).toBe('unknown DICOM attribute "Modaliti" (use a keyword such as Modality, PatientID, StudyDate, ScheduledStationAETitle)');
    expect(keyProblem('ScheduledProcedureStepSequence', '')).toBe('ScheduledProcedureStepSequence is a sequence: name the attributes inside it instead');
    expect(keyProblem('StudyDate', 'soon')).toBe('StudyDate: expected a date (YYYYMMDD), a range, or today / yesterday / tomorrow / today-7d / today-7d..today, got "soon"');
    expect(keyProblem('Rows', '1')).toBe('Rows cannot be used as a query key');
    expect(keyProblem('MessageID', '1')).toMatch(/^unknown DICOM attribute/);
  });
});
