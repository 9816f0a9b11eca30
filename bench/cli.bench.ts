// `npm run bench`: the command-line tool as a whole process (start, folder walk, reads, scan, JSON out) on a
// folder of 2,000 CT slices, against a bare dicom-parser script that reads the same headers and a dcmjs
// script that reads every file, each run as its own `node` process in interleaved rounds (medians).
// The series is written to a temporary folder and removed afterwards. BENCH_CLI_RUNS sets the rounds
// (default 7); SPG_BASELINE_CLI=path/to/scan-privacy-guard.mjs adds another build of the CLI (an older
// commit's) to the same rounds, for before/after figures.

import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ctSmallHeaderWithPixelLength } from './ct-small';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_CLI_RUNS ?? 7);
const FILES = 2000;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** 2,000 slices of one CT series: CT_small's header (GE, 260 elements, 180 private) over 512 x 512 x 16-bit pixels. */
function writeSeries(dir: string): number {
  const pixels = Buffer.alloc(512 * 512 * 2);
  for (let i = 0; i < pixels.length; i += 2) pixels[i] = (i >> 9) & 0xff;
  const file = Buffer.concat([ctSmallHeaderWithPixelLength(pixels.length), pixels]);
  for (let i = 0; i < FILES; i++) fs.writeFileSync(path.join(dir, `IM${String(i + 1).padStart(5, '0')}.dcm`), file);
  return file.length;
}

/** Wall time of one process, in ms; its stdout goes to /dev/null (as written, not kept). */
function timeProcess(args: readonly string[], okCodes: readonly number[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = performance.now() - start;
      if (!okCodes.includes(code ?? -1)) reject(new Error(`${args.join(' ')} exited ${code}: ${stderr.slice(0, 500)}`));
      else resolve(ms);
    });
  });
}

async function main(): Promise<void> {
  const cli = path.join(ROOT, 'bin/scan-privacy-guard.mjs');
  // Always the CLI of this checkout: built now, as `npm run build:cli` does.
  execFileSync('npx', ['vite', 'build', '--config', 'vite.cli.config.ts', '--logLevel', 'error'], { cwd: ROOT, stdio: 'inherit' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spg-bench-cli-'));
  try {
    const size = writeSeries(dir);
    const runners: Array<{ label: string; args: string[]; ok: number[] }> = [
      { label: 'scan-privacy-guard scan --json', args: [cli, 'scan', '--json', dir], ok: [1] },
      { label: 'bare dicom-parser, same headers', args: [path.join(ROOT, 'bench/processes/dicom-parser-headers.mjs'), dir], ok: [0] },
      { label: 'dcmjs DicomMessage.readFile', args: [path.join(ROOT, 'bench/processes/dcmjs-read.mjs'), dir], ok: [0] },
    ];
    const baseline = process.env.SPG_BASELINE_CLI;
    if (baseline) runners.push({ label: 'baseline scan-privacy-guard scan --json', args: [path.resolve(baseline), 'scan', '--json', dir], ok: [1] });
    const samples = runners.map(() => [] as number[]);
    for (let i = 0; i < runners.length; i++) await timeProcess(runners[i]!.args, runners[i]!.ok); // warm-up (page cache)
    for (let round = 0; round < RUNS; round++) {
      for (let i = 0; i < runners.length; i++) samples[i]!.push(await timeProcess(runners[i]!.args, runners[i]!.ok));
    }
    console.log(`\nCLI as a whole process: ${FILES} CT slices (${(size / 1e6).toFixed(2)} MB each, ${((size * FILES) / 1e9).toFixed(2)} GB) in a folder, stdout to /dev/null; median of ${RUNS} interleaved runs, Node ${process.version}, ${os.cpus().length} CPU`);
    const medians = samples.map(median);
    runners.forEach((r, i) => {
      const s = samples[i]!;
      console.log(`  ${r.label.padEnd(42)} ${(medians[i]! / 1000).toFixed(2).padStart(6)} s  (${(Math.min(...s) / 1000).toFixed(2)}–${(Math.max(...s) / 1000).toFixed(2)} s)`);
    });
    const [ours, bare, dcmjs] = medians as [number, number, number];
    console.log(`  ours / bare dicom-parser: ${(ours / bare).toFixed(2)}x (target <= 2x): ${ours / bare <= 2 ? 'PASS' : 'FAIL'}`);
    console.log(`  dcmjs / ours: ${(dcmjs / ours).toFixed(2)}x (target >= 3x): ${dcmjs / ours >= 3 ? 'PASS' : 'FAIL'}`);
    if (baseline) console.log(`  baseline / ours: ${(medians[3]! / ours).toFixed(2)}x`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
