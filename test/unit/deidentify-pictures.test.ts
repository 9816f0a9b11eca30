// The Clean Pixel Data option: pictures with burned-in names, birth dates and IDs are scanned with the real
// text engine, de-identified with every region masked, and the copies checked from outside the engine:
// dcmtk reads them and gives their pixels (masked regions black, every other pixel as the original's for
// uncompressed and lossless inputs), Tesseract's own command no longer reads the values in dcmtk's rendering,
// compressed inputs come back uncompressed with lossy history kept, and a copy whose check still reads
// identifying text is withheld.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeTextEngine, type NodeTextEngine } from '../../src/cli/text-engine';
import { nodeCodecs } from '../../src/cli/codec-host';
import { scanFiles, type PictureReading } from '../../src/core/scan';
import { bytesSource } from '../../src/core/source';
import { createDeidentifyKey, deidentifyFiles, type DeidentifyResult, type PictureCleaning } from '../../src/core/deidentify';
import { readDicomPictureText } from '../../src/core/text/dicom-picture';
import { maskPlans } from '../../src/core/text/picture-findings';
import type { FileReport } from '../../src/core/report';
import { cleanUpBurnedIn, dcmtkDecompress, drawPicture, pictureDicom, LOSSY_SYNTAXES, type PictureSpec, type PictureSyntax } from '../fixtures/burned-in';
import { tag, type El } from '../fixtures/dicom-writer';
import { cleanUpDcmtk, dcmdump, dcmdumpPixels } from '../support/dcmtk';
import { CORPUS } from '../support/corpus';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const PATIENT: El[] = [
  { tag: tag(0x0010, 0x0010), vr: 'PN', value: 'KOWALCZYK^MARTA' },
  { tag: tag(0x0010, 0x0020), vr: 'LO', value: '88412907' },
  { tag: tag(0x0010, 0x0030), vr: 'DA', value: '19760616' },
];
const VALUES = ['KOWALCZYK', '88412907', '1976'];
const LINES = [
  { text: 'KOWALCZYK MARTA', x: 10, y: 20, size: 16 },
  { text: 'DOB 16.06.1976', x: 10, y: 44, size: 16 },
  { text: 'ID 88412907', x: 300, y: 490, size: 18 },
];

let engine: NodeTextEngine;
let work: string;
const reading: PictureReading = { read: (r) => readDicomPictureText(r.source, r.terms, engine, nodeCodecs()) };

beforeAll(async () => {
  engine = await createNodeTextEngine();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'spg-mask-'));
}, 60_000);
afterAll(async () => {
  await engine?.close();
  cleanUpBurnedIn();
  cleanUpDcmtk();
  fs.rmSync(work, { recursive: true, force: true });
});

/** Scans with the text engine, then de-identifies with every region masked (as the dialog and CLI do). */
async function scanAndClean(files: Array<{ path: string; bytes: Uint8Array }>, extra: Partial<PictureCleaning> = {}): Promise<{ reports: FileReport[]; results: DeidentifyResult[] }> {
  const { files: reports } = await scanFiles(files.map((f) => ({ path: f.path, source: bytesSource(f.bytes) })), { pictures: reading });
  const plans = maskPlans(reports);
  const results = await deidentifyFiles(
    files.map((f) => ({ path: f.path, file: new Blob([f.bytes as Uint8Array<ArrayBuffer>]) })),
    { key: createDeidentifyKey(), pictures: { planFor: (p) => plans.get(p), verify: reading.read, codecs: nodeCodecs(), ...extra } },
  );
  return { reports, results };
}

async function bytesOf(result: DeidentifyResult): Promise<Uint8Array> {
  expect(result.status, result.reason).toBe('cleaned');
  return new Uint8Array(await result.output!.arrayBuffer());
}

