// Reads the first frame of a DICOM file's picture for a preview (header via readDicomHeader, then only that
// frame's bytes by slicing), and turns an uncompressed frame into RGBA pixels. Pure: no DOM.
//
// Supported: native (uncompressed) pixel data in implicit/explicit little endian, explicit big endian and
// deflated files: MONOCHROME1/2 8 or 16 bits (signed or unsigned, windowed by Window Center/Width or by
// min/max), RGB and YBR_FULL 8 or 16 bits, interleaved or planar; and baseline JPEG (1.2.840.10008.1.2.4.50),
// whose first frame's fragments are handed back as bytes for the browser to decode. Everything else is
// `{ kind: 'none', reason }` with the reason in plain words.

import type { ByteSource } from '../source';
import { blobSource, sliceSource } from '../source';
import { sniff, SNIFF_BYTES } from '../sniff';
import { inflatedSource } from '../inflate';
import { readDicomHeader, TRANSFER_SYNTAX, DEFAULT_HEADER_LIMITS, type DicomHeader, type HeaderLimits } from './header';
import type { DataSet } from './parser';

export const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';

export interface FrameWindow {
  center: number;
  width: number;
}

export interface FrameRescale {
  slope: number;
  intercept: number;
}

/** An uncompressed frame. `pixels` are in little-endian byte order whatever the file's. */
export interface NativeFrame {
  kind: 'native';
  rows: number;
  columns: number;
  samplesPerPixel: 1 | 3;
  bitsAllocated: 8 | 16;
  bitsStored: number;
  /** 0 unsigned, 1 two's complement. */
  pixelRepresentation: 0 | 1;
  photometric: string;
  /** 0: samples of a pixel together (RGBRGB…); 1: one plane per sample (RR…GG…BB…). */
  planarConfiguration: 0 | 1;
  /** The first Window Center/Width of the file, in rescaled units, when it has a usable one. */
  window?: FrameWindow;
  /** Rescale Slope/Intercept (the modality LUT), when the file has them. */
  rescale?: FrameRescale;
  pixels: Uint8Array;
}

/** A baseline JPEG frame: the bytes of its fragments, joined, for the browser's decoder. */
export interface JpegFrame {
  kind: 'jpeg';
  rows: number;
  columns: number;
  bytes: Uint8Array<ArrayBuffer>;
}

export interface NoFrame {
  kind: 'none';
  /** Why there is no preview, in plain words (never a value from the file). */
  reason: string;
}

export type FirstFrame = NativeFrame | JpegFrame | NoFrame;

export interface FirstFrameLimits {
  /** A first frame with more bytes than this is not read. */
  maxFrameBytes: number;
  /** A picture with more pixels than this is not previewed (its RGBA would be 4 bytes a pixel). */
  maxPixels: number;
  header: HeaderLimits;
}

export const DEFAULT_FIRST_FRAME_LIMITS: FirstFrameLimits = {
  maxFrameBytes: 128 * 1024 * 1024,
  maxPixels: 32 * 1024 * 1024,
  header: DEFAULT_HEADER_LIMITS,
};

const NATIVE_SYNTAXES: ReadonlySet<string> = new Set([
  TRANSFER_SYNTAX.implicitLittle,
  TRANSFER_SYNTAX.explicitLittle,
  TRANSFER_SYNTAX.explicitBig,
  TRANSFER_SYNTAX.deflated,
]);

/** Plain names of the compressions the preview cannot show (others are named by their UID). */
const COMPRESSION_NAMES: ReadonlyArray<[RegExp, string]> = [
  [/^1\.2\.840\.10008\.1\.2\.4\.(9[0-3]|20[1-3])$/, 'JPEG 2000'],
  [/^1\.2\.840\.10008\.1\.2\.4\.8[01]$/, 'JPEG-LS'],
  [/^1\.2\.840\.10008\.1\.2\.5$/, 'RLE'],
  [/^1\.2\.840\.10008\.1\.2\.4\.(5[1-9]|6\d|70)$/, 'a JPEG process other than baseline'],
  [/^1\.2\.840\.10008\.1\.2\.4\.1\d\d$/, 'video (MPEG or HEVC)'],
];

