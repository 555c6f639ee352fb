import { describe, expect, it } from 'vitest';
import { decodeDataSet, encodeDataSet, encodeCommand, getItems, getString, type DataSet } from './dataset.ts';
import { DicomError } from './errors.ts';

const sample = (): DataSet =>
  new Map([
    [0x00080052, { vr: 'CS', value: 'STUDY' }],
    [0x00100010, { vr: 'PN', value: 'WARDWATCH^TEST' }],
    [0x00280010, { vr: 'US', value: [512] }],
    [0x00400100, { vr: 'SQ', value: [new Map([[0x00080060, { vr: 'CS', value: 'CT' }], [0x00400002, { vr: 'DA', value: '20260105-20260107' }]])] }],
    [0x7fe00010, { vr: 'OW', value: new Uint8Array([1, 2, 3, 4]) }],
    [0x0020000d, { vr: 'UI', value: '1.2.3' }],
  ] as const);

function dataError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof DicomError && e.code === 'DICOM_DATA_INVALID') return e.message;
    throw e;
  }
  throw new Error('expected DICOM_DATA_INVALID');
}

describe('data set codec', () => {
  for (const ts of ['implicit', 'explicit'] as const) {
    it(`round-trips strings, numbers, nested sequences and pixel data in ${ts} VR`, () => {
      const back = decodeDataSet(encodeDataSet(sample(), ts), ts);
      expect(getString(back, 0x00100010)).toBe('WARDWATCH^TEST');
      expect(getString(back, 0x0020000d)).toBe('1.2.3');
      expect(back.get(0x00280010)?.value).toEqual([512]);
      expect(getString(getItems(back, 0x00400100)![0]!, 0x00400002)).toBe('20260105-20260107');
      expect([...(back.get(0x7fe00010)!.value as Uint8Array)]).toEqual([1, 2, 3, 4]);
    });
  }

  it('pads odd-length values (UI with NUL, strings with space) to even length', () => {
    const b = encodeDataSet(new Map([[0x0020000d, { vr: 'UI', value: '1.2.3' }], [0x00100020, { vr: 'LO', value: 'ABC' }]]), 'explicit');
    expect(b.toString('latin1')).toContain('1.2.3\0');
    expect(b.toString('latin1')).toContain('ABC ');
  });

  it('decodes sequences and items of undefined length (implicit VR)', () => {
    const bytes = Buffer.from('40000001ffffffff' + 'feff00e0ffffffff' + '08006000020000004354' + 'feff0de000000000' + 'feffdde000000000' + '100010000400000041424344', 'hex');
    const ds = decodeDataSet(bytes, 'implicit');
    expect(getString(getItems(ds, 0x00400100)![0]!, 0x00080060)).toBe('CT');
    expect(getString(ds, 0x00100010)).toBe('ABCD');
  });

  it('starts a command set with its group length', () => {
    const b = encodeCommand(new Map([[0x00000100, { vr: 'US', value: [0x30] }]]));
    expect(b.subarray(0, 12).toString('hex')).toBe('000000000400000000000000'.slice(0, 16) + '0a000000');
  });

  it('rejects malformed data sets with exact messages', () => {
    expect(dataError(() => decodeDataSet(Buffer.from('100010000a000000414243', 'hex'), 'implicit'))).toBe('data set truncated in the value of (0010,0010) at byte 8');
    expect(dataError(() => decodeDataSet(Buffer.from('10001000585802004142', 'hex'), 'explicit'))).toBe('unknown VR "XX" for (0010,0010)');
    expect(dataError(() => decodeDataSet(Buffer.from('40000001ffffffff', 'hex'), 'implicit'))).toBe('sequence of undefined length without a sequence delimiter');
    expect(dataError(() => decodeDataSet(Buffer.from('2800100003000000010203', 'hex'), 'implicit'))).toBe('(0028,0010) US has length 3, not a multiple of 2');
    const deep = '40000001ffffffff' + 'feff00e0ffffffff';
    expect(dataError(() => decodeDataSet(Buffer.from(deep.repeat(12), 'hex'), 'implicit'))).toBe('sequences nested deeper than 8 levels');
  });
});
