// Cleaned copies of pictures and PDFs, checked from outside the engine: exiftool finds no metadata left,
// ImageMagick decodes them (JPEG copies at the original's quality, baseline; PNG copies identical outside the
// masks), Tesseract's own command no longer reads the name, birth date or record number, poppler finds no
// text layer and no metadata in a PDF copy (image-only, labelled so), and a copy in which identifying text
// is still read is withheld.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeTextEngine, type NodeTextEngine } from '../../src/cli/text-engine';
import { nodeDocumentHost, nodeJpegEncoder } from '../../src/cli/document-host';
import { checkDocument, type DocumentHost } from '../../src/core/documents/document-check';
import { cleanDocument, documentPlans, DocumentCleanError, type DocumentPlan } from '../../src/core/documents/document-clean';
import { cleanPicture, fillImageRegions } from '../../src/core/documents/picture-clean';
import { scanFiles, type DocumentReading } from '../../src/core/scan';
import { bytesSource } from '../../src/core/source';
import { createDeidentifyKey, deidentifyFiles, type DeidentifyResult, type DocumentCleaning } from '../../src/core/deidentify';
import type { FileReport } from '../../src/core/report';
import {
  cleanUpDocuments, colourPhoto, convertPicture, decodeWithImageMagick, exiftoolTags, PHOTO_TAGS, reportPdf, scannedPdf, tesseractText,
  tool, viewerScreenshot, withExif, writeFixture,
} from '../fixtures/documents';

let engine: NodeTextEngine;
let host: DocumentHost;
let reading: DocumentReading;
let cleaning: Omit<DocumentCleaning, 'planFor'>;
beforeAll(async () => {
  engine = await createNodeTextEngine();
  host = nodeDocumentHost(engine);
  reading = { read: (r) => checkDocument(r.source, host) };
  cleaning = { clean: (r) => cleanDocument(r.source, r.plan, { ...host, jpeg: nodeJpegEncoder }), verify: reading };
}, 60_000);
afterAll(async () => {
  await engine?.close();
  cleanUpDocuments();
});

/** Scans with the documents' checks, then cleans with every region masked (as the dialog and CLI do). */
async function scanAndClean(files: Array<{ path: string; bytes: Uint8Array }>, plans?: Map<string, DocumentPlan>): Promise<{ reports: FileReport[]; results: DeidentifyResult[] }> {
  const { files: reports } = await scanFiles(files.map((f) => ({ path: f.path, source: bytesSource(f.bytes) })), { documents: reading });
  const chosen = plans ?? documentPlans(reports);
  const results = await deidentifyFiles(
    files.map((f) => ({ path: f.path, file: new File([f.bytes as Uint8Array<ArrayBuffer>], f.path.split('/').pop()!, { type: 'application/octet-stream' }) })),
    { key: createDeidentifyKey(), documents: { planFor: (p) => chosen.get(p), ...cleaning } },
  );
  return { reports, results };
}

async function bytesOf(result: DeidentifyResult): Promise<Uint8Array> {
  expect(result.status, result.reason).toBe('cleaned');
  return new Uint8Array(await result.output!.arrayBuffer());
}

/** Metadata groups exiftool still finds (but the picture's own structure). */
function metadataLeft(bytes: Uint8Array, name: string): string[] {
  return Object.keys(exiftoolTags(bytes, name)).filter((k) => !/^(JFIF|PNG|RIFF|GIF|ICC[-_\w]*|IFD0:Orientation|IFD0:(ImageWidth|ImageHeight|BitsPerSample|Compression|PhotometricInterpretation|StripOffsets|SamplesPerPixel|RowsPerStrip|StripByteCounts|PlanarConfiguration|ExtraSamples|SampleFormat|Orientation|XResolution|YResolution|ResolutionUnit|XPosition|YPosition|SubfileType|FillOrder|TileWidth|TileLength))(:|$)/.test(k));
}

const screenshot = viewerScreenshot();
const VALUES = ['KOWALCZYK', '88412907', '1976'];

