// PNG files on fflate: their chunks (text and metadata chunks read, or left out of a copy), their pixels
// decoded to the stored samples (every colour type and bit depth, interlaced or not) and from there to an
// 8-bit picture for the text finder, and a copy written back losslessly after regions were filled.

import { unzlibSync, zlibSync } from 'fflate';
import { inflateRawLimited } from '../inflate';
import type { Image8, Rect } from '../text/detection';
import { concatBytes } from '../source';

/** The most text one compressed text chunk is inflated to. */
const MAX_TEXT_BYTES = 1024 * 1024;

/** A zlib stream inflated to at most MAX_TEXT_BYTES (its 2-byte header skipped). */
function inflateText(data: Uint8Array): Uint8Array {
  return inflateRawLimited(data.subarray(2), MAX_TEXT_BYTES);
}

export class PngError extends Error {
  override readonly name = 'PngError';
}

export interface PngChunk {
  type: string;
  /** Offset of the chunk's length field. */
  start: number;
  dataStart: number;
  dataEnd: number;
  /** After the CRC. */
  end: number;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function u32(b: Uint8Array, p: number): number {
  return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (const v of b) s += String.fromCharCode(v);
  return s;
}

/** The chunks of a PNG file up to IEND. Throws PngError when it is not a PNG or a chunk runs past the end. */
export function pngChunks(bytes: Uint8Array): { chunks: PngChunk[]; complete: boolean } {
  if (!SIGNATURE.every((v, i) => bytes[i] === v)) throw new PngError('it does not start like a PNG picture');
  const chunks: PngChunk[] = [];
  let p = 8;
  while (p + 8 <= bytes.length) {
    const length = u32(bytes, p);
    const type = latin1(bytes.subarray(p + 4, p + 8));
    if (!/^[A-Za-z]{4}$/.test(type)) throw new PngError('a chunk of the picture is damaged');
    const end = p + 12 + length;
    if (end > bytes.length) return { chunks, complete: false };
    chunks.push({ type, start: p, dataStart: p + 8, dataEnd: p + 8 + length, end });
    p = end;
    if (type === 'IEND') return { chunks, complete: true };
  }
  return { chunks, complete: false };
}

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colourType: number;
  interlace: number;
}

const CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const DEPTHS: Readonly<Record<number, readonly number[]>> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };

export function pngHeader(bytes: Uint8Array, chunks: readonly PngChunk[]): PngHeader {
  const ihdr = chunks[0];
  if (!ihdr || ihdr.type !== 'IHDR' || ihdr.dataEnd - ihdr.dataStart < 13) throw new PngError('the picture has no valid header');
  const d = ihdr.dataStart;
  const header = { width: u32(bytes, d), height: u32(bytes, d + 4), bitDepth: bytes[d + 8]!, colourType: bytes[d + 9]!, interlace: bytes[d + 12]! };
  if (header.width === 0 || header.height === 0 || !DEPTHS[header.colourType]?.includes(header.bitDepth) || header.interlace > 1) {
    throw new PngError('the picture header is not valid');
  }
  return header;
}

/** A PNG's samples as stored: non-interlaced scanlines without filter bytes. */
export interface PngRaw {
  header: PngHeader;
  /** Bytes per scanline. */
  stride: number;
  data: Uint8Array;
  /** PLTE entries (RGB triplets) and tRNS, as stored. */
  palette?: Uint8Array;
  transparency?: Uint8Array;
}

function bitsPerPixel(h: Pick<PngHeader, 'bitDepth' | 'colourType'>): number {
  return CHANNELS[h.colourType]! * h.bitDepth;
}

function strideOf(h: Pick<PngHeader, 'bitDepth' | 'colourType'>, width: number): number {
  return Math.ceil((width * bitsPerPixel(h)) / 8);
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Undoes the filters of `rows` scanlines of `stride` bytes starting at `at` in `src`, into `out`. */
function unfilter(src: Uint8Array, at: number, rows: number, stride: number, bpp: number, out: Uint8Array): number {
  let p = at;
  for (let y = 0; y < rows; y++) {
    if (p + 1 + stride > src.length) throw new PngError('the picture is cut short');
    const filter = src[p++]!;
    const row = y * stride;
    const prev = row - stride;
    for (let x = 0; x < stride; x++) {
      const raw = src[p + x]!;
      const a = x >= bpp ? out[row + x - bpp]! : 0;
      const b = y > 0 ? out[prev + x]! : 0;
      const c = y > 0 && x >= bpp ? out[prev + x - bpp]! : 0;
      let v: number;
      switch (filter) {
        case 0: v = raw; break;
        case 1: v = raw + a; break;
        case 2: v = raw + b; break;
        case 3: v = raw + ((a + b) >> 1); break;
        case 4: v = raw + paeth(a, b, c); break;
        default: throw new PngError('a row of the picture has an unknown filter');
      }
      out[row + x] = v & 255;
    }
    p += stride;
  }
  return p;
}

/** Adam7 passes: x start, y start, x step, y step. */
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] as const;

