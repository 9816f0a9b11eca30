// DICOM RLE Lossless (PS3.5 Annex G) frame decoder: a 64-byte header of segment offsets, one PackBits segment
// per byte plane (most significant byte of each sample first), for 8, 16 and 32 bits and 1 or 3 samples.
// The result is little-endian with the samples of a pixel together (planar configuration 0).

import { PixelDataError } from './frame';

const damaged = (why: string): PixelDataError => new PixelDataError(`its RLE compressed picture is damaged (${why})`);

/** Decodes one PackBits segment into `out` (exactly out.length bytes wanted); returns the bytes written. */
function unpackBits(data: Uint8Array, start: number, end: number, out: Uint8Array): number {
  let i = start;
  let o = 0;
  const want = out.length;
  while (i < end && o < want) {
    const n = data[i++]!;
    if (n < 128) {
      // A literal run of n + 1 bytes.
      const count = Math.min(n + 1, end - i, want - o);
      out.set(data.subarray(i, i + count), o);
      i += n + 1;
      o += count;
    } else if (n > 128) {
      // One byte repeated 257 - n times.
      if (i >= end) break;
      const count = Math.min(257 - n, want - o);
      out.fill(data[i++]!, o, o + count);
      o += count;
    }
    // 128 is a no-op.
  }
  return o;
}

/**
 * The frame `data` holds, as `rows * columns * samples` samples of `bytesPerSample` bytes, little-endian and
 * interleaved. Throws PixelDataError when the segments are missing, out of range or too short.
 */
export function decodeRle(data: Uint8Array, rows: number, columns: number, samples: 1 | 3, bytesPerSample: 1 | 2 | 4): Uint8Array {
  if (data.length < 64) throw damaged('its header is cut short');
  const view = new DataView(data.buffer, data.byteOffset, data.length);
  const segments = view.getUint32(0, true);
  const expected = samples * bytesPerSample;
  if (segments !== expected) throw damaged('its number of segments does not match its picture');
  const pixels = rows * columns;
  const out = new Uint8Array(pixels * expected);
  const plane = new Uint8Array(pixels);
  for (let s = 0; s < segments; s++) {
    const start = view.getUint32(4 + 4 * s, true);
    const end = s + 1 < segments ? view.getUint32(8 + 4 * s, true) : data.length;
    if (start < 64 || start > data.length || end > data.length || end < start) throw damaged('a segment lies outside the frame');
    plane.fill(0);
    const written = unpackBits(data, start, end, plane);
    if (written < pixels) throw damaged('a segment is shorter than the picture');
    // Segment s is byte (bytesPerSample - 1 - b) of sample c: the most significant byte comes first.
    const sample = Math.floor(s / bytesPerSample);
    const byte = bytesPerSample - 1 - (s % bytesPerSample);
    const step = expected;
    let o = sample * bytesPerSample + byte;
    for (let p = 0; p < pixels; p++, o += step) out[o] = plane[p]!;
  }
  return out;
}
