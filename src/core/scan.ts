// Files in, report out: the one entry point the CLI and the extension call to check medical image files.

import type { Finding, FileReport, ScanReport, UploadSummary, FileFormat } from './report';
import { verdictFor } from './report';
import { countingSource, bytesSource, type ByteSource } from './source';
import { sniff, SNIFF_BYTES, type Sniffed } from './sniff';
import { readDicomHeader, DicomReadError, DEFAULT_HEADER_LIMITS, type HeaderLimits } from './dicom/header';
import { inspectDataSet, type DicomFacts } from './dicom/inspect';
import { findRepeats } from './dicom/repeats';
import type { TextValue } from './dicom/inspect';
import { readZip, looksLikeZip, DEFAULT_ZIP_LIMITS, type ZipLimits } from './zip/zip';
import { readNifti } from './nifti/nifti';
import { inflatedSource, gzipSizeHint } from './inflate';
import { pictureTerms, type PictureTerms } from './text/meaning';
import type { PictureText } from './text/picture-text';
import { choosePictures, notCheckedFinding, pictureCheckOf, pictureMarks, pictureTextFindings, type PictureCandidate } from './text/picture-findings';
import type { DocumentReport } from './documents/document-check';

export interface ScanOptions {
  header?: HeaderLimits;
  zip?: Partial<ZipLimits>;
  /** Called after each top-level file, for progress bars. */
  onProgress?: (done: number, total: number) => void;
  /** How many files are read at once. */
  concurrency?: number;
  /** The largest compressed zip inside a zip that is inflated to be checked (default 512 MiB). */
  nestedZipMaxBytes?: number;
  /**
   * Reads the text drawn into pictures (a worker the host runs). Without it the scan reads headers only
   * and says which pictures may show text, from what their headers say.
   */
  pictures?: PictureReading;
  /**
   * Checks pictures (JPEG, PNG, WebP, HEIC/HEIF, TIFF, GIF) and PDFs that are not DICOM (a worker the host
   * runs, over documents/document-check.ts). Without it they are reported as `image` or `pdf`, not medical,
   * and nothing of them is read: the extension passes them untouched on sites that did not ask for this.
   */
  documents?: DocumentReading;
}

/** One picture or PDF to check. */
export interface DocumentRequest {
  /** Index of the top-level input it is, or is inside of. */
  input: number;
  /** As in the report (`archive.zip!scan.jpg` inside a zip). */
  path: string;
  source: ByteSource;
  /** Inside another file (a zip entry) rather than the input itself. */
  nested: boolean;
  kind: 'image' | 'pdf';
}

export interface DocumentReading {
  /** Checks one picture or PDF; a throw makes it `unreadable` with the message as the reason. */
  read(request: DocumentRequest): Promise<DocumentReport>;
}

/** One picture whose text is to be read. */
export interface PictureRequest {
  /** Index of the top-level input the picture is, or is inside of. */
  input: number;
  /** As in the report (`archive.zip!dir/IM0001` inside a zip). */
  path: string;
  /** The DICOM file's bytes (inflated when it came from a zip entry or a gzip file). */
  source: ByteSource;
  /** Whether the picture is inside another file (a zip entry, a gzip file) rather than the input itself. */
  nested: boolean;
  /** The file's identifying values, to compare the text with. */
  terms: PictureTerms;
}

export interface PictureReading {
  /** Reads one picture's text; throws when it cannot (the picture then stays "may show text", with the reason). */
  read(request: PictureRequest): Promise<PictureText>;
  /** Pictures read at once (default 1). */
  concurrency?: number;
  /** Called after each picture read. */
  onProgress?: (done: number, total: number) => void;
}

export interface ScanInput {
  /** Shown in the report: a path as given, or a file name. */
  path: string;
  source: ByteSource;
}

