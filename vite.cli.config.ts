// Builds the command-line tool into one Node ES module: dist/cli/scan-privacy-guard.mjs, with the codecs'
// WebAssembly files beside it in dist/cli/codecs/ (src/cli/codec-host.ts reads them from there).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { defineConfig, type Plugin } from 'vite';
import { bundledWasmFile, WASM_FILES } from './src/cli/codec-files';

const require = createRequire(import.meta.url);

/** Copies each codec's .wasm file into the build. */
function codecWasm(): Plugin {
  return {
    name: 'codec-wasm',
    generateBundle() {
      for (const [name, file] of Object.entries(WASM_FILES) as Array<[keyof typeof WASM_FILES, string]>) {
        this.emitFile({ type: 'asset', fileName: bundledWasmFile(name), source: fs.readFileSync(require.resolve(file)) });
      }
    },
  };
}

export default defineConfig({
  publicDir: false,
  plugins: [codecWasm()],
  build: {
    outDir: 'dist/cli',
    emptyOutDir: true,
    target: 'node20',
    ssr: 'src/cli/scan-privacy-guard.ts',
    minify: false,
    rollupOptions: {
      output: {
        entryFileNames: 'scan-privacy-guard.mjs',
        format: 'es',
        // The codecs' emscripten glue is CommonJS and, in Node, reads __dirname: give every chunk its own.
        banner: "import { dirname as __spgDirname } from 'node:path'; import { fileURLToPath as __spgFileUrl } from 'node:url'; const __filename = __spgFileUrl(import.meta.url); const __dirname = __spgDirname(__filename);",
      },
    },
  },
  ssr: {
    // Bundle the engine's dependencies so the built CLI needs nothing but Node.
    noExternal: true,
  },
});
