// The document checks of the text worker, shared by the Chromium and Firefox suites: the generated pictures
// and PDFs (test/fixtures/documents.ts), the page function that sends them to the built worker (one Worker
// kept on the extension page's window, so its engine loads once), and the checks of what comes back, the
// copies judged outside the extension (exiftool, poppler, Tesseract's own command). No identifying value is
// printed: what is compared is whether a value is there, never the value.

import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FileReport, FindingRegion } from '../../../src/core/report';
import type { DocumentReport } from '../../../src/core/documents/document-check';
import { documentPlans, type CleanedDocument, type DocumentPlan } from '../../../src/core/documents/document-clean';
import { readPictureMetadata } from '../../../src/core/documents/picture-metadata';
import {
  cleanUpDocuments, colourPhoto, convertPicture, decodeWithImageMagick, exiftoolTags, PATIENT_LINES, PHOTO_TAGS, reportPdf, scannedPdf, tesseractText, tool,
  viewerScreenshot, withExif, writeFixture,
  type Screenshot,
} from '../../fixtures/documents';

/** One request to the worker, its file as base64. */
export type WorkerRequest =
  | { type: 'check-document'; file: string }
  | { type: 'clean-document'; file: string; plan: DocumentPlan }
  | { type: 'document-preview'; file: string; page?: number; maxSide: number };

/** The worker's answer, bytes as base64; `ms` from sending to answer. */
export type WorkerAnswer = { ms: number } & (
  | { type: 'document'; report: DocumentReport }
  | { type: 'cleaned'; cleaned: Omit<CleanedDocument, 'bytes'> & { bytes: string } }
  | { type: 'preview'; preview: { width: number; height: number; scale: number; rgba: string } }
  | { type: 'error'; reason: string }
);

/**
 * Runs in an extension page: starts the built text worker at `url` (once per page), sends it each request
 * in turn and returns its answers (base64 for bytes). A request without an answer in `timeoutMs` comes back
 * as an error saying so. Self-contained: the browser runs it from its source.
 */
export async function askDocumentWorker({ url, requests, timeoutMs }: { url: string; requests: WorkerRequest[]; timeoutMs: number }): Promise<unknown[]> {
  const scope = globalThis as unknown as { spgDocumentWorker?: Worker; spgNextId?: number };
  scope.spgDocumentWorker ??= new Worker(url, { type: 'module' });
  const w = scope.spgDocumentWorker;
  const toBase64 = (bytes: Uint8Array): string => {
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
  };
  const out: unknown[] = [];
  for (const request of requests) {
    const id = (scope.spgNextId = (scope.spgNextId ?? 0) + 1);
    const file = new Blob([Uint8Array.from(atob(request.file), (c) => c.charCodeAt(0))]);
    const started = performance.now();
    const answer = await new Promise<Record<string, unknown>>((resolve) => {
      const timer = setTimeout(() => resolve({ type: 'error', reason: `no answer from the worker in ${timeoutMs} ms` }), timeoutMs);
      const listen = (event: MessageEvent): void => {
        const data = event.data as Record<string, unknown>;
        if (data.id !== id || data.type === 'progress') return;
        clearTimeout(timer);
        w.removeEventListener('message', listen);
        resolve(data);
      };
      w.addEventListener('message', listen);
      w.onerror = (event) => resolve({ type: 'error', reason: `worker error: ${event.message}` });
      w.postMessage({ ...request, id, file });
    });
    const ms = Math.round(performance.now() - started);
    if (answer.type === 'cleaned') {
      const cleaned = answer.cleaned as { bytes: Uint8Array };
      out.push({ ms, type: 'cleaned', cleaned: { ...cleaned, bytes: toBase64(cleaned.bytes) } });
    } else if (answer.type === 'preview') {
      const preview = answer.preview as { width: number; height: number; scale: number; rgba: Uint8ClampedArray };
      out.push({ ms, type: 'preview', preview: { ...preview, rgba: toBase64(new Uint8Array(preview.rgba.buffer, preview.rgba.byteOffset, preview.rgba.byteLength)) } });
    } else {
      out.push({ ms, ...answer, id: undefined });
    }
  }
  return out;
}

/** What a suite gives the shared tests: how to ask its browser's worker. */
export type Ask = (requests: WorkerRequest[]) => Promise<WorkerAnswer[]>;

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
const bytesOf = (base64: string): Uint8Array => new Uint8Array(Buffer.from(base64, 'base64'));

