// `dicom-store`: checks that a PACS accepts images, and how fast. Sends `count` synthetic
// Secondary Capture objects of the configured size (generated in memory, no patient data) by
// C-STORE and reports time per object, throughput and the DIMSE status.

import { z } from 'zod';
import type { ChannelValue } from '../../core/model.ts';
import { defineSensorKind } from '../sensor.ts';
import type { Association } from '../../protocols/dicom/association.ts';
import { UID, describeStatus, isSuccessOrWarning } from '../../protocols/dicom/constants.ts';
import { encodeDataSet } from '../../protocols/dicom/dataset.ts';
import { DicomError } from '../dicom-echo/errors.ts';
import { openAssociation, connectionSettings, dimseTimeoutMs, failureReading, ms, releaseOrTimeout } from '../dicom-echo/common.ts';
import { newUid, parseSize, pixels, syntheticImage } from './synthetic.ts';

const MAX_SIZE = 64e6;

const settings = z.strictObject({
  ...connectionSettings,
  size: z
    .union([z.string(), z.number()])
    .default('1MB')
    .transform((v, ctx) => {
      const n = parseSize(v);
      if (n === undefined || n < 1 || n > MAX_SIZE) {
        ctx.addIssue({ code: 'custom', message: `expected a size from 1B to 64MB such as 512KB or 1MB, got ${JSON.stringify(v)}` });
        return z.NEVER;
      }
      return n;
    })
    .describe('Size of each synthetic object (pixel data), e.g. 512KB, 1MB, 10MB'),
  count: z.number().int().min(1).max(100).default(1).describe('Objects sent per check, on one association'),
});

export const dicomStoreKind = defineSensorKind({
  kind: 'dicom-store',
  title: 'DICOM C-STORE',
  description:
    'Sends synthetic Secondary Capture images (generated in memory, no patient data, configurable size and count) to a PACS by C-STORE and reports time per object, throughput in MB/s (10^6 bytes) and the DIMSE status. The PACS keeps the test objects: point it at a test AE or a PACS that routes them away.',
  settings,
  channels: [
    { key: 'perObjectMs', name: 'Time per object', unit: 'ms', primary: true },
    { key: 'throughputMBps', name: 'Throughput', unit: 'MB/s' },
    { key: 'totalMs', name: 'Total time', unit: 'ms' },
    { key: 'status', name: 'DIMSE status', unit: 'value', description: '0 when every object was stored; otherwise the first non-success status code' },
  ],
  concurrency: 20,
  defaultIntervalS: 900,
  usesHost: true,
  async check(s, ctx) {
    const t0 = ctx.now();
    const phases: Record<string, number> = {};
    const channels: ChannelValue[] = [];
    let assoc: Association | undefined;
    try {
      assoc = await openAssociation(s, ctx, [{ abstractSyntax: UID.secondaryCapture }], phases);
      const ts = assoc.context(UID.secondaryCapture).transferSyntax;
      const px = pixels(s.size);
      const [studyUid, seriesUid] = [newUid(), newUid()];
      const date = new Date(ctx.wallNow()).toISOString().slice(0, 10).replaceAll('-', '');
      const timeoutMs = dimseTimeoutMs(s, ctx);
      let storeMs = 0;
      let bytes = 0;
      let status = 0;
      let stored = 0;
      for (let i = 1; i <= s.count; i++) {
        const img = syntheticImage(px, studyUid, seriesUid, date, i);
        const encoded = encodeDataSet(img.dataset, ts);
        const s0 = ctx.now();
        const r = await assoc.store(img.sopClass, img.sopInstance, () => encoded, { timeoutMs });
        storeMs += ctx.now() - s0;
        if (!isSuccessOrWarning(r.status)) {
          status = r.status;
          channels.push({ key: 'status', value: status });
          const why = `C-STORE of object ${i} of ${s.count} answered with status ${describeStatus(r.status)}${r.errorComment ? `: ${r.errorComment}` : ''}`;
          return failureReading(new DicomError('DICOM_DIMSE_FAILURE', why), channels, phases);
        }
        if (status === 0 && r.status !== 0) status = r.status;
        bytes += encoded.length;
        stored++;
      }
      phases.store = ms(storeMs);
      const perObject = ms(storeMs / stored);
      const mbps = storeMs > 0 ? Math.round((bytes / 1e6 / (storeMs / 1000)) * 100) / 100 : 0;
      channels.push({ key: 'perObjectMs', value: perObject }, { key: 'throughputMBps', value: mbps }, { key: 'status', value: status });
      const r0 = ctx.now();
      const unreleased = await releaseOrTimeout(assoc, timeoutMs);
      if (unreleased) return { ...failureReading(unreleased, channels, phases), status: 'warning' };
      phases.release = ms(ctx.now() - r0);
      channels.push({ key: 'totalMs', value: ms(ctx.now() - t0) });
      const warn = status !== 0 ? ` (warning status ${describeStatus(status)})` : '';
      return { channels, phases, message: `${stored} × ${(bytes / stored / 1e6).toFixed(2)} MB stored, ${perObject} ms per object, ${mbps} MB/s${warn}` };
    } catch (e) {
      return failureReading(e, channels, phases);
    } finally {
      await assoc?.destroy();
    }
  },
});
