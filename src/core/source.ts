// Random access to the bytes of a file without reading all of it: the engine reads headers through this.

/** A file's bytes, read in ranges. Implementations never need to hold the whole file in memory. */
export interface ByteSource {
  readonly size: number;
  /** Bytes [start, end), clamped to the size. May return fewer bytes only at the end of the source. */
  read(start: number, end: number): Promise<Uint8Array>;
}

/** A ByteSource over a Blob or File (browser) or a Blob from `fs.openAsBlob` (Node): reads with `Blob.slice`. */
export function blobSource(blob: Blob): ByteSource {
  return {
    size: blob.size,
    async read(start, end) {
      const s = Math.max(0, Math.min(start, blob.size));
      const e = Math.max(s, Math.min(end, blob.size));
      return new Uint8Array(await blob.slice(s, e).arrayBuffer());
    },
  };
}

/** A ByteSource over bytes already in memory (inflated zip entries, tests). */
export function bytesSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    async read(start, end) {
      const s = Math.max(0, Math.min(start, bytes.length));
      const e = Math.max(s, Math.min(end, bytes.length));
      return bytes.subarray(s, e);
    },
  };
}

/** Counts how many bytes were read through a source, so reports can show that pixel data was never read. */
export function countingSource(inner: ByteSource): ByteSource & { readonly bytesRead: number } {
  let bytesRead = 0;
  return {
    size: inner.size,
    get bytesRead() {
      return bytesRead;
    },
    async read(start, end) {
      const out = await inner.read(start, end);
      bytesRead += out.length;
      return out;
    },
  };
}
