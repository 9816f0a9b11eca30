// Every public corpus file with a picture in a transfer syntax the pixel reader decodes, every frame, against
// an independent decoder: dcmtk for native, RLE, JPEG (8 and 12 bit, lossless) and JPEG-LS; OpenJPEG's
// opj_decompress for JPEG 2000 and HTJ2K; djxl for JPEG XL; node:zlib for deflated image frames.
//
// Lossless syntaxes must match exactly. Lossy ones may differ by a little, because the standards leave the
// last rounding of the inverse transform and colour conversion to the decoder: TOLERANCE below, measured,
// allows the largest difference seen (1) in the two files that have any, and the differences must be rare.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeCodecs } from '../../src/cli/codec-host';
import { readDicomHeader } from '../../src/core/dicom/header';
import type { NativeFrame } from '../../src/core/pixels/frame';
import { openPixels, type PixelReader } from '../../src/core/pixels/reader';
import { sniff, SNIFF_BYTES } from '../../src/core/sniff';
import { bytesSource } from '../../src/core/source';
import { CORPUS, corpusBytes, manifest } from '../support/corpus';
import { tag, writeDicom, type El, type TransferSyntax } from '../fixtures/dicom-writer';
import {
  cleanUpReferences, dcmtkReference, fragmentsOf, jxlReference, openJpegReference, samplesOf, zlibInflateRaw, type DcmtkTool, type ReferencePicture,
} from '../support/pixel-reference';

afterAll(cleanUpReferences);

type Judge = DcmtkTool | 'openjpeg' | 'djxl' | 'zlib';

const JUDGES: Readonly<Record<string, Judge>> = {
  '1.2.840.10008.1.2': 'dcmconv',
  '1.2.840.10008.1.2.1': 'dcmconv',
  '1.2.840.10008.1.2.1.99': 'dcmconv',
  '1.2.840.10008.1.2.2': 'dcmconv',
  '1.2.840.10008.1.2.5': 'dcmdrle',
  '1.2.840.10008.1.2.4.50': 'dcmdjpeg',
  '1.2.840.10008.1.2.4.51': 'dcmdjpeg',
  '1.2.840.10008.1.2.4.53': 'dcmdjpeg',
  '1.2.840.10008.1.2.4.57': 'dcmdjpeg',
  '1.2.840.10008.1.2.4.70': 'dcmdjpeg',
  '1.2.840.10008.1.2.4.80': 'dcmdjpls',
  '1.2.840.10008.1.2.4.81': 'dcmdjpls',
  '1.2.840.10008.1.2.4.90': 'openjpeg',
  '1.2.840.10008.1.2.4.91': 'openjpeg',
  '1.2.840.10008.1.2.4.201': 'openjpeg',
  '1.2.840.10008.1.2.4.202': 'openjpeg',
  '1.2.840.10008.1.2.4.203': 'openjpeg',
  '1.2.840.10008.1.2.4.111': 'djxl',
  '1.2.840.10008.1.2.8.1': 'zlib',
};

/**
 * Largest difference allowed in a sample, and why; every other file must match exactly. Measured: every 8-bit
 * and 12-bit JPEG of the corpus, lossless or not, equals dcmtk's decode sample for sample (libjpeg-turbo and
 * IJG 6b share the islow IDCT and the upsampling; jpeg12.ts follows IJG), and lossy JPEG-LS and JPEG 2000
 * equal their references too. Two files differ by 1 in a few samples:
 * - HTJ2K (irreversible 9/7 wavelet): OpenJPH against OpenJPEG, two floating-point implementations.
 * - JPEG XL (JPEG recompression): cornerstone's libjxl build against Debian's libjxl 0.7.
 */
const TOLERANCE: Readonly<Record<string, number>> = {
  'public/pydicom-data/HTJ2K_08_RGB.dcm': 1,
  'public/dcm4che/will-jxl.dcm': 1,
};

