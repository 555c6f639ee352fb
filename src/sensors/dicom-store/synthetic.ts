// A synthetic Secondary Capture image generated in memory for C-STORE tests: obviously fake
// identity (WARDWATCH test object), fresh UIDs per object, and a gradient as pixel data sized to
// what the sensor asks for. No patient data is ever involved.

import { randomBytes } from 'node:crypto';
import type { DataSet } from '../../protocols/dicom/dataset.ts';
import { UID } from '../../protocols/dicom/constants.ts';
import { fromKeywords } from '../../protocols/dicom/keywords.ts';

/** A unique UID under the 2.25 (UUID-derived) root, so no organisation root is needed. */
export function newUid(): string {
  return `2.25.${BigInt(`0x${randomBytes(16).toString('hex')}`).toString()}`;
}

const UNITS: Readonly<Record<string, number>> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, KIB: 1024, MIB: 1024 ** 2, GIB: 1024 ** 3 };

/** Parses "512KB", "1MB", "1.5MiB", "2000000" (bytes); undefined when it is not a size. */
export function parseSize(v: string | number): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? Math.round(v) : undefined;
  const m = /^(\d+(?:\.\d+)?)\s*([KMG]i?B|B)?$/i.exec(v.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * (UNITS[(m[2] ?? 'B').toUpperCase()] ?? 1));
}

export interface SyntheticImage {
  readonly sopClass: string;
  readonly sopInstance: string;
  readonly dataset: DataSet;
}

/** Pixel data of about `bytes` bytes (8-bit monochrome, 1024 columns at most). */
export function pixels(bytes: number): { rows: number; columns: number; data: Uint8Array } {
  const columns = Math.max(1, Math.min(1024, bytes));
  const rows = Math.max(1, Math.ceil(bytes / columns));
  const data = Buffer.allocUnsafe(rows * columns + ((rows * columns) % 2));
  for (let i = 0; i < data.length; i++) data[i] = (i % columns) & 0xff;
  return { rows, columns, data };
}

/** One Secondary Capture object; share `px` between objects of one run, only UIDs differ. */
export function syntheticImage(px: ReturnType<typeof pixels>, studyUid: string, seriesUid: string, date: string, n: number): SyntheticImage {
  const sopInstance = newUid();
  const ds = fromKeywords({
    SOPClassUID: UID.secondaryCapture,
    SOPInstanceUID: sopInstance,
    StudyDate: date,
    ContentDate: date,
    StudyTime: '000000',
    Modality: 'OT',
    ConversionType: 'WSD',
    Manufacturer: 'Wardwatch',
    PatientName: 'WARDWATCH^TEST OBJECT',
    PatientID: 'WARDWATCH-TEST',
    PatientBirthDate: '',
    PatientSex: 'O',
    StudyInstanceUID: studyUid,
    SeriesInstanceUID: seriesUid,
    StudyID: 'WWTEST',
    SeriesNumber: '1',
    InstanceNumber: String(n),
    StudyDescription: 'WARDWATCH C-STORE TEST (synthetic, no patient data)',
    PatientOrientation: '',
    ReferringPhysicianName: '',
    AccessionNumber: '',
    PhotometricInterpretation: 'MONOCHROME2',
  });
  const us = (v: number) => ({ vr: 'US', value: [v] }) as const;
  ds.set(0x00280002, us(1));
  ds.set(0x00280010, us(px.rows));
  ds.set(0x00280011, us(px.columns));
  ds.set(0x00280100, us(8));
  ds.set(0x00280101, us(8));
  ds.set(0x00280102, us(7));
  ds.set(0x00280103, us(0));
  ds.set(0x7fe00010, { vr: 'OW', value: px.data });
  return { sopClass: UID.secondaryCapture, sopInstance, dataset: ds };
}
