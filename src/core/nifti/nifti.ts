// Reads the text fields and header extensions of NIfTI-1 and NIfTI-2 files (.nii, .hdr, .nii.gz), never the image data.
import { CorruptError, LimitError, gzipSizeHint, inflatedSource } from '../inflate';
import type { ByteSource } from '../source';

export interface NiftiText {
  field: 'descrip' | 'aux_file' | 'intent_name' | 'db_name';
  /** The text up to the first NUL, trimmed; only non-empty values are reported. */
  value: string;
  /** Printable text after the terminating NUL (often left over from an earlier, longer value). */
  residue?: string;
}

export interface NiftiExtension {
  /** The extension code (ecode); see NIFTI_EXTENSION_NAMES. 2 is a DICOM dataset, for the caller to parse. */
  code: number;
  /** Offset of the extension record (its esize field) in the uncompressed file. */
  offset: number;
  /** The extension's data: esize - 8 bytes, padding included. */
  data: Uint8Array;
}

export interface NiftiHeader {
  version: 1 | 2;
  gzip: boolean;
  littleEndian: boolean;
  texts: NiftiText[];
  extensions: NiftiExtension[];
  /** Where the image data starts in a single-file .nii; 0 for a .hdr of a .hdr/.img pair. */
  voxOffset: number;
  /** dim[1..dim[0]]: the image's size along each axis. */
  dims: number[];
}

/** The file cannot be read as NIfTI: not NIfTI, truncated, damaged, or over a limit. */
export class NiftiError extends Error {
  override readonly name = 'NiftiError';
}

/** Registered extension codes (nifti1.h, NIFTI_ECODE_*). */
export const NIFTI_EXTENSION_NAMES: Readonly<Record<number, string>> = Object.freeze({
  0: 'ignore',
  2: 'DICOM',
  4: 'AFNI',
  6: 'comment',
  8: 'XCEDE',
  10: 'JIM dimension info',
  12: 'workflow forwards',
  14: 'FreeSurfer',
  16: 'Python pickle',
  18: 'MiND ident',
  20: 'b-value',
  22: 'spherical direction',
  24: 'DT component',
  26: 'SHC degree/order',
  28: 'VoxBo',
  30: 'Caret',
  32: 'CIfTI',
  34: 'variable frame timing',
  38: 'Eval',
  40: 'MATLAB',
  42: 'Quantiphyse',
  44: 'MRS',
});

/** A readable name for an extension code: the registered one, or `unknown (N)`. */
export function niftiExtensionName(code: number): string {
  return NIFTI_EXTENSION_NAMES[code] ?? `unknown (${code})`;
}

export const DEFAULT_MAX_EXTENSION_BYTES = 16 * 1024 * 1024;

interface Layout {
  version: 1 | 2;
  headerSize: number;
  texts: ReadonlyArray<{ field: NiftiText['field']; offset: number; length: number }>;
}

/** Field offsets from nifti1.h (struct nifti_1_header) and nifti2.h (struct nifti_2_header). */
const NIFTI1: Layout = {
  version: 1,
  headerSize: 348,
  texts: [
    { field: 'db_name', offset: 14, length: 18 },
    { field: 'descrip', offset: 148, length: 80 },
    { field: 'aux_file', offset: 228, length: 24 },
    { field: 'intent_name', offset: 328, length: 16 },
  ],
};

const NIFTI2: Layout = {
  version: 2,
  headerSize: 540,
  texts: [
    { field: 'descrip', offset: 240, length: 80 },
    { field: 'aux_file', offset: 320, length: 24 },
    { field: 'intent_name', offset: 508, length: 16 },
  ],
};

const NIFTI1_MAGICS = ['n+1\0', 'ni1\0'];
const NIFTI2_MAGICS = ['n+2\0\r\n\x1a\n', 'ni2\0\r\n\x1a\n'];
const EXTENDER_LENGTH = 4;
const EXTENSION_HEADER_LENGTH = 8;

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(offset, offset + length));
}

interface Identified {
  layout: Layout;
  littleEndian: boolean;
  /** The magic says image data follows the header in the same file (n+1 / n+2), not in a .img. */
  singleFile: boolean;
}

