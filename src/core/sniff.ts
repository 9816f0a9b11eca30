// What is this file? Decided from its first bytes only (never from its name): DICOM in its three
// layouts, ZIP, gzip, NIfTI, pictures (JPEG, PNG, WebP, HEIC/HEIF, TIFF, GIF), PDF, or something else.

export interface DatasetEncoding {
  readonly explicit: boolean;
  readonly littleEndian: boolean;
}

export type Sniffed =
  | { kind: 'dicom'; layout: 'part10'; offset: 132 }
  | { kind: 'dicom'; layout: 'meta-no-preamble'; offset: 0 }
  /** A bare dataset with no file meta information; `offset` skips stray leading bytes. */
  | { kind: 'dicom'; layout: 'raw'; offset: number; encoding: DatasetEncoding }
  | { kind: 'zip' }
  | { kind: 'gzip' }
  | { kind: 'nifti'; version: 1 | 2 }
  /** A picture (photo, screenshot): checked only when the caller asks for pictures and documents. */
  | { kind: 'image'; format: ImageFormat }
  /** A PDF document: checked only when the caller asks for pictures and documents. */
  | { kind: 'pdf' }
  | { kind: 'other' };

/** The picture formats recognised by their bytes. */
export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'heif' | 'tiff' | 'gif';

/** HEIF brands of the `ftyp` box: HEVC stills and sequences, and the generic HEIF brands. */
const HEIF_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'hevm', 'hevs', 'mif1', 'msf1', 'avif', 'avis']);

/** How many leading bytes to read before calling `sniff`. */
export const SNIFF_BYTES = 4096;

export const VALID_VRS = new Set([
  'AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FD', 'FL', 'IS', 'LO', 'LT', 'OB', 'OD', 'OF', 'OL', 'OV', 'OW',
  'PN', 'SH', 'SL', 'SQ', 'SS', 'ST', 'SV', 'TM', 'UC', 'UI', 'UL', 'UN', 'UR', 'US', 'UT', 'UV',
]);

/** VRs whose explicit encoding has 2 reserved bytes and a 4-byte length. */
export const LONG_LENGTH_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV']);

const UNDEFINED_LENGTH = 0xffffffff;

function u16(b: Uint8Array, p: number, le: boolean): number {
  return le ? b[p]! | (b[p + 1]! << 8) : (b[p]! << 8) | b[p + 1]!;
}

