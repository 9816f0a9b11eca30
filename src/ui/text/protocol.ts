// Messages between an extension page and its text worker (src/ui/text/text-worker.ts), which decodes pictures
// and finds and reads the text drawn into them away from the page's thread, and checks and cleans pictures and
// PDFs that are not DICOM.

import type { Image8 } from '../../core/text/detection';
import type { NativeFrame } from '../../core/pixels/frame';
import type { PictureTerms } from '../../core/text/meaning';
import type { PictureText } from '../../core/text/picture-text';
import type { DocumentReport } from '../../core/documents/document-check';
import type { CleanedDocument, DocumentPlan } from '../../core/documents/document-clean';

/** A picture small enough to show: RGBA, row by row, and how many of its pixels one of the original's is. */
export interface PicturePreview {
  width: number;
  height: number;
  /**
   * Preview pixels per pixel of the report's regions (at most 1): the stored image of a DICOM frame or a
   * picture, a PDF page's pixels at PDF_PAGE_SCALE (core/documents/pdf-check.ts).
   */
  scale: number;
  rgba: Uint8ClampedArray<ArrayBuffer>;
}

export type ToTextWorker =
  /** Load the models now, before the first picture arrives. */
  | { type: 'warm-up' }
  /** Read the text in a DICOM file's picture (a file of the upload, or the bytes of a zip entry). */
  | { type: 'read-dicom'; id: number; file: Blob; terms: PictureTerms }
  /** Read the text in one decoded picture (a photo or screenshot the page decoded). */
  | { type: 'read-image'; id: number; image: Image8; terms: PictureTerms }
  /** A frame (1-based) of a DICOM file's picture, shrunk to at most `maxSide` pixels, to show. */
  | { type: 'preview'; id: number; file: Blob; frame: number; maxSide: number }
  /** A frame (1-based) of a DICOM file's picture, decoded as it is stored (its pixels transferred back). */
  | { type: 'frame'; id: number; file: Blob; frame: number }
  /** Check a picture or PDF that is not DICOM (core/documents/document-check.ts). */
  | { type: 'check-document'; id: number; file: Blob }
  /** Make the cleaned copy of a picture or PDF, as its plan says (core/documents/document-clean.ts). */
  | { type: 'clean-document'; id: number; file: Blob; plan: DocumentPlan }
  /** A picture as it is stored (no `page`), or page `page` (1-based) of a PDF, at most `maxSide` pixels, to show. */
  | { type: 'document-preview'; id: number; file: Blob; page?: number; maxSide: number };

export type FromTextWorker =
  | { type: 'progress'; id: number; done: number; total: number }
  | { type: 'result'; id: number; text: PictureText }
  | { type: 'preview'; id: number; preview: PicturePreview }
  | { type: 'frame'; id: number; frame: NativeFrame; frameCount: number }
  | { type: 'document'; id: number; report: DocumentReport }
  /** The copy's bytes are transferred. */
  | { type: 'cleaned'; id: number; cleaned: CleanedDocument }
  /** The request failed; `reason` in plain words, never a value from the file. */
  | { type: 'error'; id: number; reason: string };