/** Copies pixel `sx` of a row to pixel `dx` of another, for any bits per pixel. */
function copyPixel(src: Uint8Array, srcRow: number, sx: number, dst: Uint8Array, dstRow: number, dx: number, bits: number): void {
  if (bits >= 8) {
    const n = bits >> 3;
    for (let i = 0; i < n; i++) dst[dstRow + dx * n + i] = src[srcRow + sx * n + i]!;
    return;
  }
  const sBit = sx * bits;
  const v = (src[srcRow + (sBit >> 3)]! >> (8 - bits - (sBit & 7))) & ((1 << bits) - 1);
  const dBit = dx * bits;
  const shift = 8 - bits - (dBit & 7);
  const at = dstRow + (dBit >> 3);
  dst[at] = (dst[at]! & ~(((1 << bits) - 1) << shift)) | (v << shift);
}

export interface PngLimits {
  /** The most pixels decoded. */
  maxPixels: number;
}

/** Decodes a PNG's pixels to its stored samples. Throws PngError with a plain reason. */
export function decodePngRaw(bytes: Uint8Array, limits: PngLimits): PngRaw {
  const { chunks, complete } = pngChunks(bytes);
  const header = pngHeader(bytes, chunks);
  if (header.width * header.height > limits.maxPixels) {
    throw new PngError(`the picture is too large to read (${Math.round((header.width * header.height) / 1e6)} megapixels)`);
  }
  const idat = chunks.filter((c) => c.type === 'IDAT');
  if (idat.length === 0) throw new PngError(complete ? 'the picture has no image data' : 'the picture is cut short');
  const joined = new Uint8Array(idat.reduce((n, c) => n + c.dataEnd - c.dataStart, 0));
  let at = 0;
  for (const c of idat) {
    joined.set(bytes.subarray(c.dataStart, c.dataEnd), at);
    at += c.dataEnd - c.dataStart;
  }
  const stride = strideOf(header, header.width);
  const expected = header.interlace
    ? ADAM7.reduce((n, [x0, y0, dx, dy]) => {
      const w = Math.ceil((header.width - x0) / dx);
      const h = Math.ceil((header.height - y0) / dy);
      return w > 0 && h > 0 ? n + h * (1 + strideOf(header, w)) : n;
    }, 0)
    : header.height * (1 + stride);
  let inflated: Uint8Array;
  try {
    inflated = unzlibSync(joined, { out: new Uint8Array(expected) });
  } catch {
    throw new PngError(complete ? 'the picture data is damaged' : 'the picture is cut short');
  }
  if (inflated.length < expected) throw new PngError('the picture is cut short');
  const bpp = Math.max(1, bitsPerPixel(header) >> 3);
  const data = new Uint8Array(stride * header.height);
  if (!header.interlace) {
    unfilter(inflated, 0, header.height, stride, bpp, data);
  } else {
    let p = 0;
    for (const [x0, y0, dx, dy] of ADAM7) {
      const w = Math.ceil((header.width - x0) / dx);
      const h = Math.ceil((header.height - y0) / dy);
      if (w <= 0 || h <= 0) continue;
      const passStride = strideOf(header, w);
      const pass = new Uint8Array(passStride * h);
      p = unfilter(inflated, p, h, passStride, bpp, pass);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) copyPixel(pass, y * passStride, x, data, (y0 + y * dy) * stride, x0 + x * dx, bitsPerPixel(header));
      }
    }
  }
  const plte = chunks.find((c) => c.type === 'PLTE');
  const trns = chunks.find((c) => c.type === 'tRNS');
  if (header.colourType === 3 && !plte) throw new PngError('the picture has no palette');
  return {
    header,
    stride,
    data,
    ...(plte ? { palette: bytes.slice(plte.dataStart, plte.dataEnd) } : {}),
    ...(trns ? { transparency: bytes.slice(trns.dataStart, trns.dataEnd) } : {}),
  };
}

