// `dicom-find`: checks that a PACS or RIS answers queries. Sends one C-FIND (patient or study root,
// or modality worklist) and counts the matches, timing the first response and the gaps between
// responses. Identifiers are counted and never decoded, stored or logged: no patient data leaves.

import { z } from 'zod';
import type { ChannelValue } from '../../core/model.ts';
import { defineSensorKind } from '../sensor.ts';
import type { Association } from '../../protocols/dicom/association.ts';
import { describeStatus, isSuccessOrWarning } from '../../protocols/dicom/constants.ts';
import { DicomError } from '../dicom-echo/errors.ts';
import { openAssociation, connectionSettings, dimseTimeoutMs, failureReading, ms, releaseOrTimeout } from '../dicom-echo/common.ts';
import { validTimeZone } from './dates.ts';
import { buildIdentifier, keyProblem, LEVELS, SOP_CLASS } from './identifier.ts';

const settings = z.strictObject({
  ...connectionSettings,
  level: z.enum(LEVELS).default('study').describe('Query level: patient, study (study root) or worklist (modality worklist)'),
  keys: z
    .record(z.string(), z.string())
    .default({})
    .superRefine((keys, ctx) => {
      for (const [k, v] of Object.entries(keys)) {
        const problem = keyProblem(k, v);
        if (problem) ctx.addIssue({ code: 'custom', message: problem, path: [k] });
      }
    })
    .describe('Query keys by DICOM keyword, e.g. { Modality: CT, ScheduledStationAETitle: CT01, ScheduledProcedureStepStartDate: today }; dates accept today, yesterday, tomorrow, today-7d and ranges today-7d..today'),
  timeZone: z
    .string()
    .refine(validTimeZone, { error: (i) => `unknown time zone ${JSON.stringify(i.input)} (expected an IANA name such as Europe/Berlin)` })
    .optional()
    .describe("Time zone for date macros (default: the probe's)"),
});

export const dicomFindKind = defineSensorKind({
  kind: 'dicom-find',
  title: 'DICOM C-FIND / worklist',
  description:
    "Sends a C-FIND query (patient or study root, or modality worklist) with the configured keys and counts the matches; reports time to first response, total time and the gaps between responses. Set limits on the match count, e.g. a warning when today's worklist is empty. Results are counted only: no patient data is kept.",
  settings,
  channels: [
    { key: 'matches', name: 'Matches', unit: 'count', primary: true },
    { key: 'firstResponseMs', name: 'First response', unit: 'ms' },
    { key: 'totalMs', name: 'Total time', unit: 'ms' },
    { key: 'minGapMs', name: 'Min time between responses', unit: 'ms' },
    { key: 'avgGapMs', name: 'Avg time between responses', unit: 'ms' },
    { key: 'maxGapMs', name: 'Max time between responses', unit: 'ms' },
  ],
  concurrency: 100,
  defaultIntervalS: 300,
  usesHost: true,
  async check(s, ctx) {
    const t0 = ctx.now();
    const phases: Record<string, number> = {};
    const channels: ChannelValue[] = [];
    const sop = SOP_CLASS[s.level];
    const timeZone = s.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
    let assoc: Association | undefined;
    try {
      const identifier = buildIdentifier(s.level, s.keys, ctx.wallNow(), timeZone);
      assoc = await openAssociation(s, ctx, [{ abstractSyntax: sop }], phases);
      const timeoutMs = dimseTimeoutMs(s, ctx);
      const f0 = ctx.now();
      const result = await assoc.find(sop, identifier, { timeoutMs });
      phases.find = ms(ctx.now() - f0);
      const times = result.responseTimesMs;
      channels.push({ key: 'matches', value: result.matches });
      if (times[0] !== undefined) channels.push({ key: 'firstResponseMs', value: ms(times[0]) });
      const gaps = times.slice(1).map((t, i) => t - times[i]!);
      if (gaps.length) {
        channels.push(
          { key: 'minGapMs', value: ms(Math.min(...gaps)) },
          { key: 'avgGapMs', value: ms(gaps.reduce((a, b) => a + b, 0) / gaps.length) },
          { key: 'maxGapMs', value: ms(Math.max(...gaps)) },
        );
      }
      const r0 = ctx.now();
      const unreleased = await releaseOrTimeout(assoc, timeoutMs);
      if (unreleased) return { ...failureReading(unreleased, channels, phases), status: 'warning' };
      phases.release = ms(ctx.now() - r0);
      const total = ms(ctx.now() - t0);
      channels.push({ key: 'totalMs', value: total });
      if (!isSuccessOrWarning(result.status)) {
        const why = `C-FIND answered with status ${describeStatus(result.status)}${result.errorComment ? `: ${result.errorComment}` : ''} after ${result.matches} matches`;
        return failureReading(new DicomError('DICOM_DIMSE_FAILURE', why), channels, phases);
      }
      const first = times[0] !== undefined ? `, first response after ${ms(times[0])} ms` : '';
      return { channels, phases, message: `${result.matches} ${result.matches === 1 ? 'match' : 'matches'} at ${s.level} level in ${phases.find} ms${first}` };
    } catch (e) {
      return failureReading(e, channels, phases);
    } finally {
      await assoc?.destroy();
    }
  },
});
