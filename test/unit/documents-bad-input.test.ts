// The bad input of issue 13: truncated JPEGs and PNGs, EXIF with loops and lengths past the end, HEIC the
// decoder refuses, encrypted and damaged PDFs, a 2,000-page PDF, a 100-megapixel photo. Each gets a clear
// reason and is never called clean; nothing throws; the run ends (the test timeouts bound it).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeTextEngine, type NodeTextEngine } from '../../src/cli/text-engine';
import { nodeDocumentHost } from '../../src/cli/document-host';
import { checkDocument, type DocumentHost, type DocumentReport } from '../../src/core/documents/document-check';
import { readPictureMetadata } from '../../src/core/documents/picture-metadata';
import { structureProblem } from '../../src/core/documents/picture-check';
import { bytesSource } from '../../src/core/source';
import {
  cleanUpDocuments, colourPhoto, convertPicture, encryptedPdf, hugeJpeg, jpegWithHostileExif, longPdf, plainPdf, viewerScreenshot, withExif,
} from '../fixtures/documents';

let engine: NodeTextEngine;
let host: DocumentHost;
beforeAll(async () => {
  engine = await createNodeTextEngine();
  host = nodeDocumentHost(engine);
}, 60_000);
afterAll(async () => {
  await engine?.close();
  cleanUpDocuments();
});

const check = (bytes: Uint8Array): Promise<DocumentReport> => checkDocument(bytesSource(bytes), host);

function expectUnreadable(report: DocumentReport, reason: RegExp): void {
  expect(report.verdict).toBe('unreadable');
  expect(report.reason).toMatch(reason);
  expect(report.document.reason).toBe(report.reason);
}

const screenshot = viewerScreenshot();

describe('pictures', () => {
  it('a JPEG cut short: its structure says so, whatever the decoder made of it', async () => {
    const jpeg = convertPicture(screenshot.png, 'jpeg');
    for (const keep of [0.9, 0.5, 0.1]) {
      const cut = jpeg.subarray(0, Math.round(jpeg.length * keep));
      expectUnreadable(await check(cut), /cut short|could not be decoded|damaged/);
    }
    expectUnreadable(await check(jpeg.subarray(0, 40)), /cut short|damaged/);
  }, 60_000);

  it('a PNG cut short, or with damaged image data', async () => {
    const png = screenshot.png;
    expectUnreadable(await check(png.subarray(0, png.length - 30)), /cut short/);
    expectUnreadable(await check(png.subarray(0, 5000)), /cut short/);
    const garbled = png.slice();
    for (let i = 200; i < 400; i++) garbled[i] = (garbled[i]! * 31 + 7) & 255;
    expectUnreadable(await check(garbled), /damaged|cut short/);
  }, 60_000);

  it('EXIF whose IFDs loop back on themselves and whose values run past the end: read in bounded time, the rest still checked', async () => {
    const hostile = jpegWithHostileExif(withExif(colourPhoto(320, 240), 'loop.jpg', ['-GPSLatitude=1', '-GPSLongitude=2']));
    const metadata = await readPictureMetadata(hostile, 'jpeg');
    expect(metadata.findings.every((f) => (f.value ?? '').length <= 1024)).toBe(true);
    const report = await check(hostile);
    expect(report.verdict).not.toBe('clean');
    expect(report.document.pictureText).toBe('skipped');
  }, 60_000);

  it('GIF and WebP cut short, and bytes that are not the picture they claim to be', () => {
    const gif = convertPicture(screenshot.png, 'gif', ['-resize', '200x150']);
    expect(structureProblem(gif.subarray(0, gif.length - 50), 'gif')).toMatch(/cut short/);
    const webp = convertPicture(screenshot.png, 'webp', ['-resize', '200x150']);
    expect(structureProblem(webp.subarray(0, webp.length - 50), 'webp')).toMatch(/cut short/);
    expect(structureProblem(screenshot.png, 'jpeg')).toMatch(/does not start like a JPEG/);
    expect(structureProblem(screenshot.png, 'png')).toBeUndefined();
    expect(structureProblem(screenshot.png, 'tiff')).toBeUndefined();
  });

  it('a HEIC the decoder refuses: the reason, its metadata still read', async () => {
    const heic = withExif(convertPicture(colourPhoto(320, 240), 'heic'), 'bad.heic', ['-Artist=Marta Kowalczyk']);
    const broken = heic.slice(0, Math.round(heic.length * 0.6));
    const report = await check(broken);
    expect(report.verdict).toBe('unreadable');
    expect(report.reason).toMatch(/HEIC\/HEIF picture could not be decoded|header is damaged/);
    const zeroed = heic.slice();
    zeroed.fill(0, heic.length - 2000);
    const second = await check(zeroed);
    expect(second.verdict).not.toBe('clean');
    expect(second.findings.some((f) => f.tag === 'exif:Artist')).toBe(true);
  }, 60_000);

  it('a 100-megapixel photo is refused before decoding, with its metadata reported', async () => {
    const huge = withExif(hugeJpeg(10_000, 10_000), 'huge.jpg', ['-GPSLatitude=52.2', '-GPSLatitudeRef=N', '-GPSLongitude=21', '-GPSLongitudeRef=E']);
    const report = await check(huge);
    expectUnreadable(report, /too large to read its text here \(100 megapixels; at most 40\)/);
    expect(report.findings.find((f) => f.category === 'location')?.severity).toBe('high');
    const small = await checkDocument(bytesSource(screenshot.png), host, { maxBytes: 1000 });
    expectUnreadable(small, /too large to check here/);
  }, 120_000);
});

