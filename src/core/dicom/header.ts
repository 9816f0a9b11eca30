// Reads the header of a DICOM file (file meta and dataset up to the pixel data) with dicom-parser,
// taking only as many bytes as the header needs: the read starts small and grows only while the
// header continues, and the pixel data is never read.

import { dicomParser, type DataSet, type Element } from './parser';
import type { ByteSource } from '../source';
import { concatBytes, sliceSource } from '../source';
import { explicitVrAt, type DatasetEncoding } from '../sniff';
import { implicitVr } from './dictionary';
import { inflatedSource } from '../inflate';

export const TRANSFER_SYNTAX = {
  implicitLittle: '1.2.840.10008.1.2',
  explicitLittle: '1.2.840.10008.1.2.1',
  deflated: '1.2.840.10008.1.2.1.99',
  explicitBig: '1.2.840.10008.1.2.2',
} as const;

export interface HeaderLimits {
  /** First read of the dataset. */
  initialBytes: number;
  /** A header larger than this is not read (the file is then unreadable). */
  maxHeaderBytes: number;
}

export const DEFAULT_HEADER_LIMITS: HeaderLimits = { initialBytes: 64 * 1024, maxHeaderBytes: 64 * 1024 * 1024 };

export type Layout = 'part10' | 'meta-no-preamble' | 'raw';

export interface DicomHeader {
  layout: Layout;
  /** File meta group (0002), when the file has one. */
  meta?: DataSet;
  /** The dataset: every element before the pixel data (and the pixel data element's header). */
  dataSet: DataSet;
  transferSyntax?: string;
  encoding: DatasetEncoding;
  deflated: boolean;
  /** Where the dataset starts in the file (for deflated files: where the deflated stream starts). */
  datasetStart: number;
  /** Whether the whole header was read. When false, `problem` says why in plain words. */
  complete: boolean;
  problem?: string;
  /** Top-level pixel data, offsets relative to `dataSet.byteArray` (the dataset's bytes). */
  pixelData?: { dataOffset: number; length: number; undefinedLength: boolean };
  /** Elements after a defined-length pixel data (trailing padding, digital signatures), read on their own. */
  trailer?: DataSet;
}

/** How much of what follows the pixel data is read. */
const TRAILER_BYTES = 64 * 1024;

const PIXEL_DATA = 'x7fe00010';

/** The largest file meta group read. */
const MAX_META_BYTES = 1024 * 1024;

/** Thrown for files whose DICOM structure is too damaged to read anything. */
export class DicomReadError extends Error {
  override readonly name = 'DicomReadError';
}

function u16le(b: Uint8Array, p: number): number {
  return b[p]! | (b[p + 1]! << 8);
}

function readString(ds: DataSet, tag: string): string | undefined {
  const el = ds.elements[tag];
  if (!el || el.dataOffset + el.length > ds.byteArray.length) return undefined;
  let s = '';
  for (let i = el.dataOffset; i < el.dataOffset + el.length; i++) s += String.fromCharCode(ds.byteArray[i]!);
  return s.replace(/[\0\s]+$/, '').trim();
}

/** Reads the file meta group that starts at `offset`: explicit VR little endian as the standard says, or implicit where a writer got it wrong. */
function readMeta(bytes: Uint8Array, offset: number, wholeFile: boolean): { meta: DataSet; end: number } {
  const parser = dicomParser.littleEndianByteArrayParser;
  const stream = new dicomParser.ByteStream(parser, bytes, offset);
  const meta = new dicomParser.DataSet(parser, bytes, {});
  meta.warnings = stream.warnings;
  const explicit = explicitVrAt(bytes, offset);
  const cutShort = (): DicomReadError => new DicomReadError('the file meta information is cut short');
  for (;;) {
    if (stream.position + 2 > bytes.length) {
      if (wholeFile) break;
      throw cutShort(); // the meta group may go on past these bytes
    }
    if (u16le(bytes, stream.position) !== 0x0002) break;
    if (stream.position + 12 > bytes.length) throw cutShort();
    const el = explicit
      ? dicomParser.readDicomElementExplicit(stream, meta.warnings)
      : dicomParser.readDicomElementImplicit(stream, undefined, implicitVr);
    if (el.dataOffset + el.length > bytes.length) throw cutShort();
    meta.elements[el.tag] = el;
  }
  return { meta, end: stream.position };
}

function encodingFor(ts: string | undefined): DatasetEncoding {
  if (ts === TRANSFER_SYNTAX.implicitLittle) return { explicit: false, littleEndian: true };
  if (ts === TRANSFER_SYNTAX.explicitBig) return { explicit: true, littleEndian: false };
  return { explicit: true, littleEndian: true };
}

interface ParseAttempt {
  dataSet: DataSet;
  reachedPixelData: boolean;
  /** Ran off the end of the bytes it was given (so more bytes may complete it). */
  ranOut: boolean;
  error?: string;
  tooDeep?: boolean;
}

