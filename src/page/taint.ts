// Which blobs the egress backstop must refuse: files held or refused by the guard, and slices of them.

import { askGuard, isTaintedFingerprint, type Release } from './bridge';
import { fileFingerprint, fileFingerprints, type HookSource } from './bridge-protocol';

const heldBlobs = new WeakSet<Blob>();
/**
 * The same held files by fingerprint: `FormData.append(name, file, filename)` and structured clones make
 * new File objects of the same file, which object identity would miss.
 */
const heldFingerprints = new Set<string>();
const sliceParent = new WeakMap<Blob, Blob>();
const nativeSlice = Blob.prototype.slice;

export function markHeld(blobs: readonly Blob[]): void {
  for (const b of blobs) {
    heldBlobs.add(b);
    const fp = fileFingerprint(b);
    if (fp) heldFingerprints.add(fp);
  }
}

export function unmarkHeld(blobs: readonly Blob[]): void {
  for (const b of blobs) {
    heldBlobs.delete(b);
    const fp = fileFingerprint(b);
    if (fp) heldFingerprints.delete(fp);
  }
}

/** The guard's pending answer for files being held right now, by fingerprint. */
const pendingDecisions = new Map<string, Promise<Release>>();

/**
 * Marks the files held and asks the guard about them. While the answer is pending, a send of the same files
 * waits for that answer instead of opening a second dialog (see `askAboutTainted`).
 */
export function holdWhileAsking(source: HookSource, files: File[], paths?: string[]): Promise<Release> {
  markHeld(files);
  const decision = askGuard(source, files, paths);
  const fps = fileFingerprints(files);
  for (const fp of fps) pendingDecisions.set(fp, decision);
  void decision.then(() => {
    for (const fp of fps) if (pendingDecisions.get(fp) === decision) pendingDecisions.delete(fp);
  });
  return decision;
}

/**
 * The answer for a body that carries held files: the pending answer when every one of them is being decided
 * now (all released as originals: send; anything else: refuse), otherwise a new question to the guard.
 */
export async function askAboutTainted(tainted: readonly Blob[], asFiles: (blobs: readonly Blob[]) => File[]): Promise<Release> {
  const pending = tainted.map((b) => {
    for (let x: Blob | undefined = b, depth = 0; x && depth < 64; x = sliceParent.get(x), depth++) {
      const fp = fileFingerprint(x);
      const decision = fp ? pendingDecisions.get(fp) : undefined;
      if (decision) return decision;
    }
    return undefined;
  });
  if (pending.every((p) => p !== undefined)) {
    const answers = await Promise.all(pending);
    return answers.every((a) => a.release === 'original') ? { release: 'original' } : { release: 'none' };
  }
  return askGuard('egress', asFiles(tainted));
}

export function isTainted(blob: Blob): boolean {
  for (let b: Blob | undefined = blob, depth = 0; b && depth < 64; b = sliceParent.get(b), depth++) {
    if (heldBlobs.has(b)) return true;
    const fp = fileFingerprint(b);
    if (fp && (heldFingerprints.has(fp) || isTaintedFingerprint(fp))) return true;
  }
  return false;
}

/** Chunked uploads (tus, Uppy, FilePond) send slices: a slice of a held file is held too. */
export function propagateThroughSlices(): void {
  Blob.prototype.slice = function slice(this: Blob, ...args: Parameters<Blob['slice']>): Blob {
    const part = nativeSlice.apply(this, args);
    sliceParent.set(part, this);
    return part;
  };
}
