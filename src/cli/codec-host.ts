// The CLI's (and the tests') codec host: reads each codec's .wasm file from node_modules, where npm put the
// packages src/core/pixels/codecs.ts decodes with.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import { createCodecs, type CodecHost, type Codecs, type WasmCodecName } from '../core/pixels/codecs';

const require = createRequire(import.meta.url);

/** Each codec's WebAssembly file, as its package exports it (the decode-only builds where there is one). */
export const WASM_FILES: Readonly<Record<WasmCodecName, string>> = {
  'libjpeg-turbo': '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasm',
  charls: '@cornerstonejs/codec-charls/decodewasm',
  openjpeg: '@cornerstonejs/codec-openjpeg/decodewasm',
  openjph: '@cornerstonejs/codec-openjph/wasm',
  libjxl: '@cornerstonejs/codec-libjxl/decodewasm',
};

/** Where a codec's .wasm file is on this machine. */
export function wasmPath(name: WasmCodecName): string {
  return require.resolve(WASM_FILES[name]);
}

export const nodeCodecHost: CodecHost = {
  async wasm(name) {
    return new Uint8Array(await fs.promises.readFile(wasmPath(name)));
  },
};

let shared: Codecs | undefined;

/** One set of codecs for the whole process: each WebAssembly module is compiled once. */
export function nodeCodecs(): Codecs {
  shared ??= createCodecs(nodeCodecHost);
  return shared;
}
