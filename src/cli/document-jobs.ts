// The CLI's side of its document worker (./document-worker.ts): checks pictures and PDFs that are not DICOM
// for the engine's scan (a DocumentReading) and makes their cleaned copies for deidentify, off the main
// thread, with a time limit per file (past it the worker is stopped and started afresh for the next file).

import { JobWorker } from './job-worker';
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

export class DocumentWorker implements DocumentReading {
  private readonly jobs = new JobWorker<DocumentJob, DocumentJobResult>('document-worker', {
    stopped: 'the document checker stopped',
    timeoutMs: DOCUMENT_TIMEOUT_MS,
    // A job that does not end would hold every later one: that worker goes, the next job starts another.
    stopWhenStuck: true,
  });

  /**
   * `fileOf(input)`: the absolute path of a top-level input, when it is a file on disk (the worker reads it
   * itself). `limits`: the checks' limits (tests lower them).
   */
  constructor(private readonly fileOf: (input: number) => string | undefined = () => undefined, private readonly limits: Partial<DocumentLimits> = {}) {}

  private static async bytesOf(source: ByteSource): Promise<Uint8Array> {
    if (source.size > MAX_BYTES) throw new Error(`it is too large to check here (${Math.round(source.size / 1e6)} MB)`);
    // A copy of its own, handed over to the worker.
    return (await source.read(0, source.size)).slice();
  }

  async read(request: DocumentRequest): Promise<DocumentReport> {
    const file = request.nested ? undefined : this.fileOf(request.input);
    const job: DocumentJob = { type: 'check', id: this.jobs.nextId(), limits: this.limits };
    if (file !== undefined) job.file = file;
    else job.bytes = await DocumentWorker.bytesOf(request.source);
    const result = await this.jobs.run(job, job.bytes ? [job.bytes.buffer as ArrayBuffer] : [], 'checking it took too long');
    if ('report' in result) return result.report;
    throw new Error('error' in result ? result.error : 'the document checker gave no report');
  }

  /** Makes the cleaned copy of a checked picture or PDF (core's cleanDocument in the worker). */
  async clean(request: { path: string; source: ByteSource; plan: DocumentPlan }): Promise<CleanedDocument> {
    const bytes = await DocumentWorker.bytesOf(request.source);
    const result = await this.jobs.run({ type: 'clean', id: this.jobs.nextId(), bytes, plan: request.plan }, [bytes.buffer as ArrayBuffer], 'cleaning it took too long');
    if ('cleaned' in result) return result.cleaned;
    throw new Error('error' in result ? result.error : 'the document checker gave no copy');
  }

  /** Stops the worker (after the jobs in hand). */
  close(): Promise<void> {
    return this.jobs.close();
  }
}
