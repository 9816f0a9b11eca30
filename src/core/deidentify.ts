// Files in, cleaned files out: de-identifies DICOM files, DICOMDIRs, zips of them (entry by entry, nested)
// and NIfTI files with the PS3.15 Basic Profile and the chosen options, then scans every cleaned copy again
// with the engine's own scanner and withholds any copy in which something identifying remains (fail closed:
// never a partly cleaned file).

import { Zip, ZipDeflate, ZipPassThrough, gzipSync } from 'fflate';
import type { FileFormat, FileReport, Finding } from './report';
import { verdictFor } from './report';
import { scanFile, type DocumentReading, type PictureRequest } from './scan';
import type { CleanedDocument, DocumentPlan } from './documents/document-clean';
import type { PictureTerms } from './text/meaning';
import type { PictureText } from './text/picture-text';
import type { Codecs } from './pixels/codecs';
import type { Region } from './pixels/mask';
import { blobSource, bytesSource, headedBlobSource, readAheadSource, type ByteSource } from './source';
import { DEFAULT_HEADER_LIMITS } from './dicom/header';
import { sniff, SNIFF_BYTES } from './sniff';
import { readZip, DEFAULT_ZIP_LIMITS, UnsupportedEntryError } from './zip/zip';
import { readNifti } from './nifti/nifti';
import { inflatedSource } from './inflate';
import { Pseudonyms, createRandomKey } from './pseudonym';
import { deidentifyDicom, DeidentifyError, blobPart, type ByteOrigin, type PixelPlan } from './dicom/deidentify-dicom';
import { ExpectedFindings } from './dicom/expected-findings';
import { DEFAULT_PROFILE_OPTIONS, type ProfileOptions } from './dicom/profile-actions';

/** The PS3.15 options of a de-identification (see ProfileOptions). */
export type DeidentifyOptions = ProfileOptions;

export const DEFAULT_DEIDENTIFY_OPTIONS: Readonly<DeidentifyOptions> = DEFAULT_PROFILE_OPTIONS;

/** A File keeps its name, type and lastModified in the output. */
export interface DeidentifyInput {
  path: string;
  file: Blob;
  /**
   * The same bytes as `file`, when the caller can read them faster than through the Blob (the CLI's file
   * source): the header is read from it; the pixel data still goes into the copy as a slice of `file`.
   */
  source?: ByteSource;
}

export interface DeidentifyResult {
  path: string;
  status: 'cleaned' | 'not-medical' | 'failed';
  /** A File (same name, type, lastModified) when the input was a File; for 'not-medical' the input itself. */
  output?: Blob;
  /** For 'failed', in plain words; never holds a value from the file. */
  reason?: string;
  /**
   * The output scanned again by scanFile. Findings the de-identifier left on purpose (dummy values, moved
   * dates, what an option keeps, the picture it cannot change) are lowered to `low` with a note saying why.
   */
  verification?: FileReport;
  /** What the input was, by its content. */
  format?: FileFormat;
  /**
   * The picture itself was not changed and may show identifying text (burned-in annotation, ultrasound,
   * screen captures): the person should look at it before uploading.
   */
  pictureMayShowText?: boolean;
  /** A face could be rebuilt from the picture (head CT or MR), which header cleaning cannot change. */
  faceMayBeRebuilt?: boolean;
  /** The text in the picture was masked (Clean Pixel Data): regions filled, frames written. */
  pictureMasked?: { regions: number; frames: number };
  /**
   * A picture or PDF that is not DICOM: how its copy was made. `imageOnly`: a PDF written anew from
   * pictures of its pages (its text can no longer be selected or searched; say so to the person).
   */
  documentCopy?: { kind: 'image' | 'pdf'; imageOnly: boolean; reencoded: boolean; masked: number; pages?: number };
}

export interface DeidentifyFilesOptions {
  /** The secret key of the keyed pseudonyms (at least 16 bytes; 32 from createDeidentifyKey). */
  key: Uint8Array;
  options?: Partial<DeidentifyOptions>;
  onProgress?: (done: number, total: number) => void;
  /** The Clean Pixel Data option: text in the pictures masked. Absent: pictures are carried over unchanged. */
  pictures?: PictureCleaning;
  /**
   * Cleans pictures and PDFs that are not DICOM (as the scan checked them with `documents`). Absent: they
   * are passed on as they are, like any file that is not medical.
   */
  documents?: DocumentCleaning;
}

