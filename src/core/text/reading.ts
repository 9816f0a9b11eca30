// What the text reader (an OCR engine) is given for each box the detector found: the box cut out of the
// picture in grey, with a margin, scaled so its letters are tall enough to read, encoded as a PGM image
// that every reader takes; and a fingerprint so the same text drawn in many frames is read once.

import type { Image8, Rect } from './detection';

export interface ReaderCrop {
  width: number;
  height: number;
  /** Grey, row by row. */
  data: Uint8Array;
}

/** Crops shorter than this are scaled up for the reader (Tesseract reads best with letters 20-40 px tall). */
const READ_HEIGHT = 40;
/** The most a crop is scaled up. */
const MAX_UPSCALE = 4;
/** Grey margin around the box, as a share of its height. */
const MARGIN = 0.25;
/** The widest crop handed to the reader, in pixels after scaling. */
const MAX_CROP_WIDTH = 4096;

/** Grey value of pixel `i` (luma for colour). */
function greyAt(image: Image8, i: number): number {
  if (image.channels === 1) return image.data[i]!;
  const o = 3 * i;
  return Math.round(0.299 * image.data[o]! + 0.587 * image.data[o + 1]! + 0.114 * image.data[o + 2]!);
}

/** The values stretched so the 1st and 99th percentiles become black and white. */
function stretch(data: Uint8Array): void {
  const histogram = new Uint32Array(256);
  for (const value of data) histogram[value]!++;
  const cut = Math.floor(data.length * 0.01);
  let lo = 0;
  for (let n = 0; lo < 255 && n + histogram[lo]! <= cut; lo++) n += histogram[lo]!;
  let hi = 255;
  for (let n = 0; hi > 0 && n + histogram[hi]! <= cut; hi--) n += histogram[hi]!;
  if (hi - lo < 8) return;
  for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.min(255, Math.round(((data[i]! - lo) * 255) / (hi - lo))));
}

/**
 * The box, a margin around it, in grey, contrast stretched (unless `stretched` is false: comparing two
 * frames' crops needs their own values), scaled up (bilinear) when its text is small.
 */
export function readerCrop(image: Image8, box: Rect, stretched = true): ReaderCrop {
  const margin = Math.max(2, Math.round(box.height * MARGIN));
  const x0 = Math.max(0, box.x - margin);
  const y0 = Math.max(0, box.y - margin);
  const x1 = Math.min(image.width, box.x + box.width + margin);
  const y1 = Math.min(image.height, box.y + box.height + margin);
  const cw = Math.max(1, x1 - x0);
  const ch = Math.max(1, y1 - y0);
  const source = new Uint8Array(cw * ch);
  for (let y = 0; y < ch; y++) for (let x = 0; x < cw; x++) source[y * cw + x] = greyAt(image, (y0 + y) * image.width + x0 + x);
  if (stretched) stretch(source);
  let factor = Math.min(MAX_UPSCALE, Math.max(1, READ_HEIGHT / Math.max(1, box.height)));
  factor = Math.min(factor, MAX_CROP_WIDTH / cw);
  factor = Math.max(factor, Math.min(1, MAX_CROP_WIDTH / cw));
  const width = Math.max(1, Math.round(cw * factor));
  const height = Math.max(1, Math.round(ch * factor));
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(ch - 1, Math.max(0, (y + 0.5) / factor - 0.5));
    const ya = Math.floor(sy);
    const yb = Math.min(ch - 1, ya + 1);
    const fy = sy - ya;
    for (let x = 0; x < width; x++) {
      const sx = Math.min(cw - 1, Math.max(0, (x + 0.5) / factor - 0.5));
      const xa = Math.floor(sx);
      const xb = Math.min(cw - 1, xa + 1);
      const fx = sx - xa;
      const top = source[ya * cw + xa]! * (1 - fx) + source[ya * cw + xb]! * fx;
      const bottom = source[yb * cw + xa]! * (1 - fx) + source[yb * cw + xb]! * fx;
      data[y * width + x] = Math.round(top * (1 - fy) + bottom * fy);
    }
  }
  return { width, height, data };
}

const ascii = new TextEncoder();

/** The crop as a binary PGM file (P5), which Tesseract's image library reads in every build. */
export function pgmBytes(crop: ReaderCrop): Uint8Array {
  const head = ascii.encode(`P5\n${crop.width} ${crop.height}\n255\n`);
  const out = new Uint8Array(head.length + crop.data.length);
  out.set(head, 0);
  out.set(crop.data, head.length);
  return out;
}

/** A fingerprint of the crop's pixels (FNV-1a over size and samples): equal crops read the same. */
export function cropKey(crop: ReaderCrop): string {
  let h = 0x811c9dc5;
  const mix = (v: number): void => {
    h ^= v;
    h = Math.imul(h, 0x01000193) >>> 0;
  };
  mix(crop.width & 0xffff);
  mix(crop.height & 0xffff);
  let h2 = 0x12345678;
  for (let i = 0; i < crop.data.length; i++) {
    mix(crop.data[i]!);
    h2 = (Math.imul(h2 ^ crop.data[i]!, 0x5bd1e995) + i) >>> 0;
  }
  return `${crop.width}x${crop.height}:${h.toString(16)}:${h2.toString(16)}`;
}

/** The text a reader returned, tidied: one line, runs of spaces collapsed, stray edge punctuation trimmed. */
export function tidyText(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/\s{2,}/g, ' ')
    .replace(/^[\s|_~`'".,;:!\-—]+|[\s|_~`'",;!\-—]+$/g, '')
    .trim();
}

/**
 * Whether the reader found something that reads as text: three letters or digits it is not unsure of, or
 * fewer it is fairly sure of (a short guess at low confidence is the reader seeing shapes in speckle). In a
 * box no line of text would fill (`shaped` false, see textShaped: a lung or a bone the detector boxed), a
 * guess of one or two characters is the reader seeing shapes too, however sure it is.
 */
export function readsAsText(text: string, confidence: number, shaped = true): boolean {
  const alnum = (text.match(/[\p{L}\p{N}]/gu) ?? []).length;
  return (alnum >= 3 && confidence >= 40) || (shaped && alnum >= 1 && confidence >= 65);
}

/**
 * Whether a box the reader could not make out is still shaped like a line of text (and so masked): no taller
 * than a tenth of the picture (48 pixels at least), and not much taller than wide. A large block the
 * detector took for text in a busy picture (colour Doppler, bone) is left alone.
 */
export function textShaped(box: { width: number; height: number }, picture: { height: number }): boolean {
  return box.height <= Math.max(48, picture.height / 10) && box.width >= 0.5 * box.height;
}
