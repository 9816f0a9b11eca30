// The text engine inside the extension: PaddleOCR's PP-OCRv4 detection model on onnxruntime-web
// (WebAssembly, one thread: extension pages are not cross-origin isolated) and tesseract.js reading each
// box in a worker of its own. Every file comes from the extension's own package (models/, ort/,
// tesseract/, emitted by the build): nothing is fetched from a CDN, and no blob: worker is made.

import * as ort from 'onnxruntime-web/wasm';
import { createWorker, PSM } from 'tesseract.js';
import type { TextEngine } from '../../core/text/picture-text';
import type { DetectorInput } from '../../core/text/detection';
import { pgmBytes, type ReaderCrop } from '../../core/text/reading';

/** Where the build puts the engine's files, relative to the extension's root (see vite.config.ts). */
export const TEXT_ENGINE_FILES = {
  detector: 'models/ppocr-v4-det.onnx',
  readerWorker: 'tesseract/worker.min.js',
  readerCore: 'tesseract/tesseract-core-simd-lstm.js',
  readerLanguage: 'tesseract/lang',
} as const;

export interface BrowserTextEngine extends TextEngine {
  close(): Promise<void>;
}

/** Starts the engine, its two models loading side by side. `root` is the extension's base URL. */
export async function createBrowserTextEngine(root: string): Promise<BrowserTextEngine> {
  const url = (file: string): string => new URL(file, root).href;
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  // onnxruntime-web's WebAssembly is found next to this bundle (Vite emits it as an asset of the worker).
  ort.env.logLevel = 'error';
  const [session, reader] = await Promise.all([
    fetch(url(TEXT_ENGINE_FILES.detector))
      .then((r) => {
        if (!r.ok) throw new Error('the text detection model is missing from the extension');
        return r.arrayBuffer();
      })
      .then((model) => ort.InferenceSession.create(new Uint8Array(model), { executionProviders: ['wasm'] })),
    createWorker('eng', 1, {
      workerPath: url(TEXT_ENGINE_FILES.readerWorker),
      corePath: url(TEXT_ENGINE_FILES.readerCore),
      langPath: url(TEXT_ENGINE_FILES.readerLanguage),
      workerBlobURL: false,
      cacheMethod: 'none',
      gzip: false,
    }),
  ]);
  await reader.setParameters({ tessedit_pageseg_mode: PSM.SINGLE_LINE, user_defined_dpi: '300' });
  const input = session.inputNames[0]!;
  const output = session.outputNames[0]!;
  return {
    async detect(detectorIn: DetectorInput) {
      const tensor = new ort.Tensor('float32', detectorIn.data, [1, 3, detectorIn.height, detectorIn.width]);
      const result = await session.run({ [input]: tensor });
      tensor.dispose();
      return result[output]!.data as Float32Array;
    },
    async read(crops: readonly ReaderCrop[]) {
      const out: Array<{ text: string; confidence: number }> = [];
      for (const crop of crops) {
        const { data } = await reader.recognize(pgmBytes(crop) as unknown as Buffer);
        out.push({ text: data.text, confidence: data.confidence });
      }
      return out;
    },
    async close() {
      await Promise.allSettled([reader.terminate(), session.release()]);
    },
  };
}