/** Which NIfTI version and byte order the start of a file shows, by sizeof_hdr and magic; null if neither. */
function identify(head: Uint8Array): Identified | null {
  if (head.length < 12) return null;
  const data = new DataView(head.buffer, head.byteOffset, head.byteLength);
  for (const littleEndian of [true, false]) {
    const sizeofHeader = data.getInt32(0, littleEndian);
    if (sizeofHeader === NIFTI1.headerSize && head.length >= NIFTI1.headerSize) {
      const magic = ascii(head, 344, 4);
      if (NIFTI1_MAGICS.includes(magic)) return { layout: NIFTI1, littleEndian, singleFile: magic[1] === '+' };
    }
    if (sizeofHeader === NIFTI2.headerSize) {
      const magic = ascii(head, 4, 8);
      if (NIFTI2_MAGICS.includes(magic)) return { layout: NIFTI2, littleEndian, singleFile: magic[1] === '+' };
    }
  }
  return null;
}

/**
 * 'nifti1' or 'nifti2' when the bytes start an uncompressed NIfTI header (either byte order), else null.
 * NIfTI-1 needs the first 348 bytes (its magic is at 344), NIfTI-2 the first 12. ANALYZE 7.5 headers
 * (no magic) are not NIfTI.
 */
export function sniffNifti(head: Uint8Array): 'nifti1' | 'nifti2' | null {
  const found = identify(head);
  if (!found) return null;
  return found.layout.version === 1 ? 'nifti1' : 'nifti2';
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 when the bytes are valid UTF-8, else Latin-1. */
function decodeText(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return String.fromCharCode(...bytes);
  }
}

function readText(head: Uint8Array, field: NiftiText['field'], offset: number, length: number): NiftiText | null {
  const bytes = head.subarray(offset, offset + length);
  const nul = bytes.indexOf(0);
  const value = decodeText(nul < 0 ? bytes : bytes.subarray(0, nul)).trim();
  // Leftovers after the terminator: runs of printable characters, control bytes and NULs dropped.
  const residue = nul < 0 ? '' : decodeText(bytes.subarray(nul + 1)).replace(/[\x00-\x1f\x7f]+/g, ' ').trim();
  if (!value && !residue) return null;
  return residue ? { field, value, residue } : { field, value };
}

function readDims(data: DataView, version: 1 | 2, littleEndian: boolean): number[] {
  const width = version === 1 ? 2 : 8;
  const at = (i: number): number =>
    version === 1 ? data.getInt16(40 + i * width, littleEndian) : Number(data.getBigInt64(16 + i * width, littleEndian));
  const count = Math.min(Math.max(at(0), 0), 7);
  const dims: number[] = [];
  for (let i = 1; i <= count; i++) dims.push(at(i));
  return dims;
}

function readVoxOffset(data: DataView, version: 1 | 2, littleEndian: boolean): number {
  const raw = version === 1 ? data.getFloat32(108, littleEndian) : Number(data.getBigInt64(168, littleEndian));
  return Number.isFinite(raw) && raw > 0 ? Math.floor(raw) : 0;
}

