// Checks a PDF (a radiology report, a scan saved as PDF) with pdf.js: its metadata (Author, Title, Subject,
// Keywords, Creator, XMP), the lines of its pages' text layer, and pages without a text layer drawn and read
// as pictures. Labels ("Patient:", "DOB:", "MRN:", "Accession", "Referring physician") say what the other
// lines repeat. pdf.js runs in this thread (the host's worker): no eval, no fetching, no font loading.

import type { Finding, FindingRegion, Verdict } from '../report';
import type { Image8 } from '../text/detection';
import { documentTerms, lineMeaning, medicalText } from './document-text';
import { pictureTextFindings } from './picture-check';
import type { DocumentHost, DocumentLimits, DocumentReport } from './document-check';

/** Regions of PDF pages are in pixels of the page drawn at 2 pixels per PDF point (144 dpi). */
export const PDF_PAGE_SCALE = 2;
/** The most pixels one page is drawn with (a poster-sized page is drawn smaller, its regions scaled back). */
const MAX_PAGE_PIXELS = 16_000_000;
/** A page with fewer letters and digits than this in its text layer is read as a picture. */
const MIN_TEXT_CHARS = 20;

/** What the host adds to pdf.js's options: local folders of its font data, CMaps and WebAssembly, and a canvas factory in a worker. */
export interface PdfHost {
  options?: Record<string, unknown>;
}

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
export type PdfDocument = Awaited<ReturnType<PdfJs['getDocument']>['promise']>;
type PdfPage = Awaited<ReturnType<PdfDocument['getPage']>>;

let pdfjsModule: Promise<PdfJs> | undefined;

/** pdf.js, with its worker code loaded into this thread (the host is already a worker). */
export function loadPdfJs(): Promise<PdfJs> {
  pdfjsModule ??= (async () => {
    const [lib, worker] = await Promise.all([import('pdfjs-dist/legacy/build/pdf.mjs'), import('pdfjs-dist/legacy/build/pdf.worker.mjs')]);
    (globalThis as { pdfjsWorker?: unknown }).pdfjsWorker = worker;
    return lib;
  })();
  return pdfjsModule;
}

export class PdfOpenError extends Error {
  override readonly name = 'PdfOpenError';
}

/** Opens a PDF from its bytes. Throws PdfOpenError with a plain reason (encrypted, damaged). */
export async function openPdf(bytes: Uint8Array, host: PdfHost | undefined): Promise<PdfDocument> {
  const pdfjs = await loadPdfJs();
  const task = pdfjs.getDocument({
    // pdf.js takes the buffer over: a copy, so the caller's bytes stay as they are.
    data: bytes.slice(),
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    useWorkerFetch: false,
    disableAutoFetch: true,
    disableStream: true,
    disableRange: true,
    enableXfa: false,
    stopAtErrors: false,
    verbosity: 0,
    ...host?.options,
  });
  try {
    return await task.promise;
  } catch (e) {
    try {
      await task.destroy();
    } catch {
      // Nothing was opened to close.
    }
    const name = (e as { name?: string }).name;
    if (name === 'PasswordException') throw new PdfOpenError('the PDF is protected by a password, so it could not be read');
    if (name === 'InvalidPDFException') throw new PdfOpenError('the PDF is damaged (it could not be opened)');
    throw new PdfOpenError('the PDF could not be opened (it is damaged or uses a form this tool does not read)');
  }
}

