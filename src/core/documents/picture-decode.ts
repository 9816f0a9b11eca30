// Pictures decoded to 8 bits for the text finder: JPEG with libjpeg-turbo (the pixel codecs), PNG on fflate
// (png-file.ts), GIF's first frame with omggif, TIFF's first page with UTIF, and WebP and HEIC/HEIF with
// decoders the host supplies (WebAssembly it loads its own way; a browser may use createImageBitmap). The
// size is read from the header first, so a 100-megapixel picture is refused before anything is decoded.

import type { Codecs } from '../pixels/codecs';
import type { Image8, Rect } from '../text/detection';
import type { ImageFormat } from '../sniff';
import { jpegFrame, jpegLayout } from './jpeg-file';
import { decodePngRaw, pngChunks, pngHeader, pngImage } from './png-file';
import { gifLayout, webpChunks, webpSize } from './webp-gif-files';

export class PictureDecodeError extends Error {
  override readonly name = 'PictureDecodeError';
}

/** RGBA pixels, row by row, as browser and WebAssembly decoders give them. */
export interface RgbaPicture {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}

/** What the host decodes itself: formats whose decoders are WebAssembly it loads its own way. */
export interface PictureDecoderHost {
  /** libjpeg-turbo and the other pixel codecs (JPEG needs it). */
  codecs?: Codecs;
  webp?: (bytes: Uint8Array) => Promise<RgbaPicture>;
  heif?: (bytes: Uint8Array) => Promise<RgbaPicture>;
  /** Tried first for any format (createImageBitmap in a browser worker); undefined or a throw falls back to the rest. */
  any?: (bytes: Uint8Array, format: ImageFormat) => Promise<RgbaPicture | undefined>;
}

export interface DecodeLimits {
  /** The most pixels a picture may have to be decoded (width x height). */
  maxPixels: number;
}

/**
 * 40 megapixels: an RGB copy is 120 MB, its decoding a second or two. Phones save 12 to 24 megapixels (48
 * in their high-resolution modes, which are refused with a reason and their metadata still read).
 */
export const DEFAULT_DECODE_LIMITS: Readonly<DecodeLimits> = { maxPixels: 40_000_000 };

function u32be(b: Uint8Array, p: number): number {
  return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
}

/** The largest `ispe` (image spatial extents) box of a HEIF file: the primary picture's size. */
function heifSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  let best: { width: number; height: number } | undefined;
  const limit = Math.min(bytes.length - 20, 1 << 20);
  for (let p = 4; p < limit; p++) {
    if (bytes[p] === 0x69 && bytes[p + 1] === 0x73 && bytes[p + 2] === 0x70 && bytes[p + 3] === 0x65) {
      const width = u32be(bytes, p + 8);
      const height = u32be(bytes, p + 12);
      if (!best || width * height > best.width * best.height) best = { width, height };
    }
  }
  return best;
}

type Utif = typeof import('utif2');
let utifModule: Promise<Utif> | undefined;
function utif(): Promise<Utif> {
  utifModule ??= import('utif2').then((m) => ((m as unknown as { default?: Utif }).default ?? m) as Utif);
  return utifModule;
}

/** The size a picture says it has, from its header alone; undefined when the header cannot tell. */
export async function pictureSize(bytes: Uint8Array, format: ImageFormat): Promise<{ width: number; height: number } | undefined> {
  try {
    switch (format) {
      case 'jpeg': {
        const frame = jpegFrame(bytes, jpegLayout(bytes));
        return frame ? { width: frame.width, height: frame.height } : undefined;
      }
      case 'png': {
        const header = pngHeader(bytes, pngChunks(bytes).chunks);
        return { width: header.width, height: header.height };
      }
      case 'gif': {
        const layout = gifLayout(bytes);
        return { width: layout.width, height: layout.height };
      }
      case 'webp':
        return webpSize(bytes, webpChunks(bytes).chunks);
      case 'heif':
        return heifSize(bytes);
      case 'tiff': {
        const lib = await utif();
        const ifd = lib.decode(bytes.slice().buffer)[0];
        const width = Number((ifd?.t256 as number[] | undefined)?.[0]);
        const height = Number((ifd?.t257 as number[] | undefined)?.[0]);
        return Number.isFinite(width) && Number.isFinite(height) ? { width, height } : undefined;
      }
    }
  } catch {
    return undefined;
  }
}

