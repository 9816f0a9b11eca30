// The fast path: files whose first bytes are nothing medical pass at once, without opening the dialog frame.
// Pictures and PDFs count as nothing medical too, except on the sites where they are checked (issue 13).

import { sniff, SNIFF_BYTES } from '../core/sniff';

/** How many files' first bytes are read at once (a 500-file folder read one by one took seconds). */
const PARALLEL_READS = 32;

/** `other`: nothing medical; `document`: a picture or PDF; `medical`: anything the full check must see. */
type Kind = 'other' | 'document' | 'medical';

async function kindOf(file: File): Promise<Kind> {
  try {
    const head = new Uint8Array(await file.slice(0, SNIFF_BYTES).arrayBuffer());
    const { kind } = sniff(head, file.size);
    if (kind === 'other') return 'other';
    return kind === 'image' || kind === 'pdf' ? 'document' : 'medical';
  } catch {
    return 'medical'; // a file that cannot be read is not "nothing medical"
  }
}

/**
 * True when no file could be medical: every file's first bytes sniff as `other`, or as a picture or PDF where
 * `checksDocumentsHere` says they are not checked (asked only when there is one). Zips, gzip, NIfTI and every
 * DICOM layout go to the full check. Stops reading at the first file that may be medical.
 */
export async function nothingMedical(files: readonly File[], checksDocumentsHere: () => Promise<boolean>): Promise<boolean> {
  let documents = false;
  const settle = (kind: Kind): boolean => {
    if (kind === 'document') documents = true;
    return kind === 'medical';
  };
  // The first file alone first: in a folder of scans it settles the question with one read.
  if (files.length > 0 && settle(await kindOf(files[0]!))) return false;
  let next = 1;
  let medical = false;
  const worker = async (): Promise<void> => {
    while (!medical && next < files.length) {
      const file = files[next++]!;
      if (settle(await kindOf(file))) medical = true;
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_READS, files.length - 1) }, worker));
  if (medical) return false;
  return !documents || !(await checksDocumentsHere());
}