/** Modalities whose pictures usually carry burned-in text (PS3.15 E.3.1 and common practice). */
const BURNED_IN_MODALITIES = new Set(['US', 'SC', 'XC', 'ES', 'OT', 'DOC', 'GM', 'SM']);
const SECONDARY_CAPTURE = '1.2.840.10008.5.1.4.1.1.7';
const HEAD = /\b(HEAD|BRAIN|SKULL|CRAN\w*|NEURO\w*|FACE|FACIAL|ORBITS?|SINUS\w*|IAC|PITUITARY|TMJ|DENTAL|MAXILL\w*|MANDIBLE|CEREBR\w*|HEAD ?NECK|NECK)\b/;
/** A face can be rendered from this many head slices, or this much coverage in millimetres. */
const FACE_MIN_SLICES = 20;
const FACE_MIN_SLICES_UNKNOWN_SPACING = 40;
const FACE_MIN_COVERAGE_MM = 60;

/** The largest compressed zip inside a zip that is inflated to be checked. */
const NESTED_ZIP_MAX_BYTES = 512 * 1024 * 1024;

interface ScannedDicom {
  report: FileReport;
  facts: DicomFacts;
  /** Opens the DICOM file's bytes again (its picture is read after every header). */
  open: () => ByteSource;
  /** Index of the top-level input it is, or is inside of. */
  input: number;
  nested: boolean;
}

interface Scanned {
  report: FileReport;
  /** DICOM facts of this file and of the DICOM files inside it, for the upload-level checks. */
  facts: ScannedDicom[];
  /** Closes the file once its pictures were read (a deferred input kept open for them). */
  close?: () => Promise<void>;
}

/** Where a file being scanned came from: which top-level input, and how to open its bytes again. */
interface Origin {
  input: number;
  open: () => ByteSource;
  /** Inside another file (a zip entry, a gzip file, a NIfTI extension). */
  nested: boolean;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : typeof e === 'string' ? e : 'unknown error';
}

function unreadable(path: string, format: FileFormat, size: number, bytesRead: number, reason: string, findings: Finding[] = []): FileReport {
  return { path, format, verdict: 'unreadable', reason, findings, bytesRead, size };
}

function pictureFindings(facts: DicomFacts): Finding[] {
  const out: Finding[] = [];
  if (facts.hasPixelData) {
    const screen = /SCREEN|SAVE/.test(facts.imageType ?? '');
    const risky =
      BURNED_IN_MODALITIES.has(facts.modality ?? '') || (facts.sopClassUid ?? '').startsWith(SECONDARY_CAPTURE) || screen;
    if (facts.burnedInAnnotation === 'YES') {
      out.push({
        tag: '00280301', keyword: 'BurnedInAnnotation', category: 'picture-content', severity: 'medium', sequence: [],
        private: false, value: 'YES', note: 'the picture itself shows identifying text',
      });
    } else if (facts.burnedInAnnotation === undefined && risky) {
      out.push({
        tag: '00280301', keyword: 'BurnedInAnnotation', category: 'picture-content', severity: 'medium', sequence: [],
        private: false, note: `the picture itself may show identifying text (${screen ? 'a screen capture' : `modality ${facts.modality ?? 'secondary capture'}`}, and the file does not say it has none)`,
      });
    }
  }
  if (facts.recognizableVisualFeatures === 'YES') {
    out.push({
      tag: '00280302', keyword: 'RecognizableVisualFeatures', category: 'face', severity: 'medium', sequence: [],
      private: false, value: 'YES', note: 'the file says the picture shows recognisable features such as a face',
    });
  }
  return out;
}

