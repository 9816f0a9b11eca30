// Messages between an extension page and its text worker (src/ui/text/worker.ts), which finds and reads
// the text drawn into pictures away from the page's thread.

import type { Image8 } from '../../core/text/detection';
import type { PictureTerms } from '../../core/text/meaning';
import type { PictureText } from '../../core/text/picture-text';

export type ToTextWorker =
  /** Load the models now, before the first picture arrives. */
  | { type: 'warm-up' }
  /** Read the text in one decoded picture (a photo or screenshot the page decoded). */
  | { type: 'read-image'; id: number; image: Image8; terms: PictureTerms };

export type FromTextWorker =
  | { type: 'progress'; id: number; done: number; total: number }
  | { type: 'result'; id: number; text: PictureText }
  /** The request failed; `reason` in plain words, never a value from the file. */
  | { type: 'error'; id: number; reason: string };