/** How pictures and PDFs that are not DICOM are cleaned, and their copies checked again. */
export interface DocumentCleaning {
  /** What the scan found in the file at `path` (documentPlans of its report). Undefined: it was not checked, and gets no copy. */
  planFor(path: string): DocumentPlan | undefined;
  /** Makes the copy: documents/document-clean.ts's cleanDocument, in the host's worker. */
  clean(request: { path: string; source: ByteSource; plan: DocumentPlan }): Promise<CleanedDocument>;
  /** Checks the copy as the scan checked the original; it is withheld when anything identifying remains. */
  verify: DocumentReading;
}

/** How the text drawn into pictures is masked, and how a copy's picture is checked again. */
export interface PictureCleaning {
  /**
   * What to mask in the picture of the file at `path` (as the scan reported it: `archive.zip!IM1` inside a
   * zip): its text regions, and whether its text was read at all. Undefined: nothing is known of it.
   */
  planFor(path: string): PicturePlan | undefined;
  /** Reads the text in a cleaned copy's picture (the scan's reader); the copy is withheld when identifying text is read. */
  verify?: (request: PictureRequest) => Promise<PictureText>;
  /** Decoders for compressed pictures. */
  codecs?: Codecs;
  /** Also black out everything outside the regions of an ultrasound picture (its scanner's screen). */
  outsideUltrasoundRegions?: boolean;
  /** Pixels added around each region (default 2). */
  margin?: number;
}

export interface PicturePlan {
  regions: readonly Region[];
  /** The picture's text was read (every frame, a sample of them, or a picture of its series standing in). */
  checked: boolean;
}

/** 32 random bytes (crypto.getRandomValues) for a new de-identification key. */
export function createDeidentifyKey(): Uint8Array {
  return createRandomKey();
}

/** Files cleaned at the same time by one deidentifyFiles call. */
const CONCURRENT_FILES = 4;
/** The largest gzip-compressed file inflated to be cleaned (it is held whole). */
const MAX_GUNZIP_BYTES = 1024 * 1024 * 1024;
/** Zip entries get this modification time: the original one can be the day of the examination. */
const ZIP_ENTRY_TIME = new Date(1980, 0, 1, 0, 0, 0);

interface Cleaned {
  output: Blob;
  /** The output's first bytes, in memory, when they hold its whole header (a DICOM file). */
  head?: Uint8Array;
  format: FileFormat;
  /** What each cleaned DICOM file (by its report path) holds on purpose. */
  expected: Map<string, ExpectedFindings>;
  /** Report paths of the medical files that were cleaned: their copies must read back as medical. */
  medical: Set<string>;
  /** The original's identifying values per cleaned DICOM file, to look for in the copy's picture. */
  terms: Map<string, PictureTerms>;
  /** Masked pictures: regions and frames, summed over the files inside. */
  masked?: { regions: number; frames: number };
  /** A picture or PDF that is not DICOM: how its copy was made. */
  document?: DeidentifyResult['documentCopy'];
}

interface Context {
  options: DeidentifyOptions;
  pseudonyms: Pseudonyms;
  pictures?: PictureCleaning;
  documents?: DocumentCleaning;
}

/** The Clean Pixel Data plan of one DICOM file. */
function pixelPlan(path: string, ctx: Context): PixelPlan | undefined {
  const pictures = ctx.pictures;
  if (!pictures || !ctx.options.cleanPixelData) return undefined;
  const plan = pictures.planFor(path);
  return {
    regions: plan?.regions ?? [],
    checked: plan?.checked ?? false,
    margin: pictures.margin ?? 2,
    outsideUltrasoundRegions: pictures.outsideUltrasoundRegions ?? ctx.options.maskOutsideUltrasoundRegions,
    ...(pictures.codecs ? { codecs: pictures.codecs } : {}),
  };
}

function addMasked(a: Cleaned['masked'], b: Cleaned['masked']): Cleaned['masked'] {
  if (!a) return b;
  if (!b) return a;
  return { regions: a.regions + b.regions, frames: a.frames + b.frames };
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : 'unknown error';
}