/** RGBA to RGB, transparent pixels over white (as a viewer shows them). */
export function fromRgba(picture: RgbaPicture): Image8 {
  const { width, height, data } = picture;
  const count = width * height;
  if (data.length < count * 4) throw new PictureDecodeError('the decoder gave fewer pixels than the picture has');
  const out = new Uint8Array(count * 3);
  for (let i = 0; i < count; i++) {
    const a = data[4 * i + 3]!;
    for (let c = 0; c < 3; c++) out[3 * i + c] = a === 255 ? data[4 * i + c]! : Math.round((data[4 * i + c]! * a + 255 * (255 - a)) / 255);
  }
  return { width, height, channels: 3, data: out };
}

async function decodeJpeg(bytes: Uint8Array, codecs: Codecs | undefined): Promise<Image8> {
  if (!codecs) throw new PictureDecodeError('no JPEG decoder is available here');
  const frame = jpegFrame(bytes, jpegLayout(bytes));
  if (frame && frame.components !== 1 && frame.components !== 3) {
    throw new PictureDecodeError(`the JPEG picture has ${frame.components} colour components (CMYK), which this tool does not read`);
  }
  let decoded;
  try {
    decoded = await codecs.jpeg(bytes);
  } catch {
    throw new PictureDecodeError('the JPEG picture could not be decoded (it is damaged or cut short)');
  }
  const { columns: width, rows: height, components, data } = decoded;
  if (decoded.bitsPerSample !== 8) throw new PictureDecodeError(`the JPEG picture has ${decoded.bitsPerSample}-bit samples, which this tool does not read`);
  return components === 1 ? { width, height, channels: 1, data: data.subarray(0, width * height) } : { width, height, channels: 3, data: data.subarray(0, width * height * 3) };
}

interface OmgGifReader {
  width: number;
  height: number;
  numFrames(): number;
  decodeAndBlitFrameRGBA(frame: number, pixels: Uint8Array): void;
}

async function decodeGif(bytes: Uint8Array): Promise<Image8> {
  const { GifReader } = (await import('omggif')) as unknown as { GifReader: new (b: Uint8Array) => OmgGifReader };
  let reader: OmgGifReader;
  try {
    reader = new GifReader(bytes);
  } catch {
    throw new PictureDecodeError('the GIF picture is damaged');
  }
  if (reader.numFrames() === 0) throw new PictureDecodeError('the GIF picture has no frame');
  const rgba = new Uint8Array(reader.width * reader.height * 4);
  try {
    reader.decodeAndBlitFrameRGBA(0, rgba);
  } catch {
    throw new PictureDecodeError('the GIF picture could not be decoded (it is damaged or cut short)');
  }
  // Pixels the frame leaves transparent show the page behind (white).
  return fromRgba({ width: reader.width, height: reader.height, data: rgba });
}

async function decodeTiff(bytes: Uint8Array): Promise<Image8> {
  const lib = await utif();
  try {
    const buffer = bytes.slice().buffer;
    const ifd = lib.decode(buffer)[0];
    if (!ifd) throw new Error('no page');
    lib.decodeImage(buffer, ifd);
    if (!ifd.width || !ifd.height || !ifd.data) throw new Error('no picture');
    return fromRgba({ width: ifd.width, height: ifd.height, data: lib.toRGBA8(ifd) });
  } catch {
    throw new PictureDecodeError('the TIFF picture could not be decoded (it is damaged, or compressed in a way this tool does not read)');
  }
}

/**
 * Decodes a picture's first frame (first page of a TIFF) to 8-bit grey or RGB, in stored orientation.
 * Throws PictureDecodeError with a plain reason: too large, damaged, or no decoder here.
 */
