// The extension's codec host: each codec's .wasm file is an asset Vite emits into the extension package
// (`?url` imports), fetched from the extension's own origin when a frame first needs it. Nothing comes from
// the network; WebAssembly needs 'wasm-unsafe-eval' in the extension pages' CSP, nothing more (no eval).

/// <reference types="vite/client" />
import libjpegTurbo from '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasm?url';
import charls from '@cornerstonejs/codec-charls/decodewasm?url';
import openjpeg from '@cornerstonejs/codec-openjpeg/decodewasm?url';
import openjph from '@cornerstonejs/codec-openjph/wasm?url';
import libjxl from '@cornerstonejs/codec-libjxl/decodewasm?url';
import { createCodecs, type CodecHost, type Codecs, type WasmCodecName } from '../../core/pixels/codecs';

/** Where the build put each codec's WebAssembly file (URLs inside the extension). */
export const WASM_URLS: Readonly<Record<WasmCodecName, string>> = {
  'libjpeg-turbo': libjpegTurbo,
  charls,
  openjpeg,
  openjph,
  libjxl,
};

export const extensionCodecHost: CodecHost = {
  async wasm(name) {
    const response = await fetch(WASM_URLS[name]);
    if (!response.ok) throw new Error(`the ${name} codec is missing from the extension`);
    return response.arrayBuffer();
  },
};

let shared: Codecs | undefined;

/** One set of codecs per page or worker: each WebAssembly module is fetched and compiled once, on first use. */
export function extensionCodecs(): Codecs {
  shared ??= createCodecs(extensionCodecHost);
  return shared;
}