async function readExtensions(
  source: ByteSource,
  identified: Identified,
  voxOffset: number,
  knownEnd: number | undefined,
  maxExtensionBytes: number,
): Promise<NiftiExtension[]> {
  const { layout, littleEndian, singleFile } = identified;
  const extenderStart = layout.headerSize;
  // In a single .nii the extensions end where the image starts; in a .hdr they run to the end of the file.
  let end = singleFile ? voxOffset : (knownEnd ?? Number.POSITIVE_INFINITY);
  if (knownEnd !== undefined) end = Math.min(end, knownEnd);
  if (extenderStart + EXTENDER_LENGTH > end) return [];
  const extender = await source.read(extenderStart, extenderStart + EXTENDER_LENGTH);
  if (extender.length < EXTENDER_LENGTH || extender[0] === 0) return [];

  const extensions: NiftiExtension[] = [];
  let total = 0;
  for (let offset = extenderStart + EXTENDER_LENGTH; offset + EXTENSION_HEADER_LENGTH <= end; ) {
    const number = extensions.length + 1;
    const head = await source.read(offset, offset + EXTENSION_HEADER_LENGTH);
    if (head.length === 0 && end === Number.POSITIVE_INFINITY) break;
    if (head.length < EXTENSION_HEADER_LENGTH) throw new NiftiError(`the file is truncated (in extension ${number})`);
    const data = new DataView(head.buffer, head.byteOffset, head.byteLength);
    const esize = data.getInt32(0, littleEndian);
    const code = data.getInt32(4, littleEndian);
    if (esize === 0) break; // zero padding up to vox_offset
    // The standard asks for multiples of 16; some writers do not pad, which is harmless.
    if (esize < EXTENSION_HEADER_LENGTH) throw new NiftiError(`extension ${number} is damaged (impossible size)`);
    if (offset + esize > end) throw new NiftiError(`extension ${number} is damaged (it runs into the image data or past the end)`);
    total += esize;
    if (total > maxExtensionBytes) {
      throw new NiftiError(`the header extensions are larger than the limit of ${maxExtensionBytes} bytes`);
    }
    const body = await source.read(offset + EXTENSION_HEADER_LENGTH, offset + esize);
    if (body.length < esize - EXTENSION_HEADER_LENGTH) throw new NiftiError(`the file is truncated (in extension ${number})`);
    extensions.push({ code, offset, data: body });
    offset += esize;
  }
  return extensions;
}

async function readHeader(source: ByteSource, gzip: boolean, maxExtensionBytes: number): Promise<NiftiHeader> {
  const head = await source.read(0, NIFTI2.headerSize);
  const identified = identify(head);
  if (!identified) {
    const data = head.length >= 4 ? new DataView(head.buffer, head.byteOffset, 4) : undefined;
    const sizes = data ? [data.getInt32(0, true), data.getInt32(0, false)] : [];
    if (sizes.includes(NIFTI1.headerSize) && head.length < NIFTI1.headerSize) {
      throw new NiftiError('the file is truncated (the NIfTI-1 header is incomplete)');
    }
    throw new NiftiError('not a NIfTI file (no NIfTI-1 or NIfTI-2 header found)');
  }
  const { layout, littleEndian } = identified;
  const data = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const texts: NiftiText[] = [];
  for (const { field, offset, length } of layout.texts) {
    const text = readText(head, field, offset, length);
    if (text) texts.push(text);
  }
  const voxOffset = readVoxOffset(data, layout.version, littleEndian);
  const knownEnd = gzip ? undefined : source.size;
  return {
    version: layout.version,
    gzip,
    littleEndian,
    texts,
    extensions: await readExtensions(source, identified, voxOffset, knownEnd, maxExtensionBytes),
    voxOffset,
    dims: readDims(data, layout.version, littleEndian),
  };
}

/**
 * Reads a NIfTI-1 or NIfTI-2 header, its text fields and its extensions, from a .nii, a .hdr, or a
 * gzip-compressed one (detected by its magic bytes and inflated only as far as the header and extensions).
 * @throws NiftiError when the file is not NIfTI, is truncated or damaged, or its extensions pass
 *   `maxExtensionBytes` (default 16 MiB in total).
 */
export async function readNifti(source: ByteSource, opts?: { maxExtensionBytes?: number }): Promise<NiftiHeader> {
  const maxExtensionBytes = opts?.maxExtensionBytes ?? DEFAULT_MAX_EXTENSION_BYTES;
  const magic = await source.read(0, 2);
  if (magic[0] !== 0x1f || magic[1] !== 0x8b) return readHeader(source, false, maxExtensionBytes);
  const inflated = inflatedSource(source, {
    format: 'gzip',
    // Room for the largest header, the extender, the extensions and one more extension header.
    maxOutput: NIFTI2.headerSize + EXTENDER_LENGTH + maxExtensionBytes + EXTENSION_HEADER_LENGTH,
    sizeHint: await gzipSizeHint(source),
  });
  try {
    return await readHeader(inflated, true, maxExtensionBytes);
  } catch (error) {
    // LimitError cannot happen while the extension cap holds; it is mapped all the same.
    if (error instanceof CorruptError || error instanceof LimitError) {
      throw new NiftiError('the gzip-compressed file is damaged or cut short', { cause: error });
    }
    throw error;
  }
}
