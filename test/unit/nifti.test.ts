// Tests for the NIfTI-1/NIfTI-2 header reader: text fields, extensions, byte orders, gzip, damage.
import { describe, it, expect } from 'vitest';
import { gzipSync, strToU8 } from 'fflate';
import { CorruptError } from '../../src/core/inflate';
import {
  NiftiError,
  niftiExtensionName,
  readNifti,
  sniffNifti,
} from '../../src/core/nifti/nifti';
import { bytesSource, concatBytes, countingSource } from '../../src/core/source';

interface ExtensionSpec {
  code: number;
  data: Uint8Array;
  /** Written as esize instead of the padded size. */
  esize?: number;
  /** Pad the record to a multiple of 16 (default true). */
  pad?: boolean;
}

interface NiftiSpec {
  version: 1 | 2;
  littleEndian?: boolean;
  /** `pair` writes the .hdr magic (ni1 / ni2): image data lives in a separate file. */
  files?: 'single' | 'pair';
  texts?: Partial<Record<'descrip' | 'aux_file' | 'intent_name' | 'db_name', Uint8Array | string>>;
  dims?: number[];
  /** Defaults to the end of the extensions (single file) or 0 (pair). */
  voxOffset?: number;
  extender?: number;
  extensions?: ExtensionSpec[];
  /** Bytes written after the extensions (padding, then image data). */
  trailing?: Uint8Array;
}

const TEXT_OFFSETS = {
  1: { db_name: [14, 18], descrip: [148, 80], aux_file: [228, 24], intent_name: [328, 16] },
  2: { db_name: [0, 0], descrip: [240, 80], aux_file: [320, 24], intent_name: [508, 16] },
} as const;

function extensionRecord(ext: ExtensionSpec, littleEndian: boolean): Uint8Array {
  const padded = ext.pad === false ? 8 + ext.data.length : Math.ceil((8 + ext.data.length) / 16) * 16;
  const record = new Uint8Array(padded);
  const view = new DataView(record.buffer);
  view.setInt32(0, ext.esize ?? padded, littleEndian);
  view.setInt32(4, ext.code, littleEndian);
  record.set(ext.data, 8);
  return record;
}

/** Writes a NIfTI file by hand from the header structs in nifti1.h / nifti2.h. */
function buildNifti(spec: NiftiSpec): Uint8Array {
  const le = spec.littleEndian ?? true;
  const headerSize = spec.version === 1 ? 348 : 540;
  const header = new Uint8Array(headerSize);
  const view = new DataView(header.buffer);
  view.setInt32(0, headerSize, le);
  const single = (spec.files ?? 'single') === 'single';
  if (spec.version === 1) header.set(strToU8(single ? 'n+1\0' : 'ni1\0'), 344);
  else header.set(strToU8(single ? 'n+2\0\r\n\x1a\n' : 'ni2\0\r\n\x1a\n'), 4);
  const dims = spec.dims ?? [64, 64, 30];
  [dims.length, ...dims].forEach((value, i) => {
    if (spec.version === 1) view.setInt16(40 + i * 2, value, le);
    else view.setBigInt64(16 + i * 8, BigInt(value), le);
  });
  for (const [field, value] of Object.entries(spec.texts ?? {})) {
    const [offset, length] = TEXT_OFFSETS[spec.version][field as keyof (typeof TEXT_OFFSETS)[1]];
    const bytes = typeof value === 'string' ? strToU8(value) : value;
    header.set(bytes.subarray(0, length), offset);
  }
  const records = (spec.extensions ?? []).map((ext) => extensionRecord(ext, le));
  const extensionBytes = records.reduce((n, r) => n + r.length, 0);
  const voxOffset = spec.voxOffset ?? (single ? headerSize + 4 + extensionBytes : 0);
  if (spec.version === 1) view.setFloat32(108, voxOffset, le);
  else view.setBigInt64(168, BigInt(voxOffset), le);
  const extender = new Uint8Array([spec.extender ?? (records.length ? 1 : 0), 0, 0, 0]);
  return concatBytes([header, extender, ...records, spec.trailing ?? new Uint8Array(0)]);
}

