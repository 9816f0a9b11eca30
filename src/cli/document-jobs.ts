// The CLI's side of its document worker (./document-worker.ts): checks pictures and PDFs that are not DICOM
// for the engine's scan (a DocumentReading) and makes their cleaned copies for deidentify, off the main
// thread, with a time limit per file (past it the worker is stopped and started afresh for the next file).

import { Worker } from 'node:worker_threads';
import type { DocumentReading, DocumentRequest } from '../core/scan';
import type { DocumentReport, DocumentLimits } from '../core/documents/document-check';
import type { CleanedDocument, DocumentPlan } from '../core/documents/document-clean';
import type { ByteSource } from '../core/source';

export type DocumentJob =
  | { type: 'check'; id: number; file?: string; bytes?: Uint8Array; limits?: Partial<DocumentLimits> }
  | { type: 'clean'; id: number; bytes: Uint8Array; plan: DocumentPlan };

export type DocumentJobResult =
  | { id: number; report: DocumentReport }
  | { id: number; cleaned: CleanedDocument }
  | { id: number; error: string };

/**
 * A scanned PDF's ten pages take ten to thirty seconds to read on a slow machine; past five minutes a file
 * counts as not checked (a file pdf.js or a decoder loops on cannot hold the run).
 */
const DOCUMENT_TIMEOUT_MS = 300_000;
/** The largest file handed to the worker as bytes (a zip entry, a file to clean). */
const MAX_BYTES = 256 * 1024 * 1024;

/** The worker: the built script beside this bundle, or the TypeScript source behind tsx's loader. */
function startWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./document-worker.mjs', import.meta.url));
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./document-worker.ts', import.meta.url).href;
  return new Worker(`import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`, { eval: true });
}

interface Pending {
  resolve(result: DocumentJobResult): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

export class DocumentWorker implements DocumentReading {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  /**
   * `fileOf(input)`: the absolute path of a top-level input, when it is a file on disk (the worker reads it
   * itself). `limits`: the checks' limits (tests lower them).
   */
  constructor(private readonly fileOf: (input: number) => string | undefined = () => undefined, private readonly limits: Partial<DocumentLimits> = {}) {}

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker();
    worker.on('message', (result: DocumentJobResult) => {
      const pending = this.pending.get(result.id);
      if (!pending) return;
      this.pending.delete(result.id);
      clearTimeout(pending.timer);
      pending.resolve(result);
    });
    const fail = (reason: string): void => {
      if (this.worker === worker) this.worker = undefined;
      for (const [id, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(new Error(reason));
        this.pending.delete(id);
      }
    };
    worker.on('error', (e) => fail(`the document checker stopped (${e.message})`));
    worker.on('exit', () => fail('the document checker stopped'));
    this.worker = worker;
    return worker;
  }

  private run(job: DocumentJob, transfer: ArrayBuffer[], slow: string): Promise<DocumentJobResult> {
    return new Promise<DocumentJobResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(job.id);
        reject(new Error(slow));
        // A job that does not end would hold every later one: this worker goes, the next job starts another.
        const stuck = this.worker;
        this.worker = undefined;
        void stuck?.terminate();
      }, DOCUMENT_TIMEOUT_MS);
      timer.unref();
      this.pending.set(job.id, { resolve, reject, timer });
      this.start().postMessage(job, transfer);
    });
  }

  private static async bytesOf(source: ByteSource): Promise<Uint8Array> {
    if (source.size > MAX_BYTES) throw new Error(`it is too large to check here (${Math.round(source.size / 1e6)} MB)`);
    // A copy of its own, handed over to the worker.
    return (await source.read(0, source.size)).slice();
  }

  async read(request: DocumentRequest): Promise<DocumentReport> {
    const file = request.nested ? undefined : this.fileOf(request.input);
    const job: DocumentJob = { type: 'check', id: this.nextId++, limits: this.limits };
    if (file !== undefined) job.file = file;
    else job.bytes = await DocumentWorker.bytesOf(request.source);
    const result = await this.run(job, job.bytes ? [job.bytes.buffer as ArrayBuffer] : [], 'checking it took too long');
    if ('report' in result) return result.report;
    throw new Error('error' in result ? result.error : 'the document checker gave no report');
  }

  /** Makes the cleaned copy of a checked picture or PDF (core's cleanDocument in the worker). */
  async clean(request: { path: string; source: ByteSource; plan: DocumentPlan }): Promise<CleanedDocument> {
    const bytes = await DocumentWorker.bytesOf(request.source);
    const result = await this.run({ type: 'clean', id: this.nextId++, bytes, plan: request.plan }, [bytes.buffer as ArrayBuffer], 'cleaning it took too long');
    if ('cleaned' in result) return result.cleaned;
    throw new Error('error' in result ? result.error : 'the document checker gave no copy');
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
