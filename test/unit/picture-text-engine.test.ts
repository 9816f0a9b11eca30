// The text in DICOM pictures found and read by the real engine (PP-OCRv4 detection on onnxruntime-web,
// tesseract.js): names, birth dates and IDs drawn by ImageMagick in several sizes, grey levels and positions
// on noisy backgrounds, in every encoding (written by independent encoders), text only in a later frame, and
// the public corpus pictures with and without text.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeTextEngine, type NodeTextEngine } from '../../src/cli/text-engine';
import { nodeCodecs } from '../../src/cli/codec-host';
import { readDicomPictureText } from '../../src/core/text/dicom-picture';
import { pictureTerms } from '../../src/core/text/meaning';
import { scanFile } from '../../src/core/scan';
import { bytesSource } from '../../src/core/source';
import type { PictureRegion, PictureText } from '../../src/core/text/picture-text';
import { cleanUpBurnedIn, drawPicture, pictureDicom, type DrawnLine, type PictureSpec, type PictureSyntax } from '../fixtures/burned-in';
import { tag, type El } from '../fixtures/dicom-writer';
import { CORPUS } from '../support/corpus';

const PATIENT: El[] = [
  { tag: tag(0x0010, 0x0010), vr: 'PN', value: 'KOWALCZYK^MARTA' },
  { tag: tag(0x0010, 0x0020), vr: 'LO', value: '88412907' },
  { tag: tag(0x0010, 0x0030), vr: 'DA', value: '19760616' },
];

const LINES = [
  { text: 'KOWALCZYK MARTA', x: 8, y: 18, size: 14 },
  { text: 'DOB 16.06.1976', x: 8, y: 38, size: 12 },
  { text: 'ID 88412907', x: 300, y: 490, size: 16, level: 0.95 },
];

let engine: NodeTextEngine;
beforeAll(async () => {
  engine = await createNodeTextEngine();
}, 60_000);
afterAll(async () => {
  await engine?.close();
  cleanUpBurnedIn();
});

async function read(bytes: Uint8Array): Promise<PictureText> {
  const report = await scanFile({ path: 'x.dcm', source: bytesSource(bytes) });
  return readDicomPictureText(bytesSource(bytes), pictureTerms(report.findings), engine, nodeCodecs());
}

type Box = { x: number; y: number; width: number; height: number; frame: number };

/** Whether `r` covers at least 90% of the line's ink box. */
function covers(r: Box, line: DrawnLine, frame: number): boolean {
  const b = line.box;
  if (r.frame !== frame) return false;
  const w = Math.min(r.x + r.width, b.x + b.width) - Math.max(r.x, b.x);
  const h = Math.min(r.y + r.height, b.y + b.height) - Math.max(r.y, b.y);
  return w > 0 && h > 0 && w * h >= 0.9 * b.width * b.height;
}

/** The region that covers most of a line's ink (at least 90% of its box), in the given frame. */
function regionOver(text: PictureText, line: DrawnLine, frame = 1): PictureRegion | undefined {
  return text.regions.find((r) => covers(r, line, frame));
}

/** Whether the line will be masked: a region read over it, or a box the reader could not make out. */
function masked(text: PictureText, line: DrawnLine, frame = 1): boolean {
  return [...text.regions, ...text.marks].some((r) => covers(r, line, frame));
}

function expectPatientLines(text: PictureText, lines: readonly DrawnLine[], frame = 1): void {
  const [name, dob, id] = lines;
  for (const line of lines) expect(masked(text, line, frame), line.text).toBe(true);
  expect(regionOver(text, name!, frame)?.meaning.repeats, 'name').toContain('name');
  expect(regionOver(text, dob!, frame)?.meaning.repeats, 'birth date').toContain('birth-date');
  expect(regionOver(text, id!, frame)?.meaning.repeats, 'ID').toContain('identifier');
  for (const r of text.regions) expect(r.meaning.severity).toBe('high');
}

const GREY16: PictureSpec = { rows: 512, columns: 512, photometric: 'MONOCHROME2', bitsAllocated: 16, bitsStored: 12, background: 'ct', lines: LINES };
const GREY8: PictureSpec = { ...GREY16, bitsAllocated: 8, bitsStored: 8, background: 'xray' };
const RGB: PictureSpec = { ...GREY16, photometric: 'RGB', bitsAllocated: 8, bitsStored: 8, background: 'ultrasound', colour: [240, 240, 120] };