/** The plan documentPlans makes of a report (nothing kept visible). */
export function planOf(report: DocumentReport): DocumentPlan {
  const file = { path: 'file', size: 0, ...report } as unknown as FileReport;
  return documentPlans([file]).get('file')!;
}

function overlaps(a: { x: number; y: number; width: number; height: number }, b: { x: number; y: number; width: number; height: number }): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** How many preview pixels inside `r` (region pixels, scaled by the preview's scale) pass `test`. */
function pixelsIn(preview: { width: number; height: number; scale: number; rgba: Uint8Array }, r: FindingRegion | { x: number; y: number; width: number; height: number }, test: (grey: number) => boolean): number {
  let n = 0;
  const x0 = Math.floor(r.x * preview.scale);
  const y0 = Math.floor(r.y * preview.scale);
  const x1 = Math.min(preview.width, Math.ceil((r.x + r.width) * preview.scale));
  const y1 = Math.min(preview.height, Math.ceil((r.y + r.height) * preview.scale));
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const p = 4 * (y * preview.width + x);
      if (test((preview.rgba[p]! + preview.rgba[p + 1]! + preview.rgba[p + 2]!) / 3)) n++;
    }
  }
  return n;
}

/** The patient's values of the fixtures, to look for (never printed). */
const NAME = 'KOWALCZYK';
const VALUES = ['KOWALCZYK', '88412907', '1976'];
const says = (text: string | undefined, values: readonly string[] = VALUES): boolean => values.some((v) => (text ?? '').toUpperCase().includes(v));

