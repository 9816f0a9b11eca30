// Checks one picture or PDF that is not DICOM: the entry point a host calls in its worker (the CLI's picture
// worker, the extension's text worker) with what it has to decode pictures, read their text and open PDFs.
// The result is a report without path and sizes, which the scan puts into the file's report.

import type { DocumentCheck, Finding, PictureCheck, Verdict } from '../report';
import type { ByteSource } from '../source';
import { sniff, SNIFF_BYTES } from '../sniff';
import type { TextEngine } from '../text/picture-text';
import type { PictureDecoderHost } from './picture-decode';
import { DEFAULT_DECODE_LIMITS } from './picture-decode';
import { checkPicture } from './picture-check';
import { checkPdf, type PdfHost } from './pdf-check';

/** What a host gives the document checks. */
export interface DocumentHost {
  /** Picture decoders (libjpeg-turbo codecs; WebP and HEIF decoders; a browser's own). */
  decoders: PictureDecoderHost;
  /** Starts the text engine (or gives the running one); asked only when a picture's text is to be read. */
  engine?: () => Promise<TextEngine>;
  /** How PDFs are opened and their pages drawn (pdf.js options the host needs). */
  pdf?: PdfHost;
}

export interface DocumentLimits {
  /** The largest picture decoded (width x height). */
  maxPixels: number;
  /** The largest file read into memory to be checked. */
  maxBytes: number;
  /** `when-plausible`: a picture's text is read when it looks like a medical image or viewer screen; `always`; `never`. */
  pictureText: 'when-plausible' | 'always' | 'never';
  /** PDF pages whose text layer is read (the first ones). */
  pdfTextPages: number;
  /** PDF pages without a text layer drawn and read as pictures (the first ones). */
  pdfScannedPages: number;
}

/**
 * Pictures up to 40 megapixels and 256 MB; of a PDF, the text layer of the first 200 pages (a few
 * milliseconds each) and the first 10 pages without one (a second or more each, read as pictures).
 */
export const DEFAULT_DOCUMENT_LIMITS: Readonly<DocumentLimits> = {
  maxPixels: DEFAULT_DECODE_LIMITS.maxPixels,
  maxBytes: 256 * 1024 * 1024,
  pictureText: 'when-plausible',
  pdfTextPages: 200,
  pdfScannedPages: 10,
};

/** What the check of a picture or PDF says: the file's report but for its path and sizes. */
export interface DocumentReport {
  format: 'image' | 'pdf';
  verdict: Verdict;
  reason?: string;
  findings: Finding[];
  document: DocumentCheck;
  /** For a picture whose text was read: frames 1, and the boxes that could not be read (masked in a copy). */
  picture?: PictureCheck;
}

function unreadable(format: 'image' | 'pdf', reason: string): DocumentReport {
  return { format, verdict: 'unreadable', reason, findings: [], document: { kind: format, looksMedical: false, pictureText: 'not-read', reason } };
}

/**
 * Checks the picture or PDF in `source`. Never throws for a bad file (it comes back `unreadable` with the
 * reason); rejects only when the host fails (the text engine could not start).
 */
export async function checkDocument(source: ByteSource, host: DocumentHost, limits: Partial<DocumentLimits> = {}): Promise<DocumentReport> {
  const l = { ...DEFAULT_DOCUMENT_LIMITS, ...limits };
  const sniffed = sniff(await source.read(0, SNIFF_BYTES), source.size);
  if (sniffed.kind !== 'image' && sniffed.kind !== 'pdf') return unreadable('image', 'it is neither a picture nor a PDF');
  if (source.size > l.maxBytes) {
    return unreadable(sniffed.kind, `it is too large to check here (${Math.round(source.size / 1e6)} MB; at most ${Math.round(l.maxBytes / 1e6)})`);
  }
  const bytes = await source.read(0, source.size);
  if (sniffed.kind === 'image') return checkPicture(bytes, sniffed.format, host, l);
  return checkPdf(bytes, host, l);
}
