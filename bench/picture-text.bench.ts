// `npm run bench`: reading and masking the text burned into pictures, in Node (the CLI's engine): the text
// engine's start, one 512 x 512 CT frame, one 2140 x 1760 radiograph, and the time a 500-slice CT series
// adds to its header check (a sample of the series read in the CLI's picture worker). Pictures are drawn by
// the test fixtures (ImageMagick) into a temporary folder, never committed.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createNodeTextEngine } from '../src/cli/text-engine';
import { nodeCodecs } from '../src/cli/codec-host';
import { PictureWorker } from '../src/cli/picture-jobs';
import { readDicomPictureText } from '../src/core/text/dicom-picture';
import { cleanPixels } from '../src/core/dicom/clean-pixels';
import { readDicomHeader } from '../src/core/dicom/header';
import { maskRects, type TextEngine } from '../src/core/text/picture-text';
import { pictureTerms } from '../src/core/text/meaning';
import { scanFile, scanFiles } from '../src/core/scan';
import { sniff, SNIFF_BYTES } from '../src/core/sniff';
import { blobSource, bytesSource } from '../src/core/source';
import { drawPicture, pictureDicom, cleanUpBurnedIn, type PictureSpec, type PictureSyntax } from '../test/fixtures/burned-in';
import { tag, type El } from '../test/fixtures/dicom-writer';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

