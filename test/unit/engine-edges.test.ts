// The engine's less travelled paths: other layouts and containers, odd encodings, limits.
import { describe, expect, it } from 'vitest';
import { gzipSync, zipSync, strToU8 } from 'fflate';
import { scanFile, scanFiles } from '../../src/core/scan';
import { bytesSource, countingSource, sliceSource } from '../../src/core/source';
import { sniff } from '../../src/core/sniff';
import { classifyRow } from '../../src/core/dicom/classify';
import { readDicomHeader } from '../../src/core/dicom/header';
import { writeDicom, tag, type El } from '../fixtures/dicom-writer';
import { writeNifti1 } from '../fixtures/nifti-writer';

const el = (group: number, element: number, vr: string, value: El['value']): El => ({ tag: tag(group, element), vr, value });
const BASE: El[] = [el(0x0008, 0x0016, 'UI', '1.2.840.10008.5.1.4.1.1.2'), el(0x0008, 0x0018, 'UI', '1.2.3')];
const PERSON: El[] = [...BASE, el(0x0010, 0x0010, 'PN', 'DOE^JANE')];

const scan = (bytes: Uint8Array, path = 'f') => scanFile({ path, source: bytesSource(bytes) });

describe('sniffing', () => {
  it('recognises NIfTI-1 in both byte orders and NIfTI-2', () => {
    const le = new Uint8Array(352);
    new DataView(le.buffer).setInt32(0, 348, true);
    le.set(strToU8('n+1\0'), 344);
    expect(sniff(le)).toEqual({ kind: 'nifti', version: 1 });
    const be = new Uint8Array(352);
    new DataView(be.buffer).setInt32(0, 348, false);
    be.set(strToU8('ni1\0'), 344);
    expect(sniff(be)).toEqual({ kind: 'nifti', version: 1 });
    const two = new Uint8Array(544);
    new DataView(two.buffer).setInt32(0, 540, true);
    two.set(strToU8('n+2\0\r\n\x1a\n'), 4);
    expect(sniff(two)).toEqual({ kind: 'nifti', version: 2 });
  });

  it('recognises bare explicit datasets with long-length VRs and refuses text', () => {
    const raw = writeDicom([...PERSON, el(0x0008, 0x0008, 'CS', 'ORIGINAL'), { tag: tag(0x0008, 0x1140), vr: 'SQ', items: [[el(0x0008, 0x1150, 'UI', '1.2')]] }, el(0x0010, 0x4000, 'LT', 'x')], {
      transferSyntax: 'explicit-le', preamble: false, meta: false,
    });
    expect(sniff(raw)).toMatchObject({ kind: 'dicom', layout: 'raw', offset: 0, encoding: { explicit: true, littleEndian: true } });
    expect(sniff(strToU8('Hello, this is a plain text file that is long enough to be sniffed.'))).toEqual({ kind: 'other' });
    expect(sniff(new Uint8Array([0x08, 0x00, 0x05, 0x00, 0x43, 0x53, 0x03, 0x00, 0x41, 0x42, 0x43]))).toEqual({ kind: 'other' });
  });
});

describe('containers', () => {
  it('a zip of clean files is clean, its comment is reported', async () => {
    const clean = writeDicom(BASE, { transferSyntax: 'explicit-le' });
    const zip = zipSync({ 'IM1': clean });
    // Give the archive a comment: the end-of-central-directory record's last field.
    const comment = strToU8('exported by ward 5');
    const withComment = new Uint8Array(zip.length + comment.length);
    withComment.set(zip);
    withComment.set(comment, zip.length);
    new DataView(withComment.buffer).setUint16(zip.length - 2, comment.length, true);
    const r = await scan(withComment, 'c.zip');
    expect(r.verdict).toBe('clean');
    expect(r.findings.find((f) => f.tag === 'zip:comment')?.value).toBe('exported by ward 5');
  });

  it('zips nested deeper than the limit are not opened', async () => {
    let z: Uint8Array = writeDicom(PERSON, { transferSyntax: 'explicit-le' });
    for (let i = 0; i < 6; i++) z = zipSync({ [`level${i}.zip`]: z }, { level: 0 });
    const r = await scan(z, 'deep.zip');
    expect(r.verdict).toBe('unreadable');
    const deepest = (x: typeof r): typeof r => (x.entries?.[0] ? deepest(x.entries[0]) : x);
    expect(deepest(r).reason).toMatch(/nested more than/);
  });

  it('an empty zip holds nothing medical; a zip with an unreadable entry is unreadable', async () => {
    expect((await scan(zipSync({}), 'e.zip')).verdict).toBe('not-medical');
    const broken = zipSync({ 'a.dcm': writeDicom(PERSON, { transferSyntax: 'explicit-le' }) }, { level: 9 });
    // Damage the compressed data of the entry (after its 30-byte local header and 5-byte name).
    broken.fill(0xff, 40, 60);
    const r = await scan(broken, 'b.zip');
    expect(r.verdict).toBe('unreadable');
    expect(r.reason).toMatch(/1 of its 1 files could not be checked/);
  });

  it('a compressed zip inside a zip above the size limit is not inflated', async () => {
    const inner = zipSync({ 'IM1': writeDicom(PERSON, { transferSyntax: 'explicit-le', pixelData: { bytes: new Uint8Array(4096) } }) }, { level: 0 });
    const outer = zipSync({ 'inner.zip': inner }, { level: 6 });
    const r = await scanFile({ path: 'o.zip', source: bytesSource(outer) }, { nestedZipMaxBytes: 1024 });
    expect(r.entries?.[0]).toMatchObject({ format: 'zip', verdict: 'unreadable' });
    expect(r.entries?.[0]?.reason).toMatch(/too large to check/);
    expect((await scan(outer, 'o.zip')).verdict).toBe('identifying');
  });

  it('a source that fails on its first read is unreadable', async () => {
    const r = await scanFile({ path: 'gone', source: { size: 10, read: () => Promise.reject(new Error('device removed')) } });
    expect(r).toMatchObject({ verdict: 'unreadable', format: 'other' });
    expect(r.reason).toMatch(/device removed/);
  });

  it('gzip of a non-medical file is not medical; a damaged gzip is unreadable', async () => {
    expect((await scan(gzipSync(strToU8('just some text, nothing more')), 'a.txt.gz')).verdict).toBe('not-medical');
    const gz = gzipSync(writeDicom(PERSON, { transferSyntax: 'explicit-le' }));
    gz.fill(0, 10, gz.length - 8);
    const r = await scan(gz, 'x.dcm.gz');
    expect(r.verdict).toBe('unreadable');
  });
});