function u32(b: Uint8Array, p: number, le: boolean): number {
  return le
    ? (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0
    : ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
}

function ascii(b: Uint8Array, p: number, n: number): string {
  let s = '';
  for (let i = 0; i < n && p + i < b.length; i++) s += String.fromCharCode(b[p + i]!);
  return s;
}

/** Whether an explicit-VR element header sits at `p`: a known VR after the tag. */
export function explicitVrAt(b: Uint8Array, p: number): boolean {
  return p + 6 <= b.length && VALID_VRS.has(ascii(b, p + 4, 2));
}

/**
 * Whether a run of well-formed data elements starts at `offset`: ascending tags in plausible groups,
 * known VRs (explicit) and even lengths that stay within the bytes, or reach past their end when the
 * bytes are only the start of a file. Used to recognise bare datasets that have no preamble or meta.
 */
export function looksLikeDataset(b: Uint8Array, offset: number, enc: DatasetEncoding, fileSize: number): boolean {
  let pos = offset;
  let previous = -1;
  let count = 0;
  while (count < 6) {
    if (pos === b.length || pos === fileSize) return count >= 3 || (count >= 1 && pos === fileSize);
    if (pos + 8 > b.length) return count >= 3;
    const group = u16(b, pos, enc.littleEndian);
    const element = u16(b, pos + 2, enc.littleEndian);
    const tag = group * 0x10000 + element;
    if (tag <= previous) return false;
    if (count === 0 && !(group === 0x0000 || group === 0x0002 || group === 0x0004 || group === 0x0008)) return false;
    if (group === 0xfffe || group === 0x0001 || group === 0x0003) return false;
    let length: number;
    let header: number;
    if (enc.explicit) {
      const vr = ascii(b, pos + 4, 2);
      if (!VALID_VRS.has(vr)) return false;
      if (LONG_LENGTH_VRS.has(vr)) {
        if (pos + 12 > b.length) return count >= 3;
        length = u32(b, pos + 8, enc.littleEndian);
        header = 12;
      } else {
        length = u16(b, pos + 6, enc.littleEndian);
        header = 8;
      }
    } else {
      length = u32(b, pos + 4, enc.littleEndian);
      header = 8;
      if (length !== UNDEFINED_LENGTH && length > fileSize) return false;
    }
    count++;
    if (length === UNDEFINED_LENGTH) return count >= 2;
    if (length % 2 === 1) return false;
    previous = tag;
    pos += header + length;
    if (pos > b.length) return count >= 3 && pos <= fileSize;
  }
  return true;
}

/** Encodings to try for a bare dataset, most common first. */
const RAW_ENCODINGS: readonly DatasetEncoding[] = [
  { explicit: false, littleEndian: true },
  { explicit: true, littleEndian: true },
  { explicit: true, littleEndian: false },
];

/** A bare dataset may be preceded by a few stray bytes; this is how far we look for its first element. */
const RAW_MAX_SKIP = 8;

function sniffNiftiVersion(b: Uint8Array): 1 | 2 | null {
  if (b.length >= 348) {
    const le = u32(b, 0, true) === 348;
    const be = u32(b, 0, false) === 348;
    const magic = ascii(b, 344, 4);
    if ((le || be) && (magic === 'n+1\0' || magic === 'ni1\0')) return 1;
  }
  if (b.length >= 12) {
    const le = u32(b, 0, true) === 540;
    const be = u32(b, 0, false) === 540;
    const magic = ascii(b, 4, 4);
    if ((le || be) && (magic === 'n+2\0' || magic === 'ni2\0')) return 2;
  }
  return null;
}

/** The picture format of a file's first bytes, if it is one. */
export function sniffImage(b: Uint8Array): ImageFormat | undefined {
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (ascii(b, 0, 8) === '\x89PNG\r\n\x1a\n') return 'png';
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return 'webp';
  if (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a') return 'gif';
  if ((ascii(b, 0, 4) === 'II*\0' || ascii(b, 0, 4) === 'MM\0*')) return 'tiff';
  if (ascii(b, 4, 4) === 'ftyp') {
    const size = u32(b, 0, false);
    const end = Math.min(b.length, size >= 16 ? size : 16);
    for (let p = 8; p + 4 <= end; p += 4) {
      if (p === 12) continue; // minor version
      if (HEIF_BRANDS.has(ascii(b, p, 4))) return 'heif';
    }
  }
  return undefined;
}

/** Whether the bytes start a PDF: `%PDF-` within the first kilobyte (PDF readers allow leading junk). */
function looksLikePdf(b: Uint8Array): boolean {
  const limit = Math.min(b.length - 5, 1024);
  for (let p = 0; p <= limit; p++) {
    if (b[p] === 0x25 && ascii(b, p, 5) === '%PDF-') return true;
  }
  return false;
}

/** Decides what a file is from its first bytes (`SNIFF_BYTES` of them, or the whole file if shorter). */
export function sniff(head: Uint8Array, fileSize: number = head.length): Sniffed {
  if (ascii(head, 128, 4) === 'DICM' && u16(head, 132, true) === 0x0002) {
    return { kind: 'dicom', layout: 'part10', offset: 132 };
  }
  if (head.length >= 8 && u16(head, 0, true) === 0x0002 && u16(head, 2, true) <= 0x0100) {
    if (looksLikeDataset(head, 0, { explicit: true, littleEndian: true }, fileSize) ||
        looksLikeDataset(head, 0, { explicit: false, littleEndian: true }, fileSize)) {
      return { kind: 'dicom', layout: 'meta-no-preamble', offset: 0 };
    }
  }
  if (head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5) && (head[3] === 4 || head[3] === 6)) {
    return { kind: 'zip' };
  }
  if (head[0] === 0x1f && head[1] === 0x8b) return { kind: 'gzip' };
  const nifti = sniffNiftiVersion(head);
  if (nifti) return { kind: 'nifti', version: nifti };
  // After DICOM Part 10 (a DICOM-TIFF file is both, and is DICOM) and before the bare-dataset guess.
  const image = sniffImage(head);
  if (image) return { kind: 'image', format: image };
  for (let offset = 0; offset < RAW_MAX_SKIP && offset < head.length; offset++) {
    for (const encoding of RAW_ENCODINGS) {
      if (looksLikeDataset(head, offset, encoding, fileSize)) return { kind: 'dicom', layout: 'raw', offset, encoding };
    }
  }
  // "DICM" where Part 10 puts it, over bytes that are no dataset: a damaged DICOM file, not an unknown one.
  if (ascii(head, 128, 4) === 'DICM') return { kind: 'dicom', layout: 'part10', offset: 132 };
  if (looksLikePdf(head)) return { kind: 'pdf' };
  return { kind: 'other' };
}
