// Pictures and PDFs in the CLI's runs: `scan` and `deidentify` check them through the document worker
// (./document-jobs.ts); deidentify checks each one first, then cleans it as its check says (documentPlans).

import { scanFile } from '../core/scan';
import { blobSource } from '../core/source';
import { sniff, SNIFF_BYTES } from '../core/sniff';
import type { DocumentCleaning } from '../core/deidentify';
import { documentPlans, type DocumentPlan } from '../core/documents/document-clean';
import { DocumentWorker } from './document-jobs';

export interface DocumentCleaningRun {
  cleaning: DocumentCleaning;
  /** Checks `file` first when it is a picture or PDF, so its copy knows what to mask. */
  prepare(path: string, file: Blob): Promise<void>;
  close(): Promise<void>;
}

/** Deidentify's pictures and PDFs: one worker for the checks, the copies and the copies' checks. */
export function documentCleaningRun(worker: DocumentWorker = new DocumentWorker()): DocumentCleaningRun {
  const plans = new Map<string, DocumentPlan>();
  return {
    cleaning: {
      planFor: (path) => plans.get(path),
      clean: (request) => worker.clean(request),
      verify: worker,
    },
    async prepare(path, file) {
      const head = new Uint8Array(await file.slice(0, SNIFF_BYTES).arrayBuffer());
      const kind = sniff(head, file.size).kind;
      if (kind !== 'image' && kind !== 'pdf') return;
      const report = await scanFile({ path, source: blobSource(file) }, { documents: worker });
      for (const [p, plan] of documentPlans([report])) plans.set(p, plan);
    },
    close: () => worker.close(),
  };
}
