// The CLI's document worker (a worker_threads Worker): owns the text engine, the picture decoders and
// encoders and pdf.js, and checks pictures and PDFs or makes their cleaned copies, one at a time, off the
// main thread.

import fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { bytesSource } from '../core/source';
import { checkDocument } from '../core/documents/document-check';
import { cleanDocument, DocumentCleanError } from '../core/documents/document-clean';
import { nodeDocumentHost, nodeJpegEncoder } from './document-host';
import type { DocumentJob, DocumentJobResult } from './document-jobs';

const host = nodeDocumentHost();

async function run(job: DocumentJob): Promise<{ result: DocumentJobResult; transfer: ArrayBuffer[] }> {
  try {
    if (job.type === 'check') {
      const bytes = job.file !== undefined ? new Uint8Array(await fs.promises.readFile(job.file)) : job.bytes ?? new Uint8Array(0);
      const report = await checkDocument(bytesSource(bytes), host, job.limits ?? {});
      return { result: { id: job.id, report }, transfer: [] };
    }
    const cleaned = await cleanDocument(bytesSource(job.bytes), job.plan, { ...host, jpeg: nodeJpegEncoder });
    return { result: { id: job.id, cleaned }, transfer: [cleaned.bytes.buffer as ArrayBuffer] };
  } catch (e) {
    const reason = e instanceof DocumentCleanError ? e.message : e instanceof Error ? e.message : 'unknown problem';
    return { result: { id: job.id, error: reason }, transfer: [] };
  }
}

let queue: Promise<void> = Promise.resolve();
parentPort?.on('message', (job: DocumentJob | { type: 'close' }) => {
  if (job.type === 'close') {
    queue = queue.then(async () => {
      await host.close();
      parentPort?.close();
    });
    return;
  }
  queue = queue.then(async () => {
    const { result, transfer } = await run(job);
    parentPort?.postMessage(result, transfer);
  });
});