/** A line of a page's text layer and where it is, in pixels of the page at PDF_PAGE_SCALE. */
export interface PageLine {
  text: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

interface TextItemLike {
  str?: string;
  transform?: number[];
  width?: number;
  height?: number;
  hasEOL?: boolean;
}

/** The lines of a page's text layer: items on the same baseline joined, with their bounding rectangle. */
export async function pageLines(page: PdfPage): Promise<PageLine[]> {
  const viewport = page.getViewport({ scale: PDF_PAGE_SCALE });
  const content = await page.getTextContent();
  const lines: PageLine[] = [];
  let current: (PageLine & { baseline: number; right: number }) | undefined;
  const flush = (): void => {
    if (current && current.text.trim()) {
      lines.push({ text: current.text.replace(/\s+/g, ' ').trim(), x: current.x, y: current.y, width: current.width, height: current.height });
    }
    current = undefined;
  };
  const [va, vb, vc, vd, ve, vf] = viewport.transform as [number, number, number, number, number, number];
  for (const raw of content.items as TextItemLike[]) {
    const str = raw.str ?? '';
    const t = raw.transform;
    if (!t || t.length < 6) continue;
    // The item's origin and size in viewport pixels.
    const x = va * t[4]! + vc * t[5]! + ve;
    const y = vb * t[4]! + vd * t[5]! + vf;
    const size = Math.max(1, Math.hypot(t[2]!, t[3]!) * viewport.scale);
    const width = Math.max(0, (raw.width ?? 0) * viewport.scale);
    if (str.trim()) {
      const top = y - size;
      if (current && Math.abs(current.baseline - y) <= size * 0.5 && x >= current.x - size) {
        const gap = x - current.right;
        current.text += gap > size * 0.15 && !current.text.endsWith(' ') && !str.startsWith(' ') ? ` ${str}` : str;
        const left = Math.min(current.x, x);
        const right = Math.max(current.right, x + width);
        const upper = Math.min(current.y, top);
        const lower = Math.max(current.y + current.height, y + size * 0.25);
        current.x = left;
        current.right = right;
        current.y = upper;
        current.width = right - left;
        current.height = lower - upper;
      } else {
        flush();
        current = { text: str, x, y: top, width, height: size * 1.25, baseline: y, right: x + width };
      }
    } else if (current && str) {
      current.text += ' ';
    }
    if (raw.hasEOL) flush();
  }
  flush();
  return lines.map((l) => ({ ...l, x: Math.floor(l.x), y: Math.floor(l.y), width: Math.ceil(l.width) + 1, height: Math.ceil(l.height) + 1 }));
}

interface AnnotationLike {
  rect?: number[];
  contentsObj?: { str?: string };
  titleObj?: { str?: string };
  fieldValue?: unknown;
  alternativeText?: string;
}

/**
 * The text of a page's annotations (comments, their authors, filled form fields), each with its rectangle
 * in pixels at PDF_PAGE_SCALE: not part of the text layer, but drawn on the page and so in a copy.
 */
export async function annotationLines(page: PdfPage): Promise<PageLine[]> {
  const viewport = page.getViewport({ scale: PDF_PAGE_SCALE });
  const out: PageLine[] = [];
  for (const a of (await page.getAnnotations()) as AnnotationLike[]) {
    const texts = [a.contentsObj?.str, a.titleObj?.str, a.alternativeText, typeof a.fieldValue === 'string' ? a.fieldValue : undefined]
      .filter((t): t is string => typeof t === 'string' && t.trim().length > 0);
    if (texts.length === 0 || !a.rect || a.rect.length < 4) continue;
    const [x1, y1, x2, y2] = viewport.convertToViewportRectangle(a.rect) as [number, number, number, number];
    // Whole pixels around the rectangle (a hair of rounding error is not a pixel).
    const x = Math.floor(Math.min(x1, x2) + 1e-6);
    const y = Math.floor(Math.min(y1, y2) + 1e-6);
    out.push({ text: texts.join(' ').replace(/\s+/g, ' ').trim(), x, y, width: Math.ceil(Math.abs(x2 - x1) - 1e-6) + 1, height: Math.ceil(Math.abs(y2 - y1) - 1e-6) + 1 });
  }
  return out;
}

/** The scale a page is drawn at, at most PDF_PAGE_SCALE and MAX_PAGE_PIXELS. */
export function drawScale(page: PdfPage): number {
  const base = page.getViewport({ scale: 1 });
  return Math.min(PDF_PAGE_SCALE, Math.sqrt(MAX_PAGE_PIXELS / Math.max(1, base.width * base.height)));
}

interface CanvasAndContext {
  canvas: unknown;
  context: { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } & Record<string, unknown>;
}
interface CanvasFactoryLike {
  create(width: number, height: number): CanvasAndContext;
  destroy(canvasAndContext: CanvasAndContext): void;
}

/**
 * A page drawn as pdf.js shows it, in RGB, at `scale` (white behind). Throws when no canvas can be made here
 * (the host then passes a CanvasFactory in its pdf.js options).
 */
export async function drawPage(doc: PdfDocument, page: PdfPage, scale: number): Promise<Image8> {
  const viewport = page.getViewport({ scale });
  const width = Math.max(1, Math.ceil(viewport.width));
  const height = Math.max(1, Math.ceil(viewport.height));
  const factory = (doc as unknown as { canvasFactory?: CanvasFactoryLike }).canvasFactory;
  if (!factory) throw new Error('no canvas to draw pages on');
  const target = factory.create(width, height);
  try {
    const context = target.context as unknown as { fillStyle: string; fillRect(x: number, y: number, w: number, h: number): void };
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, width, height);
    await page.render({ canvasContext: target.context as never, canvas: target.canvas as never, viewport, background: 'rgb(255,255,255)' } as never).promise;
    const rgba = target.context.getImageData(0, 0, width, height).data;
    const rgb = new Uint8Array(width * height * 3);
    for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
      rgb[i] = rgba[j]!;
      rgb[i + 1] = rgba[j + 1]!;
      rgb[i + 2] = rgba[j + 2]!;
    }
    return { width, height, channels: 3, data: rgb };
  } finally {
    factory.destroy(target);
  }
}