async function readAll(source: ByteSource): Promise<Uint8Array> {
  return source.read(0, source.size);
}

async function blobBytes(blob: Blob): Promise<Uint8Array> {
  return new Uint8Array(await blob.arrayBuffer());
}

/** Cleans whatever the bytes are; 'not-medical' for anything the engine does not know. */
async function cleanAny(path: string, origin: ByteOrigin, depth: number, ctx: Context): Promise<Cleaned | 'not-medical'> {
  const { source } = origin;
  if (source.size === 0) return 'not-medical';
  const sniffed = sniff(await source.read(0, SNIFF_BYTES), source.size);
  switch (sniffed.kind) {
    case 'dicom': {
      const plan = pixelPlan(path, ctx);
      const cleaned = await deidentifyDicom(origin, sniffed, { options: ctx.options, pseudonyms: ctx.pseudonyms, ...(plan ? { pixels: plan } : {}) });
      return {
        output: cleaned.output,
        head: cleaned.head,
        format: cleaned.isDicomdir ? 'dicomdir' : 'dicom',
        expected: new Map([[path, cleaned.expected]]),
        medical: new Set([path]),
        terms: new Map([[path, cleaned.terms]]),
        ...(cleaned.pixels ? { masked: { regions: cleaned.pixels.regions, frames: cleaned.pixels.frames } } : {}),
      };
    }
    case 'zip':
      return cleanZip(path, origin, depth, ctx);
    case 'gzip':
      return cleanGzip(path, origin, depth, ctx);
    case 'nifti':
      return cleanNifti(path, origin);
    case 'image':
    case 'pdf':
      return cleanDocumentFile(path, origin, sniffed.kind, ctx);
    default:
      return 'not-medical';
  }
}

/** A picture or PDF: cleaned by the host when documents were asked for, else passed on as it is. */
async function cleanDocumentFile(path: string, origin: ByteOrigin, kind: 'image' | 'pdf', ctx: Context): Promise<Cleaned | 'not-medical'> {
  const documents = ctx.documents;
  if (!documents) return 'not-medical';
  const plan = documents.planFor(path);
  if (!plan) throw new DeidentifyError('it was not checked, so no cleaned copy is made');
  let copy: CleanedDocument;
  try {
    copy = await documents.clean({ path, source: origin.source, plan: { ...plan, kind } });
  } catch (e) {
    throw new DeidentifyError(messageOf(e));
  }
  return {
    output: new Blob([blobPart(copy.bytes)]),
    format: copy.kind,
    expected: new Map(),
    // A photo that was not medical is cleaned of its metadata and stays not medical: no read-back rule.
    medical: new Set(),
    terms: new Map(),
    document: { kind: copy.kind, imageOnly: copy.imageOnly, reencoded: copy.reencoded, masked: copy.masked, ...(copy.pages !== undefined ? { pages: copy.pages } : {}) },
  };
}

async function cleanGzip(path: string, origin: ByteOrigin, depth: number, ctx: Context): Promise<Cleaned | 'not-medical'> {
  let inner: Uint8Array;
  try {
    const inflated = inflatedSource(origin.source, { format: 'gzip', maxOutput: MAX_GUNZIP_BYTES });
    inner = await inflated.read(0, MAX_GUNZIP_BYTES);
    if (!inflated.complete) throw new Error('incomplete');
  } catch {
    throw new DeidentifyError('the compressed file could not be opened (it is damaged, or larger than this tool inflates)');
  }
  const cleaned = await cleanAny(path, { source: bytesSource(inner) }, depth, ctx);
  if (cleaned === 'not-medical') return cleaned;
  const { head: _inner, ...rest } = cleaned;
  return { ...rest, output: new Blob([blobPart(gzipSync(await blobBytes(cleaned.output), { level: 6 }))]) };
}