describe('NIfTI edge cases', () => {
  it('text extensions are free text, binary ones low, a broken DICOM extension makes the file unreadable', async () => {
    const r = await scan(writeNifti1('', [{ code: 6, data: strToU8('acquired for J. Smith') }, { code: 40, data: new Uint8Array([0, 1, 2, 3, 250]) }]), 'a.nii');
    expect(r.findings.find((f) => f.tag === 'nifti:extension:6')).toMatchObject({ category: 'free-text', severity: 'medium', value: 'acquired for J. Smith' });
    expect(r.findings.find((f) => f.tag === 'nifti:extension:40')).toMatchObject({ severity: 'low' });
    const broken = await scan(writeNifti1('', [{ code: 2, data: strToU8('this is not a DICOM dataset at all') }]), 'b.nii');
    expect(broken.verdict).toBe('unreadable');
  });

  it('a NIfTI whose header cannot be read is unreadable', async () => {
    const good = writeNifti1('', [{ code: 6, data: strToU8('note') }]);
    new DataView(good.buffer).setInt32(352, 4, true); // an extension size below the 8-byte minimum
    const r = await scan(good, 'c.nii');
    expect(r).toMatchObject({ format: 'nifti', verdict: 'unreadable' });
  });
});

describe('odd encodings', () => {
  it('numeric rows are shown as numbers in every numeric VR and byte order', async () => {
    for (const [ts, vr, value, shown] of [
      ['explicit-le', 'US', 2, '2'], ['explicit-be', 'US', 3, '3'], ['explicit-le', 'SS', -4, '-4'], ['explicit-le', 'UL', 70000, '70000'],
      ['explicit-le', 'SL', -70000, '-70000'], ['explicit-le', 'FL', 1.5, '1.5'], ['explicit-be', 'FD', 2.25, '2.25'],
    ] as const) {
      // Pregnancy Status (0010,21C0) is US in the dictionary; here its VR is written explicitly.
      const r = await scan(writeDicom([...BASE, el(0x0010, 0x21c0, vr, value)], { transferSyntax: ts }));
      expect(r.findings.find((f) => f.keyword === 'PregnancyStatus')?.value, `${ts} ${vr}`).toBe(shown);
    }
  });

  it('encapsulated pixel data that does not end cleanly leaves the header complete', async () => {
    const good = writeDicom(PERSON, { transferSyntax: 'jpeg-baseline', pixelData: { frames: [new Uint8Array(8)] } });
    // Cut inside the last fragment: no sequence delimiter to find, and nothing after the pixel data to read.
    const r = await scan(good.subarray(0, good.length - 12));
    expect(r.verdict).toBe('identifying');
    // Fragments whose items are not items: garbage where the second item should be.
    const bad = good.slice();
    bad.fill(0x41, bad.length - 20, bad.length - 8);
    expect((await scan(bad)).verdict).toBe('identifying');
  });

  it('elements after the pixel data that cannot be read make the file unreadable', async () => {
    const bytes = writeDicom(PERSON, { transferSyntax: 'explicit-le', pixelData: { bytes: new Uint8Array(16) }, trailing: [el(0xfffa, 0xfffa, 'LO', 'x')] });
    const cut = bytes.subarray(0, bytes.length - 1);
    const r = await scan(cut);
    expect(r.verdict).toBe('unreadable');
    expect(r.reason).toMatch(/after its pixel data/);
  });

  it('a header larger than the limit is unreadable, with a reason', async () => {
    const big = writeDicom([...PERSON, el(0x0010, 0x4000, 'LT', 'x'.repeat(60_000))], { transferSyntax: 'explicit-le' });
    const header = await readDicomHeader(bytesSource(big), { layout: 'part10', offset: 132 }, { initialBytes: 4096, maxHeaderBytes: 16_384 });
    expect(header.complete).toBe(false);
    expect(header.problem).toMatch(/larger than/);
  });

  it('a meta group cut short inside the file is unreadable', async () => {
    const bytes = writeDicom(PERSON, { transferSyntax: 'explicit-le' });
    const r = await scan(bytes.subarray(0, 150));
    expect(r.verdict).toBe('unreadable');
    expect(r.reason).toMatch(/meta information is cut short/);
  });

  it('a meta group longer than the first read is read in full', async () => {
    const bytes = writeDicom([...PERSON, el(0x0002, 0x0016, 'AE', 'STATION1')], { transferSyntax: 'explicit-le' });
    const header = await readDicomHeader(bytesSource(bytes), { layout: 'part10', offset: 132 }, { initialBytes: 150, maxHeaderBytes: 1 << 20 });
    expect(header.complete).toBe(true);
    expect(header.transferSyntax).toBe('1.2.840.10008.1.2.1');
  });

  it('a deflated file is inflated past its pixel data to see what follows, within the header limit', async () => {
    // Pixels that do not compress, so the deflate stream is as long as they are.
    let x = 12345;
    const pixels = new Uint8Array(1024 * 1024).map(() => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24);
    const bytes = writeDicom(PERSON, { transferSyntax: 'deflated', pixelData: { bytes: pixels }, trailing: [el(0xfffc, 0xfffc, 'OB', new Uint8Array(4))] });
    expect(bytes.length).toBeGreaterThan(1024 * 1024);
    const r = await scan(bytes);
    expect(r.verdict).toBe('identifying');
    expect(r.findings.some((f) => f.tag === 'FFFCFFFC')).toBe(true);
    const header = await readDicomHeader(bytesSource(bytes), { layout: 'part10', offset: 132 }, { initialBytes: 64 * 1024, maxHeaderBytes: 512 * 1024 });
    expect(header.complete).toBe(false);
    expect(header.problem).toMatch(/after its pixel data/);
  });

  it('a face is reported once when the file also says it shows one', async () => {
    const slice = (i: number) => writeDicom([
      ...BASE, el(0x0008, 0x0060, 'CS', 'MR'), el(0x0018, 0x0015, 'CS', 'BRAIN'), el(0x0020, 0x000e, 'UI', '9.9'),
      el(0x0020, 0x0013, 'IS', String(i)), el(0x0028, 0x0302, 'CS', 'YES'),
    ], { transferSyntax: 'explicit-le', pixelData: { bytes: new Uint8Array(8) } });
    const report = await scanFiles(Array.from({ length: 45 }, (_, i) => ({ path: `s${i}`, source: bytesSource(slice(i)) })));
    for (const f of report.files) {
      expect(f.findings.filter((x) => x.category === 'face').map((x) => x.keyword).sort()).toEqual(['RecognizableFace', 'RecognizableVisualFeatures']);
    }
  });
});

