// Reads ZIP archives (ZIP64 included) through a ByteSource: the central directory first, entry data only on demand.
import { inflatedSource } from '../inflate';
import type { ByteSource } from '../source';

export interface ZipLimits {
  /** Most entries an archive may list. */
  maxEntries: number;
  /** Most uncompressed bytes the entries of one archive may declare in total; also caps any one entry. */
  maxTotalUncompressed: number;
  /** Most uncompressed bytes per compressed byte that an entry may inflate to. */
  maxRatio: number;
  /** Most archives nested inside each other, the outermost one counted as 1. */
  maxDepth: number;
}

export const DEFAULT_ZIP_LIMITS: Readonly<ZipLimits> = Object.freeze({
  maxEntries: 50_000,
  maxTotalUncompressed: 8 * 1024 ** 3,
  maxRatio: 1000,
  maxDepth: 4,
});

/**
 * The archive cannot be read: `corrupt` (damaged or not a zip), `limit` (a limit in ZipLimits was passed),
 * `unsupported` (a split, multi-part archive). Messages name entries by their index, never by their path.
 */
export class ZipError extends Error {
  override readonly name = 'ZipError';
  constructor(
    message: string,
    readonly kind: 'corrupt' | 'limit' | 'unsupported' = 'corrupt',
  ) {
    super(message);
  }
}

/** This entry's data cannot be read (encrypted, or compressed with a method other than store or deflate). */
export class UnsupportedEntryError extends Error {
  override readonly name = 'UnsupportedEntryError';
}

export interface ZipEntry {
  /** The name as stored in the archive (a label only: it may contain `..`, `\` or anything else). */
  path: string;
  /** The entry's own comment from the central directory; empty when there is none. */
  comment: string;
  compressedSize: number;
  /** Uncompressed size as declared by the archive. */
  size: number;
  /** 0 stored, 8 deflate; anything else cannot be opened. */
  method: number;
  encrypted: boolean;
  isDirectory: boolean;
  /**
   * The entry's uncompressed bytes, read lazily. Stored: a view of the archive. Deflate: an inflating
   * source whose reads throw LimitError if the data inflates past its declared size, past `maxRatio` times
   * its compressed size or past `maxTotalUncompressed`. Reads throw ZipError if the entry's local header is
   * damaged. A nested archive is read with `readZip(entry.open())`, which enforces `maxDepth` (pass the
   * opened source itself: a wrapper around it hides its depth). A deflated nested archive is inflated
   * whole, and kept in memory, to reach its directory at the end; check its `size` before recursing.
   * @throws UnsupportedEntryError for encrypted entries and unsupported compression methods.
   */
  open(): ByteSource;
}

export interface ZipArchive {
  entries: ZipEntry[];
  /** The archive comment; empty when there is none. */
  comment: string;
}

const LOCAL_HEADER_SIGNATURE = 0x04034b50;
const CENTRAL_HEADER_SIGNATURE = 0x02014b50;
const END_SIGNATURE = 0x06054b50;
const ZIP64_END_SIGNATURE = 0x06064b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const LOCAL_HEADER_LENGTH = 30;
const CENTRAL_HEADER_LENGTH = 46;
const END_LENGTH = 22;
const ZIP64_END_LENGTH = 56;
const ZIP64_LOCATOR_LENGTH = 20;
const MAX_COMMENT_LENGTH = 0xffff;
const ZIP64_EXTRA_ID = 0x0001;
const UNICODE_PATH_EXTRA_ID = 0x7075;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_UTF8 = 0x0800;
const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;
const METHOD_AES = 99;
/** The central directory is read in windows of this size, so a huge directory never sits in memory whole. */
const DIRECTORY_WINDOW = 1024 * 1024;

const METHOD_NAMES: Readonly<Record<number, string>> = {
  1: 'shrink',
  6: 'implode',
  9: 'deflate64',
  12: 'bzip2',
  14: 'LZMA',
  93: 'Zstandard',
  95: 'XZ',
  98: 'PPMd',
};

/** How deep in nested archives each opened entry source sits (the outermost archive is depth 1). */
const entryDepth = new WeakMap<ByteSource, number>();

/** True when the bytes start like a zip: a local file header, or the end record of an empty archive. */
export function looksLikeZip(head: Uint8Array): boolean {
  return (
    head.length >= 4 &&
    head[0] === 0x50 &&
    head[1] === 0x4b &&
    ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6))
  );
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A little-endian 64-bit value as a number; ZipError when it cannot be exact (over 2^53). */
function readUint64(data: DataView, offset: number): number {
  const low = data.getUint32(offset, true);
  const high = data.getUint32(offset + 4, true);
  if (high > 0x1fffff) throw new ZipError('the archive states an impossible size or offset');
  return high * 2 ** 32 + low;
}

