// The page side of the text worker: starts it on first use, sends it pictures one request at a time,
// reports progress, and fails a request that takes too long or when the worker dies (never a hang).

import type { Image8 } from '../../core/text/detection';
import type { PictureTerms } from '../../core/text/meaning';
import type { PictureText } from '../../core/text/picture-text';
import type { FromTextWorker, ToTextWorker } from './protocol';

export interface ReadOptions {
  onProgress?: (done: number, total: number) => void;
  /** Give up after this long (the reason says so). */
  timeoutMs?: number;
}

/** Reading one picture's text can take a few seconds on a slow machine; more than this is a failure. */
const DEFAULT_TIMEOUT_MS = 60_000;

interface Pending {
  resolve(text: PictureText): void;
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
    const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'spg-text' });
    worker.onmessage = (event: MessageEvent) => this.receive(event.data as FromTextWorker);
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      this.failAll('the text reader stopped unexpectedly');
    };
    this.worker = worker;
    return worker;
  }

  private post(message: ToTextWorker, transfer: Transferable[] = []): void {
    this.start().postMessage(message, transfer);
  }

  /** Starts loading the models, so the first picture does not wait for them. */
  warmUp(): void {
    this.post({ type: 'warm-up' });
  }

  readImage(image: Image8, terms: PictureTerms, options: ReadOptions = {}): Promise<PictureText> {
    const id = this.nextId++;
    return new Promise<PictureText>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error('reading the text in the picture took too long'));
      }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer, ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
      this.post({ type: 'read-image', id, image, terms });
    });
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
    if (message.type === 'result') pending.resolve(message.text);
    else pending.reject(new Error(message.reason));
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
