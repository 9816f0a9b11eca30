// Cleaned copies of pictures: metadata left out without re-encoding where the format allows it (JPEG: every
// APPn but JFIF, ICC and Adobe, and comments; PNG: text, Exif and time chunks; WebP: EXIF and XMP chunks;
// GIF: comments and application data), and when text must be masked, the regions filled with black and the
// picture re-encoded (JPEG at the quality its own tables show, baseline; PNG losslessly). TIFF is written
// anew from its pixels (uncompressed, no metadata). WebP, GIF and HEIF pictures with text to mask, and HEIF
// pictures at all, are refused with the reason: there is no encoder for them here.

import type { Image8, Rect } from '../text/detection';
import type { ImageFormat } from '../sniff';
import { estimateJpegQuality, iccSegments, jpegLayout, orientationSegment, stripJpeg, JpegStructureError } from './jpeg-file';
import { decodePngRaw, encodePngData, fillPngRegions, stripPng, PngError } from './png-file';
import { stripGif, stripWebp, ContainerError } from './webp-gif-files';
import { decodePicture, PictureDecodeError, type PictureDecoderHost } from './picture-decode';

/** Encodes an 8-bit grey or RGB picture as a baseline JPEG at a quality from 1 to 100 (libjpeg-turbo in the hosts). */
export type JpegEncoder = (image: Image8, quality: number) => Promise<Uint8Array>;

export interface PictureCleanHost {
  decoders: PictureDecoderHost;
  jpeg?: JpegEncoder;
}

export interface CleanedPicture {
  bytes: Uint8Array;
  /** The picture was decoded and encoded again (to mask text, or because its format is rewritten). */
  reencoded: boolean;
  /** Regions filled. */
  masked: number;
  /** The JPEG quality a re-encoded copy was saved at. */
  quality?: number;
}

export class PictureCleanError extends Error {
  override readonly name = 'PictureCleanError';
}

const NAMES: Readonly<Record<ImageFormat, string>> = { jpeg: 'JPEG', png: 'PNG', webp: 'WebP', heif: 'HEIC/HEIF', tiff: 'TIFF', gif: 'GIF' };

/** Fills each region, grown by `margin`, with black. Returns how many regions touched the picture. */
export function fillImageRegions(image: Image8, regions: readonly Rect[], margin: number): number {
  let touched = 0;
  for (const r of regions) {
    const x0 = Math.max(0, Math.floor(r.x - margin));
    const y0 = Math.max(0, Math.floor(r.y - margin));
    const x1 = Math.min(image.width, Math.ceil(r.x + r.width + margin));
    const y1 = Math.min(image.height, Math.ceil(r.y + r.height + margin));
    if (x1 <= x0 || y1 <= y0) continue;
    touched++;
    for (let y = y0; y < y1; y++) image.data.fill(0, (y * image.width + x0) * image.channels, (y * image.width + x1) * image.channels);
  }
  return touched;
}

/** The IFD entries a written TIFF has, beyond which nothing is said. */
const TIFF_HEAD_BYTES = 1000;

/**
 * An uncompressed RGBA TIFF with UTIF's encoder: size, samples, one strip, resolution and orientation, and
 * no Software tag (UTIF's own encodeImage adds one naming itself).
 */
async function encodeTiff(rgba: Uint8Array, width: number, height: number, orientation: number): Promise<Uint8Array> {
  const utif = (await import('utif2')) as unknown as { default?: typeof import('utif2') } & typeof import('utif2');
  const lib = (utif.default ?? utif) as unknown as { encode(ifds: Array<Record<string, unknown>>): ArrayBuffer };
  const ifd: Record<string, unknown> = {
    t256: [width], t257: [height], t258: [8, 8, 8, 8], t259: [1], t262: [2], t273: [TIFF_HEAD_BYTES], t277: [4], t278: [height],
    t279: [width * height * 4], t282: [[72, 1]], t283: [[72, 1]], t284: [1], t296: [2], t338: [2],
  };
  if (orientation >= 2 && orientation <= 8) ifd.t274 = [orientation];
  const head = new Uint8Array(lib.encode([ifd]));
  const out = new Uint8Array(TIFF_HEAD_BYTES + rgba.length);
  out.set(head.subarray(0, TIFF_HEAD_BYTES), 0);
  out.set(rgba, TIFF_HEAD_BYTES);
  return out;
}