/** Files whose header dcmtk 3.6.7 cannot read (a wrong meta group length; a sequence delimiter where an item
 * delimiter belongs): their frames are put into a plain file by the test's own writer for dcmtk to decode. */
const REWRAP: Readonly<Record<string, TransferSyntax>> = {
  'public/fo-dicom/DIRW0007': 'jpeg-baseline',
  'public/fo-dicom/GH364.dcm': 'jpeg-ls',
};

/** Files with no picture to decode, and the reason the reader gives. */
const NO_PICTURE: Readonly<Record<string, RegExp>> = {
  'public/fo-dicom/GH1146.dcm': /^its pixel data is empty$/,
};

const rows = manifest().filter((r) => r.path.startsWith('public/') && r.has_pixel_data === 'yes' && JUDGES[r.transfer_syntax ?? ''] !== undefined);

/** Every frame of files with up to 6; otherwise 6 spread from the first to the last (the reference tools are slow). */
function framesToCompare(count: number): number[] {
  if (count <= 6) return Array.from({ length: count }, (_, i) => i);
  return [...new Set(Array.from({ length: 6 }, (_, i) => Math.round((i * (count - 1)) / 5)))];
}

async function open(relative: string): Promise<PixelReader> {
  const source = bytesSource(corpusBytes(relative));
  const sniffed = sniff(await source.read(0, SNIFF_BYTES), source.size);
  if (sniffed.kind !== 'dicom') throw new Error(`${relative} is not DICOM`);
  const reader = openPixels(source, await readDicomHeader(source, sniffed), nodeCodecs());
  if (reader.kind !== 'pixels') throw new Error(`${relative}: ${reader.reason}`);
  return reader;
}

function mine(frame: NativeFrame): Int32Array {
  return samplesOf(frame.pixels, { ...frame, signed: frame.pixelRepresentation === 1, planar: frame.planarConfiguration });
}

/** The reference picture of a file, frame by frame, from its judge. */
async function reference(relative: string, judge: Judge, reader: PixelReader): Promise<ReferencePicture> {
  const file = path.join(CORPUS, relative);
  const rewrap = REWRAP[relative];
  const only = new Set(framesToCompare(reader.frameCount));
  if (rewrap) return dcmtkReference(await rewrapped(reader, rewrap), judge as DcmtkTool, only);
  if (judge !== 'openjpeg' && judge !== 'djxl' && judge !== 'zlib') return dcmtkReference(file, judge, only);
  const d = reader.describe();
  const fragments = fragmentsOf(file);
  expect(fragments.length).toBe(d.frames);
  const wanted = new Set(framesToCompare(fragments.length));
  const frames = fragments.map((fragment, index) => {
    if (!wanted.has(index)) return new Int32Array(0);
    if (judge === 'zlib') {
      const raw = zlibInflateRaw(fragment);
      return d.bitsAllocated === 1
        ? Int32Array.from({ length: d.rows * d.columns }, (_, i) => (raw[i >> 3]! >> (i & 7)) & 1)
        : samplesOf(raw, { ...d, signed: d.pixelRepresentation === 1, planar: d.planarConfiguration });
    }
    const decoded = judge === 'djxl' ? jxlReference(fragment) : openJpegReference(fragment);
    expect([decoded.rows, decoded.columns, decoded.samplesPerPixel]).toEqual([d.rows, d.columns, d.samplesPerPixel]);
    return decoded.samples;
  });
  return { rows: d.rows, columns: d.columns, samplesPerPixel: d.samplesPerPixel, photometric: '', frames };
}

