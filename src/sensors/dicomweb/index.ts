// `dicomweb`: a QIDO-RS study search ([base]/studies?limit=...) that counts the studies found and
// times the answer, and optionally a WADO-RS metadata fetch of the first study. Only counts are
// kept: no identifiers or patient attributes leave the check.

import { z } from 'zod';
import type { ChannelValue, Reading } from '../../core/model.ts';
import { defineSensorKind, failed, type CheckContext } from '../sensor.ts';
import { baseUrl, credentialHeader, httpTlsSettings, loadHttpTls, ms, requestFailure } from '../fhir/common.ts';
import { httpRequest, isObject, jsonBody, type HttpTls } from '../fhir/http.ts';
import { hl7Timestamp } from '../../protocols/hl7/timestamp.ts';
import './errors.ts';

export const dicomwebSettings = z.strictObject({
  baseUrl: baseUrl.describe('DICOMweb base URL (the one before /studies), e.g. https://pacs.example.org/dicom-web'),
  limit: z.number().int().min(1).max(1000).default(10).describe('Most studies the search asks for'),
  query: z
    .string()
    .regex(/^[^?#\s]*$/, { error: 'expected query parameters such as ModalitiesInStudy=CT&StudyDate={{today}} (no ? or spaces)' })
    .optional()
    .describe('Extra QIDO-RS parameters; {{today}} becomes the date as YYYYMMDD (UTC)'),
  minStudies: z.number().int().min(0).optional().describe('Fewest studies the search must find'),
  metadata: z.boolean().default(false).describe('Also fetch the WADO-RS metadata of the first study found'),
  tls: httpTlsSettings,
  maxResponseBytes: z.number().int().min(1024).max(256 * 1024 * 1024).default(32 * 1024 * 1024).describe('Largest response accepted, bytes'),
});
export type DicomwebSettings = z.infer<typeof dicomwebSettings>;

const DICOM_JSON = 'application/dicom+json, application/json;q=0.9';
const STUDY_UID = '0020000D';
/** DICOM UIDs: digits and dots, at most 64 characters (anything else is not put in a URL). */
const UID = /^[0-9.]{1,64}$/;

function firstStudyUid(study: unknown): string | undefined {
  if (!isObject(study)) return undefined;
  const el = study[STUDY_UID];
  const v = isObject(el) && Array.isArray(el.Value) ? (el.Value[0] as unknown) : undefined;
  return typeof v === 'string' && UID.test(v) ? v : undefined;
}

async function check(s: DicomwebSettings, ctx: CheckContext): Promise<Reading> {
  let tls: HttpTls | undefined;
  try {
    tls = await loadHttpTls(s.tls);
  } catch (e) {
    return failed('BAD_SETTINGS', `cannot read tls.ca: ${(e as Error).message}`);
  }
  const headers = { accept: DICOM_JSON, ...credentialHeader(ctx.credential) };
  const query = (s.query ?? '').replace(/\{\{\s*today\s*\}\}/g, hl7Timestamp(ctx.wallNow()).slice(0, 8));
  const url = `${s.baseUrl}/studies?limit=${s.limit}${query ? `&${query}` : ''}`;
  const channels: ChannelValue[] = [];
  let stage = url;
  try {
    const res = await httpRequest({ url, headers, signal: ctx.signal, maxBytes: s.maxResponseBytes, ...(tls ? { tls } : {}) });
    channels.push({ key: 'responseTimeMs', value: ms(res.totalMs) });
    if (res.status !== 200 && res.status !== 204) return failed('HTTP_STATUS', `QIDO-RS /studies answered HTTP ${res.status}`, channels);
    // 204 No Content is how QIDO-RS says "no match"
    const studies = res.status === 204 || res.body.length === 0 ? [] : jsonBody(res);
    if (!Array.isArray(studies) || !studies.every(isObject)) return failed('DICOMWEB_BAD_RESPONSE', 'QIDO-RS /studies did not answer a DICOM JSON array', channels);
    channels.push({ key: 'studyCount', value: studies.length });
    let message = `QIDO-RS: ${studies.length} stud${studies.length === 1 ? 'y' : 'ies'} in ${ms(res.totalMs)} ms`;
    if (s.minStudies !== undefined && studies.length < s.minStudies) return failed('DICOMWEB_UNEXPECTED_COUNT', `QIDO-RS found ${studies.length} stud${studies.length === 1 ? 'y' : 'ies'}, expected at least ${s.minStudies}`, channels);

    if (s.metadata && studies.length > 0) {
      const uid = firstStudyUid(studies[0]);
      if (!uid) return failed('DICOMWEB_BAD_RESPONSE', 'the first study has no valid Study Instance UID (0020000D)', channels);
      stage = `${s.baseUrl}/studies/{first}/metadata`;
      const meta = await httpRequest({ url: `${s.baseUrl}/studies/${uid}/metadata`, headers, signal: ctx.signal, maxBytes: s.maxResponseBytes, ...(tls ? { tls } : {}) });
      channels.push({ key: 'metadataTimeMs', value: ms(meta.totalMs) });
      if (meta.status !== 200) return failed('HTTP_STATUS', `WADO-RS metadata answered HTTP ${meta.status}`, channels);
      const instances = jsonBody(meta);
      if (!Array.isArray(instances) || !instances.every(isObject)) return failed('DICOMWEB_BAD_RESPONSE', 'WADO-RS metadata did not answer a DICOM JSON array', channels);
      channels.push({ key: 'instanceCount', value: instances.length });
      message += `; WADO-RS metadata: ${instances.length} instance${instances.length === 1 ? '' : 's'} in ${ms(meta.totalMs)} ms`;
    }
    return { channels, message };
  } catch (e) {
    return { ...requestFailure(e, stage, 'DICOMWEB_RESPONSE_TOO_LARGE'), channels };
  }
}

export const dicomwebKind = defineSensorKind({
  kind: 'dicomweb',
  title: 'DICOMweb (QIDO-RS / WADO-RS)',
  description:
    'Searches studies with QIDO-RS ([base]/studies?limit=N plus optional parameters such as ModalitiesInStudy=CT&StudyDate={{today}}), counts them and times the answer; optionally fetches the WADO-RS metadata of the first study. A minimum study count turns an empty result into an error. Only counts are kept.',
  settings: dicomwebSettings,
  channels: [
    { key: 'responseTimeMs', name: 'QIDO-RS response time', unit: 'ms', primary: true },
    { key: 'studyCount', name: 'Studies found', unit: 'count' },
    { key: 'metadataTimeMs', name: 'WADO-RS metadata time', unit: 'ms' },
    { key: 'instanceCount', name: 'Instances in first study', unit: 'count' },
  ],
  concurrency: 200,
  defaultIntervalS: 60,
  usesHost: false,
  // A thrown bug or an abort becomes an INTERNAL or TIMEOUT reading in the runner, like every kind's.
  check,
});
