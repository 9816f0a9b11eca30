// The pixel worker checks shared by the Chromium and Firefox suites: one corpus file per codec, the frame
// summary Node computes for each, and the page function that asks the built worker for the same frames.

import { nodeCodecs } from '../../../src/cli/codec-host';
import { readDicomHeader } from '../../../src/core/dicom/header';
import { openPixels } from '../../../src/core/pixels/reader';
import { sniff, SNIFF_BYTES } from '../../../src/core/sniff';
import { bytesSource } from '../../../src/core/source';
import { corpusBytes } from '../../support/corpus';

/** One file per codec: libjpeg-turbo, jpeg12.ts, jpeg-lossless, CharLS, OpenJPEG, OpenJPH, libjxl, RLE. */
export const CODEC_FILES = [
  'public/pydicom/SC_rgb_jpeg_dcmtk.dcm',
  'public/pydicom/JPGExtended.dcm',
  'public/dcm4che/MR-JPEGLosslessSV1.dcm',
  'public/pydicom/MR_small_jpeg_ls_lossless.dcm',
  'public/pydicom/MR_small_jp2klossless.dcm',
  'public/pydicom-data/HTJ2K_08_RGB.dcm',
  'public/dcm4che/will-jxl.dcm',
  'public/dcm4che/YBR_FULL-RLE.dcm',
];

export interface FrameSummary {
  rows: number;
  columns: number;
  photometric: string;
  bitsAllocated: number;
  bytes: number;
  /** A checksum of the pixel bytes. */
  sum: number;
}

/** The first frame of a corpus file as the Node build decodes it, summarised. */
export async function nodeSummary(relative: string): Promise<FrameSummary> {
  const source = bytesSource(corpusBytes(relative));
  const sniffed = sniff(await source.read(0, SNIFF_BYTES), source.size);
  if (sniffed.kind !== 'dicom') throw new Error('not DICOM');
  const reader = openPixels(source, await readDicomHeader(source, sniffed), nodeCodecs());
  if (reader.kind !== 'pixels') throw new Error(reader.reason);
  const frame = await reader.readFrame(0);
  if (frame.kind !== 'native') throw new Error(frame.reason);
  let sum = 0;
  for (let i = 0; i < frame.pixels.length; i++) sum = (sum * 31 + frame.pixels[i]!) >>> 0;
  return { rows: frame.rows, columns: frame.columns, photometric: frame.photometric, bitsAllocated: frame.bitsAllocated, bytes: frame.pixels.length, sum };
}

/**
 * Runs in an extension page: starts the built text worker at `url` as a module Worker (it decodes the
 * dialog's frames too), asks it for the first frame of each file (base64) in turn, and returns the same
 * summary of each frame, or the worker's reason.
 */
export async function decodeInWorker({ url, encoded }: { url: string; encoded: string[] }): Promise<unknown[]> {
  const w = new Worker(url, { type: 'module' });
  const out: unknown[] = [];
  for (let id = 0; id < encoded.length; id++) {
    const bytes = Uint8Array.from(atob(encoded[id]!), (c) => c.charCodeAt(0));
    const answer = await new Promise<{ frame?: { rows: number; columns: number; photometric: string; bitsAllocated: number; pixels: Uint8Array }; reason?: string }>((resolve) => {
      setTimeout(() => resolve({ reason: 'no answer from the worker in 30 s' }), 30_000);
      w.onmessage = (event: MessageEvent) => resolve(event.data);
      w.onerror = (event) => resolve({ reason: `worker error: ${event.message}` });
      w.postMessage({ type: 'frame', id, file: new Blob([bytes]), frame: 1 });
    });
    const f = answer.frame;
    if (!f) {
      out.push({ reason: answer.reason });
      continue;
    }
    let sum = 0;
    for (let i = 0; i < f.pixels.length; i++) sum = (sum * 31 + f.pixels[i]!) >>> 0;
    out.push({ rows: f.rows, columns: f.columns, photometric: f.photometric, bitsAllocated: f.bitsAllocated, bytes: f.pixels.length, sum });
  }
  w.terminate();
  return out;
}