const none = (reason: string): NoFrame => ({ kind: 'none', reason });

function uint16(ds: DataSet, tag: string): number | undefined {
  const el = ds.elements[tag];
  if (!el || el.length < 2 || el.dataOffset + 2 > ds.byteArray.length) return undefined;
  return ds.byteArrayParser.readUint16(ds.byteArray, el.dataOffset);
}

function text(ds: DataSet, tag: string): string | undefined {
  const el = ds.elements[tag];
  if (!el || el.dataOffset + el.length > ds.byteArray.length) return undefined;
  let s = '';
  for (let i = el.dataOffset; i < el.dataOffset + el.length; i++) s += String.fromCharCode(ds.byteArray[i]!);
  return s.replace(/\0/g, ' ').trim();
}

/** The first value of a DS or IS element, when it is a finite number. */
function firstNumber(ds: DataSet, tag: string): number | undefined {
  const first = text(ds, tag)?.split('\\')[0]?.trim();
  if (!first) return undefined;
  const n = Number(first);
  return Number.isFinite(n) ? n : undefined;
}

function compressionName(ts: string): string {
  return COMPRESSION_NAMES.find(([pattern]) => pattern.test(ts))?.[1] ?? `transfer syntax ${ts}`;
}

function swapPairs(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    out[i] = bytes[i + 1]!;
    out[i + 1] = bytes[i]!;
  }
  return out;
}

/**
 * Reads the first frame of the picture in `input` (a DICOM file): the header, then only that frame's bytes.
 * Never throws for a bad file: anything it cannot show is `{ kind: 'none', reason }`.
 */
export async function readFirstFrame(input: Blob | ByteSource, limits: FirstFrameLimits = DEFAULT_FIRST_FRAME_LIMITS): Promise<FirstFrame> {
  const source = input instanceof Blob ? blobSource(input) : input;
  try {
    return await firstFrameOf(source, limits);
  } catch {
    return none('the file could not be read');
  }
}

async function firstFrameOf(source: ByteSource, limits: FirstFrameLimits): Promise<FirstFrame> {
  if (source.size === 0) return none('the file is empty');
  const sniffed = sniff(await source.read(0, SNIFF_BYTES), source.size);
  if (sniffed.kind !== 'dicom') return none('it is not a DICOM file');
  const header = await readDicomHeader(source, sniffed, limits.header);
  const pixel = header.pixelData;
  if (!pixel) return none('the file has no picture');
  const ds = header.dataSet;
  const rows = uint16(ds, 'x00280010');
  const columns = uint16(ds, 'x00280011');
  if (!rows || !columns) return none('the file does not say how large its picture is');
  if (rows * columns > limits.maxPixels) return none('the picture is too large to preview');
  const ts = header.transferSyntax;
  if (ts === JPEG_BASELINE) {
    if (!pixel.undefinedLength) return none('its JPEG picture is not stored in fragments as the standard requires');
    return readJpegFrame(source, header, rows, columns, limits);
  }
  if (ts !== undefined && !NATIVE_SYNTAXES.has(ts)) {
    return none(`its picture is compressed as ${compressionName(ts)}, which the preview cannot show`);
  }
  if (pixel.undefinedLength) return none('its picture is stored in fragments, but the file says it is not compressed');
  return readNativeFrame(source, header, rows, columns, limits);
}

