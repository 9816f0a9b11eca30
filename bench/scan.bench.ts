// `npm run bench`: how fast the scan is, compared in one run on the same files with dicom-parser's bare
// parseDicom and dcmjs's DicomMessage.readFile, plus how little of a 1 GB multi-frame file is read.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import dicomParser from 'dicom-parser';
import dcmjs from 'dcmjs';
import { scanFile } from '../src/core/scan';
import { bytesSource, blobSource } from '../src/core/source';
import { CORPUS, CT_SMALL, ctSmallHeaderWithPixelLength } from './ct-small';

const MIN_SECONDS = Number(process.env.BENCH_SECONDS ?? 2);

type Runner = (bytes: Uint8Array) => Promise<unknown> | unknown;

interface Timing {
  perSecond: number;
  msPerFile: number;
}

/** One pass over all files; returns milliseconds per file. */
async function pass(files: readonly Uint8Array[], run: Runner): Promise<number> {
  const start = performance.now();
  for (const f of files) await run(f);
  return (performance.now() - start) / files.length;
}

/**
 * Times several runners on the same files in interleaved rounds (this machine's speed drifts, so runners
 * measured one after the other would not be comparable) and keeps each runner's median round.
 */
async function measure(files: readonly Uint8Array[], runners: readonly Runner[]): Promise<Timing[]> {
  for (const run of runners) await pass(files.slice(0, 50), run); // warm-up
  const rounds: number[][] = runners.map(() => []);
  const start = performance.now();
  do {
    for (let i = 0; i < runners.length; i++) rounds[i]!.push(await pass(files, runners[i]!));
  } while ((performance.now() - start) / 1000 < MIN_SECONDS * runners.length || rounds[0]!.length < 5);
  return rounds.map((r) => {
    const sorted = [...r].sort((a, b) => a - b);
    const ms = sorted[Math.floor(sorted.length / 2)]!;
    return { perSecond: 1000 / ms, msPerFile: ms };
  });
}

// dcmjs reports every VR it does not know on the console; the comparison is about speed, not its logging.
dcmjs.log.getLogger('validation.dcmjs').setLevel('silent');
dcmjs.log.setLevel('silent');

const ours: Runner = (bytes) => scanFile({ path: 'bench', source: bytesSource(bytes) });
const bareDicomParser: Runner = (bytes) => dicomParser.parseDicom(bytes);
const dcmjsReadFile: Runner = (bytes) => {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return dcmjs.data.DicomMessage.readFile(buffer as ArrayBuffer);
};

function row(label: string, r: Timing): string {
  return `  ${label.padEnd(28)} ${r.perSecond.toFixed(0).padStart(9)} files/s  ${r.msPerFile.toFixed(4).padStart(9)} ms/file`;
}

async function compare(title: string, files: Uint8Array[]): Promise<void> {
  console.log(`\n${title} (${files.length} files, ${(files.reduce((n, f) => n + f.length, 0) / 1e6).toFixed(1)} MB, in memory, one core)`);
  const [a, b, c] = (await measure(files, [ours, bareDicomParser, dcmjsReadFile])) as [Timing, Timing, Timing];
  console.log(row('scan-privacy-guard scan', a));
  console.log(row('dicom-parser parseDicom', b));
  console.log(row('dcmjs DicomMessage.readFile', c));
  console.log(`  ratio ours / bare dicom-parser time: ${(b.perSecond / a.perSecond).toFixed(2)}x (target <= 2x)`);
  console.log(`  speed-up over dcmjs: ${(a.perSecond / c.perSecond).toFixed(1)}x (target >= 10x)`);
}

/** A 1 GB multi-frame file: a real header followed by a sparse 1 GiB pixel data element (no disk used). */
async function largeFileRead(): Promise<void> {
  const pixelLength = 1024 * 1024 * 1024;
  const file = path.join(os.tmpdir(), `spg-bench-1gb-${process.pid}.dcm`);
  const header = ctSmallHeaderWithPixelLength(pixelLength);
  fs.writeFileSync(file, header);
  fs.truncateSync(file, header.length + pixelLength);
  try {
    const blob = await fs.openAsBlob(file);
    const start = performance.now();
    const report = await scanFile({ path: file, source: blobSource(blob) });
    const ms = performance.now() - start;
    console.log(`\n1 GB multi-frame file (${(blob.size / 1e9).toFixed(2)} GB): verdict ${report.verdict}, read ${(report.bytesRead / 1024).toFixed(0)} KiB (target < 1024 KiB) in ${ms.toFixed(1)} ms`);
  } finally {
    fs.rmSync(file, { force: true });
  }
}

async function main(): Promise<void> {
  console.log(`Node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'}; medians of interleaved rounds, ${MIN_SECONDS} s per runner`);
  // A typical CT slice: CT_small's header (GE, 260 elements, 180 of them private) over 512 x 512 16-bit pixels.
  const pixels = 512 * 512 * 2;
  const slice = new Uint8Array(Buffer.concat([ctSmallHeaderWithPixelLength(pixels), Buffer.alloc(pixels)]));
  await compare('Typical CT slices: CT_small header, 512 x 512 x 16-bit pixels, x 500', Array.from({ length: 500 }, () => slice));
  const ct = new Uint8Array(fs.readFileSync(CT_SMALL));
  await compare('Small CT files: pydicom CT_small.dcm (128 x 128) x 500', Array.from({ length: 500 }, () => ct));
  const publicDir = path.join(CORPUS, 'public');
  const corpus: Uint8Array[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const bytes = new Uint8Array(fs.readFileSync(p));
        // Only files all three can parse, so the comparison is on equal work.
        try {
          dicomParser.parseDicom(bytes);
          dcmjsReadFile(bytes);
          corpus.push(bytes);
        } catch {
          /* not comparable */
        }
      }
    }
  };
  walk(publicDir);
  await compare('Public corpus files that all three parse', corpus);
  await largeFileRead();
}

await main();
