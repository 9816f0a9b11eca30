// The page side of the text worker: starts it on first use, sends it pictures (and pictures and PDFs to check
// and clean), reports progress, and fails a request that takes too long or when the worker dies (never a
// hang). Previews are answered between reads.

import type { Image8 } from '../../core/text/detection';
import type { PictureTerms } from '../../core/text/meaning';
import type { PictureText } from '../../core/text/picture-text';
import type { DocumentReport } from '../../core/documents/document-check';
import type { CleanedDocument, DocumentPlan } from '../../core/documents/document-clean';
import type { FromTextWorker, PicturePreview, ToTextWorker } from './protocol';

export interface ReadOptions {
  onProgress?: (done: number, total: number) => void;
  /** Give up after this long (the reason says so). */
  timeoutMs?: number;
}

/** Reading one picture's text takes seconds on a slow machine, a long cine loop more: beyond this it failed. */
const DEFAULT_TIMEOUT_MS = 120_000;
const PREVIEW_TIMEOUT_MS = 30_000;

type Answer = Extract<FromTextWorker, { type: 'result' | 'preview' | 'frame' | 'document' | 'cleaned' }>;

interface Pending {
  resolve(answer: Answer): void;
  reject(e: Error): void;
  onProgress?: ReadOptions['onProgress'];
  timer: ReturnType<typeof setTimeout>;
}

export class TextReader {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./text-worker.ts', import.meta.url), { type: 'module', name: 'spg-text' });
    worker.onmessage = (event: MessageEvent) => this.receive(event.data as FromTextWorker);
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      this.failAll('the text reader stopped unexpectedly');
    };
    this.worker = worker;
    return worker;
  }

  /** Starts loading the models, so the first picture does not wait for them. */
  warmUp(): void {
    this.start().postMessage({ type: 'warm-up' } satisfies ToTextWorker);
  }

  private ask(message: ToTextWorker & { id: number }, timeoutMs: number, onProgress?: ReadOptions['onProgress'], tooLong = 'reading the picture took too long'): Promise<Answer> {
    return new Promise<Answer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(message.id);
        reject(new Error(tooLong));
      }, timeoutMs);
      this.pending.set(message.id, { resolve, reject, timer, ...(onProgress ? { onProgress } : {}) });
      this.start().postMessage(message);
    });
  }

  /** The text in the picture of a DICOM file (a File of the upload, or a zip entry's bytes as a Blob). */
  async readDicom(file: Blob, terms: PictureTerms, options: ReadOptions = {}): Promise<PictureText> {
    const answer = await this.ask({ type: 'read-dicom', id: this.nextId++, file, terms }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS, options.onProgress);
    if (answer.type !== 'result') throw new Error('the text reader answered out of turn');
    return answer.text;
  }

  /** The text in a picture already decoded (a photo, a screenshot). */
  async readImage(image: Image8, terms: PictureTerms, options: ReadOptions = {}): Promise<PictureText> {
    const answer = await this.ask({ type: 'read-image', id: this.nextId++, image, terms }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS, options.onProgress);
    if (answer.type !== 'result') throw new Error('the text reader answered out of turn');
    return answer.text;
  }

  /** A frame (1-based) of a DICOM file's picture, at most `maxSide` pixels on its longer side. */
  async preview(file: Blob, frame: number, maxSide: number): Promise<PicturePreview> {
    const answer = await this.ask({ type: 'preview', id: this.nextId++, file, frame, maxSide }, PREVIEW_TIMEOUT_MS);
    if (answer.type !== 'preview') throw new Error('the text reader answered out of turn');
    return answer.preview;
  }

  /** Checks a picture or PDF that is not DICOM (a File of the upload, or a zip entry's bytes as a Blob). */
  async checkDocument(file: Blob, options: ReadOptions = {}): Promise<DocumentReport> {
    const answer = await this.ask({ type: 'check-document', id: this.nextId++, file }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS, options.onProgress, 'checking the file took too long');
    if (answer.type !== 'document') throw new Error('the text reader answered out of turn');
    return answer.report;
  }

  /** The cleaned copy of a picture or PDF, as `plan` says (documentPlans of the scan's reports). */
  async cleanDocument(file: Blob, plan: DocumentPlan, options: ReadOptions = {}): Promise<CleanedDocument> {
    const answer = await this.ask({ type: 'clean-document', id: this.nextId++, file, plan }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS, options.onProgress, 'making the cleaned copy took too long');
    if (answer.type !== 'cleaned') throw new Error('the text reader answered out of turn');
    return answer.cleaned;
  }

  /**
   * A picture as it is stored (`page` undefined), or page `page` (1-based) of a PDF, at most `maxSide`
   * pixels on its longer side; its `scale` is preview pixels per pixel of the report's regions.
   */
  async documentPreview(file: Blob, page: number | undefined, maxSide: number): Promise<PicturePreview> {
    const answer = await this.ask({ type: 'document-preview', id: this.nextId++, file, ...(page !== undefined ? { page } : {}), maxSide }, PREVIEW_TIMEOUT_MS, undefined, 'drawing the preview took too long');
    if (answer.type !== 'preview') throw new Error('the text reader answered out of turn');
    return answer.preview;
  }

  private receive(message: FromTextWorker): void {
    const pending = this.pending.get(message.id);
    if (!pending) return;
    if (message.type === 'progress') {
      pending.onProgress?.(message.done, message.total);
      return;
    }
    clearTimeout(pending.timer);
    this.pending.delete(message.id);
    if (message.type === 'error') pending.reject(new Error(message.reason));
    else pending.resolve(message);
  }

  private failAll(reason: string): void {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new Error(reason));
      this.pending.delete(id);
    }
    this.worker?.terminate();
    this.worker = undefined;
  }

  close(): void {
    this.failAll('the text reader was closed');
  }
}
