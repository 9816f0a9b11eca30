// The Clean Pixel Data option of the de-identifier: decodes a picture one frame at a time, fills every text
// region (with a margin) with the picture's black, clears overlay bits kept in the high bits of pixel words,
// optionally blacks out everything outside the ultrasound regions, and gives back the new pixel data as
// native samples (a compressed picture is written back uncompressed, Explicit VR Little Endian), with the
// attributes that describe them. Pixels outside the masked regions keep their decoded values.

import type { ByteSource } from '../source';
import type { DicomHeader } from './header';
import { TRANSFER_SYNTAX } from './header';
import type { OutElement } from './writer';
import { textElement } from './writer';
import { openPixels } from '../pixels/reader';
import { bytesPerSample, type NativeFrame } from '../pixels/frame';
import { clearOverlayBits, embeddedOverlayBitPositions, fillRegions, type Region } from '../pixels/mask';
import type { Codecs } from '../pixels/codecs';
import { swapWords } from '../pixels/native';

/** What to do to a picture. */
export interface PixelCleaning {
  /** Regions to fill in every frame (pixels of the stored image). */
  regions: readonly Region[];
  /** Pixels added around each region. */
  margin: number;
  /** When given, everything outside these rectangles is filled too (ultrasound regions). */
  keepOnly?: readonly Region[];
}

export interface CleanedPixels {
  /** The new pixel data's value, a frame a part, in the output's byte order. */
  frames: Uint8Array[];
  /** OB or OW. */
  vr: 'OB' | 'OW';
  /** The transfer syntax of the output: the input's for native pictures, Explicit VR Little Endian otherwise. */
  transferSyntax: string;
  /** Elements that describe the written pixels, replacing the header's (sorted by tag). */
  attributes: OutElement[];
  /** Elements to drop: the extended offset table of an encapsulated picture. */
  drop: number[];
  /** Whether the frames were decoded from a compressed picture. */
  decompressed: boolean;
}

/** A cleaning problem, in plain words. */
export class PixelCleaningError extends Error {
  override readonly name = 'PixelCleaningError';
}

const NATIVE: ReadonlySet<string> = new Set([TRANSFER_SYNTAX.implicitLittle, TRANSFER_SYNTAX.explicitLittle, TRANSFER_SYNTAX.explicitBig, TRANSFER_SYNTAX.deflated]);

function us(tag: number, value: number, littleEndian: boolean): OutElement {
  const bytes = new Uint8Array(2);
  new DataView(bytes.buffer).setUint16(0, value, littleEndian);
  return { tag, vr: 'US', value: bytes };
}

/** The complement of `keep` within the picture, as rectangles (row bands split around each kept rectangle). */
export function outside(keep: readonly Region[], columns: number, rows: number): Region[] {
  const out: Region[] = [];
  for (let y = 0; y < rows; y++) {
    const spans = keep
      .filter((r) => y >= r.y && y < r.y + r.height)
      .map((r) => [Math.max(0, r.x), Math.min(columns, r.x + r.width)] as const)
      .sort((a, b) => a[0] - b[0]);
    let x = 0;
    for (const [a, b] of spans) {
      if (a > x) out.push({ x, y, width: a - x, height: 1 });
      x = Math.max(x, b);
    }
    if (x < columns) out.push({ x, y, width: columns - x, height: 1 });
  }
  // Rows with the same spans merge into bands.
  const merged: Region[] = [];
  for (const r of out) {
    const above = merged.find((m) => m.x === r.x && m.width === r.width && m.y + m.height === r.y);
    if (above) above.height++;
    else merged.push({ ...r });
  }
  return merged;
}

/** The frame's bytes as the output stores them. */
function outputBytes(frame: NativeFrame, littleEndian: boolean): { bytes: Uint8Array; vr: 'OB' | 'OW' } {
  const size = bytesPerSample(frame);
  if (size === 1) return { bytes: frame.pixels, vr: 'OB' };
  return { bytes: littleEndian ? frame.pixels : swapWords(frame.pixels, size === 4 ? 4 : 2), vr: 'OW' };
}

/** Decodes, masks and re-encodes every frame of the picture of `header`. Throws PixelCleaningError. */
export async function cleanPixels(source: ByteSource, header: DicomHeader, codecs: Codecs | undefined, cleaning: PixelCleaning): Promise<CleanedPixels> {
  const pixels = openPixels(source, header, codecs);
  if (pixels.kind === 'none') throw new PixelCleaningError(`its picture could not be read to mask its text (${pixels.reason})`);
  const syntax = header.transferSyntax ?? TRANSFER_SYNTAX.implicitLittle;
  const native = NATIVE.has(syntax);
  // Native pictures keep their transfer syntax (and byte order); compressed ones are written uncompressed.
  const littleEndian = native ? header.encoding.littleEndian : true;
  const overlays = embeddedOverlayBitPositions(header.dataSet);
  const frames: Uint8Array[] = [];
  let first: NativeFrame | undefined;
  let vr: 'OB' | 'OW' = 'OB';
  for (let i = 0; i < pixels.frameCount; i++) {
    const decoded = await pixels.readFrame(i);
    if (decoded.kind === 'none') throw new PixelCleaningError(`frame ${i + 1} of its picture could not be decoded (${decoded.reason})`);
    if (decoded.unpackedFromBits) throw new PixelCleaningError('its picture has one bit per pixel, which this tool does not rewrite');
    let frame = decoded;
    if (overlays.length > 0) frame = clearOverlayBits(frame, overlays);
    const regions = cleaning.keepOnly ? [...cleaning.regions, ...outside(cleaning.keepOnly, frame.columns, frame.rows)] : cleaning.regions;
    if (regions.length > 0) frame = fillRegions(frame, regions, cleaning.margin);
    const out = outputBytes(frame, littleEndian);
    vr = out.vr;
    frames.push(out.bytes);
    first ??= frame;
  }
  if (!first) throw new PixelCleaningError('its picture has no frames');
  const attributes: OutElement[] = [];
  if (!native) {
    attributes.push(
      us(0x00280002, first.samplesPerPixel, true),
      textElement(0x00280004, 'CS', first.photometric),
      ...(first.samplesPerPixel === 3 ? [us(0x00280006, first.planarConfiguration, true)] : []),
      us(0x00280100, first.bitsAllocated, true),
      us(0x00280101, first.bitsStored, true),
      us(0x00280102, first.highBit, true),
      us(0x00280103, first.pixelRepresentation, true),
    );
  }
  const lossy = first.lossy;
  if (lossy?.lossy) {
    // "Once set, Lossy Image Compression shall not be reset" (PS3.3 C.7.6.1.1.5); ratio and method kept.
    attributes.push(textElement(0x00282110, 'CS', '01'));
    if (lossy.ratios?.length) attributes.push(textElement(0x00282112, 'DS', lossy.ratios.map((r) => String(Number(r.toPrecision(6)))).join('\\')));
    if (lossy.methods?.length) attributes.push(textElement(0x00282114, 'CS', lossy.methods.join('\\')));
  }
  attributes.sort((a, b) => a.tag - b.tag);
  return {
    frames,
    vr,
    transferSyntax: native ? syntax : TRANSFER_SYNTAX.explicitLittle,
    attributes,
    drop: native ? [] : [0x7fe00001, 0x7fe00002],
    decompressed: !native,
  };
}
