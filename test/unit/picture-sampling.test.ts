// Which pictures the scan reads and what it says when it cannot, with a stand-in reader (no text engine): a
// series has its first, middle and last usual slice read plus every slice that differs; the rest are covered
// by the nearest slice read; pictures inside zips and gzip files are read from their own bytes; a reader
// that fails leaves each picture "not checked" with the reason; and summarize counts the verdicts.

import { gzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { scanFiles, summarize, type PictureReading, type PictureRequest } from '../../src/core/scan';
import { bytesSource } from '../../src/core/source';
import { choosePictures, type PictureCandidate } from '../../src/core/text/picture-findings';
import type { PictureText, TextEngine } from '../../src/core/text/picture-text';
import { readDicomPictureText } from '../../src/core/text/dicom-picture';
import { pictureTerms, type PictureTerms } from '../../src/core/text/meaning';
import { drawPicture, pictureDicom } from '../fixtures/burned-in';
import { tag, type El } from '../fixtures/dicom-writer';

const SERIES = '1.2.826.0.1.3680043.10.1137.9.1';

/** A small CT-like slice of a series, without text; `columns` other than 64 makes it differ from the rest. */
function slice(instance: number, opts: { columns?: number; imageType?: string } = {}): Uint8Array {
  const picture = drawPicture({ rows: 64, columns: opts.columns ?? 64, photometric: 'MONOCHROME2', bitsAllocated: 8, background: 'flat', lines: [] });
  const extra: El[] = [
    { tag: tag(0x0008, 0x0008), vr: 'CS', value: opts.imageType ?? 'ORIGINAL\\PRIMARY\\AXIAL' },
    { tag: tag(0x0008, 0x0018), vr: 'UI', value: `1.2.826.0.1.3680043.10.1137.9.2.${instance}` },
    { tag: tag(0x0008, 0x0060), vr: 'CS', value: 'CT' },
    { tag: tag(0x0010, 0x0010), vr: 'PN', value: 'TESTPATIENT^SAMPLING' },
    { tag: tag(0x0020, 0x000e), vr: 'UI', value: SERIES },
    { tag: tag(0x0020, 0x0013), vr: 'IS', value: String(instance) },
  ];
  return pictureDicom(picture, 'explicit-le', extra);
}

/** A reader that finds no text and remembers what it was asked to read. */
function recordingReader(): PictureReading & { asked: PictureRequest[] } {
  const asked: PictureRequest[] = [];
  return {
    asked,
    async read(request) {
      asked.push(request);
      // The bytes handed over are a DICOM file of their own (a zip entry or gzip file inflated).
      const head = await request.source.read(128, 132);
      expect(new TextDecoder().decode(head)).toBe('DICM');
      const text: PictureText = { frameCount: 1, framesRead: [1], framesCompared: 0, regions: [], marks: [], complete: true };
      return text;
    },
  };
}

describe('choosePictures', () => {
  const usual = (i: number, extra: Partial<PictureCandidate> = {}): PictureCandidate => ({ series: 's', pixels: 4096, bytes: 5000, instanceNumber: i, ...extra });

  it('reads first, middle and last of the usual kind and every one that differs; the rest stand in by the nearest', () => {
    const candidates = [usual(1), usual(2), usual(3), usual(4), usual(5, { imageType: 'DERIVED\\SECONDARY' }), usual(6), usual(7), usual(8, { bytes: 20000 }), usual(9)];
    const { read, standIns } = choosePictures(candidates);
    expect(new Set(read)).toEqual(new Set([0, 3, 8, 4, 7]));
    expect(standIns.get(1)).toBe(0);
    expect(standIns.get(2)).toBe(3);
    expect(standIns.get(6)).toBe(8);
    expect([...standIns.keys()].every((i) => !read.includes(i))).toBe(true);
  });

  it('reads every picture of a short series and every picture without a series', () => {
    const { read, standIns } = choosePictures([usual(1), usual(2), usual(3), { pixels: 1, bytes: 1 }, { pixels: 1, bytes: 1 }]);
    expect(read.sort()).toEqual([0, 1, 2, 3, 4]);
    expect(standIns.size).toBe(0);
  });
});

describe('scanning a series with a picture reader', () => {
  it('reads a sample of a 12-slice series and the slice that differs; the others are covered by it', async () => {
    const files = Array.from({ length: 12 }, (_, i) => ({ path: `IM${i + 1}`, source: bytesSource(i === 6 ? slice(i + 1, { columns: 80 }) : slice(i + 1)) }));
    const reader = recordingReader();
    const progress: number[] = [];
    const { files: reports } = await scanFiles(files, { pictures: { ...reader, onProgress: (done) => progress.push(done) } });
    const read = reader.asked.map((r) => r.path).sort();
    expect(read).toContain('IM7');
    expect(read.length).toBeLessThan(12);
    expect(progress.at(-1)).toBe(read.length);
    const statuses = new Set(reports.map((r) => r.picture?.status));
    expect(statuses).toEqual(new Set(['read', 'series-sample']));
    expect(reports.every((r) => !r.findings.some((f) => f.tag === '7FE00010'))).toBe(true);
  });

  it('reads pictures inside a zip and a gzip file from their own bytes, and says they are nested', async () => {
    const zipped = zipSync({ 'scan/IM1': slice(1), 'scan/IM2': slice(2) });
    const reader = recordingReader();
    const { files: reports } = await scanFiles([
      { path: 'study.zip', source: bytesSource(zipped) },
      { path: 'one.dcm.gz', source: bytesSource(gzipSync(slice(3))) },
    ], { pictures: reader });
    expect(reader.asked.map((r) => [r.path, r.nested, r.input]).sort()).toEqual([
      ['one.dcm.gz', true, 1],
      ['study.zip!scan/IM1', true, 0],
      ['study.zip!scan/IM2', true, 0],
    ]);
    expect(reports[0]!.entries?.every((e) => e.picture?.status === 'read')).toBe(true);
    expect(reports[1]!.picture?.status).toBe('read');
  });

  it('a reader that fails leaves each picture not checked, with the reason, and never clean', async () => {
    const failing: PictureReading = { read: () => Promise.reject(new Error('the text reader could not start')) };
    const { files: reports } = await scanFiles([{ path: 'IM1', source: bytesSource(slice(1)) }], { pictures: failing });
    const [report] = reports;
    expect(report!.picture).toMatchObject({ status: 'not-read', reason: 'the text reader could not start' });
    const note = report!.findings.find((f) => f.tag === '7FE00010');
    expect(note?.value).toBeUndefined();
    expect(note?.note).toContain('the text reader could not start');
    expect(report!.verdict).not.toBe('clean');
  });
});

describe('summarize', () => {
  it('counts files by verdict, zip entries included', async () => {
    const zipped = zipSync({ 'a/IM1': slice(1), 'a/readme.txt': new TextEncoder().encode('hello') });
    const { files: reports, summary } = await scanFiles([{ path: 'x.zip', source: bytesSource(zipped) }, { path: 'IM2', source: bytesSource(slice(2)) }]);
    expect(summarize(reports)).toEqual(summary);
    expect(summary.files).toBeGreaterThanOrEqual(2);
  });
});

describe('readDicomPictureText without a real engine', () => {
  /** An engine that finds no text and counts the renderings it was shown. */
  function countingEngine(): TextEngine & { looks: number } {
    const engine = {
      looks: 0,
      async detect(input: { width: number; height: number }) {
        engine.looks++;
        return new Float32Array(input.width * input.height);
      },
      async read() {
        return [];
      },
    };
    return engine;
  }
  const terms: PictureTerms = pictureTerms([]);

  it('looks at a 16-bit slice over its stored range and, when its window is much narrower, through the window too', async () => {
    const picture = drawPicture({ rows: 64, columns: 64, photometric: 'MONOCHROME2', bitsAllocated: 16, bitsStored: 12, pixelRepresentation: 1, background: 'flat', lines: [] });
    const windowed = (width: string): Uint8Array => pictureDicom(picture, 'explicit-le', [
      { tag: tag(0x0028, 0x1050), vr: 'DS', value: '40' },
      { tag: tag(0x0028, 0x1051), vr: 'DS', value: width },
    ]);
    const narrow = countingEngine();
    const text = await readDicomPictureText(bytesSource(windowed('400')), terms, narrow, undefined);
    expect(text.complete).toBe(true);
    const wide = countingEngine();
    await readDicomPictureText(bytesSource(windowed('4000')), terms, wide, undefined);
    expect(narrow.looks).toBeGreaterThan(wide.looks);
  });

  it('says why when there is no picture to read', async () => {
    const engine = countingEngine();
    expect((await readDicomPictureText(bytesSource(new TextEncoder().encode('not a scan at all')), terms, engine, undefined)).problem).toBe('it is not a DICOM file');
    const withoutPixels = pictureDicom(drawPicture({ rows: 8, columns: 8, photometric: 'MONOCHROME2', bitsAllocated: 8, background: 'flat', lines: [] }), 'explicit-le').slice(0, 300);
    const cut = await readDicomPictureText(bytesSource(withoutPixels), terms, engine, undefined);
    expect(cut.complete).toBe(false);
    expect(cut.problem).toBeTruthy();
    expect(engine.looks).toBe(0);
  });
});
