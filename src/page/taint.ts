// Which blobs the egress backstop must refuse: files held or refused by the guard, and slices of them.

import { isTaintedByFingerprint } from './bridge';

const heldBlobs = new WeakSet<Blob>();
const sliceParent = new WeakMap<Blob, Blob>();
const nativeSlice = Blob.prototype.slice;

export function markHeld(blobs: readonly Blob[]): void {
  for (const b of blobs) heldBlobs.add(b);
}

export function unmarkHeld(blobs: readonly Blob[]): void {
  for (const b of blobs) heldBlobs.delete(b);
}

export function isTainted(blob: Blob): boolean {
  for (let b: Blob | undefined = blob, depth = 0; b && depth < 64; b = sliceParent.get(b), depth++) {
    if (heldBlobs.has(b) || isTaintedByFingerprint(b)) return true;
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
