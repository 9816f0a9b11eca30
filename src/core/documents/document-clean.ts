// What a cleaned copy of a picture or PDF masks (from the scan's report), and the entry point a host calls
// in its worker to make the copy: picture-clean.ts for pictures, pdf-clean.ts for PDFs.

import type { FileReport, Finding, FindingRegion } from '../report';
import type { ByteSource } from '../source';
import { sniff, SNIFF_BYTES } from '../sniff';
import { cleanPicture, PictureCleanError, type JpegEncoder } from './picture-clean';
import { cleanPdf, PdfCleanError } from './pdf-clean';
import { DEFAULT_DOCUMENT_LIMITS, type DocumentHost } from './document-check';

/** What a cleaned copy of one picture or PDF masks. */
export interface DocumentPlan {
  kind: 'image' | 'pdf';
  /** Regions to fill: stored pixels of a picture, or pixels of a PDF page at PDF_PAGE_SCALE (with `page`). */
  regions: FindingRegion[];
  /** EXIF orientation of a picture, kept in its copy. */
  orientation?: number;
  /** The file was checked completely (only such files get a cleaned copy). */
  checked: boolean;
  /** Why it was not, in plain words. */
  reason?: string;
}

/**
 * The plans of every picture and PDF of a scan (by report path, zip entries included): every region of a
 * finding (text read in the picture, identifying lines of a PDF page) and every box that could not be read;
 * `keep` returns true for a finding the person chose to leave visible (only text that does not repeat the
 * document's own values may be kept).
 */
export function documentPlans(reports: readonly FileReport[], keep: (finding: Finding, report: FileReport) => boolean = () => false): Map<string, DocumentPlan> {
  const plans = new Map<string, DocumentPlan>();
  const visit = (report: FileReport): void => {
    for (const entry of report.entries ?? []) visit(entry);
    if (!report.document) return;
    const regions: FindingRegion[] = [];
    const add = (r: FindingRegion): void => {
      if (!regions.some((o) => o.page === r.page && o.x === r.x && o.y === r.y && o.width === r.width && o.height === r.height)) regions.push({ ...r });
    };
    for (const f of report.findings) {
      if (!f.region) continue;
      if ((f.text?.repeats.length ?? 0) === 0 && keep(f, report)) continue;
      add(f.region);
    }
    for (const m of report.picture?.marks ?? []) add(m);
    plans.set(report.path, {
      kind: report.document.kind,
      regions,
      ...(report.document.orientation ? { orientation: report.document.orientation } : {}),
      checked: report.verdict !== 'unreadable',
      ...(report.reason !== undefined ? { reason: report.reason } : {}),
    });
  };
  reports.forEach(visit);
  return plans;
}

/** What cleaning needs besides the checks' host: an encoder for the re-encoded pictures and PDF pages. */
export interface DocumentCleanHost extends DocumentHost {
  jpeg?: JpegEncoder;
}

export interface CleanedDocument {
  bytes: Uint8Array;
  kind: 'image' | 'pdf';
  /** A PDF written anew from pictures of its pages: no text to select or search. */
  imageOnly: boolean;
  /** The picture (or every page) was decoded and encoded again. */
  reencoded: boolean;
  /** Regions filled. */
  masked: number;
  /** Pages of a PDF copy. */
  pages?: number;
}

export class DocumentCleanError extends Error {
  override readonly name = 'DocumentCleanError';
}

/**
 * Makes the cleaned copy of the picture or PDF in `source`, as `plan` says. Throws DocumentCleanError with a
 * plain reason when it cannot (the file was not checked completely; no encoder; damaged).
 */
export async function cleanDocument(source: ByteSource, plan: DocumentPlan, host: DocumentCleanHost, options: { margin?: number; maxPdfPages?: number; maxPixels?: number } = {}): Promise<CleanedDocument> {
  if (!plan.checked) throw new DocumentCleanError(`it could not be checked completely${plan.reason ? ` (${plan.reason})` : ''}, so no cleaned copy is made`);
  const sniffed = sniff(await source.read(0, SNIFF_BYTES), source.size);
  if (sniffed.kind !== plan.kind) throw new DocumentCleanError('it is not the file that was checked');
  const bytes = await source.read(0, source.size);
  try {
    if (sniffed.kind === 'image') {
      const cleaned = await cleanPicture(bytes, sniffed.format, plan.regions, host.jpeg ? { decoders: host.decoders, jpeg: host.jpeg } : { decoders: host.decoders }, {
        ...(plan.orientation ? { orientation: plan.orientation } : {}),
        ...(options.margin !== undefined ? { margin: options.margin } : {}),
        maxPixels: options.maxPixels ?? DEFAULT_DOCUMENT_LIMITS.maxPixels,
      });
      return { bytes: cleaned.bytes, kind: 'image', imageOnly: false, reencoded: cleaned.reencoded, masked: cleaned.masked };
    }
    const cleaned = await cleanPdf(bytes, plan.regions, host, { maxPages: options.maxPdfPages ?? DEFAULT_DOCUMENT_LIMITS.pdfTextPages, ...(options.margin !== undefined ? { margin: options.margin } : {}) });
    return { bytes: cleaned.bytes, kind: 'pdf', imageOnly: true, reencoded: true, masked: cleaned.masked, pages: cleaned.pages };
  } catch (e) {
    if (e instanceof PictureCleanError || e instanceof PdfCleanError) throw new DocumentCleanError(e.message);
    throw e;
  }
}