async function readNativeFrame(source: ByteSource, header: DicomHeader, rows: number, columns: number, limits: FirstFrameLimits): Promise<FirstFrame> {
  const ds = header.dataSet;
  const pixel = header.pixelData!;
  const samplesPerPixel = uint16(ds, 'x00280002') ?? 1;
  const bitsAllocated = uint16(ds, 'x00280100');
  const bitsStored = uint16(ds, 'x00280101') ?? bitsAllocated;
  const pixelRepresentation = uint16(ds, 'x00280103') ?? 0;
  const planarConfiguration = uint16(ds, 'x00280006') ?? 0;
  const photometric = (text(ds, 'x00280004') ?? (samplesPerPixel === 1 ? 'MONOCHROME2' : '')).toUpperCase();

  if (bitsAllocated !== 8 && bitsAllocated !== 16) {
    return none(`its picture has ${bitsAllocated ?? 'an unknown number of'} bits per sample, which the preview cannot show`);
  }
  if (bitsStored === undefined || bitsStored < 1 || bitsStored > bitsAllocated) return none('its picture says it stores more bits than it has room for');
  if (pixelRepresentation !== 0 && pixelRepresentation !== 1) return none('its picture has an unknown pixel representation');
  const monochrome = photometric === 'MONOCHROME1' || photometric === 'MONOCHROME2';
  const colour = photometric === 'RGB' || photometric === 'YBR_FULL';
  if (photometric === 'PALETTE COLOR') return none('palette colour pictures cannot be previewed');
  if (!(monochrome && samplesPerPixel === 1) && !(colour && samplesPerPixel === 3)) {
    return none(`its picture is in a colour form (${photometric || 'unknown'}, ${samplesPerPixel} samples) the preview cannot show`);
  }
  if (colour && planarConfiguration !== 0 && planarConfiguration !== 1) return none('its picture has an unknown planar configuration');

  const frameBytes = rows * columns * samplesPerPixel * (bitsAllocated / 8);
  if (frameBytes > limits.maxFrameBytes) return none('the picture is too large to preview');
  if (pixel.length < frameBytes) return none('its pixel data is shorter than one frame');

  const bigEndian = !header.encoding.littleEndian;
  // In big endian, OW data is stored in swapped 16-bit words, even 8-bit pixels: read whole words.
  const swap = bigEndian && (bitsAllocated === 16 || ds.elements.x7fe00010?.vr === 'OW');
  const wanted = swap ? frameBytes + (frameBytes % 2) : frameBytes;
  const start = pixel.dataOffset;
  let bytes: Uint8Array;
  if (header.deflated) {
    // The dataset is one deflate stream: inflate it as far as the end of the first frame, no further.
    const inflated = inflatedSource(sliceSource(source, header.datasetStart), { format: 'raw', maxOutput: start + wanted });
    bytes = await inflated.read(start, start + wanted);
  } else {
    bytes = await source.read(header.datasetStart + start, header.datasetStart + start + wanted);
  }
  if (bytes.length < frameBytes) return none('the file ends before the end of its first frame');
  const pixels = swap ? swapPairs(bytes).subarray(0, frameBytes) : bytes.slice(0, frameBytes);

  const center = firstNumber(ds, 'x00281050');
  const width = firstNumber(ds, 'x00281051');
  const slope = firstNumber(ds, 'x00281053');
  const intercept = firstNumber(ds, 'x00281052');
  return {
    kind: 'native',
    rows,
    columns,
    samplesPerPixel: samplesPerPixel as 1 | 3,
    bitsAllocated,
    bitsStored,
    pixelRepresentation,
    photometric,
    planarConfiguration: colour ? (planarConfiguration as 0 | 1) : 0,
    ...(monochrome && center !== undefined && width !== undefined && width >= 1 ? { window: { center, width } } : {}),
    ...(monochrome && (slope !== undefined || intercept !== undefined) ? { rescale: { slope: slope ?? 1, intercept: intercept ?? 0 } } : {}),
    pixels,
  };
}

/** Most fragments followed to collect the first frame. */
const MAX_FRAGMENTS = 100_000;

interface ItemHeader {
  element: number;
  length: number;
}

async function readItemHeader(source: ByteSource, at: number): Promise<ItemHeader | undefined> {
  const h = await source.read(at, at + 8);
  if (h.length < 8) return undefined;
  const view = new DataView(h.buffer, h.byteOffset, 8);
  if (view.getUint16(0, true) !== 0xfffe) return undefined;
  return { element: view.getUint16(2, true), length: view.getUint32(4, true) };
}

