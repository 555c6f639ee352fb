// Builds the C-FIND identifier for a level (patient, study, worklist) from the user's query keys:
// keyword → value, dates resolved from macros, worklist step attributes nested in the Scheduled
// Procedure Step Sequence, and the unique key of the level asked for as an empty return key.

import { UID } from '../../protocols/dicom/constants.ts';
import type { DataElement, DataSet } from '../../protocols/dicom/dataset.ts';
import { isStringVr } from '../../protocols/dicom/dataset.ts';
import { lookupKeyword, SPS_KEYWORDS } from '../../protocols/dicom/dictionary.ts';
import { resolveDate } from './dates.ts';

export const LEVELS = ['patient', 'study', 'worklist'] as const;
export type Level = (typeof LEVELS)[number];

export const SOP_CLASS: Readonly<Record<Level, string>> = { patient: UID.patientRootFind, study: UID.studyRootFind, worklist: UID.worklistFind };

/** Checks one query key; returns a problem in words, or undefined. */
export function keyProblem(keyword: string, value: string): string | undefined {
  const d = lookupKeyword(keyword);
  if (!d || d.tag >>> 16 === 0) return `unknown DICOM attribute "${keyword}" (use a keyword such as Modality, PatientID, StudyDate, ScheduledStationAETitle)`;
  if (d.vr === 'SQ') return `${keyword} is a sequence: name the attributes inside it instead`;
  if (!isStringVr(d.vr)) return `${keyword} cannot be used as a query key`;
  if (d.vr === 'DA' && resolveDate(value, 0, 'UTC') === undefined) return `${keyword}: expected a date (YYYYMMDD), a range, or today / yesterday / tomorrow / today-7d / today-7d..today, got ${JSON.stringify(value)}`;
  return undefined;
}

function element(keyword: string, value: string, epochMs: number, timeZone: string): [number, DataElement] {
  const d = lookupKeyword(keyword)!;
  const v = d.vr === 'DA' ? (resolveDate(value, epochMs, timeZone) ?? value) : value;
  return [d.tag, { vr: d.vr, value: v }];
}

export function buildIdentifier(level: Level, keys: Readonly<Record<string, string>>, epochMs: number, timeZone: string): DataSet {
  const top: DataSet = new Map();
  const sps: DataSet = new Map();
  for (const [k, v] of Object.entries(keys)) {
    const [tag, el] = element(k, v, epochMs, timeZone);
    if (level === 'worklist' && SPS_KEYWORDS.has(k)) sps.set(tag, el);
    else top.set(tag, el);
  }
  const ensure = (ds: DataSet, keyword: string) => {
    const d = lookupKeyword(keyword)!;
    if (!ds.has(d.tag)) ds.set(d.tag, { vr: d.vr, value: '' });
  };
  if (level === 'worklist') {
    for (const k of ['Modality', 'ScheduledStationAETitle', 'ScheduledProcedureStepStartDate']) ensure(sps, k);
    ensure(top, 'AccessionNumber');
    ensure(top, 'StudyInstanceUID');
    top.set(0x00400100, { vr: 'SQ', value: [sps] });
  } else {
    top.set(0x00080052, { vr: 'CS', value: level.toUpperCase() });
    ensure(top, level === 'patient' ? 'PatientID' : 'StudyInstanceUID');
  }
  return top;
}
