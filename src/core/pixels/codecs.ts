// Decoders for compressed frames. The WebAssembly codecs (libjpeg-turbo, CharLS, OpenJPEG, OpenJPH, libjxl,
// as built by cornerstonejs) are loaded lazily, once each, from bytes the host supplies (Node reads them
// from node_modules; the extension fetches its own packaged assets), so this module stays pure and needs no
// eval, no network and no DOM. JPEG lossless is plain JavaScript; 12-bit DCT JPEG is jpeg12.ts; RLE rle.ts.

import { PixelDataError } from './frame';
import { decodeJpeg12 } from './jpeg12';

/** The WebAssembly modules a host may be asked for. */
export type WasmCodecName = 'libjpeg-turbo' | 'charls' | 'openjpeg' | 'openjph' | 'libjxl';

export const WASM_CODECS: readonly WasmCodecName[] = ['libjpeg-turbo', 'charls', 'openjpeg', 'openjph', 'libjxl'];

/** Supplies the bytes of each codec's .wasm file; it is asked once per codec (again only after a failed answer). */
export interface CodecHost {
  wasm(name: WasmCodecName): Promise<ArrayBuffer | Uint8Array>;
}

/** A decoded frame as a codec gives it: 1 or 2 bytes per sample (little-endian), `planar` or interleaved. */
export interface DecodedImage {
  columns: number;
  rows: number;
  components: number;
  bitsPerSample: number;
  /** Samples are two's complement (16-bit samples then come sign-extended). */
  signed: boolean;
  /** The samples are stored one plane per component (RR…GG…BB…). */
  planar: boolean;
  /** A colour transform (YCbCr or the JPEG 2000 RCT/ICT) was undone: the samples are RGB. */
  toRgb: boolean;
  data: Uint8Array;
}

interface WasmFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
  isUsingColorTransform?: boolean;
}

interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  getFrameInfo(): WasmFrameInfo;
  getInterleaveMode?(): number;
  getColorSpace?(): number;
  delete(): void;
}

type WasmModule = Record<string, new () => WasmDecoder>;
type WasmFactory = (options: Record<string, unknown>) => Promise<WasmModule>;

/** The emscripten glue of each codec (decode-only builds where the package has them), imported on first use. */
const GLUE: Record<WasmCodecName, { load: () => Promise<{ default: WasmFactory }>; decoder: string }> = {
  'libjpeg-turbo': { load: () => import('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs'), decoder: 'JPEGDecoder' },
  charls: { load: () => import('@cornerstonejs/codec-charls/decodewasmjs'), decoder: 'JpegLSDecoder' },
  openjpeg: { load: () => import('@cornerstonejs/codec-openjpeg/decodewasmjs'), decoder: 'J2KDecoder' },
  openjph: { load: () => import('@cornerstonejs/codec-openjph/wasmjs'), decoder: 'HTJ2KDecoder' },
  libjxl: { load: () => import('@cornerstonejs/codec-libjxl/decodewasmjs'), decoder: 'JpegXLDecoder' },
};

const quiet = (): void => {};

/** The decoders, with each WebAssembly codec loaded on first use and kept for the next frames. */
export class Codecs {
  private readonly modules = new Map<WasmCodecName, Promise<WasmModule>>();
  private readonly binaries = new Map<WasmCodecName, Promise<ArrayBuffer | Uint8Array>>();

  constructor(private readonly host: CodecHost) {}

  private module(name: WasmCodecName): Promise<WasmModule> {
    let loading = this.modules.get(name);
    if (!loading) {
      loading = (async () => {
        let binary = this.binaries.get(name);
        if (!binary) {
          binary = this.host.wasm(name);
          binary.catch(() => this.binaries.delete(name));
          this.binaries.set(name, binary);
        }
        const [glue, wasm] = await Promise.all([GLUE[name].load(), binary]);
        // print/printErr: OpenJPEG reports progress on stdout; nothing a codec says is shown.
        return glue.default({ wasmBinary: wasm, print: quiet, printErr: quiet, locateFile: (file: string) => file });
      })();
      // A codec that failed to load may load next time (the host may have been busy); one that did stays.
      loading.catch(() => this.modules.delete(name));
      this.modules.set(name, loading);
    }
    return loading;
  }

  private async wasmDecode(name: WasmCodecName, bytes: Uint8Array, what: string): Promise<{ info: WasmFrameInfo; data: Uint8Array; interleave?: number }> {
    let module: WasmModule;
    try {
      module = await this.module(name);
    } catch {
      throw new PixelDataError(`the ${what} decoder could not be loaded`);
    }
    let decoder: WasmDecoder | undefined;
    try {
      decoder = new module[GLUE[name].decoder]!();
      decoder.getEncodedBuffer(bytes.length).set(bytes);
      decoder.decode();
      const info = decoder.getFrameInfo();
      // A copy, as plain bytes (some codecs hand out a clamped or 16-bit view): the buffer lives in the
      // codec's memory and is reused.
      const view = decoder.getDecodedBuffer();
      const data = new Uint8Array(view.buffer, view.byteOffset, view.byteLength).slice();
      const interleave = decoder.getInterleaveMode?.();
      return { info: { ...info }, data, ...(interleave !== undefined ? { interleave } : {}) };
    } catch {
      // An aborted emscripten module refuses every later call: load a fresh one next time.
      this.modules.delete(name);
      throw new PixelDataError(`its ${what} compressed picture could not be decoded (it may be damaged)`);
    } finally {
      try {
        decoder?.delete();
      } catch {
        // The module aborted: nothing left to free.
      }
    }
  }