describe('classification fallbacks', () => {
  it('classifies rows the table may add in later editions', () => {
    expect(classifyRow({ keyword: 'NewPatientTrait', basic: 'X', options: { retainPatientCharacteristics: 'C' } }, 'CS')).toEqual({ category: 'patient-characteristics', severity: 'medium' });
    expect(classifyRow({ keyword: 'NewThingSequence', basic: 'X', options: {} }, 'SQ')).toEqual({ category: 'other', severity: 'medium' });
    expect(classifyRow({ keyword: 'NewThing', basic: 'X', options: {} }, 'OB')).toEqual({ category: 'other', severity: 'low' });
  });
});

describe('byte sources', () => {
  it('a slice reads within its range; counting counts a byte read twice once', async () => {
    const bytes = new Uint8Array(100).map((_, i) => i);
    const counted = countingSource(bytesSource(bytes));
    const slice = sliceSource(counted, 10);
    expect(slice.size).toBe(90);
    expect(Array.from(await slice.read(0, 3))).toEqual([10, 11, 12]);
    await slice.read(0, 5);
    await slice.read(80, 200);
    await counted.read(50, 50);
    expect(counted.bytesRead).toBe(5 + 10);
  });
});

describe('a file that ends with its file meta information', () => {
  it('is unreadable, said in plain words, never clean', async () => {
    const whole = writeDicom([{ tag: tag(0x0008, 0x0060), vr: 'CS', value: 'CT' }], { transferSyntax: 'explicit-le' });
    // The meta group ends where its group length says (12 bytes of the length element plus its value).
    const groupLength = new DataView(whole.buffer, whole.byteOffset).getUint32(128 + 4 + 8, true);
    const metaOnly = whole.slice(0, 128 + 4 + 12 + groupLength);
    const report = await scanFile({ path: 'meta-only.dcm', source: bytesSource(metaOnly) });
    expect(report.verdict).toBe('unreadable');
    expect(report.reason).toBe('the file ends in the middle of its header (it may be cut short or damaged)');
  });
});
