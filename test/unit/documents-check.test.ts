// Pictures and PDFs checked with the real text engine (PP-OCRv4 detection, tesseract.js): viewer screenshots
// in every picture format with the name, birth date and record number found where ImageMagick drew them,
// a turned phone picture's regions in stored pixels, photos whose text is not read and whose GPS is, PDFs
// with a text layer (regions checked against poppler's own word boxes), scanned PDFs read as pictures, and
// Tesseract's invisible text layer. The scan and the CLI's JSON carry it all.

import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeTextEngine, type NodeTextEngine } from '../../src/cli/text-engine';
import { nodeDocumentHost } from '../../src/cli/document-host';
import { checkDocument, type DocumentHost, type DocumentReport } from '../../src/core/documents/document-check';
import { scanFiles, type DocumentReading } from '../../src/core/scan';
import { bytesSource } from '../../src/core/source';
import type { Finding, FindingRegion } from '../../src/core/report';
import {
  cleanUpDocuments, colourPhoto, convertPicture, PHOTO_TAGS, reportPdf, scannedPdf, tesseractPdf, viewerScreenshot, withExif, writeFixture,
  type DrawnText,
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

/** Whether the region covers at least 90% of the box. */
function covers(r: FindingRegion | undefined, b: { x: number; y: number; width: number; height: number }): boolean {
  if (!r) return false;
  const w = Math.min(r.x + r.width, b.x + b.width) - Math.max(r.x, b.x);
  const h = Math.min(r.y + r.height, b.y + b.height) - Math.max(r.y, b.y);
  return w > 0 && h > 0 && w * h >= 0.9 * b.width * b.height;
}

function over(report: DocumentReport, box: DrawnText['box']): Finding | undefined {
  return report.findings.find((f) => f.tag === '7FE00010' && covers(f.region, box));
}

const screenshot = viewerScreenshot();
const [NAME, DOB, MRN, SERIES, WINDOW] = screenshot.lines as [DrawnText, DrawnText, DrawnText, DrawnText, DrawnText];

function expectViewerFindings(report: DocumentReport, what: string): void {
  expect(report.verdict, what).toBe('identifying');
  expect(report.document, what).toMatchObject({ kind: 'image', looksMedical: true, pictureText: 'read' });
  expect(over(report, NAME.box), `${what}: name`).toMatchObject({ keyword: 'PixelData', category: 'picture-content', severity: 'high', region: { frame: 1 } });
  expect(over(report, NAME.box)?.value).toMatch(/KOWALCZYK/);
  expect(over(report, DOB.box), `${what}: birth date`).toMatchObject({ severity: 'high' });
  expect(over(report, DOB.box)?.text?.looksLike).toContain('date');
  expect(over(report, MRN.box), `${what}: record number`).toMatchObject({ severity: 'high' });
  // The viewer's own lines are text of the picture too (masked in a copy), but identify no one.
  expect(over(report, SERIES.box) ?? report.findings.find((f) => f.region && covers({ ...f.region, x: f.region.x - 4, width: f.region.width + 8 }, SERIES.box)), `${what}: series line`).toBeDefined();
  expect([...report.findings.filter((f) => f.tag === '7FE00010'), ...(report.picture?.marks ?? []).map((m) => ({ region: m }))].some((f) => covers(f.region, WINDOW.box)), `${what}: window line masked`).toBe(true);
}

describe('viewer screenshots', () => {
  const formats: Array<[string, string[]]> = [
    ['png', []],
    ['jpeg', ['-quality', '88']],
    ['webp', ['-quality', '90']],
    ['tiff', ['-compress', 'lzw']],
    ['gif', []],
    ['heic', ['-quality', '90']],
  ];
  it.each(formats)('%s: the name, birth date and record number are read where they were drawn', async (format, args) => {
    const bytes = format === 'png' ? screenshot.png : convertPicture(screenshot.png, format, args);
    const report = await check(bytes);
    expect(report.reason, format).toBeUndefined();
    expectViewerFindings(report, format);
    expect(report.document).toMatchObject({ width: 800, height: 600 });
  }, 60_000);

  it('a phone picture stored turned (EXIF orientation 6) is read upright, its regions in stored pixels', async () => {
    const stored = withExif(convertPicture(screenshot.png, 'jpeg', ['-rotate', '-90', '-quality', '92']), 'turned.jpg', ['-Orientation#=6']);
    const report = await check(stored);
    expect(report.document).toMatchObject({ width: 600, height: 800, orientation: 6 });
    // Shown (x, y) is stored at (y, 799 - x).
    const turned = (b: DrawnText['box']) => ({ x: b.y, y: 800 - (b.x + b.width), width: b.height, height: b.width });
    expect(over(report, turned(NAME.box))?.value).toMatch(/KOWALCZYK/);
    expect(over(report, turned(DOB.box))?.severity).toBe('high');
  }, 60_000);

  it('names from the metadata make a line that repeats them high', async () => {
    const shot = viewerScreenshot([{ text: 'Nowakowska', x: 12, y: 28, size: 20 }, ...screenshot.lines.slice(3)]);
    const report = await check(withExif(convertPicture(shot.png, 'jpeg'), 'named.jpg', ['-Artist=Ewa Nowakowska']));
    const line = over(report, shot.lines[0]!.box);
    expect(line).toMatchObject({ severity: 'high' });
    expect(line?.text?.repeats).toContain('name');
  }, 60_000);

  it('a dark picture without text is read and has no text finding', async () => {
    const empty = viewerScreenshot([]);
    const report = await check(empty.png);
    expect(report.document.pictureText).toBe('read');
    expect(report.findings.filter((f) => f.tag === '7FE00010')).toEqual([]);
    expect(report.verdict).toBe('not-medical');
  }, 60_000);
});

describe('photos', () => {
  it('a colourful photo is not read; its GPS position, owner and serial are reported', async () => {
    const photo = withExif(colourPhoto(), 'gps.jpg', PHOTO_TAGS);
    const report = await check(photo);
    expect(report.document).toMatchObject({ kind: 'image', subtype: 'jpeg', pictureText: 'skipped', looksMedical: false });
    expect(report.findings.find((f) => f.category === 'location' && f.severity === 'high')?.value).toBe('52.22970, 21.01220');
    expect(report.findings.filter((f) => f.tag === '7FE00010')).toEqual([]);
    expect(report.verdict).toBe('identifying');
  });

  it('a photo with nothing identifying is not medical; asked to, its text is read all the same', async () => {
    const plain = convertPicture(colourPhoto(400, 300), 'jpeg', ['-strip']);
    expect((await check(plain)).verdict).toBe('not-medical');
    const always = await checkDocument(bytesSource(plain), host, { pictureText: 'always' });
    expect(always.document.pictureText).toBe('read');
    const never = await checkDocument(bytesSource(screenshot.png), host, { pictureText: 'never' });
    expect(never.document.pictureText).toBe('skipped');
    const noEngine = await checkDocument(bytesSource(screenshot.png), { decoders: host.decoders });
    expect(noEngine).toMatchObject({ verdict: 'unreadable', reason: 'no text reader is available here' });
  });
});

/** poppler's word boxes of a page (points from the top left). */
function popplerWords(pdf: Uint8Array, page: number): Array<{ word: string; x: number; y: number; x2: number; y2: number }> {
  const file = writeFixture(`bbox-${page}.pdf`, pdf);
  const html = execFileSync('pdftotext', ['-bbox', '-f', String(page), '-l', String(page), file, '-'], { encoding: 'utf8' });
  return [...html.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)].map((m) => ({
    x: Number(m[1]), y: Number(m[2]), x2: Number(m[3]), y2: Number(m[4]), word: m[5]!,
  }));
}

