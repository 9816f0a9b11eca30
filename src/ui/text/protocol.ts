// Messages between an extension page and its text worker (src/ui/text/text-worker.ts), which decodes pictures
// and finds and reads the text drawn into them away from the page's thread.

import type { Image8 } from '../../core/text/detection';
import type { NativeFrame } from '../../core/pixels/frame';
import type { PictureTerms } from '../../core/text/meaning';
import type { PictureText } from '../../core/text/picture-text';

/** A picture small enough to show: RGBA, row by row, and how many of its pixels one of the original's is. */
export interface PicturePreview {
  width: number;
  height: number;
  /** Preview pixels per pixel of the stored image (at most 1). */
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
  | { type: 'frame'; id: number; file: Blob; frame: number };

export type FromTextWorker =
  | { type: 'progress'; id: number; done: number; total: number }
  | { type: 'result'; id: number; text: PictureText }
  | { type: 'preview'; id: number; preview: PicturePreview }
  | { type: 'frame'; id: number; frame: NativeFrame; frameCount: number }
  /** The request failed; `reason` in plain words, never a value from the file. */
  | { type: 'error'; id: number; reason: string };