/** Whether `fragment` ends with the JPEG end-of-image marker (FFD9), allowing one byte of padding. */
function endsWithEoi(fragment: Uint8Array): boolean {
  const end = fragment[fragment.length - 1] === 0x00 ? fragment.length - 1 : fragment.length;
  return fragment[end - 2] === 0xff && fragment[end - 1] === 0xd9;
}

async function readJpegFrame(source: ByteSource, header: DicomHeader, rows: number, columns: number, limits: FirstFrameLimits): Promise<FirstFrame> {
  const frames = Math.max(1, Math.trunc(firstNumber(header.dataSet, 'x00280008') ?? 1));
  const damaged = none('its compressed picture is damaged');
  // Encapsulated pixel data is never deflated, so the offsets are the file's.
  const start = header.datasetStart + header.pixelData!.dataOffset;
  const table = await readItemHeader(source, start);
  if (!table || table.element !== 0xe000 || table.length === 0xffffffff) return damaged;
  const firstFragment = start + 8 + table.length;
  // The basic offset table says where the second frame starts, relative to the first fragment.
  let frameEnd: number | undefined;
  if (frames > 1 && table.length >= 8) {
    const offsets = await source.read(start + 8, start + 16);
    if (offsets.length < 8) return damaged;
    frameEnd = new DataView(offsets.buffer, offsets.byteOffset, 8).getUint32(4, true);
  }
  const parts: Uint8Array[] = [];
  let total = 0;
  let p = firstFragment;
  for (let i = 0; i < MAX_FRAGMENTS; i++) {
    if (frameEnd !== undefined && p - firstFragment >= frameEnd) break;
    const item = await readItemHeader(source, p);
    if (!item || (item.element !== 0xe000 && item.element !== 0xe0dd)) return damaged;
    if (item.element === 0xe0dd) break;
    if (item.length === 0xffffffff) return damaged;
    total += item.length;
    if (total > limits.maxFrameBytes) return none('the picture is too large to preview');
    const fragment = await source.read(p + 8, p + 8 + item.length);
    if (fragment.length < item.length) return damaged;
    parts.push(fragment);
    p += 8 + item.length;
    // With several frames and no offset table, a frame ends with the fragment that ends the JPEG image.
    if (frames > 1 && frameEnd === undefined && endsWithEoi(fragment)) break;
  }
  if (parts.length === 0) return none('its compressed picture has no fragments');
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.length;
  }
  return { kind: 'jpeg', rows, columns, bytes };
}

// ---- pixels --------------------------------------------------------------------------------------------

/** Stored sample `i` of a frame as an integer (masked to Bits Stored, sign-extended when signed). */
function sampleReader(frame: NativeFrame): (i: number) => number {
  const { pixels, bitsStored } = frame;
  const mask = 2 ** bitsStored - 1;
  const signBit = 2 ** (bitsStored - 1);
  const raw = frame.bitsAllocated === 8 ? (i: number): number => pixels[i]! : (i: number): number => pixels[2 * i]! | (pixels[2 * i + 1]! << 8);
  if (frame.pixelRepresentation === 1) {
    return (i) => {
      const v = raw(i) & mask;
      return v >= signBit ? v - 2 * signBit : v;
    };
  }
  return (i) => raw(i) & mask;
}

/** The DICOM linear VOI function (PS3.3 C.11.2.1.2.1) onto 0..255. */
function linearWindow(x: number, w: FrameWindow): number {
  const c = w.center - 0.5;
  const half = (w.width - 1) / 2;
  if (x <= c - half) return 0;
  if (x > c + half) return 255;
  return ((x - c) / (w.width - 1) + 0.5) * 255;
}