/** What Tesseract's own command reads in dcmtk's rendering of a file (its first frame, or `frame`). */
function tesseractReads(file: Uint8Array, name: string, frame = 1): string {
  const dcm = path.join(work, `${name}.dcm`);
  const png = path.join(work, `${name}.png`);
  // dcmtk decompresses (dcmdjpls and the rest) and renders, grey through its own min-max window.
  fs.writeFileSync(dcm, dcmtkDecompress(file));
  try {
    execFileSync('dcmj2pnm', ['--write-png', '--min-max-window', '--frame', String(frame), dcm, png], { stdio: 'ignore' });
  } catch {
    execFileSync('dcmj2pnm', ['--write-png', '--frame', String(frame), dcm, png], { stdio: 'ignore' });
  }
  return execFileSync('tesseract', [png, '-', '--psm', '11'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).toUpperCase();
}

/** The native pixel bytes of a file as dcmtk decodes them (all frames, one array). */
function dcmtkPixels(file: Uint8Array): Uint8Array {
  const parts = dcmdumpPixels(dcmtkDecompress(file));
  expect(parts).toHaveLength(1);
  return parts[0]!;
}

function element(dump: string, tagText: string): string | undefined {
  return dump.split('\n').find((line) => line.startsWith(`(${tagText})`));
}

const GREY16: PictureSpec = { rows: 512, columns: 512, photometric: 'MONOCHROME2', bitsAllocated: 16, bitsStored: 12, background: 'ct', lines: LINES };
const RGB: PictureSpec = { ...GREY16, photometric: 'RGB', bitsAllocated: 8, bitsStored: 8, background: 'ultrasound', colour: [250, 250, 250] };

describe('masking the text in the de-identified copy', () => {
  const cases: Array<[PictureSyntax, PictureSpec]> = [
    ['explicit-le', GREY16],
    ['explicit-be', GREY16],
    ['deflated', { ...GREY16, bitsAllocated: 8, bitsStored: 8 }],
    ['rle', RGB],
    ['jpeg-lossless-sv1', GREY16],
    ['jpeg-ls', GREY16],
    ['jpeg-baseline', RGB],
    ['jpeg-extended', GREY16],
  ];
  it.each(cases)('%s: every region is black, the rest unchanged, and no value is read back', async (syntax, spec) => {
    const picture = drawPicture(spec);
    const original = pictureDicom(picture, syntax, PATIENT);
    const { reports, results } = await scanAndClean([{ path: 'scan.dcm', bytes: original }]);
    const copy = await bytesOf(results[0]!);
    expect(results[0]!.pictureMasked?.regions).toBeGreaterThanOrEqual(3);

    // dcmtk reads the copy; what it says of the picture.
    const dump = dcmdump(copy, `${syntax}.dcm`);
    const compressed = !['explicit-le', 'explicit-be', 'deflated', 'implicit-le'].includes(syntax);
    // Explicit VR Little Endian (the UID is padded with a NUL).
    if (compressed) expect(element(dump, '0002,0010')).toMatch(/\[1\.2\.840\.10008\.1\.2\.1\u0000?\]/);
    expect(element(dump, '0028,0301')).toContain('[NO]');
    expect(dump).toContain('[113101]');
    expect(element(dump, '7fe0,0001')).toBeUndefined();
    if (LOSSY_SYNTAXES.has(syntax)) expect(element(dump, '0028,2110')).toContain('[01]');
    else expect(element(dump, '0028,2110')).toBeUndefined();
    if (syntax === 'jpeg-baseline') expect(element(dump, '0028,0004')).toMatch(/\[RGB ?\]/);

    // Every region found is black (with its margin); every pixel outside the regions is as it was.
    const masks = maskPlans(reports).get('scan.dcm')!.regions;
    const before = dcmtkPixels(original);
    const after = dcmtkPixels(copy);
    expect(after.length).toBe(before.length);
    const spp = spec.photometric === 'RGB' ? 3 : 1;
    const size = spec.bitsAllocated / 8;
    const inMask = (x: number, y: number, margin: number): boolean =>
      masks.some((r) => x >= r.x - margin && x < r.x + r.width + margin && y >= r.y - margin && y < r.y + r.height + margin);
    let outsideDiffers = 0;
    let insideNotBlack = 0;
    for (let y = 0; y < spec.rows; y++) {
      for (let x = 0; x < spec.columns; x++) {
        for (let b = 0; b < spp * size; b++) {
          const at = (y * spec.columns + x) * spp * size + b;
          if (inMask(x, y, 2)) {
            if (after[at] !== 0) insideNotBlack++;
          } else if (!inMask(x, y, 3) && after[at] !== before[at]) outsideDiffers++;
        }
      }
    }
    expect(insideNotBlack).toBe(0);
    // Lossless inputs: identical outside; lossy ones were decoded once (dcmtk and our codecs may round apart).
    if (!LOSSY_SYNTAXES.has(syntax)) expect(outsideDiffers).toBe(0);

    // Tesseract reads the values in the original and none of them in the copy.
    const originalText = tesseractReads(original.slice(), `${syntax}-before`);
    expect(VALUES.filter((v) => originalText.includes(v)).length).toBeGreaterThanOrEqual(2);
    const copyText = tesseractReads(copy, `${syntax}-after`);
    expect(VALUES.filter((v) => copyText.includes(v))).toEqual([]);
  }, 120_000);

  it('masks every frame of a multi-frame picture where text shows in some frames only', async () => {
    const picture = drawPicture({ ...GREY16, bitsAllocated: 8, bitsStored: 8, frames: 3, lines: LINES.map((l, i) => ({ ...l, frames: [i] })) });
    const original = pictureDicom(picture, 'rle', PATIENT);
    const { results } = await scanAndClean([{ path: 'cine.dcm', bytes: original }]);
    const copy = await bytesOf(results[0]!);
    for (const frame of [1, 2, 3]) {
      const text = tesseractReads(copy, `cine-${frame}`, frame);
      expect(VALUES.filter((v) => text.includes(v)), `frame ${frame}`).toEqual([]);
    }
  }, 120_000);

  it('leaves the picture alone and says so when Clean Pixel Data is off', async () => {
    const original = pictureDicom(drawPicture(GREY16), 'explicit-le', PATIENT);
    const { files: reports } = await scanFiles([{ path: 'scan.dcm', source: bytesSource(original) }], { pictures: reading });
    expect(reports[0]!.verdict).toBe('identifying');
    const [result] = await deidentifyFiles([{ path: 'scan.dcm', file: new Blob([original as Uint8Array<ArrayBuffer>]) }], { key: createDeidentifyKey() });
    const copy = await bytesOf(result!);
    expect(dcmdumpPixels(copy)[0]).toEqual(dcmdumpPixels(original)[0]);
    expect(result!.pictureMasked).toBeUndefined();
  }, 60_000);

  it('withholds a copy in which identifying text is still read', async () => {
    const original = pictureDicom(drawPicture(GREY16), 'explicit-le', PATIENT);
    // A plan that forgets the name's line stands for a masker that missed it.
    const { files: reports } = await scanFiles([{ path: 'scan.dcm', source: bytesSource(original) }], { pictures: reading });
    const plan = maskPlans(reports).get('scan.dcm')!;
    const missing = { ...plan, regions: plan.regions.filter((r) => r.y > 30) };
    const [result] = await deidentifyFiles([{ path: 'scan.dcm', file: new Blob([original as Uint8Array<ArrayBuffer>]) }], {
      key: createDeidentifyKey(),
      pictures: { planFor: () => missing, verify: reading.read, codecs: nodeCodecs() },
    });
    expect(result!.status).toBe('failed');
    expect(result!.reason).toMatch(/identifying text was still read in its picture/);
    expect(result!.reason).not.toMatch(/KOWALCZYK/i);
  }, 60_000);

  it('blacks out everything outside the ultrasound regions on request, and still masks text inside them', async () => {
    const spec: PictureSpec = { ...RGB, lines: [...LINES, { text: 'KOWALCZYK', x: 200, y: 300, size: 16 }] };
    const region = [
      { tag: tag(0x0018, 0x6018), vr: 'UL', value: 100 }, { tag: tag(0x0018, 0x601a), vr: 'UL', value: 80 },
      { tag: tag(0x0018, 0x601c), vr: 'UL', value: 411 }, { tag: tag(0x0018, 0x601e), vr: 'UL', value: 459 },
    ];
    const original = pictureDicom(drawPicture(spec), 'explicit-le', [...PATIENT, { tag: tag(0x0018, 0x6011), vr: 'SQ', items: [region] }]);
    const { results } = await scanAndClean([{ path: 'us.dcm', bytes: original }], { outsideUltrasoundRegions: true });
    const after = dcmdumpPixels(await bytesOf(results[0]!))[0]!;
    const at = (x: number, y: number): number[] => [...after.subarray((y * 512 + x) * 3, (y * 512 + x) * 3 + 3)];
    expect(at(50, 50)).toEqual([0, 0, 0]);
    expect(at(480, 300)).toEqual([0, 0, 0]);
    // Inside the region the picture stays (the fan is grey), but the name drawn there is masked.
    expect(at(256, 200)).not.toEqual([0, 0, 0]);
    expect(tesseractReads(await bytesOf(results[0]!), 'us-after')).not.toContain('KOWALCZYK');
  }, 60_000);
});

describe('the corpus pictures with burned-in text', () => {
  it.each([
    ['dcm4che/YBR_FULL-RLE.dcm', 'DOE'],
    ['cornerstone3D/no-pixel-spacing.dcm', 'LATOUR'],
  ])('%s: the copy no longer shows %s', async (file, word) => {
    const bytes = new Uint8Array(fs.readFileSync(path.join(CORPUS, 'public', file)));
    const { results } = await scanAndClean([{ path: file, bytes }]);
    const copy = await bytesOf(results[0]!);
    expect(tesseractReads(bytes, `${path.basename(file)}-before`)).toContain(word);
    expect(tesseractReads(copy, `${path.basename(file)}-after`)).not.toContain(word);
    if (file === 'dcm4che/YBR_FULL-RLE.dcm') {
      // The README's before and after pictures, as dcmtk renders them.
      for (const [name, data] of [['before', bytes], ['after', copy]] as const) {
        const dcm = path.join(work, `readme-${name}.dcm`);
        fs.writeFileSync(dcm, dcmtkDecompress(data));
        execFileSync('dcmj2pnm', ['--write-png', '--scale-x-factor', '0.75', '--scale-y-factor', '0.75', dcm, path.join(REPO_ROOT, `docs/screenshots/picture-text-${name}.png`)], { stdio: 'ignore' });
      }
    }
    expect(element(dcmdump(copy, path.basename(file)), '0028,0301')).toContain('[NO]');
  }, 120_000);

  it('masks the palette colour echo (US-PAL-8-10x-echo) in all ten frames with its darkest entry', async () => {
    const bytes = new Uint8Array(fs.readFileSync(path.join(CORPUS, 'public', 'dcm4che/US-PAL-8-10x-echo')));
    const { results } = await scanAndClean([{ path: 'echo', bytes }]);
    const copy = await bytesOf(results[0]!);
    expect(results[0]!.pictureMasked?.frames).toBe(10);
    const dump = dcmdump(copy, 'echo.dcm');
    expect(element(dump, '0028,0004')).toContain('PALETTE COLOR');
    expect(tesseractReads(copy, 'echo-after', 5)).not.toMatch(/\d\d:\d\d:\d\d/);
  }, 180_000);
});