/** The picture's frames (as stored, encoded) in a plain file written by the test fixture writer. */
async function rewrapped(reader: PixelReader, syntax: TransferSyntax): Promise<string> {
  const d = reader.describe();
  const frames: Uint8Array[] = [];
  for (let f = 0; f < reader.frameCount; f++) {
    const bytes = await reader.readEncodedFrame(f);
    if (!(bytes instanceof Uint8Array)) throw new Error(bytes.reason);
    frames.push(bytes);
  }
  const el = (group: number, element: number, vr: string, value: El['value']): El => ({ tag: tag(group, element), vr, value });
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spg-rewrap-')), 'rewrapped.dcm');
  fs.writeFileSync(file, writeDicom([
    el(0x0008, 0x0016, 'UI', '1.2.840.10008.5.1.4.1.1.7'),
    el(0x0008, 0x0018, 'UI', '2.25.1'),
    el(0x0028, 0x0002, 'US', d.samplesPerPixel),
    el(0x0028, 0x0004, 'CS', d.photometric),
    ...(d.samplesPerPixel === 3 ? [el(0x0028, 0x0006, 'US', d.planarConfiguration)] : []),
    el(0x0028, 0x0008, 'IS', String(d.frames)),
    el(0x0028, 0x0010, 'US', d.rows),
    el(0x0028, 0x0011, 'US', d.columns),
    el(0x0028, 0x0100, 'US', d.bitsAllocated),
    el(0x0028, 0x0101, 'US', d.bitsStored),
    el(0x0028, 0x0102, 'US', d.highBit),
    el(0x0028, 0x0103, 'US', d.pixelRepresentation),
  ], { transferSyntax: syntax, pixelData: { frames } }));
  return file;
}

describe('corpus pictures decode as an independent decoder decodes them', () => {
  it('covers every public corpus picture: each transfer syntax there has a judge here', () => {
    const pictures = manifest().filter((r) => r.path.startsWith('public/') && r.has_pixel_data === 'yes' && r.transfer_syntax !== '');
    expect(pictures.filter((r) => JUDGES[r.transfer_syntax ?? ''] === undefined).map((r) => r.path)).toEqual([]);
    expect(rows.length).toBe(pictures.length);
  });

  for (const row of rows) {
    const judge = JUDGES[row.transfer_syntax ?? '']!;
    const noPicture = NO_PICTURE[row.path];
    if (noPicture) {
      it(`${row.path} has no picture to decode, and the reader says why`, async () => {
        const source = bytesSource(corpusBytes(row.path));
        const sniffed = sniff(await source.read(0, SNIFF_BYTES), source.size);
        if (sniffed.kind !== 'dicom') throw new Error('not DICOM');
        const reader = openPixels(source, await readDicomHeader(source, sniffed), nodeCodecs());
        expect(reader.kind === 'none' ? reader.reason : 'opened').toMatch(noPicture);
      });
      continue;
    }
    it(`${row.path} (${row.transfer_syntax_name}, against ${judge}${REWRAP[row.path] ? ', rewrapped' : ''})`, async () => {
      const reader = await open(row.path);
      const ref = await reference(row.path, judge, reader);
      expect(ref.frames.length).toBe(reader.frameCount);
      const tolerance = TOLERANCE[row.path] ?? 0;
      let differing = 0;
      let total = 0;
      for (const f of framesToCompare(reader.frameCount)) {
        const frame = await reader.readFrame(f);
        if (frame.kind !== 'native') throw new Error(`frame ${f}: ${frame.reason}`);
        expect([frame.rows, frame.columns, frame.samplesPerPixel]).toEqual([ref.rows, ref.columns, ref.samplesPerPixel]);
        // dcmtk's copy says what the decoded picture is: RGB after a YCbCr JPEG, as stored otherwise.
        if (ref.photometric) expect(frame.photometric).toBe(ref.photometric);
        const got = mine(frame);
        const want = ref.frames[f]!;
        expect(got.length).toBe(want.length);
        let worst = 0;
        for (let i = 0; i < got.length; i++) {
          const diff = Math.abs(got[i]! - want[i]!);
          if (diff > 0) differing++;
          if (diff > worst) worst = diff;
        }
        total += got.length;
        expect(worst, `frame ${f}: largest difference`).toBeLessThanOrEqual(tolerance);
      }
      // Even a lossy decode agrees on nearly every sample.
      expect(differing / total).toBeLessThan(tolerance === 0 ? 1e-12 : 0.2);
    }, 120_000);
  }
});
