// The bytes of one frame of native (uncompressed) pixel data: a byte range of the file, or of a deflated
// dataset inflated only as far as that frame (output before it is passed over, never kept), with big-endian
// words swapped to little-endian and 1-bit pictures unpacked to one byte a pixel.

import { Inflate } from 'fflate';
import type { ByteSource } from '../source';
import { PixelDataError } from './frame';

/** Compressed bytes fed to the inflater at a time: deflate expands at most ~1032:1, so one push stays small. */
const INFLATE_INPUT_CHUNK = 8 * 1024;

/**
 * A deflate stream read forward in ranges: each read inflates from where the last one stopped (or from the
 * start again for an earlier range), keeping only the asked bytes and what the last push produced past them.
 */
export class ForwardInflater {
  private inflater: Inflate | undefined;
  private inputOffset = 0;
  /** Output bytes produced so far (their offsets end here). */
  private produced = 0;
  private finished = false;
  /** Output produced past the last asked range, starting at offset `produced - carry.length`. */
  private carry: Uint8Array = new Uint8Array(0);
  private sink: ((chunk: Uint8Array) => void) | undefined;

  constructor(private readonly compressed: ByteSource) {}

  private restart(): void {
    this.inflater = new Inflate((chunk) => this.sink?.(chunk));
    this.inputOffset = 0;
    this.produced = 0;
    this.finished = false;
    this.carry = new Uint8Array(0);
  }

  /** Output bytes [start, end); fewer when the stream ends first. */
  async read(start: number, end: number): Promise<Uint8Array> {
    if (!this.inflater || start < this.produced - this.carry.length) this.restart();
    const out = new Uint8Array(end - start);
    let filled = 0;
    const take = (chunk: Uint8Array, chunkStart: number): void => {
      const from = Math.max(start, chunkStart);
      const to = Math.min(end, chunkStart + chunk.length);
      if (to > from) {
        out.set(chunk.subarray(from - chunkStart, to - chunkStart), from - start);
        filled = Math.max(filled, to - start);
      }
    };
    take(this.carry, this.produced - this.carry.length);
    let last: Uint8Array = this.carry;
    this.sink = (chunk) => {
      const chunkStart = this.produced;
      this.produced += chunk.length;
      take(chunk, chunkStart);
      last = chunk;
    };
    try {
      while (this.produced < end && !this.finished) {
        const input = await this.compressed.read(this.inputOffset, this.inputOffset + INFLATE_INPUT_CHUNK);
        this.inputOffset += input.length;
        const final = input.length < INFLATE_INPUT_CHUNK || this.inputOffset >= this.compressed.size;
        try {
          this.inflater!.push(input, final);
        } catch {
          this.inflater = undefined;
          throw new PixelDataError('its deflated data is damaged');
        }
        if (final) this.finished = true;
      }
    } finally {
      this.sink = undefined;
    }
    // Keep what the last push produced after `end`, for a read of the next frame.
    const lastStart = this.produced - last.length;
    this.carry = last.subarray(Math.max(0, Math.min(last.length, end - lastStart)));
    return out.subarray(0, filled);
  }
}

/** Swaps the bytes of each `size`-byte word (big endian to little endian). */
export function swapWords(bytes: Uint8Array, size: 2 | 4): Uint8Array {
  const out = new Uint8Array(bytes.length - (bytes.length % size));
  for (let i = 0; i + size <= bytes.length; i += size) {
    for (let k = 0; k < size; k++) out[i + k] = bytes[i + size - 1 - k]!;
  }
  return out;
}

/** `count` pixels of 1-bit data starting at bit `bitOffset` of `bytes` (least significant bit first), one byte each. */
export function unpackBits(bytes: Uint8Array, bitOffset: number, count: number): Uint8Array {
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const bit = bitOffset + i;
    out[i] = (bytes[bit >> 3]! >> (bit & 7)) & 1;
  }
  return out;
}

export interface NativeLayout {
  /** Where the pixel data value starts, in the dataset's bytes. */
  dataOffset: number;
  /** The pixel data value's length in bytes. */
  length: number;
  frames: number;
  /** Bits of one frame (rows × columns × samples × bits allocated). */
  frameBits: number;
  bitsAllocated: 1 | 8 | 16 | 32;
  /** Big-endian words to swap: 2 for OW and 16-bit data, 4 for 32-bit data, none otherwise. */
  swap?: 2 | 4;
}

/** Reads frames of native pixel data from a dataset (the file from `datasetStart`, or its inflated stream). */
export class NativeFrames {
  constructor(
    private readonly dataset: ByteSource | ForwardInflater,
    private readonly layout: NativeLayout,
  ) {
    if (layout.length === 0) throw new PixelDataError('its pixel data is empty');
    if (layout.length < Math.ceil((layout.frames * layout.frameBits) / 8)) {
      throw new PixelDataError('its pixel data is shorter than its rows, columns and frames say');
    }
  }

  /** Frame `index` (0-based; the caller checks the range): little-endian bytes, 1-bit data unpacked. */
  async frame(index: number): Promise<Uint8Array> {
    const { dataOffset, frameBits, swap } = this.layout;
    const firstBit = index * frameBits;
    let start = Math.floor(firstBit / 8);
    let end = Math.ceil((firstBit + frameBits) / 8);
    if (swap) {
      start -= start % swap;
      end += (swap - (end % swap)) % swap;
    }
    const wanted = end - start;
    const bytes = await this.dataset.read(dataOffset + start, dataOffset + end);
    if (bytes.length < wanted) throw new PixelDataError('the file ends before the end of the frame asked for');
    if (this.layout.bitsAllocated === 1) return unpackBits(bytes, firstBit - 8 * start, frameBits);
    const frameBytes = frameBits / 8;
    const skip = Math.floor(firstBit / 8) - start;
    if (swap) return swapWords(bytes, swap).subarray(skip, skip + frameBytes);
    return bytes.slice(0, frameBytes);
  }
}
