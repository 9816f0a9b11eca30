// Reads the first frame of a DICOM file's picture for the dialog's preview: the header via readDicomHeader,
// then only that frame's bytes, through the one pixel reader (src/core/pixels). Pure: no DOM.
//
// Without codecs (the dialog page has none yet) native, RLE and deflated frames decode, and a baseline JPEG
// frame comes back as its bytes for the browser's own decoder; with codecs every syntax the reader knows
// decodes. Everything else is `{ kind: 'none', reason }` with the reason in plain words.

import type { ByteSource } from '../source';
import { blobSource } from '../source';
import { sniff, SNIFF_BYTES } from '../sniff';
import { readDicomHeader, DEFAULT_HEADER_LIMITS, type HeaderLimits } from './header';
import type { Codecs } from '../pixels/codecs';
import { noFrame, type NativeFrame, type NoFrame } from '../pixels/frame';
import { openPixels, DEFAULT_PIXEL_LIMITS, type PixelLimits } from '../pixels/reader';

export type { FrameRescale, FrameWindow, NativeFrame, NoFrame } from '../pixels/frame';
export { shrinkFrame, toRgba } from '../pixels/render';

export const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';

/** A baseline JPEG frame: the bytes of its fragments, joined, for the browser's decoder. */
export interface JpegFrame {
  kind: 'jpeg';
  rows: number;
  columns: number;
  bytes: Uint8Array<ArrayBuffer>;
}

export type FirstFrame = NativeFrame | JpegFrame | NoFrame;

export interface FirstFrameLimits extends PixelLimits {
  header: HeaderLimits;
}

export const DEFAULT_FIRST_FRAME_LIMITS: FirstFrameLimits = { ...DEFAULT_PIXEL_LIMITS, header: DEFAULT_HEADER_LIMITS };

/**
 * Reads the first frame of the picture in `input` (a DICOM file): the header, then only that frame's bytes.
 * Never throws for a bad file: anything it cannot show is `{ kind: 'none', reason }`.
 */
export async function readFirstFrame(input: Blob | ByteSource, limits: FirstFrameLimits = DEFAULT_FIRST_FRAME_LIMITS, codecs?: Codecs): Promise<FirstFrame> {
  const source = input instanceof Blob ? blobSource(input) : input;
  try {
    return await firstFrameOf(source, limits, codecs);
  } catch {
    return noFrame('the file could not be read');
  }
}

async function firstFrameOf(source: ByteSource, limits: FirstFrameLimits, codecs: Codecs | undefined): Promise<FirstFrame> {
  if (source.size === 0) return noFrame('the file is empty');
  const sniffed = sniff(await source.read(0, SNIFF_BYTES), source.size);
  if (sniffed.kind !== 'dicom') return noFrame('it is not a DICOM file');
  const header = await readDicomHeader(source, sniffed, limits.header);
  const reader = openPixels(source, header, codecs, limits);
  if (reader.kind === 'none') return reader;
  const d = reader.describe();
  if (d.photometric === 'PALETTE COLOR' && !d.palette) return noFrame('its palette colour picture has no usable colour table');
  if (!codecs && d.transferSyntax === JPEG_BASELINE) {
    const bytes = await reader.readEncodedFrame(0);
    if (!(bytes instanceof Uint8Array)) return bytes;
    return { kind: 'jpeg', rows: d.rows, columns: d.columns, bytes: new Uint8Array(bytes) };
  }
  return reader.readFrame(0);
}