function messageOf(e: unknown): string {
  if (typeof e === 'string') return e;
  if (e instanceof Error) return e.message;
  return String(e);
}

/** Parses a dataset from its first byte, stopping at the top-level pixel data. Never throws. */
function parseDataset(bytes: Uint8Array, enc: DatasetEncoding): ParseAttempt {
  const parser = enc.littleEndian ? dicomParser.littleEndianByteArrayParser : dicomParser.bigEndianByteArrayParser;
  const dataSet = new dicomParser.DataSet(parser, bytes, {});
  // Nothing after the file meta information: the file ends where its data set should begin.
  if (bytes.length === 0) return { dataSet, reachedPixelData: false, ranOut: true, error: 'no data set' };
  const stream = new dicomParser.ByteStream(parser, bytes, 0);
  dataSet.warnings = stream.warnings;
  try {
    if (enc.explicit) {
      dicomParser.parseDicomDataSetExplicit(dataSet, stream, bytes.length, { untilTag: PIXEL_DATA });
    } else {
      dicomParser.parseDicomDataSetImplicit(dataSet, stream, bytes.length, { untilTag: PIXEL_DATA, vrCallback: implicitVr });
    }
  } catch (e) {
    if (e instanceof RangeError) {
      return { dataSet, reachedPixelData: false, ranOut: false, error: messageOf(e), tooDeep: true };
    }
    return { dataSet, reachedPixelData: false, ranOut: true, error: messageOf(e) };
  }
  const reachedPixelData = dataSet.elements[PIXEL_DATA] !== undefined;
  // The warning dicom-parser gives when an element with no VR ends exactly at the end is harmless.
  const eofWarning = dataSet.warnings.some((w) => /eof|end of (the )?(buffer|file)/i.test(w) && !/peeking/.test(w));
  const ranOut = !reachedPixelData && (stream.position > bytes.length || eofWarning);
  return { dataSet, reachedPixelData, ranOut, ...(ranOut ? { error: 'buffer overrun' } : {}) };
}