/** Sample `c` of pixel `x` in a row, scaled to 8 bits (palette indexes as they are). */
function sampleAt(raw: PngRaw, row: number, x: number, c: number): number {
  const { bitDepth, colourType } = raw.header;
  const channels = CHANNELS[colourType]!;
  if (bitDepth === 16) return raw.data[row + (x * channels + c) * 2]!;
  if (bitDepth === 8) return raw.data[row + x * channels + c]!;
  const bit = x * bitDepth;
  const v = (raw.data[row + (bit >> 3)]! >> (8 - bitDepth - (bit & 7))) & ((1 << bitDepth) - 1);
  return colourType === 3 ? v : Math.round((v * 255) / ((1 << bitDepth) - 1));
}

/** The picture in 8 bits (grey or RGB), transparent pixels shown over white as a viewer shows them. */
export function pngImage(raw: PngRaw): Image8 {
  const { width, height, colourType } = raw.header;
  const grey = colourType === 0 || colourType === 4;
  const channels = grey ? 1 : 3;
  const out = new Uint8Array(width * height * channels);
  const palette = raw.palette ?? new Uint8Array(0);
  const alphaOf = (index: number): number => (raw.transparency && index < raw.transparency.length ? raw.transparency[index]! : 255);
  for (let y = 0; y < height; y++) {
    const row = y * raw.stride;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * channels;
      let r: number;
      let g: number;
      let b: number;
      let alpha = 255;
      if (colourType === 3) {
        const i = sampleAt(raw, row, x, 0);
        r = palette[3 * i] ?? 0;
        g = palette[3 * i + 1] ?? 0;
        b = palette[3 * i + 2] ?? 0;
        alpha = alphaOf(i);
      } else if (grey) {
        r = g = b = sampleAt(raw, row, x, 0);
        if (colourType === 4) alpha = sampleAt(raw, row, x, 1);
      } else {
        r = sampleAt(raw, row, x, 0);
        g = sampleAt(raw, row, x, 1);
        b = sampleAt(raw, row, x, 2);
        if (colourType === 6) alpha = sampleAt(raw, row, x, 3);
      }
      const over = (v: number): number => Math.round((v * alpha + 255 * (255 - alpha)) / 255);
      if (grey) out[o] = over(r);
      else {
        out[o] = over(r);
        out[o + 1] = over(g);
        out[o + 2] = over(b);
      }
    }
  }
  return { width, height, channels, data: out };
}

/** The palette index closest to black (the fill of masked regions in a palette picture). */
function darkestIndex(raw: PngRaw): number {
  const palette = raw.palette ?? new Uint8Array(0);
  let best = 0;
  let bestSum = Infinity;
  for (let i = 0; 3 * i + 2 < palette.length; i++) {
    const sum = palette[3 * i]! + palette[3 * i + 1]! + palette[3 * i + 2]!;
    if (sum < bestSum && (!raw.transparency || i >= raw.transparency.length || raw.transparency[i] === 255)) {
      bestSum = sum;
      best = i;
    }
  }
  return best;
}

/** Fills each region (grown by `margin`) with opaque black, in the stored samples. Returns how many regions touched the picture. */
export function fillPngRegions(raw: PngRaw, regions: readonly Rect[], margin: number): number {
  const { width, height, colourType, bitDepth } = raw.header;
  const channels = CHANNELS[colourType]!;
  const bits = bitsPerPixel(raw.header);
  // One black pixel's bytes (8 bits and up) or value (below 8).
  const pixel = new Uint8Array(Math.max(1, bits >> 3));
  let value = 0;
  if (colourType === 3) value = darkestIndex(raw);
  else if (colourType === 4 || colourType === 6) {
    // Alpha (the last sample) opaque.
    const size = bitDepth >> 3;
    pixel.fill(255, (channels - 1) * size);
  }
  if (bits >= 8 && colourType === 3) pixel[0] = value;
  const scratch = new Uint8Array(Math.max(1, bits >> 3));
  if (bits < 8) scratch[0] = value << (8 - bits);
  let touched = 0;
  for (const r of regions) {
    const x0 = Math.max(0, Math.floor(r.x - margin));
    const y0 = Math.max(0, Math.floor(r.y - margin));
    const x1 = Math.min(width, Math.ceil(r.x + r.width + margin));
    const y1 = Math.min(height, Math.ceil(r.y + r.height + margin));
    if (x1 <= x0 || y1 <= y0) continue;
    touched++;
    for (let y = y0; y < y1; y++) {
      const row = y * raw.stride;
      for (let x = x0; x < x1; x++) {
        if (bits >= 8) raw.data.set(pixel, row + x * pixel.length);
        else copyPixel(scratch, 0, 0, raw.data, row, x, bits);
      }
    }
  }
  return touched;
}

