// The small slice of the DICOM data dictionary (PS3.6) we need: command elements, the query keys
// of patient/study/worklist C-FIND and the attributes of a synthetic image. It gives implicit-VR
// decoding its VRs and lets settings name attributes by keyword ("Modality", "StudyDate").

export const VRS = ['AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FD', 'FL', 'IS', 'LO', 'LT', 'OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'PN', 'SH', 'SL', 'SQ', 'SS', 'ST', 'SV', 'TM', 'UC', 'UI', 'UL', 'UN', 'UR', 'US', 'UT', 'UV'] as const;
export type Vr = (typeof VRS)[number];

const ENTRIES: readonly (readonly [number, Vr, string])[] = [
  [0x00000000, 'UL', 'CommandGroupLength'],
  [0x00000002, 'UI', 'AffectedSOPClassUID'],
  [0x00000003, 'UI', 'RequestedSOPClassUID'],
  [0x00000100, 'US', 'CommandField'],
  [0x00000110, 'US', 'MessageID'],
  [0x00000120, 'US', 'MessageIDBeingRespondedTo'],
  [0x00000600, 'AE', 'MoveDestination'],
  [0x00000700, 'US', 'Priority'],
  [0x00000800, 'US', 'CommandDataSetType'],
  [0x00000900, 'US', 'Status'],
  [0x00000901, 'AT', 'OffendingElement'],
  [0x00000902, 'LO', 'ErrorComment'],
  [0x00000903, 'US', 'ErrorID'],
  [0x00001000, 'UI', 'AffectedSOPInstanceUID'],
  [0x00001001, 'UI', 'RequestedSOPInstanceUID'],
  [0x00001020, 'US', 'NumberOfRemainingSuboperations'],
  [0x00001021, 'US', 'NumberOfCompletedSuboperations'],
  [0x00001022, 'US', 'NumberOfFailedSuboperations'],
  [0x00001023, 'US', 'NumberOfWarningSuboperations'],
  [0x00001030, 'AE', 'MoveOriginatorApplicationEntityTitle'],
  [0x00001031, 'US', 'MoveOriginatorMessageID'],
  [0x00080005, 'CS', 'SpecificCharacterSet'],
  [0x00080016, 'UI', 'SOPClassUID'],
  [0x00080018, 'UI', 'SOPInstanceUID'],
  [0x00080020, 'DA', 'StudyDate'],
  [0x00080021, 'DA', 'SeriesDate'],
  [0x00080023, 'DA', 'ContentDate'],
  [0x00080030, 'TM', 'StudyTime'],
  [0x00080033, 'TM', 'ContentTime'],
  [0x00080050, 'SH', 'AccessionNumber'],
  [0x00080052, 'CS', 'QueryRetrieveLevel'],
  [0x00080054, 'AE', 'RetrieveAETitle'],
  [0x00080056, 'CS', 'InstanceAvailability'],
  [0x00080060, 'CS', 'Modality'],
  [0x00080061, 'CS', 'ModalitiesInStudy'],
  [0x00080064, 'CS', 'ConversionType'],
  [0x00080070, 'LO', 'Manufacturer'],
  [0x00080080, 'LO', 'InstitutionName'],
  [0x00080090, 'PN', 'ReferringPhysicianName'],
  [0x00081030, 'LO', 'StudyDescription'],
  [0x0008103e, 'LO', 'SeriesDescription'],
  [0x00081110, 'SQ', 'ReferencedStudySequence'],
  [0x00081120, 'SQ', 'ReferencedPatientSequence'],
  [0x00081150, 'UI', 'ReferencedSOPClassUID'],
  [0x00081155, 'UI', 'ReferencedSOPInstanceUID'],
  [0x00100010, 'PN', 'PatientName'],
  [0x00100020, 'LO', 'PatientID'],
  [0x00100030, 'DA', 'PatientBirthDate'],
  [0x00100040, 'CS', 'PatientSex'],
  [0x00101030, 'DS', 'PatientWeight'],
  [0x00102000, 'LO', 'MedicalAlerts'],
  [0x00102110, 'LO', 'Allergies'],
  [0x001021c0, 'US', 'PregnancyStatus'],
  [0x00180015, 'CS', 'BodyPartExamined'],
  [0x0020000d, 'UI', 'StudyInstanceUID'],
  [0x0020000e, 'UI', 'SeriesInstanceUID'],
  [0x00200010, 'SH', 'StudyID'],
  [0x00200011, 'IS', 'SeriesNumber'],
  [0x00200013, 'IS', 'InstanceNumber'],
  [0x00200020, 'CS', 'PatientOrientation'],
  [0x00201200, 'IS', 'NumberOfPatientRelatedStudies'],
  [0x00201206, 'IS', 'NumberOfStudyRelatedSeries'],
  [0x00201208, 'IS', 'NumberOfStudyRelatedInstances'],
  [0x00280002, 'US', 'SamplesPerPixel'],
  [0x00280004, 'CS', 'PhotometricInterpretation'],
  [0x00280010, 'US', 'Rows'],
  [0x00280011, 'US', 'Columns'],
  [0x00280100, 'US', 'BitsAllocated'],
  [0x00280101, 'US', 'BitsStored'],
  [0x00280102, 'US', 'HighBit'],
  [0x00280103, 'US', 'PixelRepresentation'],
  [0x00321032, 'PN', 'RequestingPhysician'],
  [0x00321060, 'LO', 'RequestedProcedureDescription'],
  [0x00380010, 'LO', 'AdmissionID'],
  [0x00400001, 'AE', 'ScheduledStationAETitle'],
  [0x00400002, 'DA', 'ScheduledProcedureStepStartDate'],
  [0x00400003, 'TM', 'ScheduledProcedureStepStartTime'],
  [0x00400006, 'PN', 'ScheduledPerformingPhysicianName'],
  [0x00400007, 'LO', 'ScheduledProcedureStepDescription'],
  [0x00400009, 'SH', 'ScheduledProcedureStepID'],
  [0x00400010, 'SH', 'ScheduledStationName'],
  [0x00400011, 'SH', 'ScheduledProcedureStepLocation'],
  [0x00400020, 'CS', 'ScheduledProcedureStepStatus'],
  [0x00400100, 'SQ', 'ScheduledProcedureStepSequence'],
  [0x00401001, 'SH', 'RequestedProcedureID'],
  [0x00401003, 'SH', 'RequestedProcedurePriority'],
  [0x7fe00010, 'OW', 'PixelData'],
];

const byTag = new Map<number, { readonly vr: Vr; readonly keyword: string }>(ENTRIES.map(([t, vr, keyword]) => [t, { vr, keyword }]));
const byKeyword = new Map<string, { readonly tag: number; readonly vr: Vr }>(ENTRIES.map(([tag, vr, k]) => [k, { tag, vr }]));

/** VR of a tag for implicit-VR decoding: group lengths are UL, anything unknown is UN. */
export function vrOf(tag: number): Vr {
  const e = byTag.get(tag);
  if (e) return e.vr;
  return (tag & 0xffff) === 0 ? 'UL' : 'UN';
}

export function keywordOf(tag: number): string | undefined {
  return byTag.get(tag)?.keyword;
}

export function lookupKeyword(keyword: string): { readonly tag: number; readonly vr: Vr } | undefined {
  return byKeyword.get(keyword);
}

export function knownKeywords(): string[] {
  return [...byKeyword.keys()].filter((k) => !(byKeyword.get(k)!.tag >>> 16 === 0));
}

export function tagText(tag: number): string {
  const h = (n: number) => n.toString(16).padStart(4, '0').toUpperCase();
  return `(${h(tag >>> 16)},${h(tag & 0xffff)})`;
}

/** Attributes of the worklist that live inside the Scheduled Procedure Step Sequence item. */
export const SPS_KEYWORDS: ReadonlySet<string> = new Set([
  'Modality',
  'ScheduledStationAETitle',
  'ScheduledProcedureStepStartDate',
  'ScheduledProcedureStepStartTime',
  'ScheduledPerformingPhysicianName',
  'ScheduledProcedureStepDescription',
  'ScheduledProcedureStepID',
  'ScheduledStationName',
  'ScheduledProcedureStepLocation',
  'ScheduledProcedureStepStatus',
]);
