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

/**
 * `inner` with its first `bytes` read in one go on the first read that falls within them, and kept: the
 * sniff and a typical header then cost one read instead of several (each Blob read has a cost of its own).
 */
export function readAheadSource(inner: ByteSource, bytes: number): ByteSource {
  let head: Promise<Uint8Array> | undefined;
  return {
    size: inner.size,
    async read(start, end) {
      if (end > bytes) return inner.read(start, end);
      head ??= inner.read(0, bytes);
      const got = await head;
      const s = Math.max(0, Math.min(start, got.length));
      return got.subarray(s, Math.max(s, Math.min(end, got.length)));
    },
  };
}

/** A ByteSource over `blob` whose first bytes, `head`, are already in memory: reads within them cost nothing. */
export function headedBlobSource(blob: Blob, head: Uint8Array): ByteSource {
  const rest = blobSource(blob);
  return {
    size: blob.size,
    read(start, end) {
      if (end <= head.length) {
        const s = Math.max(0, Math.min(start, head.length));
        return Promise.resolve(head.subarray(s, Math.max(s, end)));
      }
      return rest.read(start, end);
    },
  };
}

/**
 * Sources over `blobs` whose first `bytes` are read a group of `groupSize` files at a time, as one Blob of
 * their slices: one read for many files (a browser answers each Blob read with its own round trip to the
 * file, which dominates for folders of small files). A group whose read fails falls back to each file's own
 * reads, so one unreadable file does not take the others with it. Reads past `bytes` go to the blob.
 */
export function groupedReadAheadSources(blobs: readonly Blob[], bytes: number, groupSize: number): ByteSource[] {
  const groups: Array<Promise<Uint8Array[] | undefined> | undefined> = [];
  const groupCount = Math.ceil(blobs.length / groupSize);
  const headsOf = (group: number): Promise<Uint8Array[] | undefined> => {
    let heads = groups[group];
    if (!heads) {
      const members = blobs.slice(group * groupSize, (group + 1) * groupSize);
      const lengths = members.map((b) => Math.min(b.size, bytes));
      heads = new Blob(members.map((b, i) => b.slice(0, lengths[i]))).arrayBuffer().then(
        (buffer) => {
          // A file that changed under us makes the lengths disagree: then each file is read on its own.
          if (buffer.byteLength !== lengths.reduce((n, l) => n + l, 0)) return undefined;
          let at = 0;
          return lengths.map((n) => new Uint8Array(buffer, (at += n) - n, n));
        },
        () => undefined,
      );
      groups[group] = heads;
    }
    // The next group is read while this one is parsed.
    if (group + 1 < groupCount && !groups[group + 1]) void Promise.resolve().then(() => headsOf(group + 1));
    return heads;
  };
  return blobs.map((blob, index) => {
    const own = blobSource(blob);
    return {
      size: blob.size,
      async read(start, end) {
        if (end > bytes) return own.read(start, end);
        const heads = await headsOf(Math.floor(index / groupSize));
        const head = heads?.[index % groupSize];
        if (!head) return own.read(start, end);
        const s = Math.max(0, Math.min(start, head.length));
        return head.subarray(s, Math.max(s, Math.min(end, head.length)));
      },
    };
  });
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

/** The bytes of `inner` from `start` to its end, as a source of their own. */
export function sliceSource(inner: ByteSource, start: number): ByteSource {
  const offset = Math.min(Math.max(0, start), inner.size);
  return {
    size: inner.size - offset,
    read: (s, e) => inner.read(offset + Math.max(0, s), offset + Math.max(0, Math.min(e, inner.size - offset))),
  };
}

/**
 * Counts the distinct bytes read through a source (a range read twice counts once), so reports can
 * show that the pixel data was never read.
 */
export function countingSource(inner: ByteSource): ByteSource & { readonly bytesRead: number } {
  // Disjoint, sorted [start, end) ranges read so far.
  const ranges: Array<[number, number]> = [];
  let bytesRead = 0;
  const record = (start: number, end: number): void => {
    if (end <= start) return;
    let s = start;
    let e = end;
    const kept: Array<[number, number]> = [];
    for (const [a, b] of ranges) {
      if (b < s || a > e) kept.push([a, b]);
      else {
        s = Math.min(s, a);
        e = Math.max(e, b);
      }
    }
    kept.push([s, e]);
    kept.sort((x, y) => x[0] - y[0]);
    ranges.splice(0, ranges.length, ...kept);
    bytesRead = ranges.reduce((n, [a, b]) => n + (b - a), 0);
  };
  return {
    size: inner.size,
    get bytesRead() {
      return bytesRead;
    },
    async read(start, end) {
      const out = await inner.read(start, end);
      record(start, start + out.length);
      return out;
    },
  };
}

/** The bytes of `parts` one after another; a single non-empty part comes back as it is, uncopied. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const filled = parts.filter((p) => p.length > 0);
  if (filled.length === 1) return filled[0]!;
  const out = new Uint8Array(filled.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of filled) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