function finding(tag: string, keyword: string, category: Finding['category'], severity: Finding['severity'], value: string | undefined, note?: string): Finding {
  const f: Finding = { tag, keyword, category, severity, sequence: [], private: false };
  if (value !== undefined) f.value = value.length > 1024 ? `${value.slice(0, 1023)}…` : value;
  if (note) f.note = note;
  return f;
}

/** Text of an info or XMP value (strings, arrays of them, language alternatives). */
function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (Array.isArray(value)) return value.map(textOf).filter((v): v is string => v !== undefined).join('; ') || undefined;
  if (value && typeof value === 'object') return textOf(Object.values(value as Record<string, unknown>));
  return undefined;
}

/** Findings of the document's information dictionary and XMP metadata. */
function metadataFindings(info: Record<string, unknown>, xmp: Record<string, unknown>, terms: Parameters<typeof lineMeaning>[1]): Finding[] {
  const out: Finding[] = [];
  const text = (tag: string, keyword: string, value: string): void => {
    const meaning = lineMeaning(value, terms);
    // A title such as "Radiology report" says nothing of anyone: only what identifies is more than low.
    if (meaning?.severity === 'high') out.push(finding(tag, keyword, meaning.category, meaning.severity, value, `the document's ${keyword.toLowerCase()} ${meaning.note}`));
    else out.push(finding(tag, keyword, 'free-text', 'low', value, `the document's ${keyword.toLowerCase()}`));
  };
  const person = (tag: string, keyword: string, value: string): void => {
    const meaning = lineMeaning(value, terms);
    const severity = meaning?.meaning.repeats.includes('name') ? 'high' : 'medium';
    out.push(finding(tag, keyword, 'name', severity, value, severity === 'high' ? "the document's author repeats the patient's name" : 'the name of who wrote the document'));
  };
  for (const [key, raw] of Object.entries(info)) {
    const value = textOf(raw);
    if (value === undefined) continue;
    if (key === 'Author') person('pdf:Author', 'Author', value);
    else if (key === 'Title' || key === 'Subject' || key === 'Keywords') text(`pdf:${key}`, key, value);
    else if (key === 'Creator' || key === 'Producer') out.push(finding(`pdf:${key}`, key, 'device', 'low', value));
    else if (key === 'CreationDate' || key === 'ModDate') out.push(finding(`pdf:${key}`, key, 'dates', 'low', value));
    else if (key === 'Custom' && raw && typeof raw === 'object') {
      for (const [name, v] of Object.entries(raw as Record<string, unknown>)) {
        const t = textOf(v);
        if (t !== undefined) text(`pdf:Custom:${name}`, name, t);
      }
    }
  }
  for (const [key, raw] of Object.entries(xmp)) {
    const value = textOf(raw);
    if (value === undefined) continue;
    const tag = `xmp:${key}`;
    if (/^dc:(creator|contributor|publisher)$/.test(key) || /:(author|authors|owner)$/i.test(key)) person(tag, key, value);
    else if (/^(dc:title|dc:description|dc:subject|pdf:keywords)$/.test(key)) text(tag, key, value);
    else if (/^(xmp:creatortool|pdf:producer)$/.test(key)) out.push(finding(tag, key, 'device', 'low', value));
    else if (/date/i.test(key)) out.push(finding(tag, key, 'dates', 'low', value));
    else if (/^xmpmm:/i.test(key)) out.push(finding(tag, key, 'uids', 'low', value));
    else {
      const meaning = lineMeaning(value, terms);
      if (meaning) out.push(finding(tag, key, meaning.category, meaning.severity, value, `metadata ${meaning.note}`));
    }
  }
  return out;
}