async function cleanZip(path: string, origin: ByteOrigin, depth: number, ctx: Context): Promise<Cleaned | 'not-medical'> {
  if (depth >= DEFAULT_ZIP_LIMITS.maxDepth) throw new DeidentifyError(`zip files are nested more than ${DEFAULT_ZIP_LIMITS.maxDepth} deep`);
  let archive;
  try {
    archive = await readZip(origin.source);
  } catch (e) {
    throw new DeidentifyError(`the zip file could not be read (${messageOf(e)})`);
  }
  const chunks: Uint8Array[] = [];
  let failure: Error | undefined;
  const zip = new Zip((err, chunk) => {
    if (err) failure = err;
    else chunks.push(chunk);
  });
  const expected = new Map<string, ExpectedFindings>();
  const medical = new Set<string>();
  const terms = new Map<string, PictureTerms>();
  let masked: Cleaned['masked'];
  for (const [index, entry] of archive.entries.entries()) {
    if (entry.isDirectory) {
      const dir = new ZipPassThrough(entry.path.endsWith('/') ? entry.path : `${entry.path}/`);
      dir.mtime = ZIP_ENTRY_TIME;
      zip.add(dir);
      dir.push(new Uint8Array(0), true);
      continue;
    }
    let opened: ByteSource;
    try {
      opened = entry.open();
    } catch (e) {
      throw new DeidentifyError(e instanceof UnsupportedEntryError ? `entry ${index + 1} of the zip cannot be read (${e.message})` : `entry ${index + 1} of the zip cannot be opened`);
    }
    const entryPath = `${path}!${entry.path}`;
    let bytes: Uint8Array;
    try {
      const inner = await cleanAny(entryPath, { source: opened }, depth + 1, ctx);
      if (inner === 'not-medical') {
        bytes = await readAll(opened);
      } else {
        bytes = await blobBytes(inner.output);
        for (const [k, v] of inner.expected) expected.set(k, v);
        for (const m of inner.medical) medical.add(m);
        for (const [k, v] of inner.terms) terms.set(k, v);
        masked = addMasked(masked, inner.masked);
      }
    } catch (e) {
      if (e instanceof DeidentifyError) throw new DeidentifyError(`entry ${index + 1} of the zip: ${e.message}`);
      throw new DeidentifyError(`entry ${index + 1} of the zip could not be read (${messageOf(e)})`);
    }
    const file = entry.method === 0 ? new ZipPassThrough(entry.path) : new ZipDeflate(entry.path, { level: 6 });
    file.mtime = ZIP_ENTRY_TIME;
    zip.add(file);
    file.push(bytes, true);
  }
  // A zip with no medical file in it is passed on as it is, like any file that is not medical.
  if (medical.size === 0) return 'not-medical';
  zip.end();
  if (failure) throw new DeidentifyError(`the cleaned zip could not be written (${failure.message})`);
  return { output: new Blob(chunks.map(blobPart)), format: 'zip', expected, medical, terms, ...(masked ? { masked } : {}) };
}

/** NIfTI text fields at [offset, length] in each version's header (nifti1.h, nifti2.h). */
const NIFTI_TEXT_FIELDS: Readonly<Record<1 | 2, ReadonlyArray<readonly [number, number]>>> = {
  // data_type and db_name (unused ANALYZE fields), descrip, aux_file, intent_name
  1: [[4, 10], [14, 18], [148, 80], [228, 24], [328, 16]],
  2: [[240, 80], [320, 24], [508, 16]],
};
/** The most header-and-extension bytes of a NIfTI file rewritten. */
const MAX_NIFTI_HEAD_BYTES = 64 * 1024 * 1024;

async function cleanNifti(path: string, origin: ByteOrigin): Promise<Cleaned> {
  const { source } = origin;
  let nifti;
  try {
    nifti = await readNifti(source);
  } catch (e) {
    throw new DeidentifyError(`its NIfTI header could not be read (${messageOf(e)})`);
  }
  const headerSize = nifti.version === 1 ? 348 : 540;
  const magic = await source.read(nifti.version === 1 ? 344 : 4, nifti.version === 1 ? 348 : 8);
  const singleFile = magic[1] === 0x2b; // 'n+1' / 'n+2': the image follows in the same file
  // A .nii keeps its image where it was (vox_offset); a .hdr ends after an empty extender.
  if (singleFile && nifti.voxOffset < headerSize + 4) throw new DeidentifyError('its NIfTI image data offset is invalid');
  const keep = singleFile ? nifti.voxOffset : headerSize + 4;
  if (keep > MAX_NIFTI_HEAD_BYTES || keep > source.size) throw new DeidentifyError('its NIfTI header and extensions are damaged or too large');
  const head = (await source.read(0, keep)).slice();
  for (const [offset, length] of NIFTI_TEXT_FIELDS[nifti.version]) head.fill(0, offset, offset + length);
  // Extensions: the extender says "none" and their bytes are zeroed, so the image data does not move.
  head.fill(0, headerSize);
  const tail: BlobPart[] = [];
  if (singleFile && keep < source.size) {
    tail.push(blobPart(origin.blob ? origin.blob.slice(keep) : await source.read(keep, source.size)));
  }
  return { output: new Blob([blobPart(head), ...tail]), format: 'nifti', expected: new Map(), medical: new Set([path]), terms: new Map() };
}

