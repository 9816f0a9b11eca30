// Damaged and hostile input: every case gets a verdict, never an exception, a hang or unbounded memory,
// and a medical file that cannot be fully read is never clean.
import { describe, expect, it } from 'vitest';
import { zipSync } from 'fflate';
import { scanFile } from '../../src/core/scan';
import { bytesSource, type ByteSource } from '../../src/core/source';
import { writeDicom, tag, type El } from '../fixtures/dicom-writer';

const PATIENT: El[] = [
  { tag: tag(0x0008, 0x0016), vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.2' },
  { tag: tag(0x0008, 0x0018), vr: 'UI', value: '1.2.3.4' },
  { tag: tag(0x0008, 0x0060), vr: 'CS', value: 'CT' },
  { tag: tag(0x0010, 0x0010), vr: 'PN', value: 'DOE^JANE' },
  { tag: tag(0x0010, 0x0020), vr: 'LO', value: 'ID-4471' },
];

function scanBytes(bytes: Uint8Array, path = 'file.dcm') {
  return scanFile({ path, source: bytesSource(bytes) });
}

function le32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}

/** A Part 10 file whose dataset is the given raw bytes after a valid meta group (explicit VR LE). */
function withRawDataset(dataset: number[]): Uint8Array {
  const meta = writeDicom([], { transferSyntax: 'explicit-le' });
  const out = new Uint8Array(meta.length + dataset.length);
  out.set(meta, 0);
  out.set(dataset, meta.length);
  return out;
}

const PATIENT_NAME_ELEMENT = [0x10, 0x00, 0x10, 0x00, 0x50, 0x4e, 0x08, 0x00, ...Array.from('DOE^JANE', (c) => c.charCodeAt(0))];