describe('cleaned pictures', () => {
  it('a screenshot (PNG and JPEG) with GPS and owner metadata: text masked, metadata gone, checked by exiftool and Tesseract', async () => {
    const png = withExif(screenshot.png, 'shot.png', ['-Artist=Marta Kowalczyk', '-PNG:Comment=note', '-GPSLatitude=1', '-GPSLongitude=2']);
    const jpeg = withExif(convertPicture(screenshot.png, 'jpeg', ['-quality', '87']), 'shot.jpg', PHOTO_TAGS);
    expect(tesseractText(screenshot.png, 'before.png')).toContain('KOWALCZYK');
    const { results } = await scanAndClean([{ path: 'shot.png', bytes: png }, { path: 'shot.jpg', bytes: jpeg }]);
    for (const [i, ext] of [[0, 'png'], [1, 'jpg']] as const) {
      const copy = await bytesOf(results[i]!);
      expect(results[i]!.documentCopy).toMatchObject({ kind: 'image', imageOnly: false, reencoded: true });
      expect(results[i]!.documentCopy!.masked).toBeGreaterThanOrEqual(5);
      expect(metadataLeft(copy, `copy.${ext}`), ext).toEqual([]);
      const read = tesseractText(copy, `copy-read.${ext}`);
      for (const value of VALUES) expect(read, `${ext}: ${value}`).not.toContain(value);
      expect(results[i]!.verification?.verdict).not.toBe('identifying');
    }
    // The JPEG copy: baseline, the original's quality, same size, every pixel far from the masks nearly the same.
    const copy = await bytesOf(results[1]!);
    expect(tool('identify', ['-format', '%Q %[interlace] %w %h', '-'], copy).toString()).toBe('87 None 800 600');
    // The PNG copy: identical to the original outside the masks.
    const before = decodeWithImageMagick(png);
    const after = decodeWithImageMagick(await bytesOf(results[0]!));
    let changed = 0;
    for (let y = 150; y < 500; y++) for (let x = 0; x < 800; x++) if (before.rgb[3 * (y * 800 + x)] !== after.rgb[3 * (y * 800 + x)]) changed++;
    expect(changed).toBe(0);
  }, 120_000);

  it('a phone photo: metadata removed without re-encoding, shown upright still (orientation kept alone)', async () => {
    const photo = withExif(colourPhoto(), 'phone.jpg', [...PHOTO_TAGS, '-Orientation#=6']);
    const { reports, results } = await scanAndClean([{ path: 'phone.jpg', bytes: photo }]);
    expect(reports[0]!.document?.pictureText).toBe('skipped');
    const copy = await bytesOf(results[0]!);
    expect(results[0]!.documentCopy).toMatchObject({ reencoded: false, masked: 0 });
    expect(metadataLeft(copy, 'phone-copy.jpg')).toEqual([]);
    expect(exiftoolTags(copy, 'phone-copy.jpg')['IFD0:Orientation']).toBe(6);
    expect(Buffer.from(decodeWithImageMagick(copy).rgb).equals(Buffer.from(decodeWithImageMagick(photo).rgb))).toBe(true);
    expect(results[0]!.verification?.verdict).toBe('not-medical');
    // The copy keeps the File's name and type.
    expect((results[0]!.output as File).name).toBe('phone.jpg');
  }, 60_000);

  it('WebP and GIF lose their metadata as they are; TIFF is written anew from its pixels, masked', async () => {
    const small = convertPicture(colourPhoto(320, 240), 'png');
    const webp = withExif(convertPicture(small, 'webp'), 'c.webp', ['-Artist=Marta Kowalczyk', '-GPSLatitude=1', '-GPSLongitude=2']);
    const gif = withExif(convertPicture(small, 'gif'), 'c.gif', ['-Comment=Marta Kowalczyk DOB 16.06.1976']);
    const tiff = withExif(convertPicture(screenshot.png, 'tiff'), 'c.tif', ['-Artist=Marta Kowalczyk', '-GPSLatitude=1', '-GPSLongitude=2']);
    const { results } = await scanAndClean([{ path: 'c.webp', bytes: webp }, { path: 'c.gif', bytes: gif }, { path: 'c.tif', bytes: tiff }]);
    expect(metadataLeft(await bytesOf(results[0]!), 'c2.webp')).toEqual([]);
    expect(metadataLeft(await bytesOf(results[1]!), 'c2.gif')).toEqual([]);
    const tif = await bytesOf(results[2]!);
    expect(metadataLeft(tif, 'c2.tif')).toEqual([]);
    expect(results[2]!.documentCopy).toMatchObject({ reencoded: true });
    expect(tesseractText(convertPicture(tif, 'png'), 'c2.png')).not.toContain('KOWALCZYK');
  }, 120_000);

  it('a copy still showing identifying text is withheld; pictures this tool cannot re-encode are refused with a reason', async () => {
    // A plan that masks nothing: the check of the copy reads the name again.
    const plans = new Map<string, DocumentPlan>([['bare.png', { kind: 'image', regions: [], checked: true }]]);
    const { results } = await scanAndClean([{ path: 'bare.png', bytes: screenshot.png }], plans);
    expect(results[0]).toMatchObject({ status: 'failed' });
    expect(results[0]!.reason).toMatch(/identifying text was still read in its picture/);
    expect(results[0]!.output).toBeUndefined();
    const webpShot = convertPicture(screenshot.png, 'webp');
    const heic = convertPicture(colourPhoto(320, 240), 'heic');
    const refused = await scanAndClean([{ path: 'shot.webp', bytes: webpShot }, { path: 'photo.heic', bytes: heic }]);
    expect(refused.results[0]!.reason).toMatch(/cannot be masked here \(there is no WebP encoder\)/);
    expect(refused.results[1]!.reason).toMatch(/HEIC\/HEIF picture cannot be written here/);
    // Not checked, or not completely: no copy.
    const none = await deidentifyFiles([{ path: 'x.png', file: new Blob([screenshot.png as Uint8Array<ArrayBuffer>]) }], { key: createDeidentifyKey(), documents: { planFor: () => undefined, ...cleaning } });
    expect(none[0]).toMatchObject({ status: 'failed', reason: 'it was not checked, so no cleaned copy is made' });
    await expect(cleanDocument(bytesSource(screenshot.png), { kind: 'image', regions: [], checked: false, reason: 'it is cut short' }, host)).rejects.toThrow(/could not be checked completely \(it is cut short\)/);
    await expect(cleanDocument(bytesSource(screenshot.png), { kind: 'pdf', regions: [], checked: true }, host)).rejects.toThrow(DocumentCleanError);
    // Without the option, pictures pass as they are, as today.
    const untouched = await deidentifyFiles([{ path: 'x.png', file: new Blob([screenshot.png as Uint8Array<ArrayBuffer>]) }], { key: createDeidentifyKey() });
    expect(untouched[0]).toMatchObject({ status: 'not-medical' });
  }, 120_000);

  it('masks with a margin and leaves pictures alone where regions fall outside; refuses JPEG masks without an encoder', async () => {
    const image = { width: 10, height: 10, channels: 1 as const, data: new Uint8Array(100).fill(200) };
    expect(fillImageRegions(image, [{ x: 2, y: 2, width: 2, height: 2 }, { x: 50, y: 50, width: 2, height: 2 }], 1)).toBe(1);
    expect(image.data[1 * 10 + 1]).toBe(0);
    expect(image.data[0]).toBe(200);
    await expect(cleanPicture(convertPicture(screenshot.png, 'jpeg'), 'jpeg', [{ x: 0, y: 0, width: 10, height: 10 }], { decoders: host.decoders })).rejects.toThrow(/no JPEG encoder/);
    await expect(cleanPicture(convertPicture(screenshot.png, 'gif'), 'gif', [{ x: 0, y: 0, width: 10, height: 10 }], { decoders: host.decoders })).rejects.toThrow(/no GIF encoder/);
  });
});