function flatten(report: FileReport): FileReport[] {
  return [report, ...(report.entries ?? []).flatMap(flatten)];
}

interface Judgement {
  problem?: string;
  pictureMayShowText: boolean;
  faceMayBeRebuilt: boolean;
}

const PICTURE_NOTE = 'the picture itself was not changed: look at it before uploading';
const PIXEL_DATA = '7FE00010';

/** Checks the scan of a cleaned copy; lowers what was left on purpose and says what else remains. */
function judge(report: FileReport, cleaned: Cleaned): Judgement {
  const judgement: Judgement = { pictureMayShowText: false, faceMayBeRebuilt: false };
  const remaining: Finding[] = [];
  for (const r of flatten(report)) {
    if (r.verdict === 'unreadable') {
      judgement.problem = `the cleaned copy could not be read back (${r.reason ?? 'unknown problem'})`;
      return judgement;
    }
    if (r.verdict === 'not-medical' && cleaned.medical.has(r.path)) {
      judgement.problem = 'the cleaned copy is no longer recognised as a medical image file';
      return judgement;
    }
    if (r.entries) continue;
    const expected = cleaned.expected.get(r.path);
    for (const f of r.findings) {
      if (f.severity === 'low') continue;
      if (f.category === 'picture-content' && f.tag === PIXEL_DATA && f.value === undefined) {
        // The copy's picture could not be read: nobody knows what it shows.
        judgement.pictureMayShowText = true;
      } else if (f.category === 'picture-content' && f.tag === PIXEL_DATA) {
        if (f.severity === 'high') {
          judgement.problem = `identifying text was still read in its picture after masking (${f.text?.repeats.length ? 'it repeats the patient\'s details' : 'it looks like a name, date, ID or phone number'})`;
          return judgement;
        }
        // Text the person chose to keep, or that looks like nothing identifying.
        f.note = 'text left in the picture: it does not look identifying';
        f.severity = 'low';
        continue;
      } else if (f.category === 'picture-content' && f.tag === '00280301') {
        judgement.pictureMayShowText = true;
      } else if (f.category === 'face') {
        judgement.faceMayBeRebuilt = true;
      } else {
        const why = expected?.explain(f);
        if (why === undefined) {
          remaining.push(f);
          continue;
        }
        f.note = why;
        f.severity = 'low';
        // Overlays kept by Clean Graphics are pictures too: nobody has looked at them.
        if (f.category === 'picture-content') judgement.pictureMayShowText = true;
        continue;
      }
      f.note = f.note ? `${f.note}; ${PICTURE_NOTE}` : PICTURE_NOTE;
      f.severity = 'low';
    }
    if (r.verdict === 'identifying') r.verdict = verdictFor(r.findings);
  }
  if (remaining.length > 0) {
    const names = [...new Set(remaining.map((f) => `${f.keyword} (${f.tag})`))];
    judgement.problem = `${remaining.length} identifying value${remaining.length === 1 ? '' : 's'} remained after cleaning: ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}`;
    return judgement;
  }
  for (const r of flatten(report).reverse()) {
    if (!r.entries) continue;
    r.verdict = r.entries.some((e) => e.verdict === 'identifying') ? 'identifying' : r.entries.some((e) => e.verdict === 'clean') ? 'clean' : 'not-medical';
  }
  return judgement;
}

function asOutput(input: Blob, output: Blob): Blob {
  if (typeof File !== 'undefined' && input instanceof File) {
    return new File([output], input.name, { type: input.type, lastModified: input.lastModified });
  }
  // Already the right type: no second Blob around it.
  return output.type === input.type ? output : new Blob([output], { type: input.type });
}

