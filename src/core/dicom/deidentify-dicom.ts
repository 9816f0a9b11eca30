// De-identifies one DICOM file: reads its header, cleans it with the profile, and writes a conformant
// Part 10 file (preamble, a new file meta group, the cleaned dataset) whose pixel data and everything after
// it are carried over by Blob slicing, never read into memory (a deflated dataset is inflated and deflated
// again). DICOMDIR record offsets are rebuilt for the new layout.

import { deflateSync } from 'fflate';
import { dicomParser, type DataSet } from './parser';
import { readDicomHeader, endOfFragments, DicomReadError, DEFAULT_HEADER_LIMITS, TRANSFER_SYNTAX } from './header';
import { implicitVr } from './dictionary';
import { inspectDataSet } from './inspect';
import {
  encodeDataset, encodeElementHeader, encodeFilePreambleAndMeta, hexTag, textElement,
  type Encoding, type OutElement,
} from './writer';
import { DatasetCleaner, collectUids, DUMMY_VALUES, type CleanEnvironment } from './dataset-cleaner';
import { ExpectedFindings } from './expected-findings';
import { identifyingTerms, bytesContainTerm, type IdentifyingTerm } from './identifying-terms';
import type { ProfileOptions } from './profile-actions';
import { directoryLayout, type DirectoryLayout } from './directory';
import { patientKeyOf, stringOf } from './patient-key';
import type { Pseudonyms } from '../pseudonym';
import { bytesSource, concatBytes, sliceSource, type ByteSource } from '../source';
import type { DatasetEncoding } from '../sniff';
import { inflateRawLimited } from '../inflate';
import { CID_7050 } from '../../data/cid7050';
import { cleanPixels, PixelCleaningError, type CleanedPixels } from './clean-pixels';
import { embeddedOverlayBitPositions, type Region } from '../pixels/mask';
import { ultrasoundRegions } from './ultrasound-regions';
import type { Codecs } from '../pixels/codecs';
import { pictureTerms, type PictureTerms } from '../text/meaning';

/** The file cannot be de-identified; the message says why in plain words and never holds a value. */
export class DeidentifyError extends Error {
  override readonly name = 'DeidentifyError';
}

/** Where a file's bytes come from: always a ByteSource; a Blob too when there is one to slice the pixel data from. */
export interface ByteOrigin {
  source: ByteSource;
  blob?: Blob;
}

export interface DicomCleanConfig {
  options: ProfileOptions;
  pseudonyms: Pseudonyms;
  /** The Clean Pixel Data option for this file: what to mask in its picture. Absent: the picture is carried over. */
  pixels?: PixelPlan;
}

/** What to do to one file's picture. */
export interface PixelPlan {
  /** Text regions to fill in every frame (pixels of the stored image). */
  regions: readonly Region[];
  /** Pixels added around each region. */
  margin: number;
  /** The text in the picture was read (all of it, or by a sample of its series): it may be declared clean. */
  checked: boolean;
  /** Also black out everything outside the ultrasound regions the file lists. */
  outsideUltrasoundRegions: boolean;
  codecs?: Codecs;
}

export interface CleanedDicom {
  output: Blob;
  /** The output's first bytes (everything up to the pixel data, and its element header), in memory. */
  head: Uint8Array;
  /** What was left on purpose, for the check of the output. */
  expected: ExpectedFindings;
  isDicomdir: boolean;
  /** The picture was cleaned (Clean Pixel Data): how many regions were filled. */
  pixels?: { regions: number; frames: number; decompressed: boolean };
  /** The original's identifying values, to look for in the copy's picture. */
  terms: PictureTerms;
}

/** The implementation class UID of the de-identifier's output (a 2.25 UUID-derived root of its own). */
export const IMPLEMENTATION_CLASS_UID = '2.25.8554914642325910002294869266869625777';
export const IMPLEMENTATION_VERSION_NAME = 'SPG_DEID_0_1';
export const DEIDENTIFICATION_METHOD = 'Scan Privacy Guard: PS3.15 E.1-1 (2024b) Basic Profile';

