// The simulator's synthetic, obviously fake content: a few patients and studies for patient/study
// root C-FIND and a modality worklist around "today". No real person's data: every name starts
// with WARDWATCH^ and every ID with WW-SIM-.

import type { DataSet } from '../../protocols/dicom/dataset.ts';
import { fromKeywords } from '../../protocols/dicom/keywords.ts';

export { fromKeywords };

/** YYYYMMDD of the local calendar day `offset` days from `epochMs`. */
export function localDate(epochMs: number, offset = 0): string {
  const d = new Date(epochMs);
  d.setDate(d.getDate() + offset);
  return `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
}

const UID_ROOT = '2.25.99999';

export function studies(nowMs: number): DataSet[] {
  const rows: [string, string, string, number, string, string][] = [
    ['WW-SIM-0001', 'WARDWATCH^TEST ONE', 'CT', -1, 'SIM CT HEAD', '1001'],
    ['WW-SIM-0001', 'WARDWATCH^TEST ONE', 'MR', -30, 'SIM MR KNEE', '1002'],
    ['WW-SIM-0002', 'WARDWATCH^TEST TWO', 'CR', 0, 'SIM CHEST XRAY', '1003'],
    ['WW-SIM-0003', 'WARDWATCH^TEST THREE', 'US', -7, 'SIM US ABDOMEN', '1004'],
    ['WW-SIM-0003', 'WARDWATCH^TEST THREE', 'CT', 0, 'SIM CT CHEST', '1005'],
  ];
  return rows.map(([id, name, modality, offset, description, n]) =>
    fromKeywords({
      PatientID: id,
      PatientName: name,
      PatientBirthDate: '19700101',
      PatientSex: 'O',
      StudyInstanceUID: `${UID_ROOT}.1.${n}`,
      StudyDate: localDate(nowMs, offset),
      StudyTime: '080000',
      AccessionNumber: `WWACC${n}`,
      StudyID: n,
      StudyDescription: description,
      ModalitiesInStudy: modality,
      ReferringPhysicianName: 'WARDWATCH^REFERRER',
      NumberOfStudyRelatedInstances: '1',
      NumberOfStudyRelatedSeries: '1',
    }),
  );
}

export function patients(nowMs: number): DataSet[] {
  const seen = new Map<string, DataSet>();
  for (const s of studies(nowMs)) {
    const id = s.get(0x00100020)!.value as string;
    if (seen.has(id)) continue;
    seen.set(id, new Map([...s].filter(([tag]) => tag >>> 16 === 0x0010)));
  }
  return [...seen.values()];
}

export function worklist(nowMs: number): DataSet[] {
  const rows: [string, string, string, number, string, string][] = [
    ['CT', 'CT01', 'WW-SIM-0101', 0, '0800', 'SIM CT HEAD'],
    ['CT', 'CT01', 'WW-SIM-0102', 0, '1000', 'SIM CT ABDOMEN'],
    ['CT', 'CT01', 'WW-SIM-0103', 1, '0900', 'SIM CT CHEST'],
    ['MR', 'MR01', 'WW-SIM-0104', 0, '1100', 'SIM MR BRAIN'],
    ['US', 'US01', 'WW-SIM-0105', -1, '1400', 'SIM US NECK'],
    ['CR', 'CR01', 'WW-SIM-0106', 0, '1500', 'SIM CHEST XRAY'],
  ];
  return rows.map(([modality, station, id, offset, time, description], i) =>
    fromKeywords({
      PatientID: id,
      PatientName: `WARDWATCH^WORKLIST ${i + 1}`,
      PatientBirthDate: '19800101',
      PatientSex: 'O',
      AccessionNumber: `WWWL${2000 + i}`,
      StudyInstanceUID: `${UID_ROOT}.2.${2000 + i}`,
      RequestedProcedureID: `WWRP${2000 + i}`,
      RequestedProcedureDescription: description,
      ReferringPhysicianName: 'WARDWATCH^REFERRER',
      ScheduledProcedureStepSequence: [
        {
          Modality: modality,
          ScheduledStationAETitle: station,
          ScheduledProcedureStepStartDate: localDate(nowMs, offset),
          ScheduledProcedureStepStartTime: time,
          ScheduledPerformingPhysicianName: 'WARDWATCH^OPERATOR',
          ScheduledProcedureStepDescription: description,
          ScheduledProcedureStepID: `WWSPS${2000 + i}`,
        },
      ],
    }),
  );
}
