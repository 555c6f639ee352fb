// dicom-store against our simulator, DCMTK storescp and Orthanc; and DCMTK storescu against our simulator.

import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dicomStoreKind } from './index.ts';
import { parseSize, pixels } from './synthetic.ts';
import { checkContext } from '../dicom-echo/testing.ts';
import { startDicomSimulator, type DicomSimulator } from '../../sim/dicom/index.ts';
import { dcmtk, dump2dcm, startOrthanc, startStorescp, tempDir, type DicomPeer, type OrthancPeer } from '../../../test/peers/dicom.ts';
import { rm } from 'node:fs/promises';

const store = (over: Record<string, unknown>) => dicomStoreKind.check(dicomStoreKind.settings.parse({ host: '127.0.0.1', ...over }), checkContext(20_000));
const value = (r: { channels: readonly { key: string; value: number }[] }, key: string) => r.channels.find((c) => c.key === key)?.value;

describe('synthetic objects and settings', () => {
  it('parses sizes', () => {
    expect(parseSize('1MB')).toBe(1_000_000);
    expect(parseSize('512KB')).toBe(512_000);
    expect(parseSize('1.5MiB')).toBe(1_572_864);
    expect(parseSize('2000')).toBe(2000);
    expect(parseSize('big')).toBeUndefined();
    expect(dicomStoreKind.settings.safeParse({ host: 'x', size: '1TB' }).error?.issues[0]?.message).toBe('expected a size from 1B to 64MB such as 512KB or 1MB, got "1TB"');
    expect(dicomStoreKind.settings.parse({ host: 'x' })).toMatchObject({ size: 1_000_000, count: 1, port: 104 });
  });

  it('sizes pixel data to the request', () => {
    const p = pixels(1_000_000);
    expect(p.columns).toBe(1024);
    expect(p.rows * p.columns).toBeGreaterThanOrEqual(1_000_000);
    expect(p.rows * p.columns).toBeLessThan(1_000_000 + 1024);
  });
});

describe('dicom-store against the simulator', () => {
  let sim: DicomSimulator;
  beforeAll(async () => {
    sim = await startDicomSimulator();
  });
  afterAll(async () => {
    await sim.close();
  });

  it('stores count objects of the given size and reports time and throughput', async () => {
    const r = await store({ port: sim.port, size: '200KB', count: 3 });
    expect(r.error, r.message).toBeUndefined();
    expect(sim.stats().stores).toBe(3);
    expect(sim.stats().storedBytes).toBeGreaterThan(3 * 200_000);
    expect(sim.stats().storedBytes).toBeLessThan(3 * 202_000);
    expect(r.channels.map((c) => c.key)).toEqual(['perObjectMs', 'throughputMBps', 'status', 'totalMs']);
    expect(value(r, 'status')).toBe(0);
    expect(value(r, 'throughputMBps')).toBeGreaterThan(0);
    expect(r.message).toMatch(/^3 × 0\.20 MB stored, [\d.]+ ms per object, [\d.]+ MB\/s$/);
  });

  it('reports a failure status with its meaning', async () => {
    sim.setFault({ kind: 'status', status: 0xa700 });
    try {
      const r = await store({ port: sim.port, size: '10KB', count: 2 });
      expect(r.error).toBe('DICOM_DIMSE_FAILURE');
      expect(r.message).toBe('C-STORE of object 1 of 2 answered with status 0xA700 (refused: out of resources)');
      expect(value(r, 'status')).toBe(0xa700);
    } finally {
      sim.setFault(undefined);
    }
  });

  it('reports a PACS that refuses the storage class', async () => {
    sim.setFault({ kind: 'reject-context', result: 1 });
    try {
      const r = await store({ port: sim.port, size: '10KB' });
      expect(r.error).toBe('DICOM_CONTEXT_REJECTED');
      expect(r.message).toBe('the device refused Secondary Capture Image Storage: rejected by the user');
    } finally {
      sim.setFault(undefined);
    }
  });

  it('accepts objects from DCMTK storescu', async () => {
    const dir = await tempDir();
    try {
      const file = path.join(dir, 'sc.dcm');
      await dump2dcm(['(0008,0016) UI =SecondaryCaptureImageStorage', '(0008,0018) UI [2.25.5555.1]', '(0008,0064) CS [WSD]', '(0010,0010) PN [WARDWATCH^STORESCU]', '(0020,000d) UI [2.25.5555]', '(0020,000e) UI [2.25.5555.0]', '(0028,0002) US 1', '(0028,0004) CS [MONOCHROME2]', '(0028,0010) US 2', '(0028,0011) US 2', '(0028,0100) US 8', '(0028,0101) US 8', '(0028,0102) US 7', '(0028,0103) US 0', '(7fe0,0010) OB 01\\02\\03\\04', ''].join('\n'), file);
      const before = sim.stats().stores;
      const r = await dcmtk('storescu', ['127.0.0.1', String(sim.port), file]);
      expect(r.code, r.out).toBe(0);
      expect(sim.stats().stores).toBe(before + 1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('dicom-store against DCMTK storescp', () => {
  let peer: DicomPeer;
  beforeAll(async () => {
    peer = await startStorescp();
  });
  afterAll(async () => {
    await peer.stop();
  });

  it('stores a 1 MB object', async () => {
    const r = await store({ port: peer.port, calledAe: peer.aet, size: '1MB', count: 2 });
    expect(r.error, r.message).toBeUndefined();
    expect(value(r, 'status')).toBe(0);
    expect(value(r, 'perObjectMs')).toBeGreaterThan(0);
  });
});

describe('dicom-store against Orthanc', () => {
  let orthanc: OrthancPeer;
  beforeAll(async () => {
    orthanc = await startOrthanc();
  }, 40_000);
  afterAll(async () => {
    await orthanc.stop();
  });

  it('stores objects Orthanc then holds', async () => {
    const r = await store({ port: orthanc.port, calledAe: orthanc.aet, size: '100KB', count: 2 });
    expect(r.error, r.message).toBeUndefined();
    const stats = (await (await fetch(`http://127.0.0.1:${orthanc.httpPort}/statistics`)).json()) as { CountInstances: number };
    expect(stats.CountInstances).toBe(2);
  });
});
