// `npm run bench`: pictures and PDFs in Node (the CLI's engine): checking and cleaning a 12-megapixel phone
// photo (colourful, GPS in its EXIF: metadata only, its text not read) and a 12-megapixel phone picture of
// a viewer's screen (read), and a 10-page radiology report as a PDF with a text layer and as a scan without
// one; then the same photo and PDF through the CLI's document worker, from the request to the report, cold
// (the worker and its engine start) and warm. Files are made by the test fixtures in a temporary folder.

import { createNodeTextEngine } from '../src/cli/text-engine';
import { nodeDocumentHost, nodeJpegEncoder } from '../src/cli/document-host';
import { DocumentWorker } from '../src/cli/document-jobs';
import { checkDocument, type DocumentHost } from '../src/core/documents/document-check';
import { cleanDocument, documentPlans } from '../src/core/documents/document-clean';
import { bytesSource } from '../src/core/source';
import type { FileReport } from '../src/core/report';
import { cleanUpDocuments, colourPhoto, convertPicture, PHOTO_TAGS, reportPdf, scannedPdf, viewerScreenshot, withExif } from '../test/fixtures/documents';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(0)} ms`;
}

/** The resident set's peak while `job` runs (sampled every 10 ms), beyond what it was before. */
async function withPeak<T>(job: () => Promise<T>): Promise<{ value: T; extraMb: number }> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 10);
  try {
    const value = await job();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { value, extraMb: (peak - before) / 1e6 };
  } finally {
    clearInterval(timer);
  }
}

async function measure(label: string, bytes: Uint8Array, host: DocumentHost, limits = {}): Promise<void> {
  const checks: number[] = [];
  const cleans: number[] = [];
  let report: FileReport | undefined;
  let extra = 0;
  let copy = 0;
  for (let round = 0; round <= ROUNDS; round++) {
    const a = performance.now();
    const { value: checked, extraMb } = await withPeak(() => checkDocument(bytesSource(bytes), host, limits));
    const b = performance.now();
    report = { path: 'x', bytesRead: bytes.length, size: bytes.length, ...checked };
    const plan = documentPlans([report]).get('x')!;
    const cleaned = await cleanDocument(bytesSource(bytes), plan, { ...host, jpeg: nodeJpegEncoder });
    const c = performance.now();
    copy = cleaned.bytes.length;
    if (round === 0) continue; // warm-up: codecs, pdf.js and the engine's first calls
    checks.push(b - a);
    cleans.push(c - b);
    extra = Math.max(extra, extraMb);
  }
  const found = report!.findings.filter((f) => f.severity !== 'low').length;
  console.log(`| ${label} | ${(bytes.length / 1e6).toFixed(1)} MB | ${report!.document?.pictureText} | ${found} | ${ms(median(checks))} | ${ms(median(cleans))} (${(copy / 1e6).toFixed(1)} MB) | ${extra.toFixed(0)} MB |`);
}

async function main(): Promise<void> {
  console.log(`Pictures and PDFs (Node ${process.version}, median of ${ROUNDS} rounds after a warm-up)\n`);
  const startA = performance.now();
  const engine = await createNodeTextEngine();
  console.log(`Text engine start: ${ms(performance.now() - startA)}\n`);
  const host = nodeDocumentHost(engine);

  const photo = withExif(colourPhoto(4032, 3024), 'bench-photo.jpg', PHOTO_TAGS);
  const screen = viewerScreenshot();
  const phoneScreen = withExif(convertPicture(screen.png, 'jpeg', ['-resize', '4032x3024!', '-quality', '90']), 'bench-screen.jpg', ['-GPSLatitude=1', '-GPSLongitude=2']);
  const textPdf = await reportPdf(10);
  const scanPdf = await scannedPdf(10);

  console.log('| file | size | text read | findings | check | cleaned copy | extra memory (check) |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  await measure('12 MP phone photo, GPS (JPEG 4032 x 3024)', photo, host);
  await measure('12 MP phone picture of a viewer screen (JPEG)', phoneScreen, host);
  await measure('10-page report PDF, text layer', textPdf, host);
  await measure('10-page scanned report PDF (no text layer)', scanPdf, host);
  await engine.close();

  console.log('\nThrough the CLI\'s document worker (request to report, main thread free):\n');
  console.log('| file | cold (worker and engine start) | warm |');
  console.log('| --- | --- | --- |');
  for (const [label, bytes] of [['12 MP phone photo', photo], ['12 MP viewer screen', phoneScreen], ['10-page report PDF', textPdf]] as const) {
    const worker = new DocumentWorker();
    const request = () => worker.read({ input: 0, path: 'x', source: bytesSource(bytes), nested: true, kind: label.includes('PDF') ? 'pdf' : 'image' });
    const a = performance.now();
    await request();
    const cold = performance.now() - a;
    const warm: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const b = performance.now();
      await request();
      warm.push(performance.now() - b);
    }
    await worker.close();
    console.log(`| ${label} | ${ms(cold)} | ${ms(median(warm))} |`);
  }
  cleanUpDocuments();
}

await main();
