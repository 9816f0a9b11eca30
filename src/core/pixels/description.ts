// What a DICOM header says about its picture (size, samples, bits, photometric interpretation, frames, window,
// rescale, palette, lossy history), read once from the already-parsed header and checked for sense.

import type { DataSet } from '../dicom/parser';
import type { DicomHeader } from '../dicom/header';
import type { FrameRescale, FrameWindow, LossyInfo, Palette, PaletteChannel } from './frame';
import { PixelDataError } from './frame';
import { syntaxInfo, unsupportedSyntaxName, type SyntaxInfo } from './syntaxes';

/** The picture as the file stores it, before decoding. */
export interface PixelDescription {
  transferSyntax: string;
  syntax: SyntaxInfo;
  rows: number;
  columns: number;
  samplesPerPixel: 1 | 3;
  /** As stored: 1 for bit-packed pictures. */
  bitsAllocated: 1 | 8 | 16 | 32;
  bitsStored: number;
  highBit: number;
  pixelRepresentation: 0 | 1;
  /** As stored (upper case, trimmed). */
  photometric: string;
  planarConfiguration: 0 | 1;
  /** Number of Frames, 1 when absent. */
  frames: number;
  window?: FrameWindow;
  rescale?: FrameRescale;
  palette?: Palette;
  lossy: LossyInfo;
}

const MONOCHROME = new Set(['MONOCHROME1', 'MONOCHROME2']);
const THREE_SAMPLES = new Set(['RGB', 'YBR_FULL', 'YBR_FULL_422', 'YBR_PARTIAL_420', 'YBR_ICT', 'YBR_RCT', 'YBR_PARTIAL_422']);

function uint16(ds: DataSet, tag: string, index = 0): number | undefined {
  const el = ds.elements[tag];
  if (!el || el.length < 2 * (index + 1) || el.dataOffset + 2 * (index + 1) > ds.byteArray.length) return undefined;
  return ds.byteArrayParser.readUint16(ds.byteArray, el.dataOffset + 2 * index);
}

function text(ds: DataSet, tag: string): string | undefined {
  const el = ds.elements[tag];
  if (!el || el.dataOffset + el.length > ds.byteArray.length) return undefined;
  let s = '';
  for (let i = el.dataOffset; i < el.dataOffset + el.length; i++) s += String.fromCharCode(ds.byteArray[i]!);
  return s.replace(/\0/g, ' ').trim();
}

/** Every value of a DS or IS element that is a finite number. */
function numbers(ds: DataSet, tag: string): number[] {
  return (text(ds, tag) ?? '').split('\\').map((v) => v.trim()).filter((v) => v !== '').map(Number).filter(Number.isFinite);
}

const firstNumber = (ds: DataSet, tag: string): number | undefined => numbers(ds, tag)[0];

/** A palette channel from its descriptor (0028,110x) and data (0028,120x); undefined when either is unusable. */
function paletteChannel(ds: DataSet, descriptorTag: string, dataTag: string): PaletteChannel | undefined {
  const entriesWord = uint16(ds, descriptorTag, 0);
  const firstWord = uint16(ds, descriptorTag, 1);
  const bitsWord = uint16(ds, descriptorTag, 2);
  const el = ds.elements[dataTag];
  if (entriesWord === undefined || firstWord === undefined || bitsWord === undefined || !el) return undefined;
  const entries = entriesWord === 0 ? 65536 : entriesWord;
  if (el.dataOffset + el.length > ds.byteArray.length) return undefined;
  // The first mapped value is US or SS as the pixels are; either way its 16 bits are kept here as unsigned.
  const bits: 8 | 16 = bitsWord === 8 ? 8 : 16;
  const data = new Uint16Array(entries);
  // 8-bit entries are still stored one per 16-bit word (PS3.3 C.7.6.3.1.6), the value in the low byte;
  // some writers pack them two to a word instead: then the data is half as long.
  const packed = bits === 8 && el.length === entries;
  if (!packed && el.length < 2 * entries) return undefined;
  for (let i = 0; i < entries; i++) {
    data[i] = packed ? ds.byteArray[el.dataOffset + i]! : ds.byteArrayParser.readUint16(ds.byteArray, el.dataOffset + 2 * i);
  }
  return { firstMapped: firstWord, bits, data };
}

function paletteOf(ds: DataSet): Palette | undefined {
  const red = paletteChannel(ds, 'x00281101', 'x00281201');
  const green = paletteChannel(ds, 'x00281102', 'x00281202');
  const blue = paletteChannel(ds, 'x00281103', 'x00281203');
  return red && green && blue ? { red, green, blue } : undefined;
}

function lossyOf(ds: DataSet, syntax: SyntaxInfo): LossyInfo {
  const said = text(ds, 'x00282110');
  const ratios = numbers(ds, 'x00282112');
  const methodsSaid = (text(ds, 'x00282114') ?? '').split('\\').map((m) => m.trim()).filter((m) => m !== '');
  const lossy = said === '01' || syntax.mayBeLossy;
  const methods = methodsSaid.length > 0 ? methodsSaid : syntax.lossyMethod && lossy ? [syntax.lossyMethod] : [];
  return { lossy, ...(ratios.length > 0 ? { ratios } : {}), ...(methods.length > 0 ? { methods } : {}) };
}