async function scanDicom(path: string, source: ByteSource & { bytesRead: number }, sniffed: Extract<Sniffed, { kind: 'dicom' }>, opts: ScanOptions, origin: Origin): Promise<Scanned> {
  let header;
  try {
    header = await readDicomHeader(source, sniffed, opts.header ?? DEFAULT_HEADER_LIMITS);
  } catch (e) {
    const reason = e instanceof DicomReadError ? e.message : `its header could not be read (${messageOf(e)})`;
    return { report: unreadable(path, 'dicom', source.size, source.bytesRead, reason), facts: [] };
  }
  const inspection = inspectDataSet(header.dataSet, header.meta, header.trailer);
  const findings = [...inspection.findings, ...pictureFindings(inspection.facts)];
  const format: FileFormat = inspection.facts.isDicomdir ? 'dicomdir' : 'dicom';
  const identity = identityOf(inspection.facts);
  const report: FileReport = header.complete
    ? { path, format, verdict: verdictFor(findings), findings, bytesRead: source.bytesRead, size: source.size, identity }
    : { ...unreadable(path, format, source.size, source.bytesRead, header.problem ?? 'its header could not be read', findings), identity };
  const facts = inspection.facts;
  if (facts.hasPixelData && !facts.isDicomdir) report.pixels = { frames: facts.numberOfFrames ?? 1, rows: facts.rows ?? 0, columns: facts.columns ?? 0 };
  return { report, facts: [{ report, facts, ...origin }] };
}

function identityOf(facts: DicomFacts): FileReport['identity'] {
  return {
    patientKeys: [...new Set(facts.patientKeys)],
    studyUids: [...new Set(facts.studyUids)],
    seriesUids: [...new Set(facts.seriesUids)],
    ...(facts.modality ? { modality: facts.modality } : {}),
  };
}

async function scanNiftiFile(path: string, source: ByteSource & { bytesRead: number }, opts: ScanOptions, origin: Origin): Promise<Scanned> {
  let nifti;
  try {
    nifti = await readNifti(source);
  } catch (e) {
    return { report: unreadable(path, 'nifti', source.size, source.bytesRead, `its NIfTI header could not be read (${messageOf(e)})`), facts: [] };
  }
  const findings: Finding[] = [];
  const texts: TextValue[] = [];
  const facts: Scanned['facts'] = [];
  let complete = true;
  for (const t of nifti.texts) {
    const tag = `nifti:${t.field}`;
    findings.push({ tag, keyword: t.field, category: 'free-text', severity: 'medium', sequence: [], private: false, value: t.value });
    texts.push({ tag, keyword: t.field, vr: 'LT', sequence: [], private: false, value: t.value, finding: findings.length - 1 });
  }
  for (const ext of nifti.extensions) {
    const tag = `nifti:extension:${ext.code}`;
    if (ext.code === 2) {
      const inner = await scanDicomBytes(`${path}#extension`, ext.data, opts, origin.input);
      for (const f of inner.report.findings) findings.push({ ...f, note: f.note ? `${f.note}; in the NIfTI DICOM extension` : 'in the NIfTI DICOM extension' });
      if (inner.report.verdict === 'unreadable' || inner.report.format === 'other') complete = false;
      facts.push(...inner.facts);
      continue;
    }
    const text = new TextDecoder('utf-8', { fatal: false }).decode(ext.data).replace(/\0+$/, '');
    const printable = text.length > 0 && !/[\u0000-\u0008\u000e-\u001f\ufffd]/.test(text);
    if (printable) {
      findings.push({ tag, keyword: `extension${ext.code}`, category: 'free-text', severity: 'medium', sequence: [], private: false, value: text.length > 1024 ? `${text.slice(0, 1024)}…` : text });
      texts.push({ tag, keyword: `extension${ext.code}`, vr: 'LT', sequence: [], private: false, value: text, finding: findings.length - 1 });
    } else {
      findings.push({ tag, keyword: `extension${ext.code}`, category: 'other', severity: 'low', sequence: [], private: false, note: `${ext.data.length} bytes of binary extension data` });
    }
  }
  findRepeats(findings, texts);
  const report: FileReport = complete
    ? { path, format: 'nifti', verdict: verdictFor(findings), findings, bytesRead: source.bytesRead, size: source.size }
    : unreadable(path, 'nifti', source.size, source.bytesRead, 'its DICOM header extension could not be read', findings);
  const identity = facts[0] ? identityOf(facts[0].facts) : undefined;
  if (identity) report.identity = identity;
  return { report, facts };
}