/** A tiny DICOM dataset (implicit VR little endian): PatientName = DOE^JANE. */
const DICOM_EXTENSION = new Uint8Array([0x10, 0x00, 0x10, 0x00, 0x08, 0x00, 0x00, 0x00, ...strToU8('DOE^JANE')]);

describe('sniffNifti', () => {
  it('recognises NIfTI-1 and NIfTI-2 heads in both byte orders', () => {
    for (const littleEndian of [true, false]) {
      expect(sniffNifti(buildNifti({ version: 1, littleEndian }))).toBe('nifti1');
      expect(sniffNifti(buildNifti({ version: 1, littleEndian, files: 'pair' }))).toBe('nifti1');
      expect(sniffNifti(buildNifti({ version: 2, littleEndian }))).toBe('nifti2');
      expect(sniffNifti(buildNifti({ version: 2, littleEndian, files: 'pair' }).subarray(0, 12))).toBe('nifti2');
    }
  });

  it('rejects short heads, ANALYZE 7.5 headers and other files', () => {
    const analyze = buildNifti({ version: 1 });
    analyze.fill(0, 344, 348);
    expect(sniffNifti(analyze)).toBeNull();
    expect(sniffNifti(buildNifti({ version: 1 }).subarray(0, 300))).toBeNull();
    expect(sniffNifti(new Uint8Array(8))).toBeNull();
    expect(sniffNifti(strToU8('\x00\x00\x00\x00DICM and more bytes'))).toBeNull();
  });
});