  private async fromWasm(name: WasmCodecName, bytes: Uint8Array, what: string, toRgb: (info: WasmFrameInfo) => boolean): Promise<DecodedImage> {
    const { info, data, interleave } = await this.wasmDecode(name, bytes, what);
    return {
      columns: info.width,
      rows: info.height,
      components: info.componentCount,
      bitsPerSample: info.bitsPerSample,
      signed: info.isSigned === true,
      // CharLS gives the samples as the stream stores them: by plane when not interleaved (mode 0).
      planar: interleave === 0 && info.componentCount > 1,
      toRgb: info.componentCount === 3 && toRgb(info),
      data,
    };
  }

  /** A DCT JPEG frame (baseline, extended, spectral selection, progressive): 8-bit by libjpeg-turbo, 12-bit by jpeg12.ts. */
  async jpeg(bytes: Uint8Array): Promise<DecodedImage> {
    const frame = jpegFrameHeader(bytes);
    if (frame.lossless) return this.jpegLossless(bytes);
    if (frame.precision > 8) return decodeJpeg12(bytes);
    // libjpeg-turbo turns YCbCr into RGB (and leaves a stream it recognises as RGB as it is).
    return this.fromWasm('libjpeg-turbo', bytes, 'JPEG', () => true);
  }

  /** A JPEG lossless frame (processes 14 and 14 SV1), with jpeg-lossless-decoder-js. */
  async jpegLossless(bytes: Uint8Array): Promise<DecodedImage> {
    const frame = jpegFrameHeader(bytes);
    // Some writers label a DCT JPEG as lossless: the stream decides.
    if (!frame.lossless) return this.jpeg(bytes);
    const { Decoder } = await import('@cornerstonejs/jpeg-lossless-decoder-js');
    const size = frame.precision > 8 ? 2 : 1;
    let out: Uint8Array | Uint16Array;
    try {
      const own = bytes.slice();
      out = new Decoder().decode(own.buffer, 0, own.length, size);
    } catch {
      throw new PixelDataError('its JPEG lossless compressed picture could not be decoded (it may be damaged)');
    }
    const expected = frame.columns * frame.rows * frame.components;
    if (out.length < expected) throw new PixelDataError('its JPEG lossless compressed picture could not be decoded (it may be damaged)');
    const data = new Uint8Array(out.buffer, out.byteOffset, expected * size).slice();
    return { columns: frame.columns, rows: frame.rows, components: frame.components, bitsPerSample: frame.precision, signed: false, planar: false, toRgb: false, data };
  }

  jpegLs(bytes: Uint8Array): Promise<DecodedImage> {
    return this.fromWasm('charls', bytes, 'JPEG-LS', () => false);
  }

  /** JPEG 2000: OpenJPEG undoes the multi-component transform (RCT/ICT) itself, so such frames come back RGB. */
  async jpeg2000(bytes: Uint8Array): Promise<DecodedImage> {
    const mct = j2kUsesColourTransform(bytes);
    return this.fromWasm('openjpeg', bytes, 'JPEG 2000', () => mct);
  }

  htj2k(bytes: Uint8Array): Promise<DecodedImage> {
    return this.fromWasm('openjph', bytes, 'HTJ2K', (info) => info.isUsingColorTransform === true);
  }

  jpegXl(bytes: Uint8Array): Promise<DecodedImage> {
    return this.fromWasm('libjxl', bytes, 'JPEG XL', () => true);
  }
}

export function createCodecs(host: CodecHost): Codecs {
  return new Codecs(host);
}

export interface JpegFrameHeader {
  /** SOF3, SOF7, SOF11, SOF15. */
  lossless: boolean;
  precision: number;
  rows: number;
  columns: number;
  components: number;
}

/** The first start-of-frame segment of a JPEG stream; PixelDataError when there is none before the scan. */
export function jpegFrameHeader(bytes: Uint8Array): JpegFrameHeader {
  const bad = (): PixelDataError => new PixelDataError('its JPEG compressed picture is damaged (no frame header)');
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) throw bad();
  let p = 2;
  while (p + 4 <= bytes.length) {
    if (bytes[p] !== 0xff) throw bad();
    const marker = bytes[p + 1]!;
    if (marker === 0xff) {
      p++;
      continue;
    }
    const length = (bytes[p + 2]! << 8) | bytes[p + 3]!;
    const sof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (sof) {
      if (p + 10 > bytes.length) throw bad();
      return {
        lossless: marker === 0xc3 || marker === 0xc7 || marker === 0xcb || marker === 0xcf,
        precision: bytes[p + 4]!,
        rows: (bytes[p + 5]! << 8) | bytes[p + 6]!,
        columns: (bytes[p + 7]! << 8) | bytes[p + 8]!,
        components: bytes[p + 9]!,
      };
    }
    if (marker === 0xda || length < 2) throw bad();
    p += 2 + length;
  }
  throw bad();
}

/** Whether a JPEG 2000 codestream's COD segment asks for the multi-component transform. */
export function j2kUsesColourTransform(bytes: Uint8Array): boolean {
  // A JP2 file wraps the codestream in boxes: look for the codestream's first marker (SOC, FF4F FF51).
  let p = 0;
  for (; p + 4 <= bytes.length && p < 4096; p++) if (bytes[p] === 0xff && bytes[p + 1] === 0x4f && bytes[p + 2] === 0xff && bytes[p + 3] === 0x51) break;
  p += 2;
  while (p + 4 <= bytes.length) {
    if (bytes[p] !== 0xff) return false;
    const marker = bytes[p + 1]!;
    const length = (bytes[p + 2]! << 8) | bytes[p + 3]!;
    // COD: Scod, then progression order (1), layers (2), then the multiple component transform flag (1).
    if (marker === 0x52) return p + 8 < bytes.length && bytes[p + 8] === 1;
    if (marker === 0x90 || length < 2) return false; // SOT: the main header ended without a COD
    p += 2 + length;
  }
  return false;
}