async function scanDicomBytes(path: string, bytes: Uint8Array, opts: ScanOptions, input: number): Promise<Scanned> {
  const source = countingSource(bytesSource(bytes));
  const sniffed = sniff(bytes.subarray(0, SNIFF_BYTES), bytes.length);
  if (sniffed.kind !== 'dicom') {
    return { report: unreadable(path, 'other', bytes.length, 0, 'the embedded DICOM header is not a DICOM dataset'), facts: [] };
  }
  return scanDicom(path, source, sniffed, opts, { input, open: () => bytesSource(bytes), nested: true });
}

async function scanZipFile(path: string, source: ByteSource & { bytesRead: number }, depth: number, opts: ScanOptions, origin: Origin): Promise<Scanned> {
  const limits = { ...DEFAULT_ZIP_LIMITS, ...opts.zip };
  if (depth > limits.maxDepth) {
    return { report: unreadable(path, 'zip', source.size, source.bytesRead, `zip files are nested more than ${limits.maxDepth} deep`), facts: [] };
  }
  let archive;
  try {
    archive = await readZip(source, limits);
  } catch (e) {
    return { report: unreadable(path, 'zip', source.size, source.bytesRead, `the zip file could not be read (${messageOf(e)})`), facts: [] };
  }
  const entries: FileReport[] = [];
  const facts: Scanned['facts'] = [];
  for (const entry of archive.entries) {
    if (entry.isDirectory) continue;
    const entryPath = `${path}!${entry.path}`;
    let inner: Scanned;
    try {
      const opened = entry.open();
      // A compressed zip inside a zip must be inflated whole to reach its directory: bound that.
      if (entry.method !== 0 && entry.size > (opts.nestedZipMaxBytes ?? NESTED_ZIP_MAX_BYTES) && looksLikeZip(await opened.read(0, 4))) {
        entries.push(unreadable(entryPath, 'zip', entry.size, 0, `it is a compressed zip of ${Math.round(entry.size / 1e6)} MB inside the zip, too large to check`));
        continue;
      }
      inner = await scanAny(entryPath, opened, depth + 1, opts, { input: origin.input, open: () => entry.open(), nested: true });
    } catch (e) {
      inner = { report: unreadable(entryPath, 'other', entry.size, 0, `this entry could not be opened (${messageOf(e)})`), facts: [] };
    }
    entries.push(inner.report);
    facts.push(...inner.facts);
  }
  const findings: Finding[] = [];
  if (archive.comment.trim()) {
    findings.push({ tag: 'zip:comment', keyword: 'comment', category: 'free-text', severity: 'low', sequence: [], private: false, value: archive.comment.trim() });
  }
  const unreadableCount = entries.filter((e) => e.verdict === 'unreadable').length;
  const report: FileReport = {
    path, format: 'zip',
    verdict: unreadableCount > 0 ? 'unreadable'
      : entries.some((e) => e.verdict === 'identifying') ? 'identifying'
      : entries.some((e) => e.verdict === 'clean') ? 'clean' : 'not-medical',
    ...(unreadableCount > 0 ? { reason: `${unreadableCount} of its ${entries.length} files could not be checked` } : {}),
    findings, bytesRead: source.bytesRead, size: source.size, entries,
  };
  return { report, facts };
}