/** The shared tests: every check a browser's document host must pass (neither Chromium nor Firefox decodes HEIC). */
export function documentWorkerTests(ask: () => Ask, options: { timeoutMs: number }): void {
  let photo: Uint8Array;
  let screenshot: Screenshot;
  let webp: Uint8Array;
  let heic: Uint8Array;
  let pdf: Uint8Array;
  let scanned: Uint8Array;
  let damaged: Uint8Array;

  beforeAll(async () => {
    photo = withExif(colourPhoto(), 'gps.jpg', PHOTO_TAGS);
    screenshot = viewerScreenshot();
    webp = convertPicture(screenshot.png, 'webp', ['-define', 'webp:lossless=true']);
    heic = convertPicture(screenshot.png, 'heic', ['-resize', '200x150!']);
    pdf = await reportPdf(2);
    scanned = await scannedPdf(1);
    damaged = new Uint8Array(4000);
    damaged.set(new TextEncoder().encode('%PDF-1.7\n'));
    for (let i = 9; i < damaged.length; i++) damaged[i] = (i * 73) & 255;
  });
  afterAll(() => cleanUpDocuments());

  async function one(request: WorkerRequest): Promise<WorkerAnswer> {
    const [answer] = await ask()([request]);
    return answer!;
  }
  async function check(bytes: Uint8Array): Promise<DocumentReport> {
    const answer = await one({ type: 'check-document', file: b64(bytes) });
    if (answer.type !== 'document') throw new Error(`no report: ${answer.type === 'error' ? answer.reason : answer.type}`);
    return answer.report;
  }
  async function clean(bytes: Uint8Array, plan: DocumentPlan): Promise<Omit<CleanedDocument, 'bytes'> & { bytes: Uint8Array }> {
    const answer = await one({ type: 'clean-document', file: b64(bytes), plan });
    if (answer.type !== 'cleaned') throw new Error(`no copy: ${answer.type === 'error' ? answer.reason : answer.type}`);
    return { ...answer.cleaned, bytes: bytesOf(answer.cleaned.bytes) };
  }
  async function preview(bytes: Uint8Array, page: number | undefined, maxSide: number): Promise<{ width: number; height: number; scale: number; rgba: Uint8Array }> {
    const answer = await one({ type: 'document-preview', file: b64(bytes), ...(page !== undefined ? { page } : {}), maxSide });
    if (answer.type !== 'preview') throw new Error(`no preview: ${answer.type === 'error' ? answer.reason : answer.type}`);
    return { ...answer.preview, rgba: bytesOf(answer.preview.rgba) };
  }

  it('a photo\'s GPS position and owner are found, and its cleaned copy has no EXIF, XMP or IPTC left', async () => {
    const report = await check(photo);
    expect(report.format).toBe('image');
    expect(report.verdict).toBe('identifying');
    expect(report.findings.some((f) => /^exif:GPS/.test(f.tag) && f.category === 'location')).toBe(true);
    expect(report.findings.some((f) => f.category === 'name')).toBe(true);
    // A colourful photo is not read for text (nothing medical about it), but it was decoded.
    expect(report.document.width).toBe(1200);
    const copy = await clean(photo, planOf(report));
    expect({ kind: copy.kind, reencoded: copy.reencoded, masked: copy.masked }).toEqual({ kind: 'image', reencoded: false, masked: 0 });
    const metadataGroups = /^(GPS|IFD0|IFD1|ExifIFD|SubIFD|InteropIFD|XMP|IPTC|Photoshop|MakerNotes|Canon)/;
    expect(Object.keys(exiftoolTags(photo, 'gps-original.jpg')).some((k) => k.startsWith('GPS:'))).toBe(true);
    expect(Object.keys(exiftoolTags(copy.bytes, 'gps-copy.jpg')).filter((k) => metadataGroups.test(k))).toEqual([]);
    expect((await readPictureMetadata(copy.bytes, 'jpeg')).findings.map((f) => f.tag)).toEqual([]);
    // The picture itself is the same (only metadata left out, nothing encoded again).
    expect(Buffer.from(decodeWithImageMagick(copy.bytes).rgb).equals(Buffer.from(decodeWithImageMagick(photo).rgb))).toBe(true);
  }, options.timeoutMs);

  it('a viewer screenshot\'s name and birth date are found with their regions, and gone from the cleaned copy read again', async () => {
    const report = await check(screenshot.png);
    expect(report.verdict).toBe('identifying');
    expect(report.document.pictureText).toBe('read');
    const [name, birth] = screenshot.lines;
    const found = (line: typeof name): boolean => report.findings.some((f) => f.region?.frame === 1 && overlaps(f.region, line!.box) && says(f.value));
    expect({ name: found(name), birth: found(birth) }).toEqual({ name: true, birth: true });
    const copy = await clean(screenshot.png, planOf(report));
    expect(copy.kind).toBe('image');
    expect(copy.reencoded).toBe(true);
    expect(copy.masked).toBeGreaterThanOrEqual(2);
    const again = await check(copy.bytes);
    expect(again.document.pictureText).toBe('read');
    expect(again.findings.filter((f) => says(f.value)).length, 'the copy still shows a patient value').toBe(0);
    expect(again.findings.some((f) => f.region && (overlaps(f.region, name!.box) || overlaps(f.region, birth!.box)))).toBe(false);
    // Outside the extension: Tesseract reads none of them in the copy, and does in the original.
    expect(says(tesseractText(copy.bytes, 'screen-copy.png'))).toBe(false);
    expect(says(tesseractText(screenshot.png, 'screen-original.png'), [NAME])).toBe(true);
  }, options.timeoutMs);

  it('a report PDF\'s identifying lines are found on their pages, and its cleaned copy is pictures only, without them', async () => {
    const report = await check(pdf);
    expect(report.format).toBe('pdf');
    expect(report.verdict).toBe('identifying');
    expect(report.document.pages).toBe(2);
    const onPage = (page: number): boolean => report.findings.some((f) => f.tag === 'pdf:text' && f.region?.page === page && says(f.value, [NAME]));
    expect({ first: onPage(1), second: onPage(2) }).toEqual({ first: true, second: true });
    const copy = await clean(pdf, planOf(report));
    expect({ kind: copy.kind, imageOnly: copy.imageOnly, pages: copy.pages }).toEqual({ kind: 'pdf', imageOnly: true, pages: 2 });
    expect(copy.masked).toBeGreaterThan(0);
    const copyFile = writeFixture('report-copy.pdf', copy.bytes);
    const originalFile = writeFixture('report-original.pdf', pdf);
    const text = (file: string): string => tool('pdftotext', [file, '-']).toString();
    expect(says(text(originalFile), [NAME])).toBe(true);
    expect(text(copyFile).trim()).toBe('');
    expect(/^(Author|Title|Subject|Creator):/m.test(tool('pdfinfo', [copyFile]).toString())).toBe(false);
    // The pages were drawn with their text (Helvetica from the extension's standard font data): the findings
    // are legible, the patient's line is not.
    tool('pdftoppm', ['-r', '144', '-f', '1', '-l', '1', '-png', copyFile, copyFile]);
    const seen = tool('tesseract', [`${copyFile}-1.png`, '-', '--psm', '4']).toString().toUpperCase();
    expect(seen).toContain('EFFUSION');
    expect(says(seen)).toBe(false);
  }, options.timeoutMs);

  it('a scanned report PDF (no text layer) is drawn and read as a picture, and its copy masks what was read', async () => {
    const report = await check(scanned);
    expect(report.document.scannedPages).toBe(1);
    expect(report.document.pictureText).toBe('read');
    expect(report.verdict).toBe('identifying');
    expect(report.findings.some((f) => f.region?.page === 1 && says(f.value, [NAME]))).toBe(true);
    const copy = await clean(scanned, planOf(report));
    expect({ imageOnly: copy.imageOnly, pages: copy.pages }).toEqual({ imageOnly: true, pages: 1 });
    const copyFile = writeFixture('scanned-copy.pdf', copy.bytes);
    tool('pdftoppm', ['-r', '144', '-png', copyFile, copyFile]);
    const seen = tool('tesseract', [`${copyFile}-1.png`, '-', '--psm', '4']).toString().toUpperCase();
    expect(seen).toContain('EFFUSION');
    expect(says(seen)).toBe(false);
  }, options.timeoutMs);

  it('a WebP picture is decoded and read', async () => {
    const report = await check(webp);
    expect(report.document.subtype).toBe('webp');
    expect({ width: report.document.width, height: report.document.height }).toEqual({ width: 800, height: 600 });
    expect(report.document.pictureText).toBe('read');
    expect(report.findings.some((f) => says(f.value, [NAME]))).toBe(true);
  }, options.timeoutMs);

  it('a HEIC picture this browser cannot decode is unreadable with the reason, and gets no copy', async () => {
    const report = await check(heic);
    expect(report.verdict).toBe('unreadable');
    expect(report.reason).toContain('this browser cannot decode HEIC pictures');
    const answer = await one({ type: 'clean-document', file: b64(heic), plan: planOf(report) });
    expect(answer.type).toBe('error');
    expect(answer.type === 'error' && answer.reason).toMatch(/could not be checked completely/);
  }, options.timeoutMs);

  it('a damaged PDF comes back unreadable with a reason, its preview an error, not a hang', async () => {
    const report = await check(damaged);
    expect(report.verdict).toBe('unreadable');
    expect(report.reason).toMatch(/damaged|could not be opened/);
    const answer = await one({ type: 'document-preview', file: b64(damaged), page: 1, maxSide: 300 });
    expect(answer.type).toBe('error');
    expect(answer.type === 'error' && answer.reason).toMatch(/damaged|could not be opened/);
  }, options.timeoutMs);

  it('previews: a picture as stored and a PDF page, at the size asked, the regions where the scale puts them', async () => {
    const picture = await preview(screenshot.png, undefined, 400);
    expect({ width: picture.width, height: picture.height, scale: picture.scale }).toEqual({ width: 400, height: 300, scale: 0.5 });
    const nameBox = screenshot.lines[0]!.box;
    // White text on a dark picture: bright pixels where the name is, none in the dark band beside it.
    expect(pixelsIn(picture, nameBox, (g) => g > 160)).toBeGreaterThan(20);
    expect(pixelsIn(picture, { ...nameBox, y: nameBox.y + 2 * PATIENT_LINES[2]!.size + 60 }, (g) => g > 160)).toBe(0);
    // Smaller than asked: as it is.
    const whole = await preview(screenshot.png, undefined, 2000);
    expect({ width: whole.width, height: whole.height, scale: whole.scale }).toEqual({ width: 800, height: 600, scale: 1 });

    const report = await check(pdf);
    const line = report.findings.find((f) => f.tag === 'pdf:text' && f.region?.page === 1 && says(f.value, [NAME]))!.region!;
    const page = await preview(pdf, 1, 500);
    // A4 (595 x 842 points) at most 500 pixels high; the scale is preview pixels per region pixel (2 per point).
    expect(page.height).toBe(500);
    expect(page.width).toBe(Math.ceil((595 * 500) / 842));
    expect(page.scale).toBeCloseTo(500 / (842 * 2), 3);
    expect(pixelsIn(page, line, (g) => g < 128)).toBeGreaterThan(20);
    // The page's right margin, beside the line, is white.
    expect(pixelsIn(page, { x: 1100, y: line.y, width: 60, height: line.height }, (g) => g < 250)).toBe(0);
    const missing = await one({ type: 'document-preview', file: b64(pdf), page: 3, maxSide: 500 });
    expect(missing.type === 'error' && missing.reason).toBe('the PDF has no page 3');
  }, options.timeoutMs);
}
