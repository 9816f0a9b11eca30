// The dialog's frame decoder in the built extension, in Chromium: an extension page starts the pixel worker
// (a module Worker from the extension's own files), which loads each codec's WebAssembly from the package
// under the extension's CSP, and decodes corpus frames exactly as the Node build does.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { nodeCodecs } from '../../src/cli/codec-host';
import { readDicomHeader } from '../../src/core/dicom/header';
import { openPixels } from '../../src/core/pixels/reader';
import { sniff, SNIFF_BYTES } from '../../src/core/sniff';
import { bytesSource } from '../../src/core/source';
import { corpusBytes } from '../support/corpus';
import { EXTENSION_UNDER_TEST } from './harness/extension-build';
import { extensionId, launchGuardedBrowser, type GuardedBrowser } from './harness/guarded-browser';

/** One file per codec: libjpeg-turbo, jpeg12.ts, jpeg-lossless, CharLS, OpenJPEG, OpenJPH, libjxl, RLE. */
const FILES = [
  'public/pydicom/SC_rgb_jpeg_dcmtk.dcm',
  'public/pydicom/JPGExtended.dcm',
  'public/dcm4che/MR-JPEGLosslessSV1.dcm',
  'public/pydicom/MR_small_jpeg_ls_lossless.dcm',
  'public/pydicom/MR_small_jp2klossless.dcm',
  'public/pydicom-data/HTJ2K_08_RGB.dcm',
  'public/dcm4che/will-jxl.dcm',
  'public/dcm4che/YBR_FULL-RLE.dcm',
];

interface Summary {
  rows: number;
  columns: number;
  photometric: string;
  bitsAllocated: number;
  bytes: number;
  /** A checksum of the pixel bytes. */
  sum: number;
}

function checksum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i++) sum = (sum * 31 + bytes[i]!) >>> 0;
  return sum;
}

async function inNode(relative: string): Promise<Summary> {
  const source = bytesSource(corpusBytes(relative));
  const sniffed = sniff(await source.read(0, SNIFF_BYTES), source.size);
  if (sniffed.kind !== 'dicom') throw new Error('not DICOM');
  const reader = openPixels(source, await readDicomHeader(source, sniffed), nodeCodecs());
  if (reader.kind !== 'pixels') throw new Error(reader.reason);
  const frame = await reader.readFrame(0);
  if (frame.kind !== 'native') throw new Error(frame.reason);
  return { rows: frame.rows, columns: frame.columns, photometric: frame.photometric, bitsAllocated: frame.bitsAllocated, bytes: frame.pixels.length, sum: checksum(frame.pixels) };
}

let browser: GuardedBrowser;

beforeAll(async () => {
  browser = await launchGuardedBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

it('decodes a frame of every codec in an extension page\'s module Worker, as Node does, with no network request', async () => {
  const worker = fs.readdirSync(path.join(EXTENSION_UNDER_TEST, 'assets')).find((f) => /^pixel-worker-.*\.js$/.test(f));
  expect(worker, 'the build emits the pixel worker').toBeDefined();
  const id = extensionId(browser.context);
  await browser.page.goto(`chrome-extension://${id}/src/ui/options/index.html`);
  const files = FILES.map((relative) => Buffer.from(corpusBytes(relative)).toString('base64'));
  const got = await browser.page.evaluate(async ({ url, encoded }) => {
    const w = new Worker(url, { type: 'module' });
    const sum = (bytes: Uint8Array): number => {
      let s = 0;
      for (let i = 0; i < bytes.length; i++) s = (s * 31 + bytes[i]!) >>> 0;
      return s;
    };
    const out: unknown[] = [];
    for (let id = 0; id < encoded.length; id++) {
      const bytes = Uint8Array.from(atob(encoded[id]!), (c) => c.charCodeAt(0));
      const answer = await new Promise<{ frame?: { rows: number; columns: number; photometric: string; bitsAllocated: number; pixels: Uint8Array }; reason?: string }>((resolve) => {
        w.onmessage = (event: MessageEvent) => resolve(event.data);
        w.onerror = (event) => resolve({ reason: `worker error: ${event.message}` });
        w.postMessage({ id, file: new Blob([bytes]), frame: 0 });
      });
      const f = answer.frame;
      out.push(f ? { rows: f.rows, columns: f.columns, photometric: f.photometric, bitsAllocated: f.bitsAllocated, bytes: f.pixels.length, sum: sum(f.pixels) } : { reason: answer.reason });
    }
    w.terminate();
    return out;
  }, { url: `chrome-extension://${id}/assets/${worker}`, encoded: files });
  for (let i = 0; i < FILES.length; i++) {
    expect(got[i], FILES[i]).toEqual(await inNode(FILES[i]!));
  }
  expect(browser.network.filter((entry) => entry.initiator.startsWith('chrome-extension://'))).toEqual([]);
}, 120_000);
