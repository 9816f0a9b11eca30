// What the document checks need inside the extension's text worker: the DICOM codecs for JPEG (libjpeg-turbo),
// the browser's own decoder for WebP (and HEIC where a browser has one), a JPEG encoder on OffscreenCanvas,
// and pdf.js's options for a worker (no `document`): its font data, CMaps, colour profiles and WebAssembly
// from the extension's own pdfjs/ folder (vite.config.ts copies them), pages drawn on OffscreenCanvas.

import type { DocumentCleanHost } from '../../core/documents/document-clean';
import type { JpegEncoder } from '../../core/documents/picture-clean';
import { decodePicture, PictureDecodeError, type PictureDecoderHost, type RgbaPicture } from '../../core/documents/picture-decode';
import { closePdf, drawPage, drawScale, openPdf, PDF_PAGE_SCALE, type PdfHost } from '../../core/documents/pdf-check';
import { sniff, SNIFF_BYTES } from '../../core/sniff';
import { blobSource } from '../../core/source';
import type { Image8 } from '../../core/text/detection';
import type { TextEngine } from '../../core/text/picture-text';
import { extensionCodecs } from '../dialog/codec-assets';
import type { PicturePreview } from './protocol';

/** Where the build puts pdf.js's data, relative to the extension's root (see vite.config.ts, pdfjsFiles). */
export const PDFJS_FOLDER = 'pdfjs';
/** pdf.js's data folders the build copies from pdfjs-dist. */
export const PDFJS_DATA = ['standard_fonts', 'cmaps', 'wasm', 'iccs'] as const;

/** A failure of the host itself, in plain words (no value from the file). */
export class DocumentHostError extends Error {
  override readonly name = 'DocumentHostError';
}

/** 2D context options for pixels read back (getImageData) right after drawing. */
const READ_BACK = { willReadFrequently: true } as const;

function context2d(canvas: OffscreenCanvas): OffscreenCanvasRenderingContext2D {
  const context = canvas.getContext('2d', READ_BACK);
  if (!context) throw new DocumentHostError('this browser cannot draw pictures off screen');
  return context;
}

/** The browser's decoding of a picture, as it is stored (no EXIF turn, no colour conversion). */
async function browserDecode(bytes: Uint8Array, type: string): Promise<RgbaPicture> {
  const bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>], { type }), {
    imageOrientation: 'none',
    premultiplyAlpha: 'none',
    colorSpaceConversion: 'none',
  });
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = context2d(canvas);
    context.drawImage(bitmap, 0, 0);
    const { data } = context.getImageData(0, 0, bitmap.width, bitmap.height);
    return { width: bitmap.width, height: bitmap.height, data };
  } finally {
    bitmap.close();
  }
}

/** The picture decoders in the worker: libjpeg-turbo and the other codecs, the browser's WebP and HEIC. */
export function extensionPictureDecoders(): PictureDecoderHost {
  return {
    codecs: extensionCodecs(),
    webp: (bytes) => browserDecode(bytes, 'image/webp'),
    async heif(bytes) {
      try {
        return await browserDecode(bytes, 'image/heic');
      } catch {
        // Chrome and Firefox have no HEVC picture decoder, and libheif is not shipped in the extension.
        throw new PictureDecodeError('this browser cannot decode HEIC pictures');
      }
    },
  };
}

/** An 8-bit grey or RGB picture as opaque RGBA. */
export function rgbaOf(image: Image8): Uint8ClampedArray<ArrayBuffer> {
  const count = image.width * image.height;
  const out = new Uint8ClampedArray(count * 4);
  const { data, channels } = image;
  for (let i = 0; i < count; i++) {
    const at = i * channels;
    out[4 * i] = data[at]!;
    out[4 * i + 1] = data[channels === 3 ? at + 1 : at]!;
    out[4 * i + 2] = data[channels === 3 ? at + 2 : at]!;
    out[4 * i + 3] = 255;
  }
  return out;
}

function canvasOf(image: Image8): OffscreenCanvas {
  const canvas = new OffscreenCanvas(image.width, image.height);
  context2d(canvas).putImageData(new ImageData(rgbaOf(image), image.width, image.height), 0, 0);
  return canvas;
}

/** The browser's JPEG encoder (baseline; a grey picture is written as RGB). */
export const canvasJpegEncoder: JpegEncoder = async (image, quality) => {
  const blob = await canvasOf(image).convertToBlob({ type: 'image/jpeg', quality: Math.max(1, Math.min(100, Math.round(quality))) / 100 });
  if (blob.type !== 'image/jpeg') throw new DocumentHostError('this browser cannot write JPEG pictures');
  return new Uint8Array(await blob.arrayBuffer());
};

interface CanvasAndContext {
  canvas: OffscreenCanvas | null;
  context: OffscreenCanvasRenderingContext2D | null;
}

/** pdf.js's canvases (its `CanvasFactory` option) in a worker: OffscreenCanvas, read back often. */
export class OffscreenCanvasFactory {
  constructor(_options?: unknown) {}

  create(width: number, height: number): CanvasAndContext {
    if (width <= 0 || height <= 0) throw new Error('Invalid canvas size');
    const canvas = new OffscreenCanvas(width, height);
    return { canvas, context: context2d(canvas) };
  }

  reset(target: CanvasAndContext, width: number, height: number): void {
    if (!target.canvas) throw new Error('Canvas is not specified');
    if (width <= 0 || height <= 0) throw new Error('Invalid canvas size');
    target.canvas.width = width;
    target.canvas.height = height;
  }

