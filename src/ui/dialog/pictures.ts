// The dialog's side of reading the text in pictures: the engine's picture reading done by the page's text
// worker (a file of the upload is handed over as it is, a zip entry as its bytes), which files have a
// picture, and the keys the person's choices about regions are kept under.

import type { DocumentReading, PictureReading } from '../../core/scan';
import type { FileReport, Finding, FindingRegion, ScanReport } from '../../core/report';
import { verdictFor } from '../../core/report';
import type { TextReader } from '../text/client';

/** The engine's picture reading, done by the text worker. */
export function workerPictureReading(files: readonly File[], reader: TextReader, onProgress?: (done: number, total: number) => void): PictureReading {
  return {
    ...(onProgress ? { onProgress } : {}),
    async read(request) {
      const file = request.nested ? undefined : files[request.input];
      const blob = file ?? new Blob([(await request.source.read(0, request.source.size)) as Uint8Array<ArrayBuffer>]);
      return reader.readDicom(blob, request.terms);
    },
  };
}

/**
 * The engine's check of pictures and PDFs that are not DICOM, done by the text worker. A file of the upload
 * is handed over as it is; with `fromSource`, always the bytes the scan reads (the check of a copy).
 */
export function workerDocumentReading(files: readonly File[], reader: TextReader, fromSource = false): DocumentReading {
  return {
    async read(request) {
      const file = request.nested || fromSource ? undefined : files[request.input];
      const blob = file ?? new Blob([(await request.source.read(0, request.source.size)) as Uint8Array<ArrayBuffer>]);
      return reader.checkDocument(blob);
    },
  };
}

function leaves(reports: readonly FileReport[]): FileReport[] {
  return reports.flatMap((r) => (r.entries ? leaves(r.entries) : [r]));
}

/** Whether any file of the upload (zip entries included) has a picture whose text can be read. */
export function hasPictures(report: ScanReport): boolean {
  return leaves(report.files).some((r) => r.pixels !== undefined && r.verdict !== 'unreadable');
}

/** Whether any file of the upload (zip entries included) is a picture or PDF that is not DICOM. */
export function hasDocuments(report: ScanReport): boolean {
  return leaves(report.files).some((r) => r.format === 'image' || r.format === 'pdf');
}

/** The key of a text region of a file, under which the person's choice to leave it visible is kept. */
export function regionKey(path: string, region: FindingRegion): string {
  return `${path}\u0000${region.page !== undefined ? `p${region.page}:` : ''}${region.x},${region.y},${region.width},${region.height}`;
}

/**
 * Whether the person may leave a line of text visible: only when it repeats none of the patient's details and
 * does not look like a name, a date, an ID or a phone number (high): a screenshot or photo has no header to
 * compare with, so its name line may repeat nothing and still be the patient's.
 */
export function mayStayVisible(finding: Finding): boolean {
  return (finding.text?.repeats.length ?? 0) === 0 && finding.severity !== 'high';
}

/** The bytes of a zip entry of an upload's file (`dir/IM1`; one level of zip only). */
export async function zipEntryBlob(file: Blob, entryPath: string, open: typeof import('../../core/zip/zip').readZip, source: typeof import('../../core/source').blobSource): Promise<Blob> {
  if (entryPath.includes('!')) throw new Error('it is inside a zip inside the zip');
  const archive = await open(source(file));
  const entry = archive.entries.find((e) => e.path === entryPath && !e.isDirectory);
  if (!entry) throw new Error('the entry is no longer in the zip');
  const opened = entry.open();
  return new Blob([(await opened.read(0, opened.size)) as Uint8Array<ArrayBuffer>]);
}

/** Whether a finding only guesses from the header that a picture may show text (the picture will be read). */
function headerGuess(f: Finding): boolean {
  return f.category === 'picture-content' && f.tag === '00280301' && f.value === undefined;
}

/**
 * The report as it will stand before the pictures are read, without the header's guesses that a picture
 * "may show text" (the reading replaces them): the dialog asks at once only for what is known already.
 */
export function withoutPictureGuesses(report: ScanReport): ScanReport {
  const strip = (r: FileReport): FileReport => {
    if (r.entries) {
      const entries = r.entries.map(strip);
      const verdict = r.verdict === 'identifying' && !entries.some((e) => e.verdict === 'identifying')
        ? entries.some((e) => e.verdict === 'clean') ? 'clean' : r.verdict
        : r.verdict;
      return { ...r, entries, verdict };
    }
    if (r.pixels === undefined || r.verdict !== 'identifying' || !r.findings.some(headerGuess)) return r;
    const findings = r.findings.filter((f) => !headerGuess(f));
    return { ...r, findings, verdict: verdictFor(findings) };
  };
  return { ...report, files: report.files.map(strip) };
}