describe('readNifti', () => {
  it('reads NIfTI-1 text fields, dims and extensions in both byte orders', async () => {
    for (const littleEndian of [true, false]) {
      const file = buildNifti({
        version: 1,
        littleEndian,
        texts: { descrip: 'Jane Doe 1970-01-01', aux_file: 'mask.nii', intent_name: 'label', db_name: 'study 42' },
        dims: [256, 256, 120, 2],
        extensions: [
          { code: 2, data: DICOM_EXTENSION },
          { code: 6, data: strToU8('acquired at General Hospital') },
        ],
        trailing: new Uint8Array(1000),
      });
      const header = await readNifti(bytesSource(file));
      expect(header).toMatchObject({ version: 1, gzip: false, littleEndian, dims: [256, 256, 120, 2], voxOffset: 352 + 32 + 48 });
      expect(header.texts).toEqual([
        { field: 'db_name', value: 'study 42' },
        { field: 'descrip', value: 'Jane Doe 1970-01-01' },
        { field: 'aux_file', value: 'mask.nii' },
        { field: 'intent_name', value: 'label' },
      ]);
      expect(header.extensions.map((e) => [e.code, e.offset, e.data.length])).toEqual([[2, 352, 24], [6, 384, 40]]);
      expect(header.extensions[0]?.data.subarray(0, DICOM_EXTENSION.length)).toEqual(DICOM_EXTENSION);
    }
  });

  it('reads NIfTI-2 text fields, dims and extensions in both byte orders', async () => {
    for (const littleEndian of [true, false]) {
      const file = buildNifti({
        version: 2,
        littleEndian,
        texts: { descrip: 'Patient X', aux_file: 'aux', intent_name: 'intent' },
        dims: [91, 109, 91],
        extensions: [{ code: 32, data: strToU8('<CIFTI/>') }],
        trailing: new Uint8Array(64),
      });
      const header = await readNifti(bytesSource(file));
      expect(header).toMatchObject({ version: 2, littleEndian, dims: [91, 109, 91], voxOffset: 544 + 16 });
      expect(header.texts.map((t) => [t.field, t.value])).toEqual([['descrip', 'Patient X'], ['aux_file', 'aux'], ['intent_name', 'intent']]);
      expect(header.extensions).toEqual([{ code: 32, offset: 544, data: extensionRecord({ code: 32, data: strToU8('<CIFTI/>') }, true).subarray(8) }]);
    }
  });

  it('reads gzip-compressed files without inflating the image data', async () => {
    const image = new Uint8Array(4_000_000);
    for (let i = 0; i < image.length; i++) image[i] = (i * 2654435761) >>> 27;
    const file = buildNifti({ version: 1, texts: { descrip: 'gz subject' }, extensions: [{ code: 2, data: DICOM_EXTENSION }], trailing: image });
    const gz = gzipSync(file);
    const counted = countingSource(bytesSource(gz));
    const header = await readNifti(counted);
    expect(header).toMatchObject({ version: 1, gzip: true, texts: [{ field: 'descrip', value: 'gz subject' }] });
    expect(header.extensions.map((e) => e.code)).toEqual([2]);
    expect(counted.bytesRead).toBeLessThan(gz.length / 10);

    const v2 = await readNifti(bytesSource(gzipSync(buildNifti({ version: 2, littleEndian: false, texts: { descrip: 'two' } }))));
    expect(v2).toMatchObject({ version: 2, gzip: true, littleEndian: false, texts: [{ field: 'descrip', value: 'two' }] });
  });

  it('reads extensions of a .hdr to the end of the file, gzipped or not', async () => {
    const hdr = buildNifti({ version: 1, files: 'pair', extensions: [{ code: 4, data: strToU8('<AFNI_attributes/>') }] });
    for (const source of [bytesSource(hdr), bytesSource(gzipSync(hdr))]) {
      const header = await readNifti(source);
      expect(header.voxOffset).toBe(0);
      expect(header.extensions.map((e) => [e.code, e.offset])).toEqual([[4, 352]]);
    }
    // A bare 348-byte .hdr has no room for the extender.
    expect((await readNifti(bytesSource(hdr.subarray(0, 348)))).extensions).toEqual([]);
  });

  it('reports printable leftovers after the terminating NUL, and decodes Latin-1 and UTF-8', async () => {
    const descrip = new Uint8Array(80);
    descrip.set(strToU8('anon\0Doe, Jane\0\0\x01'));
    const header = await readNifti(bytesSource(buildNifti({
      version: 1,
      texts: { descrip, aux_file: new Uint8Array([0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72]), intent_name: strToU8('Zoë'), db_name: '   ' },
    })));
    expect(header.texts).toEqual([
      { field: 'descrip', value: 'anon', residue: 'Doe, Jane' },
      { field: 'aux_file', value: 'Müller' },
      { field: 'intent_name', value: 'Zoë' },
    ]);
    const onlyResidue = new Uint8Array(80);
    onlyResidue.set(strToU8('\0old name'));
    expect((await readNifti(bytesSource(buildNifti({ version: 1, texts: { descrip: onlyResidue } })))).texts).toEqual([
      { field: 'descrip', value: '', residue: 'old name' },
    ]);
  });

  it('stops at the extender flag, zero padding and vox_offset', async () => {
    const noFlag = buildNifti({ version: 1, extender: 0, extensions: [{ code: 6, data: strToU8('hidden') }] });
    expect((await readNifti(bytesSource(noFlag))).extensions).toEqual([]);
    const padded = buildNifti({ version: 1, extensions: [{ code: 6, data: strToU8('note') }], voxOffset: 352 + 16 + 32, trailing: new Uint8Array(32) });
    expect((await readNifti(bytesSource(padded))).extensions.map((e) => e.code)).toEqual([6]);
    const flagOnly = buildNifti({ version: 1, extender: 1, voxOffset: 352, trailing: new Uint8Array(100) });
    expect((await readNifti(bytesSource(flagOnly))).extensions).toEqual([]);
    const noRoom = buildNifti({ version: 1, extender: 1, voxOffset: 0, trailing: new Uint8Array(100) });
    expect((await readNifti(bytesSource(noRoom))).extensions).toEqual([]);
  });

  it('accepts extension sizes that are not multiples of 16', async () => {
    const file = buildNifti({ version: 1, extensions: [{ code: 6, data: strToU8('abc'), pad: false }, { code: 40, data: strToU8('m') }] });
    const header = await readNifti(bytesSource(file));
    expect(header.extensions.map((e) => [e.code, e.offset, e.data.length])).toEqual([[6, 352, 3], [40, 363, 8]]);
  });

  it('ignores nonsense vox_offset and dim[0] values', async () => {
    const file = buildNifti({ version: 1, dims: [1, 2, 3, 4, 5, 6, 7], extensions: [{ code: 6, data: strToU8('x') }] });
    const view = new DataView(file.buffer);
    view.setFloat32(108, Number.NaN, true);
    view.setInt16(40, 12, true);
    const header = await readNifti(bytesSource(file));
    expect(header.voxOffset).toBe(0);
    expect(header.dims).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(header.extensions).toEqual([]);
  });
});