/**
 * The picture `header` describes, checked: throws PixelDataError (plain words) for a file without a picture,
 * a transfer syntax the reader cannot decode, or attributes that make no sense together.
 */
export function describePixels(header: DicomHeader): PixelDescription {
  const ds = header.dataSet;
  if (!header.pixelData) {
    if (ds.elements.x7fe00008 || ds.elements.x7fe00009) {
      throw new PixelDataError('its picture is stored as floating-point numbers (Float Pixel Data), which this reader does not decode');
    }
    throw new PixelDataError('the file has no picture');
  }
  // No file meta group: the encoding the header was read with says which of the native syntaxes it is.
  const transferSyntax = header.transferSyntax
    ?? (header.encoding.littleEndian ? (header.encoding.explicit ? '1.2.840.10008.1.2.1' : '1.2.840.10008.1.2') : '1.2.840.10008.1.2.2');
  const syntax = syntaxInfo(transferSyntax);
  if (!syntax) throw new PixelDataError(`its picture is compressed as ${unsupportedSyntaxName(transferSyntax)}, which this reader cannot decode`);
  if (syntax.storage === 'native' && header.pixelData.undefinedLength) {
    throw new PixelDataError('its picture is stored in fragments, but the file says it is not compressed');
  }
  if (syntax.storage === 'encapsulated' && !header.pixelData.undefinedLength) {
    throw new PixelDataError('its compressed picture is not stored in fragments as the standard requires');
  }

  const rows = uint16(ds, 'x00280010');
  const columns = uint16(ds, 'x00280011');
  if (!rows || !columns) throw new PixelDataError('the file does not say how large its picture is');
  const samplesPerPixel = uint16(ds, 'x00280002') ?? 1;
  const bitsAllocated = uint16(ds, 'x00280100');
  const bitsStored = uint16(ds, 'x00280101') ?? bitsAllocated;
  const highBit = uint16(ds, 'x00280102') ?? (bitsStored === undefined ? undefined : bitsStored - 1);
  const pixelRepresentation = uint16(ds, 'x00280103') ?? 0;
  const planarConfiguration = uint16(ds, 'x00280006') ?? 0;
  const photometric = (text(ds, 'x00280004') || (samplesPerPixel === 1 ? 'MONOCHROME2' : '')).toUpperCase();

  if (bitsAllocated !== 1 && bitsAllocated !== 8 && bitsAllocated !== 16 && bitsAllocated !== 32) {
    throw new PixelDataError(`its picture has ${bitsAllocated === undefined ? 'an unknown number of' : 'an unusual number of'} bits per sample, which this reader does not decode`);
  }
  if (bitsStored === undefined || bitsStored < 1 || bitsStored > bitsAllocated) throw new PixelDataError('its picture says it stores more bits than it has room for');
  if (highBit === undefined || highBit < bitsStored - 1 || highBit >= bitsAllocated) throw new PixelDataError('its picture says its high bit is outside the bits it stores');
  if (pixelRepresentation !== 0 && pixelRepresentation !== 1) throw new PixelDataError('its picture has an unknown pixel representation');
  const mono = MONOCHROME.has(photometric) || photometric === 'PALETTE COLOR';
  if (!(mono && samplesPerPixel === 1) && !(THREE_SAMPLES.has(photometric) && samplesPerPixel === 3)) {
    throw new PixelDataError(`its picture is in a colour form (${photometric || 'unknown'}, ${samplesPerPixel} samples) this reader does not decode`);
  }
  if (planarConfiguration !== 0 && planarConfiguration !== 1) throw new PixelDataError('its picture has an unknown planar configuration');
  if (bitsAllocated === 1 && samplesPerPixel !== 1) throw new PixelDataError('its picture has 1 bit per colour sample, which this reader does not decode');
  if (syntax.storage === 'native' && (photometric === 'YBR_FULL_422' || photometric === 'YBR_PARTIAL_420' || photometric === 'YBR_PARTIAL_422')) {
    throw new PixelDataError(`its uncompressed picture is stored subsampled (${photometric}), which this reader does not decode`);
  }
  const palette = photometric === 'PALETTE COLOR' ? paletteOf(ds) : undefined;
  const framesSaid = firstNumber(ds, 'x00280008');
  const frames = framesSaid === undefined ? 1 : Math.trunc(framesSaid);
  if (frames < 1) throw new PixelDataError('the file says its picture has no frames');

  const center = firstNumber(ds, 'x00281050');
  const width = firstNumber(ds, 'x00281051');
  const slope = firstNumber(ds, 'x00281053');
  const intercept = firstNumber(ds, 'x00281052');
  const monochrome = MONOCHROME.has(photometric);
  return {
    transferSyntax,
    syntax,
    rows,
    columns,
    samplesPerPixel: samplesPerPixel as 1 | 3,
    bitsAllocated,
    bitsStored,
    highBit,
    pixelRepresentation,
    photometric,
    planarConfiguration: samplesPerPixel === 3 ? (planarConfiguration as 0 | 1) : 0,
    frames,
    ...(monochrome && center !== undefined && width !== undefined && width >= 1 ? { window: { center, width } } : {}),
    ...(monochrome && (slope !== undefined || intercept !== undefined) ? { rescale: { slope: slope ?? 1, intercept: intercept ?? 0 } } : {}),
    ...(palette ? { palette } : {}),
    lossy: lossyOf(ds, syntax),
  };
}