  destroy(target: CanvasAndContext): void {
    if (!target.canvas) throw new Error('Canvas is not specified');
    target.canvas.width = 0;
    target.canvas.height = 0;
    target.canvas = null;
    target.context = null;
  }
}

/**
 * pdf.js's filters (its `FilterFactory` option) in a worker: none. Its own makes SVG filters in the page's
 * DOM (transfer functions, luminosity soft masks); without them such a mask is drawn as an alpha mask, as
 * pdf.js does in Node.
 */
export class NoFilterFactory {
  constructor(_options?: unknown) {}
  addFilter(): string {
    return 'none';
  }
  addHCMFilter(): string {
    return 'none';
  }
  addAlphaFilter(): string {
    return 'none';
  }
  addLuminosityFilter(): string {
    return 'none';
  }
  addHighlightHCMFilter(): string {
    return 'none';
  }
  destroy(): void {}
}

/**
 * pdf.js's options in the worker. `useWorkerFetch`: pdf.js's parser (in this thread, globalThis.pdfjsWorker)
 * reads the CMaps, font data and WebAssembly from the extension itself; its display side would otherwise
 * ask `document.baseURI`, which a worker has not. No font is loaded into the page (glyphs are drawn as
 * paths), no code is compiled from the file, and no worker or blob: URL is made.
 */
export function extensionPdfOptions(root: string): Record<string, unknown> {
  const folder = (name: (typeof PDFJS_DATA)[number]): string => new URL(`${PDFJS_FOLDER}/${name}/`, root).href;
  return {
    standardFontDataUrl: folder('standard_fonts'),
    cMapUrl: folder('cmaps'),
    cMapPacked: true,
    wasmUrl: folder('wasm'),
    iccUrl: folder('iccs'),
    useWorkerFetch: true,
    CanvasFactory: OffscreenCanvasFactory,
    FilterFactory: NoFilterFactory,
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    isOffscreenCanvasSupported: true,
  };
}

/**
 * The host of the document checks and copies in the text worker. `root` is the extension's base URL,
 * `engine` starts (or gives) the worker's text engine.
 */
export function extensionDocumentHost(root: string, engine: () => Promise<TextEngine>): DocumentCleanHost & { pdf: PdfHost } {
  return {
    decoders: extensionPictureDecoders(),
    engine,
    pdf: { options: extensionPdfOptions(root) },
    jpeg: canvasJpegEncoder,
  };
}

/** `image` shrunk to at most `maxSide` pixels on its longer side, as RGBA, and how many of its pixels one of the original's is. */
function shrunk(image: Image8, maxSide: number): PicturePreview {
  const k = Math.min(1, maxSide / Math.max(image.width, image.height));
  if (k >= 1) return { width: image.width, height: image.height, scale: 1, rgba: rgbaOf(image) };
  const width = Math.max(1, Math.floor(image.width * k));
  const height = Math.max(1, Math.floor(image.height * k));
  const small = new OffscreenCanvas(width, height);
  const context = context2d(small);
  context.imageSmoothingEnabled = true;
  context.imageSmoothingQuality = 'high';
  context.drawImage(canvasOf(image), 0, 0, width, height);
  return { width, height, scale: width / image.width, rgba: context.getImageData(0, 0, width, height).data };
}

/**
 * A picture to show: a picture file as it is stored (its regions are in stored pixels; `page` is not asked),
 * or page `page` (1-based, the first when undefined) of a PDF, at most `maxSide` pixels on its longer side.
 * `scale` is preview pixels per pixel of the report's regions (stored pixels of a picture; pixels of a PDF
 * page at PDF_PAGE_SCALE). Throws with a plain reason.
 */
export async function documentPreview(file: Blob, page: number | undefined, maxSide: number, host: DocumentCleanHost): Promise<PicturePreview> {
  if (!(maxSide >= 1)) throw new DocumentHostError('the preview has no room');
  const source = blobSource(file);
  const sniffed = sniff(await source.read(0, SNIFF_BYTES), source.size);
  if (sniffed.kind === 'image') return shrunk(await decodePicture(await source.read(0, source.size), sniffed.format, host.decoders), maxSide);
  if (sniffed.kind !== 'pdf') throw new DocumentHostError('it is neither a picture nor a PDF');
  const doc = await openPdf(await source.read(0, source.size), host.pdf);
  try {
    const number = page ?? 1;
    if (!Number.isInteger(number) || number < 1 || number > doc.numPages) throw new DocumentHostError(`the PDF has no page ${number}`);
    const pdfPage = await doc.getPage(number);
    const base = pdfPage.getViewport({ scale: 1 });
    // Drawn straight at the preview's size (sharper and cheaper than drawing at PDF_PAGE_SCALE and shrinking);
    // a hair under, so rounding up the page's size never passes maxSide.
    const scale = Math.min(drawScale(pdfPage), (maxSide - 0.01) / Math.max(base.width, base.height));
    let image: Image8;
    try {
      image = await drawPage(doc, pdfPage, scale);
    } catch {
      throw new DocumentHostError(`page ${number} could not be drawn`);
    } finally {
      pdfPage.cleanup();
    }
    return { width: image.width, height: image.height, scale: scale / PDF_PAGE_SCALE, rgba: rgbaOf(image) };
  } finally {
    await closePdf(doc);
  }
}