/** The encoded JPEG with `segments` put right after its JFIF segment (or its start). */
function withSegments(jpeg: Uint8Array, segments: readonly Uint8Array[]): Uint8Array {
  const layout = jpegLayout(jpeg);
  const first = layout.segments[0];
  const at = first && first.marker === 0xe0 ? first.end : 2;
  const extra = segments.reduce((n, s) => n + s.length, 0);
  const out = new Uint8Array(jpeg.length + extra);
  out.set(jpeg.subarray(0, at), 0);
  let p = at;
  for (const s of segments) {
    out.set(s, p);
    p += s.length;
  }
  out.set(jpeg.subarray(at), p);
  return out;
}

function messageOf(e: unknown, fallback: string): string {
  return e instanceof JpegStructureError || e instanceof PngError || e instanceof ContainerError || e instanceof PictureDecodeError ? e.message : fallback;
}

/**
 * A cleaned copy of a picture: metadata removed, and `regions` (stored pixels) masked with `margin` pixels
 * around them. `orientation` (EXIF, 1-8) is kept in a JPEG copy so it still shows upright. Throws
 * PictureCleanError with a plain reason when no copy can be made.
 */
export async function cleanPicture(bytes: Uint8Array, format: ImageFormat, regions: readonly Rect[], host: PictureCleanHost, options: { orientation?: number; margin?: number; maxPixels?: number } = {}): Promise<CleanedPicture> {
  const margin = options.margin ?? 2;
  const orientation = options.orientation ?? 1;
  const limits = { maxPixels: options.maxPixels ?? 40_000_000 };
  try {
    switch (format) {
      case 'jpeg': {
        if (regions.length === 0) return { bytes: stripJpeg(bytes, orientation), reencoded: false, masked: 0 };
        if (!host.jpeg) throw new PictureCleanError('no JPEG encoder is available here to write the masked copy');
        const layout = jpegLayout(bytes);
        if (!layout.complete) throw new PictureCleanError('the picture is cut short (it has no end marker)');
        const quality = estimateJpegQuality(bytes, layout);
        const image = await decodePicture(bytes, 'jpeg', host.decoders, limits);
        const own: Image8 = { ...image, data: new Uint8Array(image.data) };
        const masked = fillImageRegions(own, regions, margin);
        const encoded = await host.jpeg(own, quality);
        return { bytes: withSegments(encoded, [orientationSegment(orientation), ...iccSegments(bytes, layout)]), reencoded: true, masked, quality };
      }
      case 'png': {
        if (regions.length === 0) return { bytes: stripPng(bytes), reencoded: false, masked: 0 };
        const raw = decodePngRaw(bytes, limits);
        const masked = fillPngRegions(raw, regions, margin);
        return { bytes: stripPng(bytes, encodePngData(raw)), reencoded: true, masked };
      }
      case 'webp':
      case 'gif':
        if (regions.length > 0) throw new PictureCleanError(`the text in a ${NAMES[format]} picture cannot be masked here (there is no ${NAMES[format]} encoder); save it as PNG or JPEG first`);
        return { bytes: format === 'webp' ? stripWebp(bytes) : stripGif(bytes), reencoded: false, masked: 0 };
      case 'tiff': {
        // Written anew from its pixels: uncompressed 8-bit RGBA, no tag but the picture's own (and orientation).
        const image = await decodePicture(bytes, 'tiff', host.decoders, limits);
        const own: Image8 = { ...image, data: new Uint8Array(image.data) };
        const masked = fillImageRegions(own, regions, margin);
        const rgba = new Uint8Array(own.width * own.height * 4);
        for (let i = 0; i < own.width * own.height; i++) {
          for (let c = 0; c < 3; c++) rgba[4 * i + c] = own.data[own.channels === 3 ? 3 * i + c : i]!;
          rgba[4 * i + 3] = 255;
        }
        return { bytes: await encodeTiff(rgba, own.width, own.height, orientation), reencoded: true, masked };
      }
      case 'heif':
        throw new PictureCleanError('a cleaned copy of a HEIC/HEIF picture cannot be written here (there is no HEIF writer); save it as JPEG first');
    }
  } catch (e) {
    if (e instanceof PictureCleanError) throw e;
    throw new PictureCleanError(messageOf(e, 'the picture could not be cleaned (it is damaged)'));
  }
}