/** Chunks a cleaned copy keeps: the picture and how to show it (colour space, profile, transparency, density). */
const KEPT_CHUNKS = new Set(['IHDR', 'PLTE', 'IDAT', 'IEND', 'tRNS', 'gAMA', 'cHRM', 'sRGB', 'iCCP', 'sBIT', 'pHYs', 'bKGD', 'cICP', 'mDCv', 'cLLi']);

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(parts: readonly Uint8Array[]): number {
  let c = 0xffffffff;
  for (const part of parts) for (const v of part) c = CRC_TABLE[(c ^ v) & 255]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const typeBytes = new Uint8Array([...type].map((c) => c.charCodeAt(0)));
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(typeBytes, 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32([typeBytes, data]));
  return out;
}

/**
 * The PNG with its text, Exif, time and unknown chunks left out (tEXt, zTXt, iTXt, eXIf, tIME and any
 * private chunk), every other chunk byte for byte: the pixels are not re-encoded. `idat` replaces the image
 * data (and the header's interlace flag is cleared) when the pixels were changed.
 */
export function stripPng(bytes: Uint8Array, idat?: Uint8Array): Uint8Array {
  const { chunks, complete } = pngChunks(bytes);
  if (!complete) throw new PngError('the picture is cut short (it has no end chunk)');
  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  let wroteData = false;
  for (const c of chunks) {
    if (!KEPT_CHUNKS.has(c.type)) continue;
    if (c.type === 'IDAT' && idat) {
      if (!wroteData) parts.push(chunk('IDAT', idat));
      wroteData = true;
      continue;
    }
    if (c.type === 'IHDR' && idat) {
      const data = bytes.slice(c.dataStart, c.dataEnd);
      data[12] = 0;
      parts.push(chunk('IHDR', data));
      continue;
    }
    parts.push(bytes.subarray(c.start, c.end));
  }
  return concatBytes(parts);
}

/** The samples compressed as PNG image data (each row filtered with Paeth, or None for sub-byte pixels). */
export function encodePngData(raw: PngRaw): Uint8Array {
  const { height } = raw.header;
  const bpp = Math.max(1, bitsPerPixel(raw.header) >> 3);
  const subByte = bitsPerPixel(raw.header) < 8;
  const filtered = new Uint8Array(height * (raw.stride + 1));
  for (let y = 0; y < height; y++) {
    const row = y * raw.stride;
    const o = y * (raw.stride + 1);
    filtered[o] = subByte ? 0 : 4;
    for (let x = 0; x < raw.stride; x++) {
      const v = raw.data[row + x]!;
      if (subByte) {
        filtered[o + 1 + x] = v;
        continue;
      }
      const a = x >= bpp ? raw.data[row + x - bpp]! : 0;
      const b = y > 0 ? raw.data[row - raw.stride + x]! : 0;
      const c = y > 0 && x >= bpp ? raw.data[row - raw.stride + x - bpp]! : 0;
      filtered[o + 1 + x] = (v - paeth(a, b, c)) & 255;
    }
  }
  return zlibSync(filtered, { level: 6 });
}

/** Text chunks (tEXt, zTXt, iTXt) as keyword and text. */
export function pngTexts(bytes: Uint8Array, chunks: readonly PngChunk[]): Array<{ keyword: string; text: string }> {
  const out: Array<{ keyword: string; text: string }> = [];
  for (const c of chunks) {
    if (c.type !== 'tEXt' && c.type !== 'zTXt' && c.type !== 'iTXt') continue;
    const data = bytes.subarray(c.dataStart, c.dataEnd);
    const nul = data.indexOf(0);
    if (nul <= 0) continue;
    const keyword = latin1(data.subarray(0, nul));
    try {
      if (c.type === 'tEXt') out.push({ keyword, text: latin1(data.subarray(nul + 1)) });
      else if (c.type === 'zTXt') out.push({ keyword, text: latin1(inflateText(data.subarray(nul + 2))) });
      else {
        const compressed = data[nul + 1] === 1;
        let p = nul + 3;
        // Language tag and translated keyword, each ended by a NUL.
        for (let skip = 0; skip < 2; skip++) {
          const end = data.indexOf(0, p);
          if (end < 0) throw new PngError('damaged text chunk');
          p = end + 1;
        }
        const body = compressed ? inflateText(data.subarray(p)) : data.subarray(p);
        out.push({ keyword, text: new TextDecoder('utf-8').decode(body) });
      }
    } catch {
      out.push({ keyword, text: '' });
    }
  }
  return out;
}