export async function decodePicture(bytes: Uint8Array, format: ImageFormat, host: PictureDecoderHost, limits: DecodeLimits = DEFAULT_DECODE_LIMITS): Promise<Image8> {
  const size = await pictureSize(bytes, format);
  if (!size) throw new PictureDecodeError('the picture header is damaged (its size could not be read)');
  if (size.width * size.height > limits.maxPixels) {
    throw new PictureDecodeError(`the picture is too large to read its text here (${(size.width * size.height / 1e6).toFixed(0)} megapixels; at most ${(limits.maxPixels / 1e6).toFixed(0)})`);
  }
  if (size.width === 0 || size.height === 0) throw new PictureDecodeError('the picture has no pixels');
  if (host.any) {
    const decoded = await host.any(bytes, format).catch(() => undefined);
    if (decoded) return fromRgba(decoded);
  }
  switch (format) {
    case 'jpeg':
      return decodeJpeg(bytes, host.codecs);
    case 'png':
      try {
        return pngImage(decodePngRaw(bytes, limits));
      } catch (e) {
        throw new PictureDecodeError(e instanceof Error ? e.message : 'the PNG picture could not be decoded');
      }
    case 'gif':
      return decodeGif(bytes);
    case 'tiff':
      return decodeTiff(bytes);
    case 'webp':
    case 'heif': {
      const decoder = host[format];
      const name = format === 'webp' ? 'WebP' : 'HEIC/HEIF';
      if (!decoder) throw new PictureDecodeError(`no ${name} decoder is available here`);
      let decoded: RgbaPicture;
      try {
        decoded = await decoder(bytes);
      } catch (e) {
        // A host's decoder that knows why (a browser that cannot decode the format at all) says so.
        if (e instanceof PictureDecodeError) throw e;
        throw new PictureDecodeError(`the ${name} picture could not be decoded (it is damaged, or its decoder refused it)`);
      }
      return fromRgba(decoded);
    }
  }
}

// ---- orientation -------------------------------------------------------------------------------------

/** Where the displayed pixel (x, y) of a picture with EXIF orientation `o` is stored (w x h stored). */
function storedPoint(o: number, x: number, y: number, w: number, h: number): [number, number] {
  switch (o) {
    case 2: return [w - 1 - x, y];
    case 3: return [w - 1 - x, h - 1 - y];
    case 4: return [x, h - 1 - y];
    case 5: return [y, x];
    case 6: return [y, h - 1 - x];
    case 7: return [w - 1 - y, h - 1 - x];
    case 8: return [w - 1 - y, x];
    default: return [x, y];
  }
}

/** Whether orientation `o` swaps width and height. */
export function swapsSides(o: number): boolean {
  return o >= 5 && o <= 8;
}

/** The picture as it is shown (EXIF orientation applied). */
export function orient(image: Image8, o: number): Image8 {
  if (!(o >= 2 && o <= 8)) return image;
  const { width: w, height: h, channels } = image;
  const dw = swapsSides(o) ? h : w;
  const dh = swapsSides(o) ? w : h;
  const out = new Uint8Array(dw * dh * channels);
  for (let y = 0; y < dh; y++) {
    for (let x = 0; x < dw; x++) {
      const [sx, sy] = storedPoint(o, x, y, w, h);
      const from = (sy * w + sx) * channels;
      const to = (y * dw + x) * channels;
      for (let c = 0; c < channels; c++) out[to + c] = image.data[from + c]!;
    }
  }
  return { width: dw, height: dh, channels, data: out };
}

/** A rectangle of the shown picture in stored pixels (w x h stored). */
export function storedRect(r: Rect, o: number, w: number, h: number): Rect {
  if (!(o >= 2 && o <= 8)) return r;
  const [ax, ay] = storedPoint(o, r.x, r.y, w, h);
  const [bx, by] = storedPoint(o, r.x + r.width - 1, r.y + r.height - 1, w, h);
  const x = Math.min(ax, bx);
  const y = Math.min(ay, by);
  return { x, y, width: Math.abs(ax - bx) + 1, height: Math.abs(ay - by) + 1 };
}
