// A cleaned copy of a PDF: every page drawn by pdf.js, its identifying lines filled with black, and the
// pages put together with pdf-lib as a new PDF of pictures only (JPEG pages, no text layer, no metadata, no
// links, forms, attachments or scripts), because removing text from a PDF in place is not reliable.

import type { FindingRegion } from '../report';
import { fillImageRegions, type JpegEncoder } from './picture-clean';
import { closePdf, drawPage, drawScale, openPdf, PdfOpenError, PDF_PAGE_SCALE, type PdfHost } from './pdf-check';

/** The JPEG quality of the pages of a cleaned PDF: text stays sharp at 144 dpi. */
const PAGE_QUALITY = 85;

export class PdfCleanError extends Error {
  override readonly name = 'PdfCleanError';
}

export interface CleanedPdf {
  bytes: Uint8Array;
  pages: number;
  /** Regions filled, over all pages. */
  masked: number;
}

/**
 * Draws every page with the regions of its `page` (pixels at PDF_PAGE_SCALE) masked and writes a new PDF of
 * those pictures, each page the size of the original's. Throws PdfCleanError with a plain reason.
 */
export async function cleanPdf(bytes: Uint8Array, regions: readonly FindingRegion[], host: { pdf?: PdfHost; jpeg?: JpegEncoder }, options: { maxPages: number; margin?: number }): Promise<CleanedPdf> {
  if (!host.jpeg) throw new PdfCleanError('no JPEG encoder is available here to write the cleaned pages');
  let doc;
  try {
    doc = await openPdf(bytes, host.pdf);
  } catch (e) {
    throw new PdfCleanError(e instanceof PdfOpenError ? e.message : 'the PDF could not be opened');
  }
  try {
    if (doc.numPages > options.maxPages) {
      throw new PdfCleanError(`only the first ${options.maxPages} of its ${doc.numPages} pages were checked, so no cleaned copy is made`);
    }
    const { PDFDocument } = await import('pdf-lib');
    // No information dictionary: pdf-lib would otherwise write its own producer and today's dates.
    const out = await PDFDocument.create({ updateMetadata: false });
    let masked = 0;
    for (let number = 1; number <= doc.numPages; number++) {
      const page = await doc.getPage(number);
      const scale = drawScale(page);
      let image;
      try {
        image = await drawPage(doc, page, scale);
      } catch {
        throw new PdfCleanError(`page ${number} could not be drawn here, so no cleaned copy is made`);
      }
      const k = scale / PDF_PAGE_SCALE;
      const own = regions
        .filter((r) => r.page === number)
        .map((r) => ({ x: r.x * k, y: r.y * k, width: r.width * k, height: r.height * k }));
      masked += fillImageRegions(image, own, Math.max(2, Math.round(2 * k)) + (options.margin ?? 0));
      const jpeg = await host.jpeg(image, PAGE_QUALITY);
      const size = page.getViewport({ scale: 1 });
      const embedded = await out.embedJpg(jpeg);
      const target = out.addPage([size.width, size.height]);
      target.drawImage(embedded, { x: 0, y: 0, width: size.width, height: size.height });
      page.cleanup();
    }
    return { bytes: await out.save({ useObjectStreams: true }), pages: doc.numPages, masked };
  } finally {
    await closePdf(doc);
  }
}