function monochromeToRgba(frame: NativeFrame, out: Uint8ClampedArray<ArrayBuffer>): void {
  const count = frame.rows * frame.columns;
  const sample = sampleReader(frame);
  const slope = frame.rescale?.slope ?? 1;
  const intercept = frame.rescale?.intercept ?? 0;
  const values = new Float64Array(count);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < count; i++) {
    const v = sample(i) * slope + intercept;
    values[i] = v;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  // Without a window from the file, the frame's own range is stretched over black to white.
  const window = frame.window ?? { center: (lo + hi + 1) / 2, width: Math.max(1, hi - lo + 1) };
  const invert = frame.photometric === 'MONOCHROME1';
  for (let i = 0; i < count; i++) {
    const g = linearWindow(values[i]!, window);
    const o = 4 * i;
    out[o] = out[o + 1] = out[o + 2] = invert ? 255 - g : g;
    out[o + 3] = 255;
  }
}

function colourToRgba(frame: NativeFrame, out: Uint8ClampedArray<ArrayBuffer>): void {
  const count = frame.rows * frame.columns;
  const sample = sampleReader({ ...frame, pixelRepresentation: 0 });
  // 16-bit colour: the top 8 of the stored bits.
  const shift = frame.bitsAllocated === 16 ? Math.max(0, frame.bitsStored - 8) : 0;
  const at = frame.planarConfiguration === 1 ? (p: number, s: number): number => s * count + p : (p: number, s: number): number => 3 * p + s;
  const ybr = frame.photometric === 'YBR_FULL';
  for (let p = 0; p < count; p++) {
    const a = sample(at(p, 0)) >> shift;
    const b = sample(at(p, 1)) >> shift;
    const c = sample(at(p, 2)) >> shift;
    const o = 4 * p;
    if (ybr) {
      // PS3.3 C.7.6.3.1.2: YBR_FULL to RGB.
      out[o] = a + 1.402 * (c - 128);
      out[o + 1] = a - 0.344136 * (b - 128) - 0.714136 * (c - 128);
      out[o + 2] = a + 1.772 * (b - 128);
    } else {
      out[o] = a;
      out[o + 1] = b;
      out[o + 2] = c;
    }
    out[o + 3] = 255;
  }
}

/**
 * The RGBA pixels (rows × columns × 4, row by row) of an uncompressed frame: monochrome windowed to grey
 * (MONOCHROME1 inverted), colour as it is. Throws for a frame whose form readFirstFrame never returns.
 */
export function toRgba(frame: NativeFrame): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(frame.rows * frame.columns * 4);
  if (frame.samplesPerPixel === 1 && (frame.photometric === 'MONOCHROME1' || frame.photometric === 'MONOCHROME2')) {
    monochromeToRgba(frame, out);
  } else if (frame.samplesPerPixel === 3 && (frame.photometric === 'RGB' || frame.photometric === 'YBR_FULL')) {
    colourToRgba(frame, out);
  } else {
    throw new Error(`no preview for ${frame.photometric} with ${frame.samplesPerPixel} samples per pixel`);
  }
  return out;
}

/**
 * The frame with no more than `maxSide` pixels along its longer side, every n-th pixel kept (nearest
 * neighbour), so a preview never converts or holds more pixels than it shows; the frame itself when it fits.
 */
export function shrinkFrame(frame: NativeFrame, maxSide: number): NativeFrame {
  const step = Math.ceil(Math.max(frame.rows, frame.columns) / Math.max(1, maxSide));
  if (step <= 1) return frame;
  const rows = Math.ceil(frame.rows / step);
  const columns = Math.ceil(frame.columns / step);
  const size = frame.bitsAllocated / 8;
  const spp = frame.samplesPerPixel;
  const planar = frame.planarConfiguration === 1;
  const fromPlane = frame.rows * frame.columns;
  const toPlane = rows * columns;
  const pixels = new Uint8Array(toPlane * spp * size);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      const from = r * step * frame.columns + c * step;
      const to = r * columns + c;
      for (let s = 0; s < spp; s++) {
        const a = (planar ? s * fromPlane + from : from * spp + s) * size;
        const b = (planar ? s * toPlane + to : to * spp + s) * size;
        for (let k = 0; k < size; k++) pixels[b + k] = frame.pixels[a + k]!;
      }
    }
  }
  return { ...frame, rows, columns, pixels };
}