function verdictOf(findings: readonly Finding[], problem: string | undefined, looksMedical: boolean): Verdict {
  if (problem !== undefined) return 'unreadable';
  if (findings.some((f) => f.severity !== 'low')) return 'identifying';
  return looksMedical ? 'clean' : 'not-medical';
}

/** Whether a page's text layer holds enough text to be read as text. */
function hasTextLayer(lines: readonly PageLine[]): boolean {
  return lines.reduce((n, l) => n + (l.text.match(/[\p{L}\p{N}]/gu)?.length ?? 0), 0) >= MIN_TEXT_CHARS;
}

/** Checks a PDF's bytes. Never throws for a bad PDF; engine failures reject. */
export async function checkPdf(bytes: Uint8Array, host: DocumentHost, limits: DocumentLimits): Promise<DocumentReport> {
  let doc: PdfDocument;
  try {
    doc = await openPdf(bytes, host.pdf);
  } catch (e) {
    const reason = e instanceof PdfOpenError ? e.message : 'the PDF could not be opened';
    return { format: 'pdf', verdict: 'unreadable', reason, findings: [], document: { kind: 'pdf', looksMedical: false, pictureText: 'not-read', reason } };
  }
  try {
    const problems: string[] = [];
    const pages = doc.numPages;
    if (pages === 0) problems.push('the PDF has no pages (it is damaged)');
    const textPages = Math.min(pages, limits.pdfTextPages);
    if (pages > textPages) problems.push(`only the first ${textPages} of its ${pages} pages were checked`);
    // The text layer of every page read, first; pages without one are read as pictures after.
    const layers: Array<{ number: number; lines: PageLine[] }> = [];
    const notes: Array<{ number: number; lines: PageLine[] }> = [];
    const scanned: number[] = [];
    for (let number = 1; number <= textPages; number++) {
      try {
        const page = await doc.getPage(number);
        const lines = await pageLines(page);
        if (hasTextLayer(lines)) layers.push({ number, lines });
        else scanned.push(number);
        const annotations = await annotationLines(page);
        if (annotations.length > 0) notes.push({ number, lines: annotations });
        page.cleanup();
      } catch {
        problems.push(`page ${number} could not be read (it is damaged)`);
      }
    }
    let meta: { info?: unknown; metadata?: Iterable<[string, unknown]> | null } = {};
    try {
      meta = (await doc.getMetadata()) as typeof meta;
    } catch {
      problems.push('its metadata could not be read (it is damaged)');
    }
    const info = (meta.info && typeof meta.info === 'object' ? meta.info : {}) as Record<string, unknown>;
    // pdf.js's XMP metadata: its entries (dc:creator, xmp:createdate...), parsed from the packet.
    const xmp: Record<string, unknown> = meta.metadata ? Object.fromEntries(meta.metadata) : {};
    const allLines = [...layers, ...notes].flatMap((l) => l.lines.map((x) => x.text));
    const terms = documentTerms(allLines);
    const findings: Finding[] = [];
    const pageText = layers.map((l) => ({ ...l, tag: 'pdf:text', keyword: 'PageText', where: 'text on the page' }));
    const noteText = notes.map((l) => ({ ...l, tag: 'pdf:annotation', keyword: 'Annotation', where: 'a comment or form field on the page' }));
    for (const layer of [...pageText, ...noteText]) {
      for (const line of layer.lines) {
        const meaning = lineMeaning(line.text, terms);
        if (!meaning) continue;
        findings.push({
          ...finding(layer.tag, layer.keyword, meaning.category, meaning.severity, line.text, `${layer.where}: ${meaning.note}`),
          region: { page: layer.number, x: line.x, y: line.y, width: line.width, height: line.height },
          text: { repeats: [...meaning.meaning.repeats], looksLike: [...meaning.meaning.looksLike] },
        });
      }
    }
    let looksMedical = medicalText(allLines.join('\n'));
    const document: DocumentReport['document'] = { kind: 'pdf', pages, textPages: layers.length, scannedPages: 0, pageScale: PDF_PAGE_SCALE, looksMedical, pictureText: 'none' };
    const marks: FindingRegion[] = [];
    if (scanned.length > 0) {
      const toRead = scanned.slice(0, limits.pdfScannedPages);
      if (scanned.length > toRead.length) problems.push(`only ${toRead.length} of its ${scanned.length} pages without text were read as pictures`);
      if (!host.engine || limits.pictureText === 'never') {
        problems.push(`${scanned.length} of its pages have no text layer and were not read as pictures`);
        document.pictureText = 'not-read';
      } else {
        const engine = await host.engine();
        document.pictureText = 'read';
        const names = terms.names;
        for (const number of toRead) {
          let image: Image8;
          let scale: number;
          try {
            const page = await doc.getPage(number);
            scale = drawScale(page);
            image = await drawPage(doc, page, scale);
            page.cleanup();
          } catch {
            problems.push(`page ${number} has no text layer and could not be drawn to be read`);
            document.pictureText = 'not-read';
            continue;
          }
          const k = PDF_PAGE_SCALE / scale;
          const toRegion = (r: { x: number; y: number; width: number; height: number }): FindingRegion => ({
            page: number, x: Math.floor(r.x * k), y: Math.floor(r.y * k), width: Math.ceil(r.width * k), height: Math.ceil(r.height * k),
          });
          const read = await pictureTextFindings(image, engine, names, toRegion, false);
          findings.push(...read.findings);
          marks.push(...read.marks);
          if (read.looksMedical || medicalText(read.lines.join('\n'))) looksMedical = true;
          document.scannedPages = (document.scannedPages ?? 0) + 1;
        }
      }
    }
    // Metadata last: its values compared with what the pages say (an author who is the patient).
    findings.push(...metadataFindings(info, xmp, terms));
    document.looksMedical = looksMedical;
    const reason = problems.length > 0 ? [...new Set(problems)].join('; ') : undefined;
    if (reason !== undefined) document.reason = reason;
    const picture = marks.length > 0 ? { status: 'read' as const, marks } : undefined;
    return { format: 'pdf', verdict: verdictOf(findings, reason, looksMedical), ...(reason !== undefined ? { reason } : {}), findings, document, ...(picture ? { picture } : {}) };
  } finally {
    await closePdf(doc);
  }
}

/** Closes a document; one that is already closed says nothing. */
export async function closePdf(doc: PdfDocument): Promise<void> {
  try {
    await doc.destroy();
  } catch {
    // Already closed.
  }
}