/** The largest deflated dataset inflated (it must be held whole to be deflated again). */
const MAX_INFLATED_BYTES = 512 * 1024 * 1024;
/** The most bytes after the pixel data read (trailing padding, signatures). */
const MAX_TRAILER_BYTES = 16 * 1024 * 1024;
const PIXEL_DATA = 0x7fe00010;
const DICOMDIR_CLASS = '1.2.840.10008.1.3.10';

const OPTION_CODES: ReadonlyArray<[keyof ProfileOptions, string]> = [
  ['cleanGraphics', '113103'],
  ['cleanStructuredContent', '113104'],
  ['cleanDescriptors', '113105'],
  ['retainLongitudinalModifiedDates', '113107'],
  ['retainPatientCharacteristics', '113108'],
  ['retainDeviceIdentity', '113109'],
  ['retainUids', '113110'],
  ['retainSafePrivate', '113111'],
  ['retainInstitutionIdentity', '113112'],
];

/** The CID 7050 codes of the profile and the options used, in code order (113101: Clean Pixel Data). */
export function methodCodes(options: ProfileOptions, cleanPixelData = false): string[] {
  return ['113100', ...(cleanPixelData ? ['113101'] : []), ...OPTION_CODES.filter(([option]) => options[option]).map(([, code]) => code)];
}

/** Patient Identity Removed, De-identification Method (and its code sequence), Longitudinal Temporal Information Modified. */
export function deidentificationElements(options: ProfileOptions, cleanPixelData = false): OutElement[] {
  const items = methodCodes(options, cleanPixelData).map((code) => {
    const entry = CID_7050.find((c) => c.code === code)!;
    return {
      elements: [
        textElement(0x00080100, 'SH', entry.code),
        textElement(0x00080102, 'SH', entry.scheme),
        textElement(0x00080104, 'LO', entry.meaning),
      ],
    };
  });
  return [
    textElement(0x00120062, 'CS', 'YES'),
    textElement(0x00120063, 'LO', DEIDENTIFICATION_METHOD),
    { tag: 0x00120064, vr: 'SQ', items },
    textElement(0x00280303, 'CS', options.retainLongitudinalModifiedDates ? 'MODIFIED' : 'REMOVED'),
  ];
}

function transferSyntaxFor(enc: DatasetEncoding): string {
  if (!enc.explicit) return TRANSFER_SYNTAX.implicitLittle;
  return enc.littleEndian ? TRANSFER_SYNTAX.explicitLittle : TRANSFER_SYNTAX.explicitBig;
}

/**
 * The encoding and transfer syntax of the output. The transfer syntax is kept; a file whose data does not
 * match its native little-endian transfer syntax gets the one that matches, and any other mismatch is
 * written in the encoding the transfer syntax requires.
 */
function outputEncoding(declared: string | undefined, actual: DatasetEncoding): { enc: Encoding; transferSyntax: string } {
  if (declared === undefined || declared === TRANSFER_SYNTAX.implicitLittle || declared === TRANSFER_SYNTAX.explicitLittle) {
    return { enc: actual, transferSyntax: transferSyntaxFor(actual) };
  }
  if (declared === TRANSFER_SYNTAX.explicitBig) return { enc: { explicit: true, littleEndian: false }, transferSyntax: declared };
  return { enc: { explicit: true, littleEndian: true }, transferSyntax: declared };
}

/** Parses a whole dataset (the elements after the pixel data). Throws when it is damaged. */
function parseWhole(bytes: Uint8Array, enc: DatasetEncoding): DataSet {
  const parser = enc.littleEndian ? dicomParser.littleEndianByteArrayParser : dicomParser.bigEndianByteArrayParser;
  const stream = new dicomParser.ByteStream(parser, bytes, 0);
  const ds = new dicomParser.DataSet(parser, bytes, {});
  ds.warnings = stream.warnings;
  if (enc.explicit) dicomParser.parseDicomDataSetExplicit(ds, stream, bytes.length);
  else dicomParser.parseDicomDataSetImplicit(ds, stream, bytes.length, { vrCallback: implicitVr });
  if (stream.position > bytes.length || ds.warnings.some((w) => /eof/i.test(w))) throw new Error('cut short');
  return ds;
}

