// What the dialog's pictures section lists: every file or zip entry with text read in its picture (numbered
// regions, the frames to show, which regions the person may leave visible), pictures whose text could not
// be checked, nothing for pictures read without text; and how a zip entry's bytes are found for a preview.

import { describe, expect, it } from 'vitest';
import { zipSync } from 'fflate';
import { picturesForPanel } from '../../src/ui/dialog/picture-panel';
import { hasDocuments, hasPictures, mayStayVisible, regionKey, withoutPictureGuesses, zipEntryBlob } from '../../src/ui/dialog/pictures';
import { readZip } from '../../src/core/zip/zip';
import { blobSource } from '../../src/core/source';
import type { FileReport, Finding, ScanReport } from '../../src/core/report';

function line(value: string, frame: number, x: number, repeats: string[] = []): Finding {
  return {
    tag: '7FE00010', keyword: 'PixelData', category: 'picture-content', severity: repeats.length ? 'high' : 'medium', sequence: [], private: false,
    value, region: { frame, x, y: 10, width: 50, height: 12 }, text: { repeats: repeats as never, looksLike: [] },
  };
}

function file(path: string, findings: Finding[], extra: Partial<FileReport> = {}): FileReport {
  return { path, format: 'dicom', verdict: 'identifying', findings, bytesRead: 0, size: 0, pixels: { frames: 4, rows: 64, columns: 64 }, ...extra };
}

const summary = { files: 0, identifying: 0, clean: 0, unreadable: 0, notMedical: 0, patients: 0, studies: 0, series: 0 };

describe('picturesForPanel', () => {
  it('lists pictures with text, numbered, frames with text first, in upload order', () => {
    const report: ScanReport = {
      files: [
        file('none.dcm', []),
        file('us.dcm', [line('DOE JANE', 3, 5, ['name']), line('PORTABLE', 1, 80), line('GAIN 60', 3, 140)]),
      ],
      summary,
    };
    const [picture, ...rest] = picturesForPanel(report);
    expect(rest).toEqual([]);
    expect(picture).toMatchObject({ path: 'us.dcm', input: 1, frames: [1, 3] });
    expect(picture!.entry).toBeUndefined();
    expect(picture!.notChecked).toBeUndefined();
    expect(picture!.regions.map((r) => [r.number, r.finding.value, r.optional])).toEqual([[1, 'DOE JANE', false], [2, 'PORTABLE', true], [3, 'GAIN 60', true]]);
    expect(picture!.regions[0]!.key).toBe(regionKey('us.dcm', { frame: 3, x: 5, y: 10, width: 50, height: 12 }));
  });

  it('shows at most three frames, and pictures inside a zip as entries of their file', () => {
    const lines = [1, 2, 3, 4].map((f) => line(`T${f}`, f, f));
    const zip: FileReport = { ...file('upload.zip', []), format: 'zip', entries: [file('upload.zip!study/IM1', lines)] };
    const [picture] = picturesForPanel({ files: [zip], summary });
    expect(picture).toMatchObject({ path: 'upload.zip!study/IM1', input: 0, entry: 'study/IM1', frames: [1, 2, 3] });
  });

  it('lists a picture whose text could not be checked, with the first frame, and says so', () => {
    const notChecked: Finding = { tag: '7FE00010', keyword: 'PixelData', category: 'picture-content', severity: 'medium', sequence: [], private: false, note: 'could not be checked (no codec)' };
    const [picture] = picturesForPanel({ files: [file('jxl.dcm', [notChecked])], summary });
    expect(picture).toMatchObject({ path: 'jxl.dcm', frames: [1], regions: [], notChecked: 'could not be checked (no codec)' });
  });

  it('keeps a picture the header says may show text when it was not read at all', () => {
    const header: Finding = { tag: '00280301', keyword: 'BurnedInAnnotation', category: 'picture-content', severity: 'medium', sequence: [], private: false, note: 'may show text' };
    const [picture] = picturesForPanel({ files: [file('sc.dcm', [header])], summary });
    expect(picture).toMatchObject({ path: 'sc.dcm', regions: [], notChecked: 'may show text' });
  });
});