async function deidentifyOne(input: DeidentifyInput, ctx: Context): Promise<DeidentifyResult> {
  const { path, file } = input;
  let cleaned: Cleaned | 'not-medical';
  try {
    // One read of the file's first bytes serves the sniff and a typical header.
    const source = input.source ?? readAheadSource(blobSource(file), DEFAULT_HEADER_LIMITS.initialBytes);
    cleaned = await cleanAny(path, { source, blob: file }, 0, ctx);
  } catch (e) {
    const reason = e instanceof DeidentifyError ? e.message : `it could not be cleaned because of an unexpected error (${messageOf(e)})`;
    return { path, status: 'failed', reason };
  }
  if (cleaned === 'not-medical') return { path, status: 'not-medical', output: file, format: 'other' };
  const verify = ctx.options.cleanPixelData ? ctx.pictures?.verify : undefined;
  const done = cleaned;
  // The copy's pictures are read again, with the original's values to look for (the copy has none left);
  // pictures and PDFs that are not DICOM are checked again as the scan checked them.
  const pictures = {
    ...(verify ? { pictures: { read: (request: PictureRequest) => verify({ ...request, terms: done.terms.get(request.path) ?? request.terms }) } } : {}),
    ...(ctx.documents ? { documents: ctx.documents.verify } : {}),
  };
  // The copy is read back as any file would be; its header is still in memory, so only that is read.
  const verification = cleaned.head
    ? await scanFile(
      { path, source: headedBlobSource(cleaned.output, cleaned.head) },
      { header: { ...DEFAULT_HEADER_LIMITS, initialBytes: Math.max(cleaned.head.length, SNIFF_BYTES) }, ...pictures },
    )
    : await scanFile({ path, source: blobSource(cleaned.output) }, pictures);
  const judgement = judge(verification, cleaned);
  if (judgement.problem !== undefined) {
    return { path, status: 'failed', reason: judgement.problem, verification, format: cleaned.format };
  }
  return {
    path,
    status: 'cleaned',
    output: asOutput(file, cleaned.output),
    verification,
    format: cleaned.format,
    ...(judgement.pictureMayShowText ? { pictureMayShowText: true } : {}),
    ...(judgement.faceMayBeRebuilt ? { faceMayBeRebuilt: true } : {}),
    ...(cleaned.masked ? { pictureMasked: cleaned.masked } : {}),
    ...(cleaned.document ? { documentCopy: cleaned.document } : {}),
  };
}

/**
 * De-identifies an upload. One call maps every UID and every patient's date offset consistently across all
 * its files (and across calls with the same key). Never throws for a bad file: it becomes 'failed' with a
 * reason, and its input is never modified.
 */
export async function deidentifyFiles(inputs: readonly DeidentifyInput[], opts: DeidentifyFilesOptions): Promise<DeidentifyResult[]> {
  const deidentifier = await createDeidentifier(opts);
  const results: DeidentifyResult[] = new Array(inputs.length);
  let next = 0;
  let done = 0;
  // A few files at once, so one file's reads and keyed hashes (WebCrypto, asynchronous) overlap another's
  // work. Pseudonyms are keyed, not counted, so the order in which files finish changes nothing.
  const worker = async (): Promise<void> => {
    while (next < inputs.length) {
      const i = next++;
      results[i] = await deidentifier.deidentify(inputs[i]!);
      opts.onProgress?.(++done, inputs.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENT_FILES, inputs.length) }, worker));
  return results;
}

/** One key, options and UID map for many files, cleaned one call at a time (the CLI, file by file). */
export interface Deidentifier {
  /** As deidentifyFiles for one file: never throws for a bad file; the input is never modified. */
  deidentify(input: DeidentifyInput): Promise<DeidentifyResult>;
}

export async function createDeidentifier(opts: Pick<DeidentifyFilesOptions, 'key' | 'options' | 'pictures' | 'documents'>): Promise<Deidentifier> {
  const ctx: Context = {
    options: { ...DEFAULT_DEIDENTIFY_OPTIONS, ...opts.options },
    pseudonyms: await Pseudonyms.create(opts.key),
    ...(opts.pictures ? { pictures: opts.pictures } : {}),
    ...(opts.documents ? { documents: opts.documents } : {}),
  };
  return { deidentify: (input) => deidentifyOne(input, ctx) };
}
