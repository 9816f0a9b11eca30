// The CLI's side of its picture worker (./picture-worker.ts): reads the text in pictures for the engine's
// scan (a PictureReading), a file by its path or a zip entry by its bytes, with a time limit per picture.

import { Worker } from 'node:worker_threads';
import type { PictureReading, PictureRequest } from '../core/scan';
import type { PictureTerms } from '../core/text/meaning';
import type { PictureText, PictureTextOptions } from '../core/text/picture-text';

export interface PictureJob {
  id: number;
  /** An absolute path the worker opens itself, or the file's bytes (a zip entry). */
  file?: string;
  bytes?: Uint8Array;
  terms: PictureTerms;
  options?: Partial<Omit<PictureTextOptions, 'onFrame' | 'detection'>>;
}

export type PictureJobResult = { id: number; text: PictureText } | { id: number; error: string };

/** Reading one picture's text can take seconds on a slow machine; beyond this it counts as not read. */
const PICTURE_TIMEOUT_MS = 120_000;
/** The largest zip entry handed to the worker as bytes. */
const MAX_ENTRY_BYTES = 1024 * 1024 * 1024;

/**
 * The worker: the built script beside this bundle, or, when the CLI runs from the repository's sources
 * under tsx, the TypeScript source behind tsx's loader (which worker threads do not inherit).
 */
function startWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) {
    // Built: this module may be a shared chunk (dist/cli/chunks/); the worker is dist/cli/picture-worker.mjs.
    const here = new URL('.', import.meta.url);
    const base = here.pathname.endsWith('/chunks/') ? new URL('..', here) : here;
    return new Worker(new URL('picture-worker.mjs', base));
  }
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./picture-worker.ts', import.meta.url).href;
  return new Worker(`import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`, { eval: true });
}

export class PictureWorker implements PictureReading {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(text: PictureText): void; reject(e: Error): void; timer: NodeJS.Timeout }>();

  readonly onProgress?: PictureReading['onProgress'];

  /** `fileOf(input)`: the absolute path of a top-level input, when it is a file on disk. */
  constructor(private readonly fileOf: (input: number) => string | undefined, onProgress?: PictureReading['onProgress']) {
    if (onProgress) this.onProgress = onProgress;
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker();
    worker.on('message', (result: PictureJobResult) => {
      const pending = this.pending.get(result.id);
      if (!pending) return;
      this.pending.delete(result.id);
      clearTimeout(pending.timer);
      if ('text' in result) pending.resolve(result.text);
      else pending.reject(new Error(result.error));
    });
    const fail = (reason: string): void => {
      for (const [id, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(new Error(reason));
        this.pending.delete(id);
      }
      this.worker = undefined;
    };
    worker.on('error', (e) => fail(`the text reader stopped (${e.message})`));
    worker.on('exit', () => fail('the text reader stopped'));
    this.worker = worker;
    return worker;
  }

  async read(request: PictureRequest): Promise<PictureText> {
    const file = request.nested ? undefined : this.fileOf(request.input);
    const job: PictureJob = { id: this.nextId++, terms: request.terms };
    if (file !== undefined) job.file = file;
    else {
      if (request.source.size > MAX_ENTRY_BYTES) throw new Error('it is too large to read inside the archive');
      job.bytes = await request.source.read(0, request.source.size);
    }
    return new Promise<PictureText>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(job.id);
        reject(new Error('reading the text in its picture took too long'));
      }, PICTURE_TIMEOUT_MS);
      timer.unref();
      this.pending.set(job.id, { resolve, reject, timer });
      this.start().postMessage(job);
    });
  }

  /** Stops the worker (after the jobs in hand). */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    await new Promise<void>((resolve) => {
      worker.once('exit', () => resolve());
      worker.postMessage({ type: 'close' });
      setTimeout(() => void worker.terminate().then(() => resolve()), 10_000).unref();
    });
  }
}
