// The single probes of dicom-exposure: one association attempt with given AE titles (accepted,
// refused, or a failure that stops the check), and the count-only C-FIND from an unknown AE.

import type { Reading } from '../../core/model.ts';
import { Association } from '../../protocols/dicom/association.ts';
import { describeStatus, isSuccessOrWarning, UID } from '../../protocols/dicom/constants.ts';
import { DicomError } from '../dicom-echo/errors.ts';
import { associationOptions, dimseTimeoutMs, failureReading, releaseOrTimeout, type ConnectionSettings } from '../dicom-echo/common.ts';
import { buildIdentifier } from '../dicom-find/identifier.ts';
import type { CheckContext } from '../sensor.ts';

export type AttemptResult =
  | { readonly kind: 'accepted'; readonly associateMs: number }
  | { readonly kind: 'refused'; readonly how: string }
  /** No verdict for this probe (the device did not answer in time). */
  | { readonly kind: 'silent'; readonly how: string }
  /** The device cannot be judged at all (refused connection, cancelled check...): this Reading is the answer. */
  | { readonly kind: 'stop'; readonly reading: Reading };

/** Codes that mean the device said no to these AE titles (reject, abort, or hang-up). */
function refusal(e: DicomError): string | undefined {
  // "association rejected (permanent) by the called application (service user): called AE title not recognized (called AE ...)"
  if (e.code.startsWith('DICOM_ASSOC_REJECTED')) return `rejected (${e.message.replace(/ \(called AE ".*$/, '').split(': ').at(-1) ?? e.message})`;
  if (e.code === 'DICOM_ABORTED') return 'aborted the association';
  if (e.code === 'CLOSED_EARLY') return 'closed the connection';
  return undefined;
}

/** Opens an association (Verification only) with these AE titles and releases it at once. */
export async function attempt(s: ConnectionSettings, ctx: CheckContext, calledAe: string, callingAe: string): Promise<AttemptResult> {
  let assoc: Association | undefined;
  try {
    assoc = await Association.open(await associationOptions({ ...s, calledAe, callingAe }, ctx, [{ abstractSyntax: UID.verification }]));
    const associateMs = assoc.timings.associateMs;
    await releaseOrTimeout(assoc, dimseTimeoutMs(s, ctx));
    return { kind: 'accepted', associateMs };
  } catch (e) {
    if (e instanceof DicomError) {
      const how = refusal(e);
      if (how) return { kind: 'refused', how };
      if (e.code === 'DICOM_TIMEOUT_ASSOCIATE') return { kind: 'silent', how: 'no answer to the association request' };
    }
    return { kind: 'stop', reading: failureReading(e, [], {}) };
  } finally {
    await assoc?.destroy();
  }
}

export type QueryResult =
  | { readonly kind: 'answered'; readonly matches: number; readonly status: number }
  | { readonly kind: 'refused'; readonly how: string }
  | { readonly kind: 'silent'; readonly how: string }
  | { readonly kind: 'stop'; readonly reading: Reading };

/**
 * A study-level C-FIND for today's studies from an unknown calling AE. The only keys are the
 * study date (to keep the answer small) and an empty Study Instance UID; responses are counted by
 * the Association and never decoded, so no patient data is read, kept or logged.
 */
export async function unauthenticatedQuery(s: ConnectionSettings, ctx: CheckContext, callingAe: string, timeZone: string): Promise<QueryResult> {
  let assoc: Association | undefined;
  try {
    assoc = await Association.open(await associationOptions({ ...s, callingAe }, ctx, [{ abstractSyntax: UID.studyRootFind }]));
    if (assoc.refusedContexts.length) return { kind: 'refused', how: 'refused the Study Root C-FIND service' };
    const identifier = buildIdentifier('study', { StudyDate: 'today' }, ctx.wallNow(), timeZone);
    const timeoutMs = dimseTimeoutMs(s, ctx);
    const r = await assoc.find(UID.studyRootFind, identifier, { timeoutMs });
    await releaseOrTimeout(assoc, timeoutMs);
    if (isSuccessOrWarning(r.status)) return { kind: 'answered', matches: r.matches, status: r.status };
    return { kind: 'refused', how: `answered C-FIND with ${describeStatus(r.status)}` };
  } catch (e) {
    if (e instanceof DicomError) {
      const how = refusal(e);
      if (how) return { kind: 'refused', how: `association ${how}` };
      if (e.code === 'DICOM_TIMEOUT_ASSOCIATE' || e.code === 'DICOM_TIMEOUT_DIMSE') return { kind: 'silent', how: 'no answer to the query' };
    }
    return { kind: 'stop', reading: failureReading(e, [], {}) };
  } finally {
    await assoc?.destroy();
  }
}
