// Reads the text drawn into a DICOM file's picture: its header, then its frames one at a time through the
// pixel reader, each rendered twice where that matters (over the stored value range, where scanners draw
// their text, and through the display window, as a viewer shows it), then readPictureText.

import type { ByteSource } from '../source';
import { sniff, SNIFF_BYTES } from '../sniff';
import { readDicomHeader, DicomReadError, DEFAULT_HEADER_LIMITS } from '../dicom/header';
import { openPixels } from '../pixels/reader';
import { renderForText } from '../pixels/render';
import type { Codecs } from '../pixels/codecs';
import type { NativeFrame } from '../pixels/frame';
import type { Image8 } from './detection';
import type { PictureTerms } from './meaning';
import { readPictureText, type PictureFrames, type PictureText, type PictureTextOptions, type TextEngine } from './picture-text';

function unread(problem: string): PictureText {
  return { frameCount: 0, framesRead: [], framesCompared: 0, regions: [], marks: [], complete: false, problem };
}

/** The stored range a frame's bits allow. */
function storedRange(frame: NativeFrame): [number, number] {
  return frame.pixelRepresentation === 1 ? [-(2 ** (frame.bitsStored - 1)), 2 ** (frame.bitsStored - 1) - 1] : [0, 2 ** frame.bitsStored - 1];
}

/**
 * Whether the display window shows the picture differently enough from its stored range to be worth a
 * second look: it covers less than half of what the bits can hold (a CT's soft-tissue window over 12 bits).
 */
function windowMatters(frame: NativeFrame): boolean {
  if (!frame.window || frame.samplesPerPixel !== 1 || frame.palette) return false;
  const [lo, hi] = storedRange(frame);
  const slope = Math.abs(frame.rescale?.slope ?? 1) || 1;
  return frame.window.width / slope < (hi - lo + 1) / 2;
}

/** The renderings of a frame the detector looks at. */
export function textRenders(frame: NativeFrame): Image8[] {
  // A palette picture whose table cannot be used (a segmented one) is looked at through its indices:
  // text is drawn with one index, and stands out from its surroundings as a grey level too.
  if (frame.photometric === 'PALETTE COLOR' && !frame.palette) return [renderForText({ ...frame, photometric: 'MONOCHROME2' }, 'stored-range')];
  const stored = renderForText(frame, 'stored-range');
  return windowMatters(frame) ? [stored, renderForText(frame, 'window')] : [stored];
}

/**
 * Reads the text in the picture of the DICOM file in `source`. Never throws for a bad file: a picture that
 * cannot be decoded comes back incomplete with the reason (framesRead empty). Engine failures reject.
 */
export async function readDicomPictureText(
  source: ByteSource,
  terms: PictureTerms,
  engine: TextEngine,
  codecs: Codecs | undefined,
  options: Partial<PictureTextOptions> = {},
): Promise<PictureText> {
  let header;
  try {
    const sniffed = sniff(await source.read(0, SNIFF_BYTES), source.size);
    if (sniffed.kind !== 'dicom') return unread('it is not a DICOM file');
    header = await readDicomHeader(source, sniffed, DEFAULT_HEADER_LIMITS);
  } catch (e) {
    return unread(e instanceof DicomReadError ? e.message : 'its header could not be read');
  }
  if (!header.pixelData) return unread('the file has no picture');
  const pixels = openPixels(source, header, codecs);
  if (pixels.kind === 'none') return unread(pixels.reason);
  const first = await pixels.readFrame(0);
  if (first.kind === 'none') return unread(first.reason);
  const frames: PictureFrames = {
    frameCount: pixels.frameCount,
    width: first.columns,
    height: first.rows,
    async render(index) {
      const frame = index === 0 ? first : await pixels.readFrame(index);
      if (frame.kind === 'none') throw new Error(frame.reason);
      return textRenders(frame);
    },
  };
  return readPictureText(frames, engine, terms, options);
}