describe('PDF reports', () => {
  it('reads the text layer: labelled lines on every page, regions over poppler\'s own word boxes (2 pixels a point)', async () => {
    const pdf = await reportPdf(2);
    const report = await check(pdf);
    expect(report.verdict).toBe('identifying');
    expect(report.document).toMatchObject({ kind: 'pdf', pages: 2, textPages: 2, scannedPages: 0, pageScale: 2, looksMedical: true, pictureText: 'none' });
    for (const page of [1, 2]) {
      const onPage = report.findings.filter((f) => f.region?.page === page);
      const patient = onPage.find((f) => /Patient: KOWALCZYK/.test(f.value ?? ''));
      expect(patient, `page ${page}`).toMatchObject({ tag: 'pdf:text', keyword: 'PageText', severity: 'high' });
      expect(['name', 'birth-date', 'identifier']).toContain(patient!.category);
      for (const word of popplerWords(pdf, page).filter((w) => ['KOWALCZYK,', 'MRN:', '88412907'].includes(w.word))) {
        expect(covers(patient!.region, { x: word.x * 2, y: word.y * 2, width: (word.x2 - word.x) * 2, height: (word.y2 - word.y) * 2 }), word.word).toBe(true);
      }
      expect(onPage.find((f) => /Accession/.test(f.value ?? ''))).toMatchObject({ category: 'identifier', severity: 'high' });
      expect(onPage.find((f) => /Tel:/.test(f.value ?? ''))).toMatchObject({ category: 'contact', severity: 'high' });
      expect(onPage.find((f) => /Mrs Kowalczyk/.test(f.value ?? ''))).toMatchObject({ category: 'name', severity: 'high' });
      expect(onPage.find((f) => /Exam date/.test(f.value ?? ''))).toMatchObject({ category: 'dates', severity: 'medium' });
      // The findings of the report itself are not findings.
      expect(onPage.some((f) => /menisci/.test(f.value ?? ''))).toBe(false);
    }
    expect(report.findings.find((f) => f.tag === 'pdf:Author')).toMatchObject({ category: 'name', value: 'Dr Jan Nowak' });
    expect(report.findings.find((f) => f.tag === 'pdf:Title')).toMatchObject({ severity: 'high', value: 'MRI report KOWALCZYK MARTA' });
    expect(report.findings.find((f) => f.tag === 'pdf:Subject')).toMatchObject({ severity: 'low' });
    expect(report.findings.find((f) => f.tag === 'pdf:Creator')).toMatchObject({ category: 'device', severity: 'low' });
  });

  it('reads pages without a text layer as pictures, regions in page pixels', async () => {
    const report = await check(await scannedPdf(2));
    expect(report.document).toMatchObject({ pages: 2, textPages: 0, scannedPages: 2, pictureText: 'read', looksMedical: true });
    for (const page of [1, 2]) {
      const patient = report.findings.find((f) => f.region?.page === page && /KOWALCZYK/.test(f.value ?? ''));
      // Drawn at +100+170 (24 px letters) on a 1190 x 1684 page picture: the same pixels at 2 a point.
      expect(patient, `page ${page}`).toMatchObject({ tag: '7FE00010', category: 'picture-content', severity: 'high' });
      expect(covers(patient!.region, { x: 104, y: 153, width: 150, height: 20 })).toBe(true);
      expect(report.findings.some((f) => f.region?.page === page && /88412907/.test(f.value ?? ''))).toBe(true);
    }
    expect(report.verdict).toBe('identifying');
  }, 120_000);

  it('reads comments and filled form fields, with their rectangles', async () => {
    const { PDFDocument } = await import('pdf-lib');
    const doc = await PDFDocument.load(await reportPdf(1, ['Radiology report', 'Findings: the menisci are intact.']));
    const field = doc.getForm().createTextField('patient');
    field.setText('KOWALCZYK, MARTA');
    field.addToPage(doc.getPage(0), { x: 50, y: 600, width: 200, height: 20 });
    const report = await check(await doc.save());
    const note = report.findings.find((f) => f.tag === 'pdf:annotation');
    expect(note).toMatchObject({ keyword: 'Annotation', category: 'name', severity: 'high', value: 'KOWALCZYK, MARTA' });
    // 50,600 to 250,620 in points, from the bottom: 100,444 to 500,484 at 2 pixels a point (pdf-lib's
    // widget adds its border around it).
    const r = note!.region!;
    expect(r.page).toBe(1);
    expect(covers(r, { x: 100, y: 444, width: 400, height: 40 })).toBe(true);
    expect(r.width).toBeLessThan(410);
  });

  it("reads Tesseract's invisible text layer as text", async () => {
    const report = await check(tesseractPdf());
    expect(report.document).toMatchObject({ textPages: 1, scannedPages: 0 });
    expect(report.findings.some((f) => f.tag === 'pdf:text' && /KOWALCZYK/.test(f.value ?? '') && f.severity === 'high')).toBe(true);
  }, 60_000);
});

