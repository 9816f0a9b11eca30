// The pixel reader: opens the picture of an already-read DICOM header and decodes any one frame on demand,
// reading only that frame's bytes, for every transfer syntax in syntaxes.ts. Results are native frames
// (pixels as an Explicit VR Little Endian file of the decoded picture stores them) or a plain-words reason.

import type { ByteSource } from '../source';
import { sliceSource } from '../source';
import type { DicomHeader } from '../dicom/header';
import { elementBytes } from '../dicom/parser';
import { inflateRawLimited } from '../inflate';
import type { Codecs, DecodedImage } from './codecs';
import { describePixels, type PixelDescription } from './description';
import { EncapsulatedFrames } from './fragments';
import { noFrame, PixelDataError, type NativeFrame, type NoFrame } from './frame';
import { ForwardInflater, NativeFrames, unpackBits } from './native';
import { decodeRle } from './rle';

export interface PixelLimits {
  /** A frame with more encoded or decoded bytes than this is not read. */
  maxFrameBytes: number;
  /** A picture with more pixels a frame than this is not read. */
  maxPixels: number;
}

export const DEFAULT_PIXEL_LIMITS: PixelLimits = { maxFrameBytes: 128 * 1024 * 1024, maxPixels: 32 * 1024 * 1024 };

export interface PixelReader {
  kind: 'pixels';
  /** Number of Frames (1 when the file does not say). */
  readonly frameCount: number;
  /** The picture as the file stores it (before decoding). */
  describe(): PixelDescription;
  /** Frame `index` (0-based), decoded; never rejects: anything wrong is a NoFrame with the reason. */
  readFrame(index: number): Promise<NativeFrame | NoFrame>;
  /** The encoded bytes of frame `index` of a compressed picture (its fragments joined); NoFrame for native pictures. */
  readEncodedFrame(index: number): Promise<Uint8Array | NoFrame>;
}

const plain = (e: unknown): NoFrame => noFrame(e instanceof PixelDataError ? e.message : 'the picture could not be read');

/** Whether a fragment ending with FFD9 (EOI or EOC) ends a frame of this decoder's codestreams. */
const END_MARKER_DECODERS = new Set(['jpeg', 'jpeg-lossless', 'jpeg-ls', 'jpeg2000', 'htj2k']);

/**
 * Opens the picture of `header` (read from `source` by readDicomHeader). `codecs` decodes JPEG, JPEG-LS,
 * JPEG 2000, HTJ2K and JPEG XL frames; without it only native, RLE and deflated frames decode. Reads nothing
 * yet: a NoFrame when the picture cannot be decoded at all (its reason in plain words).
 */
export function openPixels(source: ByteSource, header: DicomHeader, codecs?: Codecs, limits: PixelLimits = DEFAULT_PIXEL_LIMITS): PixelReader | NoFrame {
  let description: PixelDescription;
  try {
    description = describePixels(header);
  } catch (e) {
    return plain(e);
  }
  const d = description;
  const pixels = d.rows * d.columns;
  const decodedBytes = pixels * d.samplesPerPixel * Math.max(1, d.bitsAllocated / 8);
  if (pixels > limits.maxPixels || decodedBytes > limits.maxFrameBytes) return noFrame('the picture is too large to read');
  const pixel = header.pixelData!;

  let frameOf: (index: number) => Promise<NativeFrame>;
  let encoded: ((index: number) => Promise<Uint8Array>) | undefined;
  if (d.syntax.storage === 'native') {
    const dataset = d.syntax.deflatedDataset ? new ForwardInflater(sliceSource(source, header.datasetStart)) : sliceSource(source, header.datasetStart);
    const vr = header.dataSet.elements.x7fe00010?.vr;
    const swap = !d.syntax.bigEndian ? undefined : d.bitsAllocated === 32 ? 4 : d.bitsAllocated === 16 || vr === 'OW' ? 2 : undefined;
    let frames: NativeFrames;
    try {
      frames = new NativeFrames(dataset, {
        dataOffset: pixel.dataOffset,
        length: pixel.length,
        frames: d.frames,
        frameBits: pixels * d.samplesPerPixel * d.bitsAllocated,
        bitsAllocated: d.bitsAllocated,
        ...(swap ? { swap } : {}),
      });
    } catch (e) {
      return plain(e);
    }
    frameOf = async (index) => nativeFrame(d, await frames.frame(index));
  } else {
    const ds = header.dataSet;
    const offsets = ds.elements.x7fe00001;
    const lengths = ds.elements.x7fe00002;
    const eot = offsets && lengths ? { extendedOffsets: elementBytes(ds, offsets), extendedLengths: elementBytes(ds, lengths) } : {};
    const frames = new EncapsulatedFrames(source, header.datasetStart + pixel.dataOffset, d.frames,
      { ...(eot.extendedOffsets ? { extendedOffsets: eot.extendedOffsets } : {}), ...(eot.extendedLengths ? { extendedLengths: eot.extendedLengths } : {}) },
      END_MARKER_DECODERS.has(d.syntax.decoder!), limits.maxFrameBytes);
    encoded = (index) => frames.frame(index);
    frameOf = async (index) => decodeEncapsulated(d, await frames.frame(index), codecs, limits);
  }

  const check = (index: number): void => {
    if (!Number.isInteger(index) || index < 0 || index >= d.frames) throw new PixelDataError('the frame asked for is not in the picture');
  };
  return {
    kind: 'pixels',
    frameCount: d.frames,
    describe: () => d,
    async readFrame(index) {
      try {
        check(index);
        return await frameOf(index);
      } catch (e) {
        return plain(e);
      }
    },
    async readEncodedFrame(index) {
      try {
        check(index);
        if (!encoded) return noFrame('its picture is not compressed');
        return await encoded(index);
      } catch (e) {
        return plain(e);
      }
    },
  };
}