describe('readNifti on damaged files', () => {
  it('rejects files that are not NIfTI, and truncated headers', async () => {
    await expect(readNifti(bytesSource(strToU8('not an image at all')))).rejects.toThrow('not a NIfTI file');
    await expect(readNifti(bytesSource(new Uint8Array(0)))).rejects.toThrow(NiftiError);
    await expect(readNifti(bytesSource(buildNifti({ version: 1 }).subarray(0, 200)))).rejects.toThrow(
      'the file is truncated (the NIfTI-1 header is incomplete)',
    );
    await expect(readNifti(bytesSource(buildNifti({ version: 1, littleEndian: false }).subarray(0, 100)))).rejects.toThrow('truncated');
    await expect(readNifti(bytesSource(gzipSync(strToU8('plain text, gzipped'))))).rejects.toThrow('not a NIfTI file');
  });

  it('rejects impossible or overlong extensions', async () => {
    const tiny = buildNifti({ version: 1, extensions: [{ code: 6, data: strToU8('x'), esize: 4 }] });
    await expect(readNifti(bytesSource(tiny))).rejects.toThrow('extension 1 is damaged (impossible size)');
    const overlong = buildNifti({ version: 1, extensions: [{ code: 2, data: DICOM_EXTENSION }, { code: 6, data: strToU8('x'), esize: 4096 }] });
    await expect(readNifti(bytesSource(overlong))).rejects.toThrow('extension 2 is damaged (it runs into the image data or past the end)');
    const big = buildNifti({ version: 2, extensions: [{ code: 6, data: new Uint8Array(5000) }] });
    await expect(readNifti(bytesSource(big), { maxExtensionBytes: 4096 })).rejects.toThrow(
      'the header extensions are larger than the limit of 4096 bytes',
    );
  });

  it('rejects gzipped .hdr files cut inside an extension', async () => {
    const hdr = buildNifti({ version: 1, files: 'pair', extensions: [{ code: 6, data: new Uint8Array(100) }, { code: 6, data: new Uint8Array(100) }] });
    await expect(readNifti(bytesSource(gzipSync(hdr.subarray(0, 352 + 112 + 4))))).rejects.toThrow('the file is truncated (in extension 2)');
    await expect(readNifti(bytesSource(gzipSync(hdr.subarray(0, 352 + 112 + 50))))).rejects.toThrow('the file is truncated (in extension 2)');
  });

  it('reports damaged gzip data as NiftiError', async () => {
    const gz = gzipSync(buildNifti({ version: 1, texts: { descrip: 'x' } }));
    const cut = gz.subarray(0, 30);
    const error = await readNifti(bytesSource(cut)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NiftiError);
    expect((error as NiftiError).message).toBe('the gzip-compressed file is damaged or cut short');
    expect((error as NiftiError).cause).toBeInstanceOf(CorruptError);
  });
});

describe('niftiExtensionName', () => {
  it('names registered codes and flags unknown ones', () => {
    expect(niftiExtensionName(2)).toBe('DICOM');
    expect(niftiExtensionName(32)).toBe('CIfTI');
    expect(niftiExtensionName(36)).toBe('unknown (36)');
  });
});