describe('in the scan', () => {
  it('only when asked: without documents, pictures and PDFs are reported as what they are, not medical, unread', async () => {
    const photo = withExif(colourPhoto(320, 240), 'scan-gps.jpg', PHOTO_TAGS);
    const pdf = await reportPdf(1);
    const inputs = [{ path: 'photo.jpg', source: bytesSource(photo) }, { path: 'report.pdf', source: bytesSource(pdf) }];
    const plain = await scanFiles(inputs);
    expect(plain.files.map((f) => [f.format, f.verdict, f.findings.length])).toEqual([['image', 'not-medical', 0], ['pdf', 'not-medical', 0]]);
    const reading: DocumentReading = { read: (r) => checkDocument(r.source, host) };
    const asked = await scanFiles(inputs, { documents: reading });
    expect(asked.files.map((f) => [f.format, f.verdict])).toEqual([['image', 'identifying'], ['pdf', 'identifying']]);
    expect(asked.files[1]!.bytesRead).toBe(pdf.length);
    const failing = await scanFiles(inputs.slice(0, 1), { documents: { read: async () => { throw new Error('the worker stopped'); } } });
    expect(failing.files[0]).toMatchObject({ verdict: 'unreadable', reason: 'it could not be checked (the worker stopped)' });
  });
});