async function readExactly(source: ByteSource, start: number, end: number, what: string): Promise<Uint8Array> {
  const bytes = await source.read(start, end);
  if (bytes.length < end - start) throw new ZipError(`the archive is truncated (${what} is cut off)`);
  return bytes;
}

// ---- Names and comments ----

/** Code page 437, bytes 0x80-0xFF: the encoding of zip names written without the UTF-8 flag. */
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»' +
  '░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀' +
  'αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

function decodeCp437(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += byte < 0x80 ? String.fromCharCode(byte) : CP437_HIGH[byte - 0x80];
  return text;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8');

/**
 * Names flagged UTF-8 (general purpose bit 11) are UTF-8. Unflagged ones are meant to be CP437, but
 * macOS, Linux `zip` and many libraries write UTF-8 without the flag; valid UTF-8 is read as UTF-8
 * (CP437 text with accented letters is almost never valid UTF-8), anything else as CP437.
 */
function decodeZipText(bytes: Uint8Array, utf8Flag: boolean): string {
  if (utf8Flag) return lenientUtf8.decode(bytes);
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return decodeCp437(bytes);
  }
}

let crcTable: Uint32Array | undefined;

function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (crcTable[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

// ---- End of central directory ----

interface DirectoryLocation {
  entryCount: number;
  directoryOffset: number;
  directorySize: number;
  /** Where the central directory must end: the ZIP64 end record, or the classic end record. */
  directoryLimit: number;
  comment: string;
}

/** Finds the end record: within the last 64 KiB + 22 bytes, scanning back, the first whose comment fits. */
async function findEnd(source: ByteSource): Promise<{ offset: number; record: Uint8Array; comment: Uint8Array }> {
  const tailLength = Math.min(source.size, END_LENGTH + MAX_COMMENT_LENGTH);
  const tailStart = source.size - tailLength;
  const tail = await readExactly(source, tailStart, source.size, 'the end of the file');
  const data = view(tail);
  for (let at = tail.length - END_LENGTH; at >= 0; at--) {
    if (data.getUint32(at, true) !== END_SIGNATURE) continue;
    const commentLength = data.getUint16(at + 20, true);
    if (at + END_LENGTH + commentLength > tail.length) continue;
    return {
      offset: tailStart + at,
      record: tail.subarray(at, at + END_LENGTH),
      comment: tail.subarray(at + END_LENGTH, at + END_LENGTH + commentLength),
    };
  }
  throw new ZipError('no zip directory found: the file is not a zip archive, or it is truncated');
}

async function locateDirectory(source: ByteSource): Promise<DirectoryLocation> {
  const end = await findEnd(source);
  const record = view(end.record);
  let diskNumber = record.getUint16(4, true);
  let directoryDisk = record.getUint16(6, true);
  let entryCount = record.getUint16(10, true);
  let directorySize = record.getUint32(12, true);
  let directoryOffset = record.getUint32(16, true);
  let directoryLimit = end.offset;

  if (end.offset >= ZIP64_LOCATOR_LENGTH) {
    const locatorBytes = await readExactly(source, end.offset - ZIP64_LOCATOR_LENGTH, end.offset, 'the ZIP64 locator');
    const locator = view(locatorBytes);
    if (locator.getUint32(0, true) === ZIP64_LOCATOR_SIGNATURE) {
      const zip64EndOffset = readUint64(locator, 8);
      if (zip64EndOffset + ZIP64_END_LENGTH > end.offset - ZIP64_LOCATOR_LENGTH) {
        throw new ZipError('the ZIP64 end record points outside the archive');
      }
      const zip64End = view(await readExactly(source, zip64EndOffset, zip64EndOffset + ZIP64_END_LENGTH, 'the ZIP64 end record'));
      if (zip64End.getUint32(0, true) !== ZIP64_END_SIGNATURE) {
        throw new ZipError('the ZIP64 end record is damaged');
      }
      diskNumber = zip64End.getUint32(16, true);
      directoryDisk = zip64End.getUint32(20, true);
      entryCount = readUint64(zip64End, 32);
      directorySize = readUint64(zip64End, 40);
      directoryOffset = readUint64(zip64End, 48);
      directoryLimit = zip64EndOffset;
    }
  }

  if (diskNumber !== 0 || directoryDisk !== 0) {
    throw new ZipError('this is one part of a split (multi-part) zip archive, which cannot be read', 'unsupported');
  }
  if (directoryOffset + directorySize > directoryLimit) {
    throw new ZipError('the zip directory points outside the archive: the file is damaged or truncated');
  }
  if (entryCount * CENTRAL_HEADER_LENGTH > directorySize) {
    throw new ZipError('the zip directory is too small for the number of entries it lists');
  }
  return { entryCount, directoryOffset, directorySize, directoryLimit, comment: decodeZipText(end.comment, false) };
}

// ---- Central directory ----

/** Reads [offset, offset + length) within [start, end) of a source through a window of DIRECTORY_WINDOW bytes. */
class WindowedReader {
  private window: Uint8Array = new Uint8Array(0);
  private windowStart = 0;

  constructor(
    private readonly source: ByteSource,
    private readonly end: number,
  ) {}

  async bytes(offset: number, length: number): Promise<Uint8Array> {
    if (offset + length > this.end) throw new ZipError('the zip directory is damaged (an entry runs past its end)');
    const from = offset - this.windowStart;
    if (from < 0 || from + length > this.window.length) {
      const windowEnd = Math.min(this.end, offset + Math.max(length, DIRECTORY_WINDOW));
      this.window = await readExactly(this.source, offset, windowEnd, 'the zip directory');
      this.windowStart = offset;
      return this.window.subarray(0, length);
    }
    return this.window.subarray(from, from + length);
  }
}

interface DirectoryRecord {
  index: number;
  path: string;
  comment: string;
  flags: number;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

/** Extra fields as id -> data; parsing stops quietly at a malformed field. */
function parseExtraFields(extra: Uint8Array): Map<number, Uint8Array> {
  const fields = new Map<number, Uint8Array>();
  const data = view(extra);
  for (let at = 0; at + 4 <= extra.length; ) {
    const id = data.getUint16(at, true);
    const length = data.getUint16(at + 2, true);
    if (at + 4 + length > extra.length) break;
    if (!fields.has(id)) fields.set(id, extra.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return fields;
}

/** The Info-ZIP Unicode Path field: a UTF-8 name, valid only while its CRC matches the header name. */
function unicodePath(field: Uint8Array | undefined, rawName: Uint8Array): string | undefined {
  if (!field || field.length < 5 || field[0] !== 1) return undefined;
  if (view(field).getUint32(1, true) !== crc32(rawName)) return undefined;
  return lenientUtf8.decode(field.subarray(5));
}

async function readDirectoryRecord(reader: WindowedReader, offset: number, index: number): Promise<{ record: DirectoryRecord; next: number }> {
  const header = view(await reader.bytes(offset, CENTRAL_HEADER_LENGTH));
  if (header.getUint32(0, true) !== CENTRAL_HEADER_SIGNATURE) {
    throw new ZipError(`the zip directory is damaged (entry ${index + 1} is not where it should be)`);
  }
  const flags = header.getUint16(8, true);
  const method = header.getUint16(10, true);
  let compressedSize = header.getUint32(20, true);
  let size = header.getUint32(24, true);
  const nameLength = header.getUint16(28, true);
  const extraLength = header.getUint16(30, true);
  const commentLength = header.getUint16(32, true);
  let localHeaderOffset = header.getUint32(42, true);

  const variable = await reader.bytes(offset + CENTRAL_HEADER_LENGTH, nameLength + extraLength + commentLength);
  const rawName = variable.subarray(0, nameLength);
  const extras = parseExtraFields(variable.subarray(nameLength, nameLength + extraLength));
  const rawComment = variable.subarray(nameLength + extraLength);

  // ZIP64: each field that holds its all-ones marker is stored, in this order, in extra field 0x0001.
  const needsZip64 = size === 0xffffffff || compressedSize === 0xffffffff || localHeaderOffset === 0xffffffff;
  if (needsZip64) {
    const zip64 = extras.get(ZIP64_EXTRA_ID);
    const data = zip64 ? view(zip64) : undefined;
    let at = 0;
    const take = (): number => {
      if (!data || at + 8 > data.byteLength) {
        throw new ZipError(`entry ${index + 1} lacks the ZIP64 sizes its header calls for`);
      }
      const value = readUint64(data, at);
      at += 8;
      return value;
    };
    if (size === 0xffffffff) size = take();
    if (compressedSize === 0xffffffff) compressedSize = take();
    if (localHeaderOffset === 0xffffffff) localHeaderOffset = take();
  }

  const utf8 = (flags & FLAG_UTF8) !== 0;
  const path = unicodePath(extras.get(UNICODE_PATH_EXTRA_ID), rawName) ?? decodeZipText(rawName, utf8);
  return {
    record: { index, path, comment: decodeZipText(rawComment, utf8), flags, method, compressedSize, size, localHeaderOffset },
    next: offset + CENTRAL_HEADER_LENGTH + nameLength + extraLength + commentLength,
  };
}

// ---- Entry data ----

/** A read-only window [start, start + size) of another source, whose start is found on first use. */
function lazySlice(source: ByteSource, size: number, findStart: () => Promise<number>): ByteSource {
  return {
    size,
    async read(start, end) {
      const base = await findStart();
      const from = Math.max(0, Math.min(start, size));
      const to = Math.max(from, Math.min(end, size));
      return source.read(base + from, base + to);
    },
  };
}

function makeEntry(archive: ByteSource, record: DirectoryRecord, limits: ZipLimits, depth: number): ZipEntry {
  const { index, compressedSize, size, method, flags, localHeaderOffset } = record;
  const encrypted = (flags & FLAG_ENCRYPTED) !== 0 || method === METHOD_AES;
  let dataStart: Promise<number> | undefined;

  /** Reads the local header (its name and extra field may differ from the directory's) to find the data. */
  const findDataStart = (): Promise<number> => {
    dataStart ??= (async () => {
      const local = view(await readExactly(archive, localHeaderOffset, localHeaderOffset + LOCAL_HEADER_LENGTH, `entry ${index + 1}`));
      if (local.getUint32(0, true) !== LOCAL_HEADER_SIGNATURE) {
        throw new ZipError(`entry ${index + 1} is damaged (its local header is missing)`);
      }
      const start = localHeaderOffset + LOCAL_HEADER_LENGTH + local.getUint16(26, true) + local.getUint16(28, true);
      if (start + compressedSize > archive.size) {
        throw new ZipError(`entry ${index + 1} runs past the end of the archive: the file is truncated`);
      }
      return start;
    })();
    return dataStart;
  };

  return {
    path: record.path,
    comment: record.comment,
    compressedSize,
    size,
    method,
    encrypted,
    isDirectory: record.path.endsWith('/'),
    open() {
      if (encrypted) throw new UnsupportedEntryError(`entry ${index + 1} is encrypted`);
      let opened: ByteSource;
      if (method === METHOD_STORED) {
        if (size !== compressedSize) {
          throw new ZipError(`entry ${index + 1} is damaged (stored, but its two sizes differ)`);
        }
        opened = lazySlice(archive, size, findDataStart);
      } else if (method === METHOD_DEFLATE) {
        const compressed = lazySlice(archive, compressedSize, findDataStart);
        const maxOutput = Math.min(size, compressedSize * limits.maxRatio, limits.maxTotalUncompressed);
        opened = inflatedSource(compressed, { format: 'raw', maxOutput, declaredSize: size });
      } else {
        const name = METHOD_NAMES[method] ?? `method ${method}`;
        throw new UnsupportedEntryError(`entry ${index + 1} uses ${name} compression, which is not supported`);
      }
      entryDepth.set(opened, depth);
      return opened;
    },
  };
}

/**
 * Lists a zip archive from its central directory, reading only the end of the file and the directory.
 * Entry data is read when an entry is opened. Archives with data prepended (self-extracting) are not
 * supported: offsets are taken as stated.
 * @throws ZipError on a damaged archive, a split archive, or a breach of `limits` (defaults: DEFAULT_ZIP_LIMITS).
 */
export async function readZip(source: ByteSource, limits?: Partial<ZipLimits>): Promise<ZipArchive> {
  const effective: ZipLimits = { ...DEFAULT_ZIP_LIMITS, ...limits };
  const depth = (entryDepth.get(source) ?? 0) + 1;
  if (depth > effective.maxDepth) {
    throw new ZipError(`zip archives are nested more than ${effective.maxDepth} deep`, 'limit');
  }
  const location = await locateDirectory(source);
  if (location.entryCount > effective.maxEntries) {
    throw new ZipError(`the archive lists ${location.entryCount} entries, more than the limit of ${effective.maxEntries}`, 'limit');
  }

  const reader = new WindowedReader(source, location.directoryOffset + location.directorySize);
  const entries: ZipEntry[] = [];
  let totalSize = 0;
  let offset = location.directoryOffset;
  for (let index = 0; index < location.entryCount; index++) {
    const { record, next } = await readDirectoryRecord(reader, offset, index);
    offset = next;
    if (record.localHeaderOffset + LOCAL_HEADER_LENGTH > location.directoryOffset) {
      throw new ZipError(`entry ${index + 1} points outside the archive: the file is damaged`);
    }
    totalSize += record.size;
    if (totalSize > effective.maxTotalUncompressed) {
      throw new ZipError(`the archive's contents would unpack to more than ${effective.maxTotalUncompressed} bytes`, 'limit');
    }
    entries.push(makeEntry(source, record, effective, depth));
  }
  return { entries, comment: location.comment };
}
