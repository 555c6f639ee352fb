// `dicom-echo`: the DICOM "ping". Opens an association, sends C-ECHO, releases, and reports the
// time of each phase. A rejection, an A-ABORT or a refused Verification context is reported with
// its decoded source and reason, never as a generic timeout.

import { z } from 'zod';
import type { ChannelValue } from '../../core/model.ts';
import { defineSensorKind } from '../sensor.ts';
import type { Association } from '../../protocols/dicom/association.ts';
import { UID, describeStatus } from '../../protocols/dicom/constants.ts';
import { DicomError } from './errors.ts';
import { openAssociation, connectionSettings, dimseTimeoutMs, failureReading, ms, releaseOrTimeout } from './common.ts';

const settings = z.strictObject({ ...connectionSettings });

export const dicomEchoKind = defineSensorKind({
  kind: 'dicom-echo',
  title: 'DICOM C-ECHO',
  description:
    'Checks that a DICOM node (PACS, modality, RIS, archive) accepts an association from our AE title and answers a C-ECHO (verification), optionally over DICOM TLS. Reports association, echo, release and total time; rejections and aborts are shown with their decoded reason ("called AE title not recognized").',
  settings,
  channels: [
    { key: 'totalMs', name: 'Total time', unit: 'ms', primary: true },
    { key: 'associateMs', name: 'Association', unit: 'ms' },
    { key: 'echoMs', name: 'C-ECHO', unit: 'ms' },
    { key: 'releaseMs', name: 'Release', unit: 'ms' },
  ],
  concurrency: 500,
  defaultIntervalS: 60,
  usesHost: true,
  async check(s, ctx) {
    const t0 = ctx.now();
    const phases: Record<string, number> = {};
    const channels: ChannelValue[] = [];
    let assoc: Association | undefined;
    try {
      assoc = await openAssociation(s, ctx, [{ abstractSyntax: UID.verification }], phases);
      channels.push({ key: 'associateMs', value: ms(assoc.timings.associateMs) });
      const timeoutMs = dimseTimeoutMs(s, ctx);
      const e0 = ctx.now();
      const echo = await assoc.echo({ timeoutMs });
      phases.echo = ms(ctx.now() - e0);
      channels.push({ key: 'echoMs', value: phases.echo });
      const r0 = ctx.now();
      const unreleased = await releaseOrTimeout(assoc, timeoutMs);
      // The device answered the echo: a release it botches is worth a warning, not "down".
      if (unreleased) return { ...failureReading(unreleased, channels, phases), status: 'warning' };
      phases.release = ms(ctx.now() - r0);
      const total = ms(ctx.now() - t0);
      channels.push({ key: 'releaseMs', value: phases.release }, { key: 'totalMs', value: total });
      if (echo.status !== 0) {
        return failureReading(new DicomError('DICOM_DIMSE_FAILURE', `C-ECHO answered with status ${describeStatus(echo.status)}${echo.errorComment ? `: ${echo.errorComment}` : ''}`), channels, phases);
      }
      return { channels, phases, message: `C-ECHO OK in ${phases.echo} ms (association ${phases.associate} ms, total ${total} ms)` };
    } catch (e) {
      return failureReading(e, channels, phases);
    } finally {
      await assoc?.destroy();
    }
  },
});