describe('bad input', () => {
  it('an empty file is not medical', async () => {
    const r = await scanBytes(new Uint8Array(0));
    expect(r.verdict).toBe('not-medical');
    expect(r.bytesRead).toBe(0);
  });

  it('a file truncated anywhere in its header is unreadable, with what was read before the damage', async () => {
    const full = writeDicom(PATIENT, { transferSyntax: 'explicit-le' });
    const nameAt = Buffer.from(full).indexOf('DOE^JANE');
    for (let cut = 140; cut < full.length; cut += 7) {
      const r = await scanBytes(full.subarray(0, cut));
      expect(['unreadable', 'identifying'], `cut at ${cut}`).toContain(r.verdict);
      if (cut < full.length - 2) expect(r.verdict, `cut at ${cut}`).toBe('unreadable');
      if (cut > nameAt + 10) expect(r.findings.some((f) => f.keyword === 'PatientName'), `cut at ${cut}`).toBe(true);
    }
  });

  it('garbage after DICM is unreadable, not unknown', async () => {
    const bytes = new Uint8Array(2000);
    bytes.set([0x44, 0x49, 0x43, 0x4d], 128);
    for (let i = 132; i < bytes.length; i++) bytes[i] = (i * 7919) % 251;
    const r = await scanBytes(bytes);
    expect(r.verdict).toBe('unreadable');
    expect(r.reason).toBeTruthy();
  });

  it('a length past the end of the file is unreadable, findings before it kept', async () => {
    const r = await scanBytes(withRawDataset([...PATIENT_NAME_ELEMENT, 0x10, 0x00, 0x20, 0x00, 0x4c, 0x4f, 0x00, 0x10]));
    expect(r.verdict).toBe('unreadable');
    expect(r.findings.find((f) => f.keyword === 'PatientName')?.value).toBe('DOE^JANE');
  });

  it('a length near 2^32 is unreadable without allocating it', async () => {
    // (0010,1000) OtherPatientIDs as UT with length 0xFFFFFFF0.
    const r = await scanBytes(withRawDataset([...PATIENT_NAME_ELEMENT, 0x10, 0x00, 0x00, 0x10, 0x55, 0x54, 0, 0, ...le32(0xfffffff0)]));
    expect(r.verdict).toBe('unreadable');
    expect(r.bytesRead).toBeLessThan(1024 * 1024);
  });

  it('a sequence nested a thousand deep is read to the bottom', async () => {
    let inner: El[] = [{ tag: tag(0x0010, 0x0010), vr: 'PN', value: 'DEEP^NAME' }];
    for (let i = 0; i < 1000; i++) inner = [{ tag: tag(0x0040, 0xa730), vr: 'SQ', undefinedLength: i % 2 === 0, items: [inner] }];
    const r = await scanBytes(writeDicom([...PATIENT, ...inner], { transferSyntax: 'explicit-le' }));
    const deep = r.findings.find((f) => f.value === 'DEEP^NAME');
    expect(r.verdict).toBe('identifying');
    expect(deep?.sequence).toHaveLength(1000);
  });

  it('an undefined-length sequence that never closes is unreadable', async () => {
    // (0040,A730) SQ undefined length, one item of undefined length holding a name, then the file ends.
    const r = await scanBytes(withRawDataset([
      ...PATIENT_NAME_ELEMENT,
      0x40, 0x00, 0x30, 0xa7, 0x53, 0x51, 0, 0, ...le32(0xffffffff),
      0xfe, 0xff, 0x00, 0xe0, ...le32(0xffffffff),
      0x40, 0x00, 0x23, 0xa1, 0x50, 0x4e, 0x04, 0x00, 0x41, 0x5e, 0x42, 0x20,
    ]));
    expect(r.verdict).toBe('unreadable');
    expect(r.findings.some((f) => f.keyword === 'PatientName')).toBe(true);
  });

  it('a source that fails to read gives an unreadable report, not an exception', async () => {
    const good = writeDicom(PATIENT, { transferSyntax: 'explicit-le' });
    let reads = 0;
    const flaky: ByteSource = {
      size: good.length,
      async read(start, end) {
        if (++reads > 1) throw new Error('disk went away');
        return good.subarray(start, Math.min(end, 200));
      },
    };
    const r = await scanFile({ path: 'flaky.dcm', source: flaky });
    expect(r.verdict).toBe('unreadable');
    expect(r.reason).toMatch(/disk went away|could not be read/);
  });

  it('a zip bomb is refused with a reason, without inflating it', async () => {
    const bomb = new Uint8Array(64 * 1024 * 1024); // 64 MiB of zeros deflates to ~64 KiB
    const zip = zipSync({ 'scan/IM0001': bomb });
    const r = await scanBytes(zip, 'bomb.zip');
    expect(r.format).toBe('zip');
    expect(r.verdict).not.toBe('clean');
  });

  it('a zip holding a DICOM file reports the entry with an archive path', async () => {
    const dcm = writeDicom(PATIENT, { transferSyntax: 'explicit-le' });
    const inner = zipSync({ 'nested/IM0002': dcm });
    const zip = zipSync({ 'dir/IM0001': dcm, 'dir/readme.txt': new TextEncoder().encode('hello'), 'inner.zip': inner });
    const r = await scanBytes(zip, 'upload.zip');
    expect(r.verdict).toBe('identifying');
    const paths = (r.entries ?? []).map((e) => e.path);
    expect(paths).toContain('upload.zip!dir/IM0001');
    const nested = r.entries?.find((e) => e.path === 'upload.zip!inner.zip');
    expect(nested?.entries?.[0]?.path).toBe('upload.zip!inner.zip!nested/IM0002');
    expect(nested?.entries?.[0]?.verdict).toBe('identifying');
    expect(r.entries?.find((e) => e.path.endsWith('readme.txt'))?.verdict).toBe('not-medical');
  });

  it('a corrupt zip is unreadable', async () => {
    const zip = zipSync({ 'a.dcm': writeDicom(PATIENT, { transferSyntax: 'explicit-le' }) });
    const r = await scanBytes(zip.subarray(0, zip.length - 30), 'cut.zip');
    expect(r.format).toBe('zip');
    expect(r.verdict).toBe('unreadable');
  });

  it('a gzip-compressed DICOM file is scanned inside', async () => {
    const { gzipSync } = await import('fflate');
    const r = await scanBytes(gzipSync(writeDicom(PATIENT, { transferSyntax: 'explicit-le' })), 'IM0001.dcm.gz');
    expect(r.verdict).toBe('identifying');
    expect(r.findings.find((f) => f.keyword === 'PatientID')?.value).toBe('ID-4471');
  });

  it('a corrupt deflated dataset is unreadable', async () => {
    const good = writeDicom(PATIENT, { transferSyntax: 'deflated' });
    const bad = good.slice();
    for (let i = bad.length - 40; i < bad.length; i++) bad[i] = 0xff;
    const r = await scanBytes(bad);
    expect(r.verdict).toBe('unreadable');
  });
});