async function scanGzip(path: string, source: ByteSource & { bytesRead: number }, depth: number, opts: ScanOptions, origin: Origin): Promise<Scanned> {
  const maxHeader = (opts.header ?? DEFAULT_HEADER_LIMITS).maxHeaderBytes;
  const sizeHint = await gzipSizeHint(source);
  const inflated = countingSource(inflatedSource(source, { format: 'gzip', maxOutput: maxHeader, ...(sizeHint !== undefined ? { sizeHint } : {}) }));
  let head: Uint8Array;
  try {
    head = await inflated.read(0, SNIFF_BYTES);
  } catch (e) {
    return { report: unreadable(path, 'other', source.size, source.bytesRead, `the compressed file could not be opened (${messageOf(e)})`), facts: [] };
  }
  const inner = sniff(head, inflated.size);
  // NIfTI reads its own gzip stream, so it gets the compressed bytes.
  if (inner.kind === 'nifti') return scanNiftiFile(path, source, opts, origin);
  if (inner.kind === 'dicom' || inner.kind === 'zip') {
    try {
      // Its picture, read later, needs the whole stream: reopened without the header's limit.
      const reopen = (): ByteSource => inflatedSource(origin.open(), { format: 'gzip', maxOutput: MAX_GUNZIPPED_PICTURE_BYTES });
      const scanned = await scanAny(path, inflated, depth + 1, opts, { input: origin.input, open: reopen, nested: true });
      return withPath(scanned, path, source);
    } catch (e) {
      return { report: unreadable(path, 'other', source.size, source.bytesRead, `the compressed file could not be read (${messageOf(e)})`), facts: [] };
    }
  }
  return { report: { path, format: 'other', verdict: 'not-medical', findings: [], bytesRead: source.bytesRead, size: source.size }, facts: [] };
}

function withPath(scanned: Scanned, path: string, source: ByteSource & { bytesRead: number }): Scanned {
  scanned.report.path = path;
  scanned.report.size = source.size;
  scanned.report.bytesRead = source.bytesRead;
  return scanned;
}

async function scanDocument(path: string, source: ByteSource & { bytesRead: number }, kind: 'image' | 'pdf', opts: ScanOptions, origin: Origin): Promise<Scanned> {
  const reading = opts.documents;
  if (!reading) return { report: { path, format: kind, verdict: 'not-medical', findings: [], bytesRead: source.bytesRead, size: source.size }, facts: [] };
  let checked: DocumentReport;
  try {
    checked = await reading.read({ input: origin.input, path, source: origin.open(), nested: origin.nested, kind });
  } catch (e) {
    return { report: unreadable(path, kind, source.size, source.bytesRead, `it could not be checked (${messageOf(e)})`), facts: [] };
  }
  const report: FileReport = {
    path,
    format: checked.format,
    verdict: checked.verdict,
    ...(checked.reason !== undefined ? { reason: checked.reason } : {}),
    findings: checked.findings,
    // The whole file was read by the checker.
    bytesRead: source.size,
    size: source.size,
    document: checked.document,
    ...(checked.picture ? { picture: checked.picture } : {}),
  };
  return { report, facts: [] };
}

async function scanAny(path: string, raw: ByteSource, depth: number, opts: ScanOptions, origin: Origin): Promise<Scanned> {
  const source = countingSource(raw);
  if (source.size === 0) {
    return { report: { path, format: 'other', verdict: 'not-medical', findings: [], bytesRead: 0, size: 0 }, facts: [] };
  }
  const head = await source.read(0, SNIFF_BYTES);
  const sniffed = sniff(head, source.size);
  switch (sniffed.kind) {
    case 'dicom':
      return scanDicom(path, source, sniffed, opts, origin);
    case 'zip':
      return scanZipFile(path, source, depth, opts, origin);
    case 'gzip':
      return scanGzip(path, source, depth, opts, origin);
    case 'nifti':
      return scanNiftiFile(path, source, opts, origin);
    case 'image':
    case 'pdf':
      return scanDocument(path, source, sniffed.kind, opts, origin);
    default:
      return { report: { path, format: 'other', verdict: 'not-medical', findings: [], bytesRead: source.bytesRead, size: source.size }, facts: [] };
  }
}

/** Scans one file. Never throws: a failure becomes an `unreadable` report. */
export async function scanFile(input: ScanInput, opts: ScanOptions = {}): Promise<FileReport> {
  const report = await scanOne(input, 0, opts);
  addFaceFindings(report.facts);
  if (opts.pictures) await readPictures(report.facts, opts.pictures);
  recomputeContainer(report.report);
  return report.report;
}