const PATIENT: El[] = [
  { tag: tag(0x0010, 0x0010), vr: 'PN', value: 'KOWALCZYK^MARTA' },
  { tag: tag(0x0010, 0x0020), vr: 'LO', value: '88412907' },
  { tag: tag(0x0010, 0x0030), vr: 'DA', value: '19760616' },
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(0)} ms`;
}

/** Times the engine's two models and the rest, per call. */
function timed(engine: TextEngine): TextEngine & { detect: TextEngine['detect']; read: TextEngine['read']; parts: { detect: number; read: number } } {
  const parts = { detect: 0, read: 0 };
  return {
    parts,
    async detect(input) {
      const a = performance.now();
      const out = await engine.detect(input);
      parts.detect += performance.now() - a;
      return out;
    },
    async read(crops) {
      const a = performance.now();
      const out = await engine.read(crops);
      parts.read += performance.now() - a;
      return out;
    },
  };
}

/** Reads the picture's text and masks it, as the de-identifier does: the median of several rounds. */
async function readAndMask(label: string, bytes: Uint8Array, engine: TextEngine): Promise<void> {
  const report = await scanFile({ path: 'bench.dcm', source: bytesSource(bytes) });
  const terms = pictureTerms(report.findings);
  const totals: number[] = [];
  const reads: number[] = [];
  const masks: number[] = [];
  const detects: number[] = [];
  const readers: number[] = [];
  let lines = 0;
  for (let round = 0; round <= ROUNDS; round++) {
    const t = timed(engine);
    const source = bytesSource(bytes);
    const a = performance.now();
    const text = await readDicomPictureText(source, terms, t, nodeCodecs());
    const b = performance.now();
    const header = await readDicomHeader(source, sniff(await source.read(0, SNIFF_BYTES), source.size) as never);
    await cleanPixels(source, header, nodeCodecs(), { regions: maskRects(text), margin: 2 });
    const c = performance.now();
    lines = text.regions.length;
    if (round === 0) continue; // warm-up
    totals.push(c - a);
    reads.push(b - a);
    masks.push(c - b);
    detects.push(t.parts.detect);
    readers.push(t.parts.read);
  }
  console.log(`  ${label}: ${ms(median(totals))} (reading ${ms(median(reads))}: detector ${ms(median(detects))}, reader ${ms(median(readers))} for ${lines} lines; masking ${ms(median(masks))})`);
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'spg-bench-text-'));
  try {
    console.log(`Text in pictures (Node ${process.version}, ${os.cpus().length} cores; medians of ${ROUNDS} rounds after one warm-up)`);
    const a = performance.now();
    const engine = await createNodeTextEngine();
    console.log(`  text engine start (detection model and reader, side by side): ${ms(performance.now() - a)}`);

    const ct: PictureSpec = {
      rows: 512, columns: 512, photometric: 'MONOCHROME2', bitsAllocated: 16, bitsStored: 12, background: 'ct',
      lines: [
        { text: 'KOWALCZYK MARTA [F]', x: 6, y: 16, size: 13 },
        { text: 'DOB: 16/06/1976', x: 6, y: 34, size: 13 },
        { text: 'ID 88412907', x: 400, y: 16, size: 13 },
        { text: 'W:400 L:40', x: 6, y: 500, size: 12 },
      ],
    };
    await readAndMask('512 x 512 CT frame (16-bit, 4 lines), explicit VR', pictureDicom(drawPicture(ct), 'explicit-le', PATIENT), engine);
    await readAndMask('512 x 512 CT frame (16-bit, 4 lines), JPEG-LS', pictureDicom(drawPicture(ct), 'jpeg-ls', PATIENT), engine);

    const radiograph: PictureSpec = {
      rows: 1760, columns: 2140, photometric: 'MONOCHROME1', bitsAllocated: 16, bitsStored: 12, background: 'xray',
      lines: [
        { text: 'KOWALCZYK MARTA [F] 12/03/2021', x: 30, y: 60, size: 40 },
        { text: 'DOB: 16/06/1976', x: 30, y: 115, size: 40 },
        { text: 'PORTABLE', x: 1800, y: 60, size: 40 },
        { text: 'L', x: 1950, y: 900, size: 90 },
      ],
    };
    for (const syntax of ['rle', 'explicit-le'] as PictureSyntax[]) {
      await readAndMask(`2140 x 1760 radiograph (MONOCHROME1, 4 lines), ${syntax}`, pictureDicom(drawPicture(radiograph), syntax, PATIENT), engine);
    }
    await engine.close();

    // A 500-slice CT series: every slice has the same overlay; the scan reads three of them.
    const series = path.join(work, 'series');
    fs.mkdirSync(series);
    const slice = drawPicture({ ...ct, background: 'ct' });
    const template = pictureDicom(slice, 'explicit-le', [
      ...PATIENT,
      { tag: tag(0x0008, 0x0060), vr: 'CS', value: 'CT' },
    ]);
    for (let i = 0; i < 500; i++) fs.writeFileSync(path.join(series, `IM${String(i).padStart(4, '0')}.dcm`), template);
    const files = fs.readdirSync(series).map((f) => path.join(series, f));
    const inputs = async (): Promise<Array<{ path: string; source: ReturnType<typeof blobSource> }>> =>
      Promise.all(files.map(async (f) => ({ path: f, source: blobSource(await fs.openAsBlob(f)) })));
    const headerOnly: number[] = [];
    const withText: number[] = [];
    for (let round = 0; round < Math.max(3, Math.ceil(ROUNDS / 2)); round++) {
      let t = performance.now();
      await scanFiles(await inputs());
      headerOnly.push(performance.now() - t);
      t = performance.now();
      // A new worker each time: the CLI pays for the engine's start on every run.
      const worker = new PictureWorker((i) => files[i]);
      const report = await scanFiles(await inputs(), { pictures: worker });
      withText.push(performance.now() - t);
      await worker.close();
      if (round === 0) {
        const read = report.files.filter((f) => f.picture?.status === 'read').length;
        const sampled = report.files.filter((f) => f.picture?.status === 'series-sample').length;
        console.log(`  500-slice CT series: ${read} slices read, ${sampled} stood in for by them`);
      }
    }
    console.log(`  500-slice CT series: headers ${ms(median(headerOnly))}, headers and text ${ms(median(withText))}: ${ms(median(withText) - median(headerOnly))} added (engine start included)`);
  } finally {
    cleanUpBurnedIn();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

await main();
