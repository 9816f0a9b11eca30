// The shapes of decoded DICOM frames and of what a file says about its picture: one native (uncompressed,
// little-endian) frame, the rendering attributes that go with it, and the plain-words "no frame" result.

export interface FrameWindow {
  center: number;
  width: number;
}

export interface FrameRescale {
  slope: number;
  intercept: number;
}

/** One channel of a palette colour lookup table (PS3.3 C.7.6.3.1.5), entries widened to 16-bit numbers. */
export interface PaletteChannel {
  /** The stored pixel value that maps to `data[0]`; smaller values map to the first entry, larger to the last. */
  firstMapped: number;
  /** Bits per entry: 8 or 16. */
  bits: 8 | 16;
  data: Uint16Array;
}

export interface Palette {
  red: PaletteChannel;
  green: PaletteChannel;
  blue: PaletteChannel;
}

/** Whether the picture has been through lossy compression, now or before (PS3.3 C.7.6.1.1.5). */
export interface LossyInfo {
  lossy: boolean;
  /** Lossy Image Compression Ratio (0028,2112) values, when the file gives them. */
  ratios?: number[];
  /** Lossy Image Compression Method (0028,2114) values, or the method of a lossy transfer syntax. */
  methods?: string[];
}

/**
 * A frame as a native (uncompressed) file would store it after decoding, in little-endian byte order
 * whatever the source's, so a writer can put `pixels` straight into an Explicit VR Little Endian file with
 * these attributes. 1-bit pictures come back unpacked to one byte per pixel (0 or 1; bitsAllocated 8,
 * bitsStored 1), and `unpackedFromBits` says so.
 */
export interface NativeFrame {
  kind: 'native';
  rows: number;
  columns: number;
  samplesPerPixel: 1 | 3;
  bitsAllocated: 8 | 16 | 32;
  bitsStored: number;
  highBit: number;
  /** 0 unsigned, 1 two's complement. */
  pixelRepresentation: 0 | 1;
  /** After decoding: a JPEG YBR_FULL_422 frame comes back RGB, a JPEG 2000 YBR_RCT/ICT frame RGB. */
  photometric: string;
  /** 0: samples of a pixel together (RGBRGB…); 1: one plane per sample (RR…GG…BB…). */
  planarConfiguration: 0 | 1;
  /** The first Window Center/Width of the file, in rescaled units, when it has a usable one. */
  window?: FrameWindow;
  /** Rescale Slope/Intercept (the modality LUT), when the file has them. */
  rescale?: FrameRescale;
  /** The lookup tables of a PALETTE COLOR picture (pixels stay indices). */
  palette?: Palette;
  lossy?: LossyInfo;
  /** The file stored 1 bit per pixel; `pixels` has one byte (0 or 1) per pixel. */
  unpackedFromBits?: boolean;
  pixels: Uint8Array;
}

export interface NoFrame {
  kind: 'none';
  /** Why there is no frame, in plain words (never a value from the file). */
  reason: string;
}

/** Thrown inside the pixel reader for anything it cannot decode; its message is a plain-words reason. */
export class PixelDataError extends Error {
  override readonly name = 'PixelDataError';
}

export const noFrame = (reason: string): NoFrame => ({ kind: 'none', reason });

/** Bytes of one sample in a frame of this many bits allocated. */
export function bytesPerSample(frame: Pick<NativeFrame, 'bitsAllocated'>): 1 | 2 | 4 {
  return (frame.bitsAllocated / 8) as 1 | 2 | 4;
}

/** Stored sample `i` of a frame as an integer (masked to Bits Stored, sign-extended when signed). */
export function sampleReader(frame: Pick<NativeFrame, 'pixels' | 'bitsStored' | 'bitsAllocated' | 'pixelRepresentation'>): (i: number) => number {
  const { pixels, bitsStored } = frame;
  const mask = 2 ** bitsStored - 1;
  const signBit = 2 ** (bitsStored - 1);
  const view = new DataView(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  const raw = frame.bitsAllocated === 8 ? (i: number): number => pixels[i]!
    : frame.bitsAllocated === 16 ? (i: number): number => view.getUint16(2 * i, true)
    : (i: number): number => view.getUint32(4 * i, true);
  // Masking with & works on 32-bit signed integers: for 32 bits stored, the unsigned value is used as it is.
  const masked = bitsStored >= 32 ? raw : (i: number): number => (raw(i) & mask) >>> 0;
  if (frame.pixelRepresentation === 1) {
    return (i) => {
      const v = masked(i);
      return v >= signBit ? v - 2 * signBit : v;
    };
  }
  return masked;
}
