// What the document checks need in Node (the CLI's picture worker, tests, benchmarks): the pixel codecs for
// JPEG (libjpeg-turbo), libwebp (@jsquash/webp) and libheif (libheif-js) for WebP and HEIC, the text
// engine, and pdf.js's local font data, CMaps and WebAssembly (read from node_modules, never fetched).

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { DocumentHost } from '../core/documents/document-check';
import type { PictureDecoderHost, RgbaPicture } from '../core/documents/picture-decode';
import type { JpegEncoder } from '../core/documents/picture-clean';
import type { TextEngine } from '../core/text/picture-text';
import { nodeCodecs } from './codec-host';
import { createNodeTextEngine, type NodeTextEngine } from './text-engine';
import { bundledDocumentFile, DOCUMENT_FILES } from './document-files';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));

function documentFile(name: keyof typeof DOCUMENT_FILES): string {
  const bundled = path.join(here, bundledDocumentFile(name));
  if (fs.existsSync(bundled)) return bundled;
  const resolved = require.resolve(DOCUMENT_FILES[name]);
  return name === 'pdfjs' ? path.dirname(resolved) : resolved;
}

/** Emscripten glue that makes `new ImageData(...)` (libwebp's decoder does): plain pixels in Node. */
function ensureImageData(): void {
  const scope = globalThis as { ImageData?: unknown };
  scope.ImageData ??= class ImageData {
    constructor(readonly data: Uint8ClampedArray, readonly width: number, readonly height: number) {}
  };
}

let webpDecoder: Promise<(bytes: Uint8Array) => Promise<RgbaPicture>> | undefined;
function webp(): Promise<(bytes: Uint8Array) => Promise<RgbaPicture>> {
  webpDecoder ??= (async () => {
    ensureImageData();
    const module = await import('@jsquash/webp/decode.js');
    const wasm = await WebAssembly.compile(await fs.promises.readFile(documentFile('webpWasm')));
    await module.init(wasm);
    return async (bytes: Uint8Array) => {
      const decoded = await module.default(bytes.slice().buffer);
      return { width: decoded.width, height: decoded.height, data: decoded.data };
    };
  })();
  webpDecoder.catch(() => {
    webpDecoder = undefined;
  });
  return webpDecoder;
}

interface HeifImage {
  get_width(): number;
  get_height(): number;
  display(target: { data: Uint8ClampedArray; width: number; height: number }, done: (result: unknown) => void): void;
  free?(): void;
}

/** libheif (LGPL-3.0, loaded as its own module from node_modules): HEIC's HEVC pictures. */
async function heif(bytes: Uint8Array): Promise<RgbaPicture> {
  const libheif = ((await import('libheif-js/wasm-bundle.js')) as { default: { HeifDecoder: new () => { decode(b: Uint8Array): HeifImage[] } } }).default;
  const images = new libheif.HeifDecoder().decode(bytes);
  const image = images[0];
  if (!image) throw new Error('no picture in the file');
  const width = image.get_width();
  const height = image.get_height();
  const data = new Uint8ClampedArray(width * height * 4);
  const result = await new Promise<unknown>((resolve) => image.display({ data, width, height }, resolve));
  for (const i of images) i.free?.();
  if (!result) throw new Error('the picture could not be decoded');
  return { width, height, data };
}

/** The picture decoders in Node. */
export function nodePictureDecoders(): PictureDecoderHost {
  return {
    codecs: nodeCodecs(),
    webp: async (bytes) => (await webp())(bytes),
    heif,
  };
}

interface WasmJpegEncoder {
  getDecodedBuffer(info: { width: number; height: number; bitsPerSample: number; componentCount: number; isSigned: boolean }): Uint8Array;
  getEncodedBuffer(): Uint8Array;
  encode(): void;
  setProgressive(progressive: number): void;
  setQuality(quality: number): void;
}

/**
 * One encoder for the whole process, used one picture at a time: its buffers are resized for each picture,
 * and deleting an encoder crashes this build (its destructor frees a buffer twice).
 */
let jpegEncoder: Promise<WasmJpegEncoder> | undefined;
let jpegQueue: Promise<unknown> = Promise.resolve();

/** libjpeg-turbo's encoder (the full build of the same codec package that decodes), baseline, 4:4:4. */
export const nodeJpegEncoder: JpegEncoder = (image, quality) => {
  jpegEncoder ??= (async () => {
    const glue = (await import('@cornerstonejs/codec-libjpeg-turbo-8bit/wasmjs')).default as unknown as (o: Record<string, unknown>) => Promise<{ JPEGEncoder: new () => WasmJpegEncoder }>;
    const wasmBinary = await fs.promises.readFile(documentFile('jpegEncoderWasm'));
    const module = await glue({ wasmBinary, print: () => undefined, printErr: () => undefined });
    return new module.JPEGEncoder();
  })();
  const run = jpegQueue.then(async () => {
    // This build writes past its output buffer for pictures this small.
    if (image.width * image.height < 1024) throw new Error('the picture is too small to be encoded again');
    const encoder = await jpegEncoder!;
    const target = encoder.getDecodedBuffer({ width: image.width, height: image.height, bitsPerSample: 8, componentCount: image.channels, isSigned: false });
    target.set(image.data.subarray(0, image.width * image.height * image.channels));
    encoder.setProgressive(0);
    encoder.setQuality(Math.max(1, Math.min(100, Math.round(quality))));
    encoder.encode();
    return new Uint8Array(encoder.getEncodedBuffer());
  });
  jpegQueue = run.catch(() => {
    // A WebAssembly fault may leave the module unusable: the next picture gets a fresh one.
    jpegEncoder = undefined;
  });
  return run;
};

/** pdf.js's options in Node: its own font data, CMaps, colour profiles and WebAssembly decoders, from node_modules. */
export function nodePdfOptions(): Record<string, unknown> {
  const root = documentFile('pdfjs');
  const folder = (name: string): string => `${path.join(root, name)}${path.sep}`;
  return {
    standardFontDataUrl: folder('standard_fonts'),
    cMapUrl: folder('cmaps'),
    cMapPacked: true,
    wasmUrl: folder('wasm'),
    iccUrl: folder('iccs'),
  };
}

/**
 * The host of the document checks in Node. `engine`: a running text engine to use, or none to start one on
 * first need (and `close` to stop it).
 */
export function nodeDocumentHost(engine?: TextEngine): DocumentHost & { close(): Promise<void> } {
  let started: Promise<NodeTextEngine> | undefined;
  return {
    decoders: nodePictureDecoders(),
    engine: engine ? async () => engine : () => (started ??= createNodeTextEngine()),
    pdf: { options: nodePdfOptions() },
    async close() {
      await (await started?.catch(() => undefined))?.close();
    },
  };
}