/** Whether a scanned file holds a picture whose text is to be read. */
function hasPicture(scanned: Scanned): boolean {
  return scanned.facts.some((f) => f.facts.hasPixelData && !f.facts.isDicomdir);
}

async function scanOne(input: ScanInput | DeferredScanInput, index: number, opts: ScanOptions): Promise<Scanned> {
  if ('open' in input) {
    let opened: Awaited<ReturnType<DeferredScanInput['open']>>;
    try {
      opened = await input.open();
    } catch (e) {
      opened = { error: `it could not be opened (${messageOf(e)})` };
    }
    if ('error' in opened) return { report: unreadable(input.path, 'other', 0, 0, opened.error), facts: [] };
    let scanned: Scanned | undefined;
    try {
      scanned = await scanOne({ path: input.path, source: opened.source }, index, opts);
      // A picture inside it (a zip entry) is read after every header: the file stays open until then.
      if (opts.pictures && opened.close && scanned.facts.some((f) => f.nested && f.facts.hasPixelData)) {
        scanned.close = opened.close;
        return scanned;
      }
      return scanned;
    } finally {
      if (!scanned?.close) await opened.close?.().catch(() => undefined);
    }
  }
  try {
    return await scanAny(input.path, input.source, 0, opts, { input: index, open: () => input.source, nested: false });
  } catch (e) {
    return { report: unreadable(input.path, 'other', input.source.size, 0, `it could not be read (${messageOf(e)})`), facts: [] };
  }
}

function isHeadCrossSection(f: DicomFacts): boolean {
  if (f.modality !== 'CT' && f.modality !== 'MR') return false;
  return HEAD.test([f.bodyPart ?? '', ...f.descriptions].join(' ').toUpperCase());
}

/** Adds "a face could be rebuilt" to every file of a head CT or MR series with enough slices. */
function addFaceFindings(all: Scanned['facts']): void {
  const bySeries = new Map<string, Array<{ report: FileReport; facts: DicomFacts }>>();
  for (const item of all) {
    if (!isHeadCrossSection(item.facts)) continue;
    const key = item.facts.seriesUids[0] ?? `file:${item.report.path}`;
    const list = bySeries.get(key) ?? [];
    list.push(item);
    bySeries.set(key, list);
  }
  for (const list of bySeries.values()) {
    const frames = list.reduce((n, i) => n + (i.facts.numberOfFrames ?? 1), 0);
    const thickness = list[0]!.facts.sliceThickness;
    const enough = thickness !== undefined
      ? frames >= FACE_MIN_SLICES && frames * thickness >= FACE_MIN_COVERAGE_MM
      : frames >= FACE_MIN_SLICES_UNKNOWN_SPACING;
    if (!enough) continue;
    for (const { report } of list) {
      if (report.findings.some((f) => f.category === 'face' && f.keyword === 'RecognizableFace')) continue;
      report.findings.push({
        tag: '00180015', keyword: 'RecognizableFace', category: 'face', severity: 'medium', sequence: [], private: false,
        value: `${frames} slices of the head`, note: 'a face could be rebuilt from this series',
      });
      if (report.verdict === 'clean') report.verdict = 'identifying';
    }
  }
}

function flatten(reports: readonly FileReport[]): FileReport[] {
  return reports.flatMap((r) => [r, ...flatten(r.entries ?? [])]);
}

/** Counts files, verdicts, patients, studies and series report by report (zip entries included). */
export function summaryCounter(): { add(report: FileReport): void; readonly summary: UploadSummary } {
  const patients = new Set<string>();
  const studies = new Set<string>();
  const series = new Set<string>();
  const counts = { files: 0, identifying: 0, clean: 0, unreadable: 0, notMedical: 0 };
  return {
    add(report) {
      for (const r of flatten([report])) {
        for (const p of r.identity?.patientKeys ?? []) patients.add(p);
        for (const s of r.identity?.studyUids ?? []) studies.add(s);
        for (const s of r.identity?.seriesUids ?? []) series.add(s);
        if (r.entries) continue;
        counts.files++;
        if (r.verdict === 'not-medical') counts.notMedical++;
        else counts[r.verdict]++;
      }
    },
    get summary() {
      return { ...counts, patients: patients.size, studies: studies.size, series: series.size };
    },
  };
}