/** The rendering attributes every frame of the picture shares. */
function common(d: PixelDescription): Pick<NativeFrame, 'window' | 'rescale' | 'palette' | 'lossy'> {
  return {
    ...(d.window ? { window: d.window } : {}),
    ...(d.rescale ? { rescale: d.rescale } : {}),
    ...(d.palette ? { palette: d.palette } : {}),
    lossy: d.lossy,
  };
}

/** A frame in the layout the description gives (native, RLE-decoded or inflated), 1-bit data already unpacked. */
function nativeFrame(d: PixelDescription, pixels: Uint8Array, planar = d.planarConfiguration): NativeFrame {
  const bits = d.bitsAllocated === 1;
  return {
    kind: 'native',
    rows: d.rows,
    columns: d.columns,
    samplesPerPixel: d.samplesPerPixel,
    bitsAllocated: bits ? 8 : d.bitsAllocated as 8 | 16 | 32,
    bitsStored: bits ? 1 : d.bitsStored,
    highBit: bits ? 0 : d.highBit,
    pixelRepresentation: d.pixelRepresentation,
    photometric: d.photometric,
    planarConfiguration: planar,
    ...common(d),
    ...(bits ? { unpackedFromBits: true } : {}),
    pixels,
  };
}

async function decodeEncapsulated(d: PixelDescription, bytes: Uint8Array, codecs: Codecs | undefined, limits: PixelLimits): Promise<NativeFrame> {
  const pixels = d.rows * d.columns;
  const decoder = d.syntax.decoder!;
  if (decoder === 'rle') {
    if (d.bitsAllocated === 1) throw new PixelDataError('its RLE picture has 1 bit per pixel, which RLE cannot hold');
    return nativeFrame(d, decodeRle(bytes, d.rows, d.columns, d.samplesPerPixel, (d.bitsAllocated / 8) as 1 | 2 | 4), 0);
  }
  if (decoder === 'deflate-frame' || decoder === 'uncompressed-frame') {
    const bits = pixels * d.samplesPerPixel * d.bitsAllocated;
    const want = Math.ceil(bits / 8);
    let raw = bytes;
    if (decoder === 'deflate-frame') {
      try {
        raw = inflateRawLimited(bytes, Math.min(limits.maxFrameBytes, want + 1));
      } catch {
        throw new PixelDataError('its deflated frame is damaged');
      }
    }
    if (raw.length < want) throw new PixelDataError('a frame of its picture is shorter than its rows and columns say');
    return nativeFrame(d, d.bitsAllocated === 1 ? unpackBits(raw, 0, pixels) : raw.slice(0, want));
  }
  if (!codecs) throw new PixelDataError(`no decoder for its ${d.syntax.name} compressed picture is available here`);
  let image: DecodedImage;
  if (decoder === 'jpeg') image = await codecs.jpeg(bytes);
  else if (decoder === 'jpeg-lossless') image = await codecs.jpegLossless(bytes);
  else if (decoder === 'jpeg-ls') image = await codecs.jpegLs(bytes);
  else if (decoder === 'jpeg2000') image = await codecs.jpeg2000(bytes);
  else if (decoder === 'htj2k') image = await codecs.htj2k(bytes);
  else image = await codecs.jpegXl(bytes);
  return fromDecoded(d, image);
}

/** A codec's output as a native frame of the picture the file describes (widened to 16 bits where it says so). */
function fromDecoded(d: PixelDescription, image: DecodedImage): NativeFrame {
  if (image.columns !== d.columns || image.rows !== d.rows) {
    throw new PixelDataError('its compressed frame is a different size from the picture the file describes');
  }
  if (image.components !== d.samplesPerPixel) {
    throw new PixelDataError('its compressed frame has a different number of colour samples from the picture the file describes');
  }
  const samples = d.rows * d.columns * d.samplesPerPixel;
  const from = image.bitsPerSample > 8 ? 2 : 1;
  const to = d.bitsAllocated === 1 ? 0 : d.bitsAllocated / 8;
  if (to !== 1 && to !== 2) throw new PixelDataError('its compressed frame does not fit the bits per sample the file says');
  if (from > to) throw new PixelDataError('its compressed frame has more bits per sample than the file says');
  if (image.data.length < samples * from) throw new PixelDataError('its compressed frame decoded to fewer samples than the picture has');
  let pixels = image.data.subarray(0, samples * from);
  if (from === 1 && to === 2) {
    const wide = new Uint8Array(samples * 2);
    const signed = d.pixelRepresentation === 1 && image.signed;
    for (let i = 0; i < samples; i++) {
      const v = pixels[i]!;
      wide[2 * i] = v;
      wide[2 * i + 1] = signed && v >= 128 ? 0xff : 0;
    }
    pixels = wide;
  }
  const j2k = d.syntax.decoder === 'jpeg2000' || d.syntax.decoder === 'htj2k';
  return {
    kind: 'native',
    rows: d.rows,
    columns: d.columns,
    samplesPerPixel: d.samplesPerPixel,
    bitsAllocated: to === 2 ? 16 : 8,
    bitsStored: d.bitsStored,
    highBit: d.highBit,
    // JPEG 2000 says whether its samples are signed, and is right where the header disagrees.
    pixelRepresentation: j2k ? (image.signed ? 1 : 0) : d.pixelRepresentation,
    photometric: image.toRgb ? 'RGB' : d.photometric,
    planarConfiguration: image.planar ? 1 : 0,
    ...common(d),
    pixels,
  };
}
