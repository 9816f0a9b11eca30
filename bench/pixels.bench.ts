// `npm run bench`: how long one frame takes to decode, per codec, on corpus files (Node, codecs already
// loaded), plus the first-use cost of loading each WebAssembly codec, and the renders and fills the text
// finder uses on a 512 × 512 frame. Medians of repeated rounds.

import fs from 'node:fs';
import path from 'node:path';
import { createCodecs, WASM_CODECS } from '../src/core/pixels/codecs';
import { nodeCodecHost, nodeCodecs, wasmPath } from '../src/cli/codec-host';
import { readDicomHeader } from '../src/core/dicom/header';
import type { NativeFrame } from '../src/core/pixels/frame';
import { fillRegions } from '../src/core/pixels/mask';
import { openPixels, type PixelReader } from '../src/core/pixels/reader';
import { renderForText } from '../src/core/pixels/render';
import { sniff, SNIFF_BYTES } from '../src/core/sniff';
import { bytesSource } from '../src/core/source';
import { CORPUS } from './ct-small';

const MIN_SECONDS = Number(process.env.BENCH_SECONDS ?? 1);

const FILES: Array<[string, string]> = [
  ['native 16-bit, 652 × 568 (explicit LE)', 'public/fo-dicom/GH1728.dcm'],
  ['RLE palette, 800 × 600 (US)', 'public/cornerstone3D/no-pixel-spacing.dcm'],
  ['RLE YBR_FULL planar, 1260 × 910', 'public/orthanc-tests/2023-04-21-RLEPlanarConfigurationYBR_FULL.dcm'],
  ['deflated dataset, 512 × 512 8-bit', 'public/pydicom/image_dfl.dcm'],
  ['JPEG baseline RGB, 640 × 480', 'public/orthanc-tests/1.2.840.10008.1.2.4.50.dcm'],
  ['JPEG extended 12-bit, 256 × 1024', 'public/pydicom/JPGExtended.dcm'],
  ['JPEG spectral 12-bit, 512 × 512', 'public/cornerstone3D/CTImage.dcm_JPEGProcess6_8TransferSyntax_1.2.840.10008.1.2.4.53.dcm'],
  ['JPEG lossless 16-bit, 512 × 512', 'public/dicomParser/CT0012.fragmented_no_bot_jpeg_lossless.57.dcm'],
  ['JPEG-LS lossless 16-bit, 512 × 512', 'public/dicomParser/CT0012.fragmented_no_bot_jpeg_ls.80.dcm'],
  ['JPEG 2000 lossless 16-bit, 512 × 512', 'public/pydicom-data/explicit_VR-UN.dcm'],
  ['HTJ2K RGB, 640 × 480', 'public/pydicom-data/HTJ2K_08_RGB.dcm'],
  ['JPEG XL RGB, 1016 × 708', 'public/dcm4che/will-jxl.dcm'],
];

async function open(relative: string): Promise<PixelReader> {
  const source = bytesSource(new Uint8Array(fs.readFileSync(path.join(CORPUS, relative))));
  const sniffed = sniff(await source.read(0, SNIFF_BYTES), source.size);
  if (sniffed.kind !== 'dicom') throw new Error(`${relative} is not DICOM`);
  const reader = openPixels(source, await readDicomHeader(source, sniffed), nodeCodecs());
  if (reader.kind !== 'pixels') throw new Error(`${relative}: ${reader.reason}`);
  return reader;
}

/** Median milliseconds of `run`, over rounds of at least MIN_SECONDS in all (and 5 rounds). */
async function median(run: () => Promise<unknown> | unknown): Promise<number> {
  await run();
  const times: number[] = [];
  const start = performance.now();
  do {
    const t = performance.now();
    await run();
    times.push(performance.now() - t);
  } while ((performance.now() - start) / 1000 < MIN_SECONDS || times.length < 5);
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const ms = (v: number): string => `${v.toFixed(1).padStart(8)} ms`;

console.log('Pixels: one frame decoded (Node, codec loaded), median');
for (const [label, relative] of FILES) {
  const reader = await open(relative);
  const t = await median(async () => {
    const frame = await reader.readFrame(0);
    if (frame.kind !== 'native') throw new Error(frame.reason);
  });
  console.log(`  ${label.padEnd(44)} ${ms(t)}   (${path.basename(relative)})`);
}

console.log('\nPixels: first use of each WebAssembly codec (read, compile, instantiate), and its size');
for (const name of WASM_CODECS) {
  const size = fs.statSync(wasmPath(name)).size;
  const relative = { 'libjpeg-turbo': FILES[4]![1], charls: FILES[8]![1], openjpeg: 'public/pydicom/MR_small_jp2klossless.dcm', openjph: FILES[10]![1], libjxl: FILES[11]![1] }[name];
  const bytes = new Uint8Array(fs.readFileSync(path.join(CORPUS, relative)));
  const t = await median(async () => {
    const source = bytesSource(bytes);
    const sniffed = sniff(await source.read(0, SNIFF_BYTES), source.size);
    if (sniffed.kind !== 'dicom') throw new Error('not DICOM');
    const reader = openPixels(source, await readDicomHeader(source, sniffed), createCodecs(nodeCodecHost));
    if (reader.kind !== 'pixels') throw new Error(reader.reason);
    await reader.readFrame(0);
  });
  console.log(`  ${name.padEnd(14)} ${(size / 1024).toFixed(0).padStart(6)} KB wasm   first frame with loading ${ms(t)}`);
}

console.log('\nPixels: renders and fills for the text finder, 512 × 512 16-bit frame');
const ct = await open('public/pydicom-data/explicit_VR-UN.dcm');
const frame = (await ct.readFrame(0)) as NativeFrame;
console.log(`  renderForText window       ${ms(await median(() => renderForText(frame, 'window')))}`);
console.log(`  renderForText stored-range ${ms(await median(() => renderForText(frame, 'stored-range')))}`);
const regions = Array.from({ length: 6 }, (_, i) => ({ x: 10 + 60 * i, y: 8, width: 50, height: 14 }));
console.log(`  fillRegions (6 regions)    ${ms(await median(() => fillRegions(frame, regions, 2)))}`);
