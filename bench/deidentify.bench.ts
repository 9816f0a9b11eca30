// `npm run bench`: how fast and how lean de-identification is. A 1 GB multi-frame file is cleaned and written
// out with little extra memory (its pixel data is carried over by Blob slicing, never read into memory), and
// a 500-file CT series is cleaned much faster than dcmjs only reads and writes it.

import { execFileSync, fork } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import dcmjs from 'dcmjs';
import { deidentifyFiles } from '../src/core/deidentify';
import { tag, writeDicom, type El } from '../test/fixtures/dicom-writer';
import { ctSmallHeaderWithPixelLength, pixelDataElementHeader } from './ct-small';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const KEY = new Uint8Array(32).fill(11);
const MB = 1024 * 1024;
const LARGE_FILE_FLAG = '--large-file-child';

// dcmjs reports every VR it does not know on the console; the comparison is about speed, not its logging.
dcmjs.log.getLogger('validation.dcmjs').setLevel('silent');
dcmjs.log.setLevel('silent');

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function passFail(ok: boolean): string {
  return ok ? 'PASS' : 'FAIL';
}

/** Bytes this process has read with read() and the like so far (Linux), or undefined elsewhere. */
function processBytesRead(): number | undefined {
  try {
    const match = /^rchar:\s*(\d+)/m.exec(fs.readFileSync('/proc/self/io', 'latin1'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A full garbage collection before each timed pass, so neither side pays for the other's garbage: gc() when
 * node runs with --expose-gc, else the same function obtained by turning the flag on at run time.
 */
const collectGarbage: () => void = (() => {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
})();

// ---- 1 GB multi-frame file ----------------------------------------------------------------------------

const FRAMES = 2048;
const FRAME_BYTES = 512 * 512 * 2;
const PIXEL_BYTES = FRAMES * FRAME_BYTES; // 1 GiB
const PATIENT_NAME = 'Bench^Jane^Q';

/** An enhanced CT header as a scanner writes it: patient, study, equipment, and per-frame functional groups. */
function multiFrameHeader(): Uint8Array {
  const perFrame: El[][] = Array.from({ length: FRAMES }, (_, i) => [
    { tag: tag(0x0020, 0x9111), vr: 'SQ', items: [[
      { tag: tag(0x0018, 0x9074), vr: 'DT', value: `20240317093${String(i % 60).padStart(2, '0')}.000000` },
      { tag: tag(0x0020, 0x9056), vr: 'SH', value: '1' },
      { tag: tag(0x0020, 0x9057), vr: 'UL', value: i + 1 },
      { tag: tag(0x0020, 0x9157), vr: 'UL', value: [1, i + 1] },
    ]] },
    { tag: tag(0x0020, 0x9113), vr: 'SQ', items: [[{ tag: tag(0x0020, 0x0032), vr: 'DS', value: ['-170.0', '-170.0', (-i * 0.625).toFixed(3)] }]] },
  ]);
  const dataset: El[] = [
    { tag: tag(0x0008, 0x0005), vr: 'CS', value: 'ISO_IR 100' },
    { tag: tag(0x0008, 0x0008), vr: 'CS', value: ['ORIGINAL', 'PRIMARY', 'AXIAL'] },
    { tag: tag(0x0008, 0x0016), vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.2.1' },
    { tag: tag(0x0008, 0x0018), vr: 'UI', value: '1.2.826.0.1.3680043.10.1137.7.3.20240317.1' },
    { tag: tag(0x0008, 0x0020), vr: 'DA', value: '20240317' },
    { tag: tag(0x0008, 0x0023), vr: 'DA', value: '20240317' },
    { tag: tag(0x0008, 0x0030), vr: 'TM', value: '093000' },
    { tag: tag(0x0008, 0x002a), vr: 'DT', value: '20240317093012' },
    { tag: tag(0x0008, 0x0050), vr: 'SH', value: 'ACC20240317' },
    { tag: tag(0x0008, 0x0060), vr: 'CS', value: 'CT' },
    { tag: tag(0x0008, 0x0070), vr: 'LO', value: 'BENCH MEDICAL SYSTEMS' },
    { tag: tag(0x0008, 0x0080), vr: 'LO', value: 'Saint Bench Hospital' },
    { tag: tag(0x0008, 0x0081), vr: 'ST', value: '1 Bench Street, Benchtown' },
    { tag: tag(0x0008, 0x0090), vr: 'PN', value: 'Referrer^Robert' },
    { tag: tag(0x0008, 0x1010), vr: 'SH', value: 'CTBENCH01' },
    { tag: tag(0x0008, 0x1030), vr: 'LO', value: 'CT CHEST ABDOMEN PELVIS' },
    { tag: tag(0x0008, 0x103e), vr: 'LO', value: 'AXIAL 0.625 SOFT' },
    { tag: tag(0x0008, 0x1090), vr: 'LO', value: 'BenchScan 64' },
    { tag: tag(0x0010, 0x0010), vr: 'PN', value: PATIENT_NAME },
    { tag: tag(0x0010, 0x0020), vr: 'LO', value: 'MRN-4711-0815' },
    { tag: tag(0x0010, 0x0030), vr: 'DA', value: '19610704' },
    { tag: tag(0x0010, 0x0040), vr: 'CS', value: 'F' },
    { tag: tag(0x0010, 0x1010), vr: 'AS', value: '062Y' },
    { tag: tag(0x0018, 0x0050), vr: 'DS', value: '0.625' },
    { tag: tag(0x0018, 0x0060), vr: 'DS', value: '120' },
    { tag: tag(0x0018, 0x1000), vr: 'LO', value: 'SN-88231' },
    { tag: tag(0x0020, 0x000d), vr: 'UI', value: '1.2.826.0.1.3680043.10.1137.7.1.20240317' },
    { tag: tag(0x0020, 0x000e), vr: 'UI', value: '1.2.826.0.1.3680043.10.1137.7.2.20240317.1' },
    { tag: tag(0x0020, 0x0010), vr: 'SH', value: 'S20240317' },
    { tag: tag(0x0020, 0x0011), vr: 'IS', value: '1' },
    { tag: tag(0x0020, 0x0013), vr: 'IS', value: '1' },
    { tag: tag(0x0020, 0x0052), vr: 'UI', value: '1.2.826.0.1.3680043.10.1137.7.4.20240317' },
    { tag: tag(0x0028, 0x0002), vr: 'US', value: 1 },
    { tag: tag(0x0028, 0x0004), vr: 'CS', value: 'MONOCHROME2' },
    { tag: tag(0x0028, 0x0008), vr: 'IS', value: String(FRAMES) },
    { tag: tag(0x0028, 0x0010), vr: 'US', value: 512 },
    { tag: tag(0x0028, 0x0011), vr: 'US', value: 512 },
    { tag: tag(0x0028, 0x0100), vr: 'US', value: 16 },
    { tag: tag(0x0028, 0x0101), vr: 'US', value: 12 },
    { tag: tag(0x0028, 0x0102), vr: 'US', value: 11 },
    { tag: tag(0x0028, 0x0103), vr: 'US', value: 0 },
    { tag: tag(0x5200, 0x9229), vr: 'SQ', items: [[
      { tag: tag(0x0020, 0x9116), vr: 'SQ', items: [[{ tag: tag(0x0020, 0x0037), vr: 'DS', value: ['1', '0', '0', '0', '1', '0'] }]] },
      { tag: tag(0x0028, 0x9110), vr: 'SQ', items: [[{ tag: tag(0x0028, 0x0030), vr: 'DS', value: ['0.664', '0.664'] }]] },
    ]] },
    { tag: tag(0x5200, 0x9230), vr: 'SQ', items: perFrame },
  ];
  const head = writeDicom(dataset, { transferSyntax: 'explicit-le' });
  // The pixel data element's header; its 1 GiB value is written sparsely after it.
  return Buffer.concat([head, pixelDataElementHeader(PIXEL_BYTES)]);
}

/** Frames that hold a recognisable pattern (the rest of the sparse file reads as zeros). */
const PATTERNED_FRAMES = [0, 1, 777, 1024, FRAMES - 2, FRAMES - 1];

function framePattern(frame: number): Buffer {
  const digest = crypto.createHash('sha512').update(`frame ${frame}`).digest('hex'); // 128 characters
  return Buffer.from(digest.repeat(FRAME_BYTES / digest.length), 'latin1');
}

async function sha256OfRange(file: string, start: number, endInclusive: number): Promise<string> {
  const hash = crypto.createHash('sha256');
  await pipeline(fs.createReadStream(file, { start, end: endInclusive, highWaterMark: 4 * MB }), hash);
  return hash.digest('hex');
}

interface MemorySample {
  rss: number;
  js: number;
}

function memoryNow(): MemorySample {
  const m = process.memoryUsage();
  // `external` already includes `arrayBuffers`, so they are not added twice.
  return { rss: m.rss, js: m.heapUsed + m.external };
}

/** Runs in a fresh child process (with --expose-gc) so that the memory baseline is only this measurement's. */
async function largeFileChild(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spg-bench-deid-'));
  const input = path.join(dir, 'multiframe-1gb.dcm');
  const output = path.join(dir, 'multiframe-1gb.cleaned.dcm');
  try {
    const header = multiFrameHeader();
    const pixelStart = header.length;
    const fd = fs.openSync(input, 'w');
    try {
      fs.writeSync(fd, header, 0, header.length, 0);
      fs.ftruncateSync(fd, pixelStart + PIXEL_BYTES);
      for (const frame of PATTERNED_FRAMES) {
        const pattern = framePattern(frame);
        fs.writeSync(fd, pattern, 0, pattern.length, pixelStart + frame * FRAME_BYTES);
      }
    } finally {
      fs.closeSync(fd);
    }
    const inputSize = fs.statSync(input).size;
    const blob = await fs.openAsBlob(input);

    const exposedGc = (globalThis as { gc?: () => void }).gc !== undefined;
    collectGarbage();
    collectGarbage();
    const baseline = memoryNow();
    const highWaterBefore = process.resourceUsage().maxRSS * 1024;
    const peak: MemorySample = { ...baseline };
    const sample = (): void => {
      const m = memoryNow();
      peak.rss = Math.max(peak.rss, m.rss);
      peak.js = Math.max(peak.js, m.js);
    };
    const sampler = setInterval(sample, 2);
    const readBefore = processBytesRead();
    const start = performance.now();
    const [result] = await deidentifyFiles([{ path: input, file: blob }], { key: KEY });
    const cleanedMs = performance.now() - start;
    const readByCleaning = readBefore === undefined ? undefined : processBytesRead()! - readBefore;
    sample();
    const cleaningPeak = { ...peak };
    if (result?.status !== 'cleaned' || !result.output) throw new Error(`not cleaned: ${result?.status} (${result?.reason ?? ''})`);
    await pipeline(Readable.fromWeb(result.output.stream() as NodeReadableStream<Uint8Array>), fs.createWriteStream(output));
    const totalMs = performance.now() - start;
    sample();
    clearInterval(sampler);
    const highWater = process.resourceUsage().maxRSS * 1024;

    // Checks (not timed): same size give or take the header, the pixel data byte for byte, dcmdump reads it.
    const outputSize = fs.statSync(output).size;
    const outPixelStart = outputSize - PIXEL_BYTES;
    const outElement = Buffer.alloc(12);
    const outFd = fs.openSync(output, 'r');
    try {
      fs.readSync(outFd, outElement, 0, 12, outPixelStart - 12);
    } finally {
      fs.closeSync(outFd);
    }
    const elementOk = outElement.readUInt16LE(0) === 0x7fe0 && outElement.readUInt16LE(2) === 0x0010 && outElement.readUInt32LE(8) === PIXEL_BYTES;
    const [inHash, outHash] = await Promise.all([
      sha256OfRange(input, pixelStart, pixelStart + PIXEL_BYTES - 1),
      sha256OfRange(output, outPixelStart, outPixelStart + PIXEL_BYTES - 1),
    ]);
    let dump = 'dcmdump not found';
    let dumpOk: boolean | undefined;
    if (fs.existsSync('/usr/bin/dcmdump')) {
      try {
        const text = execFileSync('/usr/bin/dcmdump', ['-M', output], { encoding: 'latin1', maxBuffer: 64 * MB, stdio: ['ignore', 'pipe', 'pipe'] });
        dumpOk = /\(7fe0,0010\) OW/.test(text) && /\(0028,0008\) IS \[2048\]/.test(text) && !text.includes(PATIENT_NAME);
        dump = dumpOk ? 'dcmdump -M reads the header (2048 frames, pixel data OW, patient name gone)' : 'dcmdump -M output is not as expected';
      } catch (e) {
        dumpOk = false;
        dump = `dcmdump -M failed (${e instanceof Error ? e.message.split('\n')[0] : 'error'})`;
      }
    }

    const extraRss = peak.rss - baseline.rss;
    const extraJs = peak.js - baseline.js;
    const extraHighWater = highWater - Math.max(baseline.rss, highWaterBefore);
    const sizeOk = Math.abs(outputSize - inputSize) < MB;
    const pixelsOk = elementOk && inHash === outHash;
    const memoryOk = extraRss < 64 * MB && extraJs < 64 * MB && extraHighWater < 64 * MB;
    console.log(`\n1 GB multi-frame file (enhanced CT, ${FRAMES} frames of 512 x 512 x 16-bit, ${(inputSize / 1e9).toFixed(2)} GB, ${(header.length / 1024).toFixed(0)} KiB header; fresh child process, gc() before the baseline${exposedGc ? '' : ' (flag set at run time)'}, memory sampled every 2 ms)`);
    console.log(`  cleaned in ${cleanedMs.toFixed(0)} ms${readByCleaning === undefined ? '' : `, reading ${(readByCleaning / 1024).toFixed(0)} KiB`}; cleaned and written to disk in ${(totalMs / 1000).toFixed(2)} s (${(inputSize / MB / (totalMs / 1000)).toFixed(0)} MiB/s)`);
    console.log(`  peak extra memory: rss +${(extraRss / MB).toFixed(1)} MB, heap+external +${(extraJs / MB).toFixed(1)} MB, kernel rss high-water +${(Math.max(0, extraHighWater) / MB).toFixed(1)} MB (target < 64 MB): ${passFail(memoryOk)}`);
    console.log(`    of which while cleaning: rss +${((cleaningPeak.rss - baseline.rss) / MB).toFixed(1)} MB, heap+external +${((cleaningPeak.js - baseline.js) / MB).toFixed(1)} MB`);
    console.log(`  output: status ${result.status}, ${outputSize} bytes (input ${inputSize}): ${passFail(sizeOk)}; pixel data sha256 ${pixelsOk ? 'identical' : 'DIFFERENT'}: ${passFail(pixelsOk)}; ${dump}${dumpOk === undefined ? '' : `: ${passFail(dumpOk)}`}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function largeFile(): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), [LARGE_FILE_FLAG], { execArgv: [...process.execArgv, '--expose-gc'] });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) {
    console.log(`  the 1 GB measurement failed (child exit code ${code}): FAIL`);
    process.exitCode = 1;
  }
}

// ---- 500-file CT series -------------------------------------------------------------------------------

/** 500 slices of one series (same patient, study and series), each with its own SOP instance UID. */
function ctSeries(count: number): Uint8Array<ArrayBuffer>[] {
  const pixels = new Uint8Array(512 * 512 * 2);
  for (let i = 0; i < pixels.length; i += 2) pixels[i] = (i >> 9) & 0xff; // a gentle ramp, not all zeros
  const template = Buffer.concat([ctSmallHeaderWithPixelLength(pixels.length), pixels]);
  const uid = Buffer.from('1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322', 'latin1');
  const offsets: number[] = [];
  for (let at = template.indexOf(uid); at >= 0; at = template.indexOf(uid, at + 1)) offsets.push(at);
  if (offsets.length !== 2) throw new Error(`CT_small's SOP instance UID found ${offsets.length} times, expected 2 (meta and dataset)`);
  return Array.from({ length: count }, (_, i) => {
    // Its own ArrayBuffer per file, so dcmjs gets exactly the file's bytes.
    const file = new Uint8Array(new ArrayBuffer(template.length));
    file.set(template);
    const suffix = Buffer.from(String(10000 + i), 'latin1'); // same length as '12322'
    for (const at of offsets) file.set(suffix, at + uid.length - suffix.length);
    return file;
  });
}

async function ours(blobs: readonly Blob[]): Promise<number> {
  const results = await deidentifyFiles(blobs.map((file, i) => ({ path: `slice-${i}.dcm`, file })), { key: KEY });
  let bytes = 0;
  for (const r of results) {
    if (r.status !== 'cleaned' || !r.output) throw new Error(`a slice was not cleaned: ${r.status} (${r.reason ?? ''})`);
    bytes += (await r.output.arrayBuffer()).byteLength;
  }
  return bytes;
}

function dcmjsReadWrite(files: readonly Uint8Array<ArrayBuffer>[]): number {
  let bytes = 0;
  for (const f of files) {
    // src/types/dcmjs.d.ts declares only readFile; its result (a DicomDict) has write(), returning the file.
    const dict = dcmjs.data.DicomMessage.readFile(f.buffer) as { write(): ArrayBuffer };
    bytes += dict.write().byteLength;
  }
  return bytes;
}

async function series(): Promise<void> {
  const files = ctSeries(500);
  const blobs = files.map((f) => new Blob([f]));
  const totalMB = files.reduce((n, f) => n + f.length, 0) / 1e6;
  console.log(`\n500-file CT series (CT_small header, 512 x 512 x 16-bit, ${totalMB.toFixed(0)} MB in memory; medians of ${ROUNDS} interleaved rounds, one core)`);
  // Warm-up on a few files, which also shows that both sides can handle them.
  await ours(blobs.slice(0, 20));
  dcmjsReadWrite(files.slice(0, 20));
  const oursMs: number[] = [];
  const dcmjsMs: number[] = [];
  let oursBytes = 0;
  let dcmjsBytes = 0;
  for (let round = 0; round < ROUNDS; round++) {
    collectGarbage();
    let start = performance.now();
    oursBytes = await ours(blobs);
    oursMs.push(performance.now() - start);
    collectGarbage();
    start = performance.now();
    dcmjsBytes = dcmjsReadWrite(files);
    dcmjsMs.push(performance.now() - start);
  }
  const a = median(oursMs);
  const b = median(dcmjsMs);
  const row = (label: string, ms: number, bytes: number): string =>
    `  ${label.padEnd(40)} ${(ms / 1000).toFixed(2).padStart(6)} s  ${((files.length * 1000) / ms).toFixed(0).padStart(5)} files/s  (${(bytes / 1e6).toFixed(0)} MB out)`;
  console.log(row('scan-privacy-guard deidentifyFiles', a, oursBytes));
  console.log(row('dcmjs DicomMessage.readFile + write', b, dcmjsBytes));
  console.log(`  speed-up over dcmjs: ${(b / a).toFixed(1)}x (target >= 10x): ${passFail(b / a >= 10)}  [rounds, s: ours ${oursMs.map((m) => (m / 1000).toFixed(2)).join(' ')}; dcmjs ${dcmjsMs.map((m) => (m / 1000).toFixed(2)).join(' ')}]`);
}

async function main(): Promise<void> {
  if (process.argv.includes(LARGE_FILE_FLAG)) {
    await largeFileChild();
    return;
  }
  console.log(`\nDe-identification: Node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'}`);
  await largeFile();
  await series();
}

await main();