/** Counts files, verdicts, patients, studies and series across an upload (zip entries included). */
export function summarize(reports: readonly FileReport[]): UploadSummary {
  const counter = summaryCounter();
  for (const r of reports) counter.add(r);
  return counter.summary;
}

function recomputeContainer(report: FileReport): void {
  if (!report.entries) return;
  report.entries.forEach(recomputeContainer);
  if (report.verdict === 'clean' && report.entries.some((e) => e.verdict === 'identifying')) report.verdict = 'identifying';
}

/** The largest gzip-compressed DICOM file inflated for its picture to be read. */
const MAX_GUNZIPPED_PICTURE_BYTES = 1024 * 1024 * 1024;

function isHeaderPictureNote(f: Finding): boolean {
  return f.category === 'picture-content' && f.tag === '00280301';
}

/** Puts what was read in a picture into its report, in place of what the header said of it. */
function applyPictureText(report: FileReport, text: PictureText, sample?: string): void {
  const found = pictureTextFindings(text);
  const kept = report.findings.filter((f) => !isHeaderPictureNote(f));
  if (sample !== undefined) {
    for (const f of found) f.note = `${f.note ?? 'text drawn into the picture'}; read in ${sample}, a picture of the same series`;
  }
  if (!text.complete && text.framesRead.length === 0) {
    // Nothing could be read: what the header said stays, with the reason.
    report.findings = [...report.findings, notCheckedFinding(text.problem ?? 'its picture could not be decoded')];
    report.picture = { status: 'not-read', reason: text.problem ?? 'its picture could not be decoded' };
  } else {
    report.findings = [...kept, ...found, ...(text.complete ? [] : [notCheckedFinding(text.problem ?? 'not every frame could be looked at')])];
    report.picture = sample !== undefined ? { status: 'series-sample', sample, frames: text.frameCount } : pictureCheckOf(text);
    const marks = pictureMarks(text);
    if (marks.length > 0) report.picture.marks = marks;
  }
  if (report.verdict !== 'unreadable') report.verdict = verdictFor(report.findings);
}

function pictureFailed(report: FileReport, reason: string): void {
  report.findings = [...report.findings, notCheckedFinding(reason)];
  report.picture = { status: 'not-read', reason };
  if (report.verdict !== 'unreadable') report.verdict = verdictFor(report.findings);
}

/** Reads the text in the pictures of an upload: a sample of each series (choosePictures), each file alone otherwise. */
async function readPictures(all: readonly ScannedDicom[], reading: PictureReading): Promise<void> {
  const pictures = all.filter((d) => d.facts.hasPixelData && !d.facts.isDicomdir && d.report.verdict !== 'unreadable');
  const candidates: PictureCandidate[] = pictures.map((d) => ({
    ...(d.facts.seriesUids[0] !== undefined ? { series: d.facts.seriesUids[0] } : {}),
    pixels: (d.facts.rows ?? 0) * (d.facts.columns ?? 0) * (d.facts.numberOfFrames ?? 1),
    bytes: d.report.size,
    ...(d.facts.imageType !== undefined ? { imageType: d.facts.imageType } : {}),
    ...(d.facts.sopClassUid !== undefined ? { sopClass: d.facts.sopClassUid } : {}),
    ...(d.facts.instanceNumber !== undefined ? { instanceNumber: d.facts.instanceNumber } : {}),
  }));
  const { read, standIns } = choosePictures(candidates);
  const results = new Map<number, PictureText | Error>();
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < read.length) {
      const index = read[next++]!;
      const d = pictures[index]!;
      try {
        results.set(index, await reading.read({ input: d.input, path: d.report.path, source: d.open(), nested: d.nested, terms: pictureTerms(d.report.findings) }));
      } catch (e) {
        results.set(index, e instanceof Error ? e : new Error(messageOf(e)));
      }
      reading.onProgress?.(++done, read.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(reading.concurrency ?? 1, read.length)) }, worker));
  pictures.forEach((d, index) => {
    const own = results.get(index);
    if (own instanceof Error) return pictureFailed(d.report, own.message);
    if (own) return applyPictureText(d.report, own);
    const standIn = standIns.get(index);
    const sample = standIn !== undefined ? results.get(standIn) : undefined;
    if (sample === undefined || sample instanceof Error) {
      return pictureFailed(d.report, 'the picture read in its place could not be read');
    }
    applyPictureText(d.report, sample, pictures[standIn!]!.report.path);
  });
}