const REFERENCED_FILE_ID = 0x00041500;

/**
 * The first element written whose value holds an identifying term. Code strings are codes (ImageType
 * PERFUSION is no patient's name), except the file paths of directory records.
 */
function elementWithTerm(elements: readonly OutElement[], terms: readonly IdentifyingTerm[]): OutElement | undefined {
  for (const el of elements) {
    if (el.items) {
      for (const item of el.items) {
        const found = elementWithTerm(item.elements, terms);
        if (found) return found;
      }
    } else if (el.value && (el.vr !== 'CS' || el.tag === REFERENCED_FILE_ID) && bytesContainTerm(el.value, terms)) {
      return el;
    }
  }
  return undefined;
}

/** Bytes as a Blob part (the engine's buffers are never shared ones). */
export function blobPart(bytes: Uint8Array | Blob): BlobPart {
  return bytes as Uint8Array<ArrayBuffer> | Blob;
}


/** De-identifies one DICOM file (or DICOMDIR). Throws DeidentifyError when it cannot be done completely. */
export async function deidentifyDicom(
  origin: ByteOrigin,
  sniffed: { layout: 'part10' | 'meta-no-preamble' | 'raw'; offset: number; encoding?: DatasetEncoding },
  config: DicomCleanConfig,
): Promise<CleanedDicom> {
  const { source } = origin;
  let header;
  try {
    header = await readDicomHeader(source, sniffed, DEFAULT_HEADER_LIMITS);
  } catch (e) {
    throw new DeidentifyError(e instanceof DicomReadError ? e.message : 'its header could not be read');
  }
  if (!header.complete) throw new DeidentifyError(header.problem ?? 'its header could not be read completely');

  // The dataset's bytes: the file after the meta group, or the whole inflated stream of a deflated file.
  let inflated: Uint8Array | undefined;
  if (header.deflated) {
    try {
      inflated = inflateRawLimited(await source.read(header.datasetStart, source.size), MAX_INFLATED_BYTES);
    } catch {
      throw new DeidentifyError('its deflated dataset could not be inflated');
    }
  }
  const datasetStart = header.datasetStart;
  // The dataset as a stream of its own: offsets below count from its first byte.
  const stream: ByteSource = inflated ? bytesSource(inflated) : sliceSource(source, datasetStart);
  const streamSize = stream.size;

  let pixel: { start: number; end: number; vr: string; undefinedLength: boolean } | undefined;
  if (header.pixelData) {
    const pd = header.pixelData;
    const end = pd.undefinedLength ? await endOfFragments(stream, pd.dataOffset, header.encoding.littleEndian) : pd.dataOffset + pd.length;
    if (end === undefined || end > streamSize) throw new DeidentifyError('its pixel data is cut short or damaged');
    const fileVr = header.encoding.explicit ? header.dataSet.elements['x7fe00010']?.vr : undefined;
    pixel = { start: pd.dataOffset, end, vr: fileVr === 'OB' || fileVr === 'OW' ? fileVr : pd.undefinedLength ? 'OB' : 'OW', undefinedLength: pd.undefinedLength };
  }

  let trailer: DataSet | undefined;
  if (pixel && pixel.end < streamSize) {
    if (streamSize - pixel.end > MAX_TRAILER_BYTES) throw new DeidentifyError('it holds more data after its pixel data than this tool reads');
    try {
      trailer = parseWhole(await stream.read(pixel.end, streamSize), header.encoding);
    } catch {
      throw new DeidentifyError('the data after its pixel data could not be read');
    }
  }

  const ds = header.dataSet;
  const mediaClass = stringOf(header.meta, 'x00020002');
  const isDicomdir = mediaClass === DICOMDIR_CLASS || ds.elements['x00041220'] !== undefined;
  const { options, pseudonyms } = config;

  const uids = new Set<string>();
  collectUids(ds, header.encoding, uids);
  if (trailer) collectUids(trailer, header.encoding, uids);
  const metaInstance = stringOf(header.meta, 'x00020003');
  if (metaInstance) uids.add(metaInstance);
  await pseudonyms.prepareUids(uids);

  let layout: DirectoryLayout | undefined;
  if (isDicomdir) {
    if (header.deflated) throw new DeidentifyError('it is a deflated DICOMDIR, which this tool does not rewrite');
    layout = directoryLayout(ds, datasetStart);
  }
  let dateOffset = 0;
  let itemDateOffset: CleanEnvironment['itemDateOffset'];
  if (options.retainLongitudinalModifiedDates) {
    dateOffset = await pseudonyms.dateOffset(patientKeyOf(ds));
    if (layout) {
      const offsets = new Map<DataSet, number>();
      for (const [record, key] of layout.patientOf) offsets.set(record, await pseudonyms.dateOffset(key));
      itemDateOffset = (item) => offsets.get(item);
    }
  }

  const inspection = inspectDataSet(ds, header.meta, trailer);
  const terms = identifyingTerms(inspection.findings);
  const expected = new ExpectedFindings();
  const env: CleanEnvironment = {
    options,
    uid: (u) => pseudonyms.uid(u),
    dateOffset,
    terms,
    expected,
    ...(itemDateOffset ? { itemDateOffset } : {}),
    ...(layout ? { onItem: layout.onItem, onElement: layout.onElement } : {}),
  };
  const cleaner = new DatasetCleaner(env);
  let main = cleaner.cleanTop(ds, header.encoding);
  const trailerOut = trailer ? cleaner.cleanTop(trailer, header.encoding, cleaner.charsetOf(ds)) : [];
  if (cleaner.problems.length > 0) throw new DeidentifyError(`it could not be cleaned completely: ${cleaner.problems[0]}`);

  // Clean Pixel Data: the picture's text regions filled, overlay bits cleared, in every frame.
  const plan = config.pixels;
  let cleanedPixels: CleanedPixels | undefined;
  if (plan && pixel && !isDicomdir) {
    const keepOnly = plan.outsideUltrasoundRegions ? ultrasoundRegions(ds) : undefined;
    const needed = plan.regions.length > 0 || embeddedOverlayBitPositions(ds).length > 0 || (keepOnly !== undefined && keepOnly.length > 0);
    if (needed) {
      try {
        cleanedPixels = await cleanPixels(source, header, plan.codecs, {
          regions: plan.regions,
          margin: plan.margin,
          ...(keepOnly && keepOnly.length > 0 ? { keepOnly } : {}),
        });
      } catch (e) {
        throw new DeidentifyError(e instanceof PixelCleaningError ? e.message : 'its picture could not be cleaned');
      }
      main = withAttributes(main, cleanedPixels.attributes, cleanedPixels.drop);
    }
    // The picture was read and every region found is masked: the copy shows no burned-in text. (If the
    // copy's own check disagrees, it is withheld.)
    if (plan.checked) main = withAttributes(main, [textElement(0x00280301, 'CS', 'NO')], []);
  }
  if (!isDicomdir) main.push(...deidentificationElements(options, plan?.checked === true && !isDicomdir && pixel !== undefined));

  const encoding = outputEncoding(header.transferSyntax, header.encoding);
  const enc = encoding.enc;
  const transferSyntax = cleanedPixels ? cleanedPixels.transferSyntax : encoding.transferSyntax;
  const sopClass = stringOf(ds, 'x00080016') ?? mediaClass;
  const instance = stringOf(ds, 'x00080018') ?? metaInstance;
  const prefix = encodeFilePreambleAndMeta({
    ...(sopClass ? { mediaStorageSopClassUid: sopClass } : {}),
    ...(instance ? { mediaStorageSopInstanceUid: options.retainUids ? instance : pseudonyms.uid(instance) } : {}),
    transferSyntaxUid: transferSyntax,
    implementationClassUid: IMPLEMENTATION_CLASS_UID,
    implementationVersionName: IMPLEMENTATION_VERSION_NAME,
  });
  const mainBytes = encodeDataset(main, enc);
  if (layout) layout.patch(mainBytes, prefix.length, enc.littleEndian);
  const trailerBytes = trailerOut.length > 0 ? encodeDataset(trailerOut, enc) : new Uint8Array(0);

  // A last check of every value written: none holds an identifying value of the original.
  const checked = terms.filter((t) => !DUMMY_VALUES.has(t.text));
  const left = elementWithTerm(main, checked) ?? elementWithTerm(trailerOut, checked);
  if (left !== undefined) {
    throw new DeidentifyError(left.tag === REFERENCED_FILE_ID
      ? 'its directory records name files by an identifying value (Referenced File ID), which cannot be cleaned without renaming the files'
      : `an identifying value of the original was still found in the cleaned header, in (${hexTag(left.tag).slice(0, 4)},${hexTag(left.tag).slice(4)})`);
  }

  const done = {
    expected,
    isDicomdir,
    terms: pictureTerms(inspection.findings),
    ...(cleanedPixels ? { pixels: { regions: plan?.regions.length ?? 0, frames: cleanedPixels.frames.length, decompressed: cleanedPixels.decompressed } } : {}),
  };
  // The pixel data as written: the masked frames when the picture was cleaned, else the original's value.
  let pixelHeader: Uint8Array | undefined;
  let maskedFrames: Uint8Array[] | undefined;
  if (pixel && cleanedPixels) {
    const total = cleanedPixels.frames.reduce((n, f) => n + f.length, 0);
    maskedFrames = total % 2 === 1 ? [...cleanedPixels.frames, new Uint8Array(1)] : cleanedPixels.frames;
    pixelHeader = encodeElementHeader(PIXEL_DATA, cleanedPixels.vr, total + (total % 2), enc);
  } else if (pixel) {
    pixelHeader = encodePixelHeader(pixel, enc);
  }
  if (inflated) {
    const dataset = pixel
      ? concatBytes([mainBytes, pixelHeader!, ...(maskedFrames ?? [inflated.subarray(pixel.start, pixel.end)]), trailerBytes])
      : mainBytes;
    const head = concatBytes([prefix, deflateSync(dataset, { level: 6 })]);
    return { output: new Blob([blobPart(head)]), head, ...done };
  }
  if (!pixel) {
    const head = concatBytes([prefix, mainBytes]);
    return { output: new Blob([blobPart(head)]), head, ...done };
  }
  const head = concatBytes([prefix, mainBytes, pixelHeader!]);
  const value: BlobPart[] = maskedFrames
    ? maskedFrames.map(blobPart)
    : [blobPart(origin.blob
      ? origin.blob.slice(datasetStart + pixel.start, datasetStart + pixel.end)
      : await source.read(datasetStart + pixel.start, datasetStart + pixel.end))];
  const parts = [blobPart(head), ...value, ...(trailerBytes.length > 0 ? [blobPart(trailerBytes)] : [])];
  return { output: new Blob(parts), head, ...done };
}

/** The elements with `set` in place of any with the same tag (kept in tag order) and `drop` removed. */
function withAttributes(elements: OutElement[], set: readonly OutElement[], drop: readonly number[]): OutElement[] {
  const replaced = new Set(set.map((e) => e.tag));
  const out = elements.filter((e) => !replaced.has(e.tag) && !drop.includes(e.tag));
  for (const el of set) {
    const at = out.findIndex((e) => e.tag > el.tag);
    if (at < 0) out.push(el);
    else out.splice(at, 0, el);
  }
  return out;
}

function encodePixelHeader(pixel: { start: number; end: number; vr: string; undefinedLength: boolean }, enc: Parameters<typeof encodeElementHeader>[3]): Uint8Array {
  return encodeElementHeader(PIXEL_DATA, pixel.vr, pixel.undefinedLength ? 0xffffffff : pixel.end - pixel.start, enc);
}
