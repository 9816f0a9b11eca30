// Which file of which npm package is each codec's WebAssembly (the decode-only builds where there is one):
// the CLI build copies them next to the bundle (vite.cli.config.ts), the Node codec host reads them.

import type { WasmCodecName } from '../core/pixels/codecs';

export const WASM_FILES: Readonly<Record<WasmCodecName, string>> = {
  'libjpeg-turbo': '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasm',
  charls: '@cornerstonejs/codec-charls/decodewasm',
  openjpeg: '@cornerstonejs/codec-openjpeg/decodewasm',
  openjph: '@cornerstonejs/codec-openjph/wasm',
  libjxl: '@cornerstonejs/codec-libjxl/decodewasm',
};

/** Where the built CLI keeps a codec's file, relative to its bundle. */
export const bundledWasmFile = (name: WasmCodecName): string => `codecs/${name}.wasm`;