describe('cleaned PDFs', () => {
  it('a report with a text layer becomes an image-only PDF: no text, no metadata, identifying lines blacked out', async () => {
    const pdf = await reportPdf(2);
    const { results } = await scanAndClean([{ path: 'report.pdf', bytes: pdf }]);
    const copy = await bytesOf(results[0]!);
    expect(results[0]!.documentCopy).toMatchObject({ kind: 'pdf', imageOnly: true, reencoded: true, pages: 2 });
    const file = writeFixture('report-copy.pdf', copy);
    expect(tool('pdftotext', [file, '-']).toString().trim()).toBe('');
    const info = tool('pdfinfo', [file]).toString();
    expect(info).toMatch(/Pages:\s+2/);
    expect(info).toMatch(/Page size:\s+595 x 842 pts/);
    expect(info).not.toMatch(/Author|Title|Creator|Producer|Subject/);
    const images = tool('pdfimages', ['-list', file]).toString().trim().split('\n').slice(2);
    expect(images).toHaveLength(2);
    for (const line of images) expect(line).toMatch(/1190\s+1684\s+rgb\s+3\s+8\s+jpeg/);
    const page = tool('pdftoppm', ['-r', '144', '-f', '1', '-l', '1', '-png', file]);
    const read = tesseractText(new Uint8Array(page), 'report-page.png');
    for (const value of [...VALUES, 'SMITH', '7946']) expect(read, value).not.toContain(value);
    // What identifies no one is still there to read.
    expect(read).toContain('MENISCI');
  }, 120_000);

  it('a scanned report is read, masked and written the same way', async () => {
    const { results } = await scanAndClean([{ path: 'scan.pdf', bytes: await scannedPdf(1) }]);
    const copy = await bytesOf(results[0]!);
    expect(results[0]!.documentCopy).toMatchObject({ imageOnly: true, pages: 1 });
    const page = tool('pdftoppm', ['-r', '144', '-png', writeFixture('scan-copy.pdf', copy)]);
    const read = tesseractText(new Uint8Array(page), 'scan-page.png');
    for (const value of VALUES) expect(read, value).not.toContain(value);
    expect(read).toContain('EFFUSION');
  }, 120_000);
});