describe('PDFs', () => {
  it('an encrypted PDF: the reason, never clean', async () => {
    expect((await check(plainPdf())).verdict).not.toBe('unreadable');
    expectUnreadable(await check(encryptedPdf()), /protected by a password/);
  });

  it('damaged PDFs: garbage after the header, cut short, no pages', async () => {
    const garbage = new Uint8Array(4000);
    garbage.set(new TextEncoder().encode('%PDF-1.7\n'));
    for (let i = 9; i < garbage.length; i++) garbage[i] = (i * 73) & 255;
    expectUnreadable(await check(garbage), /damaged|could not be opened|no pages/);
    const plain = plainPdf();
    const cut = await check(plain.subarray(0, 200));
    expect(cut.verdict).toBe('unreadable');
    expect(cut.reason).toMatch(/damaged|could not be opened|no pages|could not be read/);
  });

  it('a 2,000-page PDF: the first 200 pages read, and it says so', async () => {
    const report = await check(await longPdf(2000));
    expectUnreadable(report, /only the first 200 of its 2000 pages were checked/);
    expect(report.document).toMatchObject({ pages: 2000, textPages: 200 });
    const few = await checkDocument(bytesSource(await longPdf(30)), host, { pdfTextPages: 10 });
    expect(few.reason).toBe('only the first 10 of its 30 pages were checked');
  }, 120_000);

  it('scanned pages past the limit are not read, and it says so; without a text reader, none are', async () => {
    const { scannedPdf } = await import('../fixtures/documents');
    const pdf = await scannedPdf(3);
    const report = await checkDocument(bytesSource(pdf), host, { pdfScannedPages: 1 });
    expect(report.reason).toBe('only 1 of its 3 pages without text were read as pictures');
    expect(report.verdict).toBe('unreadable');
    const noEngine = await checkDocument(bytesSource(pdf), { decoders: host.decoders });
    expect(noEngine.reason).toBe('3 of its pages have no text layer and were not read as pictures');
  }, 120_000);

  it('bytes that are neither a picture nor a PDF', async () => {
    expectUnreadable(await check(new TextEncoder().encode('just some text')), /neither a picture nor a PDF/);
  });
});