describe('text drawn into pictures, in every encoding', () => {
  const cases: Array<[PictureSyntax, PictureSpec]> = [
    ['explicit-le', GREY16],
    ['implicit-le', GREY8],
    ['explicit-be', GREY16],
    ['deflated', GREY8],
    ['rle', GREY16],
    ['rle', RGB],
    ['jpeg-baseline', GREY8],
    ['jpeg-baseline', RGB],
    ['jpeg-extended', GREY16],
    ['jpeg-lossless', GREY16],
    ['jpeg-lossless-sv1', GREY16],
    ['jpeg-ls', GREY16],
    ['jpeg-ls-near', GREY8],
    ['jpeg2000-lossless', GREY16],
    ['jpeg2000', RGB],
  ];
  it.each(cases)('%s, %s: every line is found, read and matched to the patient', async (syntax, spec) => {
    const picture = drawPicture(spec);
    const text = await read(pictureDicom(picture, syntax, PATIENT));
    expect(text.complete).toBe(true);
    expectPatientLines(text, picture.lines);
  }, 60_000);

  it('finds text in MONOCHROME1 signed 16-bit, planar RGB and YBR_FULL pictures', async () => {
    for (const spec of [
      { ...GREY16, photometric: 'MONOCHROME1', pixelRepresentation: 1, bitsStored: 16 },
      { ...RGB, planarConfiguration: 1 },
      { ...RGB, photometric: 'YBR_FULL' },
    ] satisfies PictureSpec[]) {
      const picture = drawPicture(spec);
      const text = await read(pictureDicom(picture, 'explicit-le', PATIENT));
      expectPatientLines(text, picture.lines);
    }
  }, 90_000);

  it('finds small, dim and edge-touching text and text drawn at the bottom of the range', async () => {
    const picture = drawPicture({
      ...GREY16,
      background: 'noise',
      lines: [
        { text: 'KOWALCZYK M', x: 0, y: 9, size: 11 },
        { text: '16/06/1976', x: 420, y: 509, size: 11, level: 0.55 },
        { text: 'MRN 88412907', x: 180, y: 260, size: 13, level: 0 },
      ],
    });
    const text = await read(pictureDicom(picture, 'explicit-le', PATIENT));
    expect(regionOver(text, picture.lines[0]!)?.meaning.repeats).toContain('name');
    expect(regionOver(text, picture.lines[1]!)?.meaning.repeats).toContain('birth-date');
    expect(regionOver(text, picture.lines[2]!)?.meaning.repeats).toContain('identifier');
  }, 60_000);

  it('finds dim text on a bright, noisy radiograph and masks it even where the reader cannot make it out', async () => {
    for (const seed of [1, 2, 3]) {
      const picture = drawPicture({ ...GREY8, seed, lines: LINES.map((l) => ({ ...l, level: 0.85 })) });
      const text = await read(pictureDicom(picture, 'explicit-le', PATIENT));
      for (const line of picture.lines) expect(masked(text, line), `${line.text}, seed ${seed}`).toBe(true);
      // What is read of it is high: the name and ID still match, and nothing is called harmless.
      expect(regionOver(text, picture.lines[0]!)?.meaning.repeats, `name, seed ${seed}`).toContain('name');
      for (const r of text.regions) expect(r.meaning.severity).toBe('high');
    }
  }, 90_000);

  it('reads text that appears only in a later frame, and only there', async () => {
    const picture = drawPicture({ ...GREY8, frames: 4, lines: LINES.map((l) => ({ ...l, frames: [2] })) });
    const text = await read(pictureDicom(picture, 'rle', PATIENT));
    expect(text.framesRead).toEqual([1, 2, 3, 4]);
    expectPatientLines(text, picture.lines, 3);
    expect(text.regions.every((r) => r.frame === 3)).toBe(true);
  }, 60_000);

  it('gives no region for a picture without text', async () => {
    for (const background of ['ct', 'xray', 'ultrasound'] as const) {
      const text = await read(pictureDicom(drawPicture({ ...GREY16, background, lines: [] }), 'explicit-le', PATIENT));
      expect(text.regions, background).toEqual([]);
    }
  }, 60_000);
});

describe('the public corpus', () => {
  const file = (p: string): Uint8Array => new Uint8Array(fs.readFileSync(path.join(CORPUS, 'public', p)));

  it('reads the patient name and hospital drawn into dcm4che YBR_FULL-RLE', async () => {
    const text = await read(file('dcm4che/YBR_FULL-RLE.dcm'));
    const name = text.regions.find((r) => r.meaning.repeats.includes('name'));
    expect(name).toBeDefined();
    expect(text.regions.some((r) => r.meaning.looksLike.includes('institution'))).toBe(true);
    expect(text.regions.some((r) => r.meaning.looksLike.includes('date'))).toBe(true);
  }, 60_000);

  it("reads the vendor screen of cornerstone3D no-pixel-spacing: the name, the ID, the department, the date", async () => {
    const text = await read(file('cornerstone3D/no-pixel-spacing.dcm'));
    const repeats = new Set(text.regions.flatMap((r) => r.meaning.repeats));
    // The date on the screen is the study's date.
    expect([...repeats].sort()).toEqual(['date', 'identifier', 'institution', 'name']);
  }, 60_000);

  it('reads the date, time and settings of every frame of dcm4che US-PAL-8-10x-echo', async () => {
    const text = await read(file('dcm4che/US-PAL-8-10x-echo'));
    expect(text.framesRead).toHaveLength(10);
    expect(text.regions.filter((r) => r.frame === 1).length).toBeGreaterThanOrEqual(10);
    expect(text.regions.some((r) => /\d\d:\d\d:\d\d/.test(r.text))).toBe(true);
  }, 120_000);

  it('reads the 16-bit palette ultrasound with a segmented colour table (gdcm-US-ALOKA-16) through its indices', async () => {
    const text = await read(file('pydicom-data/gdcm-US-ALOKA-16.dcm'));
    expect(text.complete).toBe(true);
    expect(text.regions.some((r) => /PELVIS/.test(r.text))).toBe(true);
  }, 60_000);

  it('finds no text in dicomParser IM00001 (a Doppler picture without any)', async () => {
    const text = await read(file('dicomParser/IM00001.fragmented_no_bot_jpeg_baseline.50.dcm'));
    expect(text.framesRead).toHaveLength(8);
    expect(text.regions).toEqual([]);
  }, 60_000);

  it('says why a picture it cannot decode was not read', async () => {
    const text = await read(file('dcm4che/DICOMDIR'));
    expect(text.complete).toBe(false);
    expect(text.problem).toBe('the file has no picture');
  });
});