/** A file whose source is opened only when the scan gets to it, so a folder of thousands is never all open at once. */
export interface DeferredScanInput {
  path: string;
  /** Opens the file, or says in plain words why it cannot be opened (the file is then unreadable). */
  open(): Promise<{ source: ByteSource; close?: () => Promise<void> } | { error: string }>;
}

export interface ScanStreamOptions extends ScanOptions {
  /**
   * Each top-level file's report with its place among the inputs, as soon as nothing can change it: in input
   * order, except the files of head CT and MR series, which come last (whether a face could be rebuilt, and
   * from how many slices, is known only once the whole series was read).
   */
  onReport: (report: FileReport, index: number) => void;
}

/**
 * Scans an upload and hands over each file's report as soon as it is final, keeping only the reports that
 * wait (head series, and files finished before an earlier one); returns the counts. Files are read
 * `concurrency` at a time; deferred inputs are opened only then.
 */
export async function scanStream(inputs: readonly (ScanInput | DeferredScanInput)[], opts: ScanStreamOptions): Promise<UploadSummary> {
  const counter = summaryCounter();
  const emit = (index: number, scanned: Scanned): void => {
    recomputeContainer(scanned.report);
    counter.add(scanned.report);
    opts.onReport(scanned.report, index);
  };
  // Finished before an earlier file, by input index.
  const early = new Map<number, Scanned>();
  // Files that wait for the whole upload, with their input index: head series (for the face check) and, when
  // pictures are read, every file with a picture (a sample of each series stands for the rest).
  const waiting: Array<{ index: number; scanned: Scanned }> = [];
  let emitted = 0;
  let next = 0;
  let done = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 4, inputs.length)) }, async () => {
    while (next < inputs.length) {
      const i = next++;
      early.set(i, await scanOne(inputs[i]!, i, opts));
      done++;
      opts.onProgress?.(done, inputs.length);
      for (let scanned = early.get(emitted); scanned; scanned = early.get(emitted)) {
        early.delete(emitted);
        if (scanned.facts.some((f) => isHeadCrossSection(f.facts)) || (opts.pictures && hasPicture(scanned))) waiting.push({ index: emitted, scanned });
        else emit(emitted, scanned);
        emitted++;
      }
    }
  });
  await Promise.all(workers);
  const facts = waiting.flatMap((w) => w.scanned.facts);
  addFaceFindings(facts);
  if (opts.pictures) {
    try {
      await readPictures(facts, opts.pictures);
    } finally {
      await Promise.all(waiting.map((w) => w.scanned.close?.().catch(() => undefined)));
    }
  }
  waiting.sort((a, b) => a.index - b.index);
  for (const { index, scanned } of waiting) emit(index, scanned);
  return counter.summary;
}

/** Scans an upload: every file, then the checks that need all of them (series-level face risk), then counts. */
export async function scanFiles(inputs: readonly (ScanInput | DeferredScanInput)[], opts: ScanOptions = {}): Promise<ScanReport> {
  const files: FileReport[] = new Array(inputs.length);
  const summary = await scanStream(inputs, { ...opts, onReport: (report, index) => { files[index] = report; } });
  return { files, summary };
}
