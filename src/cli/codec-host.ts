// The CLI's (and the tests') codec host: reads each codec's .wasm file from beside the built CLI bundle
// (dist/cli/codecs/, copied there by vite.cli.config.ts), or, run from the sources, from node_modules.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCodecs, type CodecHost, type Codecs, type WasmCodecName } from '../core/pixels/codecs';
import { bundledWasmFile, WASM_FILES } from './codec-files';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));

/** Where a codec's .wasm file is on this machine: beside the built CLI (this module may be in its chunks/), else in node_modules. */
export function wasmPath(name: WasmCodecName): string {
  for (const base of [here, path.dirname(here)]) {
    const bundled = path.join(base, bundledWasmFile(name));
    if (fs.existsSync(bundled)) return bundled;
  }
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