/** Whether everything after the last complete top-level element is zero bytes. */
function endsInZeroPadding(dataSet: DataSet, bytes: Uint8Array): boolean {
  let end = 0;
  for (const el of Object.values(dataSet.elements)) {
    if (el.length === 0xffffffff) return false;
    end = Math.max(end, el.dataOffset + el.length);
  }
  if (end === 0 || end >= bytes.length) return false;
  for (let i = end; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

function plainProblem(attempt: ParseAttempt): string {
  if (attempt.tooDeep) return 'its sequences are nested too deeply to read';
  if (attempt.ranOut) return 'the file ends in the middle of its header (it may be cut short or damaged)';
  return `its header is damaged (${attempt.error ?? 'unknown error'})`;
}

/**
 * Reads a DICOM header from `source`, whose first bytes `head` the caller has already sniffed.
 * Returns the parsed header with `complete` false and a plain `problem` when the header could only be
 * read in part; throws DicomReadError only when nothing at all can be read.
 */
export async function readDicomHeader(
  source: ByteSource,
  sniffed: { layout: Layout; offset: number; encoding?: DatasetEncoding },
  limits: HeaderLimits = DEFAULT_HEADER_LIMITS,
): Promise<DicomHeader> {
  const first = await source.read(0, Math.min(source.size, limits.initialBytes));
  let meta: DataSet | undefined;
  let datasetStart = sniffed.offset;
  let transferSyntax: string | undefined;
  let encoding = sniffed.encoding ?? { explicit: false, littleEndian: true };

  if (sniffed.layout !== 'raw') {
    let read: { meta: DataSet; end: number };
    try {
      read = readMeta(first, sniffed.offset, first.length >= source.size);
    } catch (e) {
      // A meta group longer than the first read is absurd but possible: read more, within a limit.
      if (!(e instanceof DicomReadError) || first.length >= source.size) throw e;
      const more = await source.read(0, Math.min(source.size, MAX_META_BYTES));
      read = readMeta(more, sniffed.offset, more.length >= source.size);
    }
    meta = read.meta;
    datasetStart = read.end;
    transferSyntax = readString(meta, 'x00020010');
    encoding = encodingFor(transferSyntax);
  }

  const deflated = transferSyntax === TRANSFER_SYNTAX.deflated;
  let stream: ByteSource;
  if (deflated) {
    // The whole dataset is one deflate stream: it is inflated lazily, only as far as the header goes.
    stream = inflatedSource(sliceSource(source, datasetStart), { format: 'raw', maxOutput: limits.maxHeaderBytes });
  } else {
    stream = {
      size: source.size - datasetStart,
      read: (s, e) => (datasetStart + e <= first.length
        ? Promise.resolve(first.subarray(datasetStart + s, datasetStart + e))
        : source.read(datasetStart + s, datasetStart + e)),
    };
  }

  // A transfer syntax that says explicit VR over data written implicitly (or the reverse) is a known
  // writer bug: trust the bytes of the first element.
  const peek = await stream.read(0, 8);
  if (peek.length >= 6 && encoding.littleEndian) {
    const bytesSayExplicit = explicitVrAt(peek, 0);
    if (bytesSayExplicit !== encoding.explicit) encoding = { explicit: bytesSayExplicit, littleEndian: true };
  }

  const base = {
    layout: sniffed.layout,
    ...(meta ? { meta } : {}),
    ...(transferSyntax ? { transferSyntax } : {}),
    encoding,
    deflated,
    datasetStart,
  };
  let bytes: Uint8Array = new Uint8Array(0);
  let want = Math.min(stream.size, Math.max(limits.initialBytes - datasetStart, 4096));
  for (;;) {
    const chunk = await stream.read(bytes.length, want);
    // A decompressed stream may end before its estimated size: fewer bytes than asked means the end.
    const exhausted = chunk.length < want - bytes.length;
    bytes = concatBytes([bytes, chunk]);
    let attempt = parseDataset(bytes, encoding);
    const atEnd = exhausted || bytes.length >= stream.size;
    if (atEnd && attempt.error !== undefined && !attempt.tooDeep && endsInZeroPadding(attempt.dataSet, bytes)) {
      // Zero bytes after the last whole element (NIfTI extensions and some writers pad this way).
      attempt = { dataSet: attempt.dataSet, reachedPixelData: false, ranOut: false };
    }
    const done = attempt.reachedPixelData || (!attempt.error && atEnd) || (!attempt.ranOut && attempt.error !== undefined);
    if (done || atEnd || attempt.tooDeep) {
      let complete = attempt.reachedPixelData || (attempt.error === undefined && !attempt.ranOut);
      let problem = complete ? undefined : plainProblem(attempt);
      const pixel = attempt.dataSet.elements[PIXEL_DATA];
      let trailer: DataSet | undefined;
      const pixelEnd = pixel === undefined ? undefined
        : pixel.hadUndefinedLength ? await endOfFragments(stream, pixel.dataOffset, encoding.littleEndian)
        : pixel.dataOffset + pixel.length;
      // A deflated stream's size is only known once inflated: always look there.
      if (pixelEnd !== undefined && (deflated || pixelEnd < stream.size)) {
        const start = pixelEnd;
        // In a deflated file this inflates the pixel data to get past it, within the header limit.
        const tail = await stream.read(start, start + TRAILER_BYTES).catch(() => undefined);
        const parsed = tail && tail.length > 0 ? parseDataset(tail, encoding) : undefined;
        if (parsed) trailer = parsed.dataSet;
        const paddingOnly = parsed !== undefined && Object.keys(parsed.dataSet.elements).every((k) => k === 'xfffcfffc');
        if (!tail || (parsed !== undefined && parsed.error !== undefined && !paddingOnly)) {
          complete = false;
          problem = 'the data after its pixel data could not be read';
        }
      }
      return {
        ...base,
        dataSet: attempt.dataSet,
        complete,
        ...(problem !== undefined ? { problem } : {}),
        ...(pixel ? { pixelData: pixelInfo(pixel) } : {}),
        ...(trailer ? { trailer } : {}),
      };
    }
    if (want >= limits.maxHeaderBytes) {
      return { ...base, dataSet: attempt.dataSet, complete: false, problem: `its header is larger than ${formatSize(limits.maxHeaderBytes)}, more than this tool reads` };
    }
    want = Math.min(stream.size, limits.maxHeaderBytes, want * 4);
  }
}

function formatSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MB` : `${Math.round(bytes / 1024)} KB`;
}

/** Most fragments followed to find the end of encapsulated pixel data. */
const MAX_FRAGMENTS = 1_000_000;

/**
 * The end of encapsulated (undefined-length) pixel data, found by hopping over the fragment items'
 * 8-byte headers without reading the fragments; undefined when the fragments do not end cleanly.
 */
export async function endOfFragments(stream: ByteSource, start: number, littleEndian: boolean): Promise<number | undefined> {
  let p = start;
  for (let i = 0; i < MAX_FRAGMENTS && p + 8 <= stream.size; i++) {
    const h = await stream.read(p, p + 8);
    if (h.length < 8) return undefined;
    const view = new DataView(h.buffer, h.byteOffset, 8);
    const group = view.getUint16(0, littleEndian);
    const element = view.getUint16(2, littleEndian);
    const length = view.getUint32(4, littleEndian);
    if (group !== 0xfffe) return undefined;
    if (element === 0xe0dd) return p + 8;
    if (element !== 0xe000 || length === 0xffffffff) return undefined;
    p += 8 + length;
  }
  return undefined;
}

function pixelInfo(el: Element): { dataOffset: number; length: number; undefinedLength: boolean } {
  return { dataOffset: el.dataOffset, length: el.length, undefinedLength: el.hadUndefinedLength === true };
}
