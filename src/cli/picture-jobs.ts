// The CLI's side of its picture worker (./picture-worker.ts): reads the text in pictures for the engine's
// scan (a PictureReading), a file by its path or a zip entry by its bytes, with a time limit per picture.

import { JobWorker } from './job-worker';
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

export class PictureWorker implements PictureReading {
  private readonly jobs = new JobWorker<PictureJob, PictureJobResult>('picture-worker', {
    stopped: 'the text reader stopped',
    timeoutMs: PICTURE_TIMEOUT_MS,
    stopWhenStuck: false,
  });

  readonly onProgress?: PictureReading['onProgress'];

  /** `fileOf(input)`: the absolute path of a top-level input, when it is a file on disk. */
  constructor(private readonly fileOf: (input: number) => string | undefined, onProgress?: PictureReading['onProgress']) {
    if (onProgress) this.onProgress = onProgress;
  }

  async read(request: PictureRequest): Promise<PictureText> {
    const file = request.nested ? undefined : this.fileOf(request.input);
    const job: PictureJob = { id: this.jobs.nextId(), terms: request.terms };
    if (file !== undefined) job.file = file;
    else {
      if (request.source.size > MAX_ENTRY_BYTES) throw new Error('it is too large to read inside the archive');
      job.bytes = await request.source.read(0, request.source.size);
    }
    const result = await this.jobs.run(job, [], 'reading the text in its picture took too long');
    if ('text' in result) return result.text;
    throw new Error(result.error);
  }

  /** Stops the worker (after the jobs in hand). */
  close(): Promise<void> {
    return this.jobs.close();
  }
}
