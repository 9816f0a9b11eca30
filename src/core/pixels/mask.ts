// Pixel edits for the de-identified copy: filling regions (burned-in text) with the picture type's black, and
// clearing overlay bits kept in the unused high bits of pixel words. Both return a new frame; the input
// frame is left as it was.

import type { DataSet } from '../dicom/parser';
import { bytesPerSample, type NativeFrame } from './frame';

/** A rectangle in pixels of the stored image (x to the right, y down). */
export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The stored value that shows as darkest for a palette: the index whose colour has the least luminance. */
function darkestPaletteIndex(frame: NativeFrame): number {
  const palette = frame.palette;
  if (!palette) return 0;
  const { red, green, blue } = palette;
  const entries = Math.min(red.data.length, green.data.length, blue.data.length);
  let best = 0;
  let darkest = Infinity;
  for (let i = 0; i < entries; i++) {
    const y = 0.299 * red.data[i]! + 0.587 * green.data[i]! + 0.114 * blue.data[i]!;
    if (y < darkest) {
      darkest = y;
      best = i;
    }
  }
  // Entry i stands for stored value firstMapped + i (the descriptor's first value, as 16 bits).
  const first = frame.pixelRepresentation === 1 && red.firstMapped >= 0x8000 ? red.firstMapped - 0x10000 : red.firstMapped;
  return first + best;
}

/**
 * The stored value of each sample that shows black for this frame's kind of picture: the smallest stored
 * value for MONOCHROME2 (0 when unsigned) and the largest for MONOCHROME1 (respecting signedness), 0 for
 * RGB, Y=0 with Cb=Cr at their midpoint for YBR_FULL, and the darkest palette entry's index for PALETTE COLOR.
 */
export function blackSamples(frame: NativeFrame): number[] {
  const bits = frame.bitsStored;
  const signed = frame.pixelRepresentation === 1;
  const min = signed ? -(2 ** (bits - 1)) : 0;
  const max = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  switch (frame.photometric) {
    case 'MONOCHROME1':
      return [max];
    case 'PALETTE COLOR':
      return [darkestPaletteIndex(frame)];
    case 'YBR_FULL':
      return [0, 2 ** (bits - 1), 2 ** (bits - 1)];
    case 'RGB':
      return [0, 0, 0];
    default:
      return frame.samplesPerPixel === 3 ? [0, 0, 0] : [min];
  }
}

/** The region grown by `margin` on every side and clipped to the picture; undefined when nothing is left. */
function clip(region: Region, margin: number, columns: number, rows: number): { x0: number; y0: number; x1: number; y1: number } | undefined {
  const values = [region.x, region.y, region.width, region.height, margin];
  if (!values.every(Number.isFinite)) return undefined;
  const m = Math.max(0, Math.floor(margin));
  const x0 = Math.max(0, Math.floor(region.x) - m);
  const y0 = Math.max(0, Math.floor(region.y) - m);
  const x1 = Math.min(columns, Math.ceil(region.x + region.width) + m);
  const y1 = Math.min(rows, Math.ceil(region.y + region.height) + m);
  if (region.width <= 0 || region.height <= 0 || x1 <= x0 || y1 <= y0) return undefined;
  return { x0, y0, x1, y1 };
}

/** Writes `value` (a stored value, two's complement when negative) as a little-endian word of `size` bytes. */
function writeWord(pixels: Uint8Array, at: number, size: 1 | 2 | 4, value: number): void {
  const word = value < 0 ? value + 2 ** (8 * size) : value;
  for (let k = 0; k < size; k++) pixels[at + k] = Math.floor(word / 2 ** (8 * k)) & 0xff;
}

/**
 * A copy of `frame` with every region (grown by `margin` pixels on each side, clipped to the picture) filled
 * with the black of its kind of picture (blackSamples), in either planar configuration.
 */
export function fillRegions(frame: NativeFrame, regions: readonly Region[], margin = 0): NativeFrame {
  const pixels = frame.pixels.slice();
  const size = bytesPerSample(frame);
  const spp = frame.samplesPerPixel;
  const plane = frame.rows * frame.columns;
  const black = blackSamples(frame);
  for (const region of regions) {
    const box = clip(region, margin, frame.columns, frame.rows);
    if (!box) continue;
    for (let y = box.y0; y < box.y1; y++) {
      for (let x = box.x0; x < box.x1; x++) {
        const p = y * frame.columns + x;
        for (let s = 0; s < spp; s++) {
          const index = frame.planarConfiguration === 1 ? s * plane + p : p * spp + s;
          writeWord(pixels, index * size, size, black[s]!);
        }
      }
    }
  }
  return { ...frame, pixels };
}

/**
 * A copy of `frame` with the bits outside its stored bits cleared in every sample (where overlays are kept
 * in the high bits of pixel words, PS3.3 C.9.2.1.1): all of them, or only `positions` (Overlay Bit
 * Position values; positions inside the stored bits are left alone). Signed samples keep their sign
 * extension above the high bit, so every value reads the same as before.
 */
export function clearOverlayBits(frame: NativeFrame, positions?: readonly number[]): NativeFrame {
  const size = bytesPerSample(frame);
  const bits = 8 * size;
  const low = frame.highBit - frame.bitsStored + 1;
  const inStored = (b: number): boolean => b >= low && b <= frame.highBit;
  const clear = (positions ?? Array.from({ length: bits }, (_, b) => b)).filter((b) => Number.isInteger(b) && b >= 0 && b < bits && !inStored(b));
  if (clear.length === 0) return frame;
  const pixels = frame.pixels.slice();
  const view = new DataView(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  const signed = frame.pixelRepresentation === 1;
  const count = pixels.length / size;
  for (let i = 0; i < count; i++) {
    let word = size === 1 ? pixels[i]! : size === 2 ? view.getUint16(2 * i, true) : view.getUint32(4 * i, true);
    const negative = signed && ((word >>> frame.highBit) & 1) === 1;
    for (const b of clear) {
      const bit = 2 ** b;
      const set = Math.floor(word / bit) % 2 === 1;
      // Above the high bit a signed sample carries its sign; elsewhere the bit is cleared.
      const want = b > frame.highBit && negative;
      if (set !== want) word += want ? bit : -bit;
    }
    if (size === 1) pixels[i] = word;
    else if (size === 2) view.setUint16(2 * i, word, true);
    else view.setUint32(4 * i, word, true);
  }
  return { ...frame, pixels };
}

/**
 * The Overlay Bit Positions (60xx,0102) of overlays kept in the pixel data: those without their own Overlay
 * Data (60xx,3000). Positions are as the file says; clearOverlayBits ignores any inside the stored bits.
 */
export function embeddedOverlayBitPositions(dataSet: DataSet): number[] {
  const out: number[] = [];
  for (let group = 0x6000; group <= 0x601e; group += 2) {
    const hex = group.toString(16);
    const position = dataSet.elements[`x${hex}0102`];
    if (!position || dataSet.elements[`x${hex}3000`] || position.length < 2) continue;
    if (position.dataOffset + 2 > dataSet.byteArray.length) continue;
    out.push(dataSet.byteArrayParser.readUint16(dataSet.byteArray, position.dataOffset));
  }
  return out;
}
