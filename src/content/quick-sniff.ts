// The fast path: files whose first bytes are nothing medical pass at once, without opening the dialog frame.

import { sniff, SNIFF_BYTES } from '../core/sniff';

/**
 * True when no file could be medical: every file's first bytes sniff as `other`. Zips, gzip, NIfTI and
 * every DICOM layout go to the full check. A file that cannot be read is not "nothing medical".
 */
export async function nothingMedical(files: readonly File[]): Promise<boolean> {
  for (const file of files) {
    let head: Uint8Array;
    try {
      head = new Uint8Array(await file.slice(0, SNIFF_BYTES).arrayBuffer());
    } catch {
      return false;
    }
    if (sniff(head, file.size).kind !== 'other') return false;
  }
  return true;
}