describe('photos, screenshots and PDFs in the panel', () => {
  const doc = (path: string, kind: 'image' | 'pdf', findings: Finding[], extra: Partial<FileReport> = {}): FileReport => ({
    path, format: kind, verdict: findings.length ? 'identifying' : 'not-medical', findings, bytesRead: 0, size: 0,
    document: { kind, looksMedical: true, pictureText: kind === 'pdf' ? 'none' : 'read' }, ...extra,
  });
  const gps: Finding = { tag: 'exif:GPSLatitude', keyword: 'GPSPosition', category: 'location', severity: 'high', sequence: [], private: false, value: '51.5, -0.1' };
  const pdfLine = (value: string, page: number, repeats: string[] = [], y = 60, severity: Finding['severity'] = 'high'): Finding => ({
    tag: 'pdf:text', keyword: 'PageText', category: 'name', severity, sequence: [], private: false,
    value, region: { page, x: 40, y, width: 200, height: 14 }, text: { repeats: repeats as never, looksLike: [] },
  });

  it('a screenshot shows its regions like a DICOM picture; a photo with only metadata is shown without any', () => {
    const shot = { ...line('DOE JANE', 1, 5, ['name']) };
    const [screenshot, photo] = picturesForPanel({ files: [doc('shot.png', 'image', [shot]), doc('photo.jpg', 'image', [gps]), doc('plain.jpg', 'image', [])], summary });
    expect(screenshot).toMatchObject({ path: 'shot.png', kind: 'image', frames: [1] });
    expect(screenshot!.regions).toHaveLength(1);
    expect(photo).toMatchObject({ path: 'photo.jpg', kind: 'image', frames: [1], regions: [] });
    expect(photo!.notChecked).toBeUndefined();
  });

  it('a PDF lists the pages with identifying lines; the same place on two pages are two regions', () => {
    const [pdf] = picturesForPanel({ files: [doc('report.pdf', 'pdf', [pdfLine('Patient: DOE JANE', 2, ['name']), pdfLine('Clinic opening hours', 1, [], 90, 'medium'), pdfLine('Patient: DOE JANE', 1, ['name'])])], summary });
    expect(pdf).toMatchObject({ kind: 'pdf', frames: [1, 2] });
    const keys = pdf!.regions.map((r) => r.key);
    expect(new Set(keys).size).toBe(3);
    expect(pdf!.regions.map((r) => r.optional)).toEqual([false, true, false]);
  });

  it('a picture or PDF that could not be checked is shown with the reason', () => {
    const [heic] = picturesForPanel({ files: [doc('photo.heic', 'image', [], { verdict: 'unreadable', reason: 'this browser cannot decode HEIC pictures' })], summary });
    expect(heic).toMatchObject({ kind: 'image', notChecked: 'this browser cannot decode HEIC pictures' });
  });

  it('a line that looks like a name, date or ID is always masked even when there is no header to repeat', () => {
    const looks = { ...line('KOWALCZYK, MARTA', 1, 5), severity: 'high' as const };
    expect(mayStayVisible(looks)).toBe(false);
    expect(mayStayVisible(line('GAIN 60', 1, 5))).toBe(true);
    expect(mayStayVisible(line('DOE JANE', 1, 5, ['name']))).toBe(false);
  });

  it('knows which uploads hold pictures or PDFs that are not DICOM', () => {
    expect(hasDocuments({ files: [doc('a.jpg', 'image', [])], summary })).toBe(true);
    expect(hasDocuments({ files: [{ ...file('z.zip', [], { format: 'zip' }), entries: [doc('z.zip!r.pdf', 'pdf', [])] }], summary })).toBe(true);
    expect(hasDocuments({ files: [file('a.dcm', [])], summary })).toBe(false);
  });
});

describe('the dialog picture helpers', () => {
  it('knows which uploads have pictures to read (unreadable files and files without pixel data do not count)', () => {
    expect(hasPictures({ files: [file('a.dcm', [])], summary })).toBe(true);
    expect(hasPictures({ files: [file('a.dcm', [], { pixels: undefined })], summary })).toBe(false);
    expect(hasPictures({ files: [file('a.dcm', [], { verdict: 'unreadable' })], summary })).toBe(false);
    expect(hasPictures({ files: [{ ...file('z.zip', [], { pixels: undefined }), entries: [file('z.zip!IM1', [])] }], summary })).toBe(true);
  });

  it('waits for the reading instead of the header\'s guess that a picture may show text', () => {
    const guess: Finding = { tag: '00280301', keyword: 'BurnedInAnnotation', category: 'picture-content', severity: 'medium', sequence: [], private: false, note: 'may show text' };
    const says: Finding = { ...guess, value: 'YES' };
    const name: Finding = { tag: '00100010', keyword: 'PatientName', category: 'name', severity: 'high', sequence: [], private: false, value: 'DOE' };
    const stripped = withoutPictureGuesses({
      files: [
        file('sc.dcm', [guess]),
        file('yes.dcm', [says]),
        file('named.dcm', [guess, name]),
        file('no-picture.dcm', [guess], { pixels: undefined }),
        { ...file('z.zip', [], { pixels: undefined }), entries: [file('z.zip!IM1', [guess])] },
      ],
      summary,
    });
    expect(stripped.files.map((f) => [f.path, f.verdict, f.findings.length])).toEqual([
      ['sc.dcm', 'clean', 0],
      ['yes.dcm', 'identifying', 1],
      ['named.dcm', 'identifying', 1],
      ['no-picture.dcm', 'identifying', 1],
      ['z.zip', 'clean', 0],
    ]);
    expect(stripped.files[4]!.entries![0]!.verdict).toBe('clean');
  });

  it('lets only text that repeats none of the patient\'s details stay visible', () => {
    expect(mayStayVisible(line('PORTABLE', 1, 0))).toBe(true);
    expect(mayStayVisible(line('DOE', 1, 0, ['name']))).toBe(false);
  });

  it('takes a zip entry\'s bytes for a preview, and refuses one inside a nested zip', async () => {
    const zip = new Blob([zipSync({ 'study/IM1': new Uint8Array([1, 2, 3]) }) as Uint8Array<ArrayBuffer>]);
    const blob = await zipEntryBlob(zip, 'study/IM1', readZip, blobSource);
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
    await expect(zipEntryBlob(zip, 'inner.zip!IM1', readZip, blobSource)).rejects.toThrow(/inside the zip/);
    await expect(zipEntryBlob(zip, 'study/IM2', readZip, blobSource)).rejects.toThrow(/no longer/);
  });
});
