// What the scan reports for the cases a person cares about: clean files stay quiet, burned-in text and
// faces are flagged, identifying values repeated elsewhere are found, uploads are counted.
import { describe, expect, it } from 'vitest';
import { scanFile, scanFiles, scanStream } from '../../src/core/scan';
import { bytesSource } from '../../src/core/source';
import type { FileReport } from '../../src/core/report';
import { writeDicom, tag, type El } from '../fixtures/dicom-writer';
import { corpusBytes } from '../support/corpus';
import { writeNifti1 } from '../fixtures/nifti-writer';

const CT = '1.2.840.10008.5.1.4.1.1.2';

function ds(extra: El[], sopClass = CT): El[] {
  return [
    { tag: tag(0x0008, 0x0016), vr: 'UI', value: sopClass },
    { tag: tag(0x0008, 0x0018), vr: 'UI', value: `1.2.3.${extra.length}` },
    ...extra,
  ];
}

const PIXELS = { bytes: new Uint8Array(64) };

async function scan(dataset: El[], withPixels = true, path = 'IM0001'): Promise<FileReport> {
  const bytes = writeDicom(dataset, { transferSyntax: 'explicit-le', ...(withPixels ? { pixelData: PIXELS } : {}) });
  return scanFile({ path, source: bytesSource(bytes) });
}

const el = (group: number, element: number, vr: string, value: El['value']): El => ({ tag: tag(group, element), vr, value });

describe('verdicts', () => {
  it('a file with only UIDs and patient characteristics is clean', async () => {
    const r = await scan(ds([
      el(0x0008, 0x0060, 'CS', 'CT'),
      el(0x0010, 0x1010, 'AS', '042Y'),
      el(0x0010, 0x0040, 'CS', 'F'),
      el(0x0010, 0x1020, 'DS', '1.62'),
      el(0x0010, 0x1030, 'DS', '58'),
      el(0x0020, 0x000d, 'UI', '2.25.1234'),
      el(0x0012, 0x0062, 'CS', 'YES'),
    ]));
    expect(r.verdict).toBe('clean');
    expect(r.findings.length).toBeGreaterThan(0);
    expect(r.findings.every((f) => f.severity === 'low')).toBe(true);
    expect(r.findings.find((f) => f.keyword === 'PatientAge')?.category).toBe('patient-characteristics');
  });

  it('placeholders left by de-identification tools are low', async () => {
    const r = await scan(ds([
      el(0x0008, 0x0060, 'CS', 'MR'),
      el(0x0010, 0x0010, 'PN', 'ANONYMOUS^UNKNOWN'),
      el(0x0010, 0x0020, 'LO', 'XXXXXX'),
      el(0x0008, 0x0090, 'PN', 'unknown^unknown'),
    ]));
    expect(r.verdict).toBe('clean');
    expect(r.findings.find((f) => f.keyword === 'PatientName')?.note).toMatch(/placeholder/);
  });

  it('names are high and dates are medium', async () => {
    const r = await scan(ds([el(0x0008, 0x0020, 'DA', '20240105'), el(0x0010, 0x0010, 'PN', 'DOE^JANE')]));
    expect(r.verdict).toBe('identifying');
    expect(r.findings.find((f) => f.keyword === 'PatientName')).toMatchObject({ category: 'name', severity: 'high', value: 'DOE^JANE' });
    expect(r.findings.find((f) => f.keyword === 'StudyDate')).toMatchObject({ category: 'dates', severity: 'medium' });
  });

  it('allergies, patient state, pre-medication and special needs are free text of medium severity', async () => {
    const r = await scan(ds([
      el(0x0010, 0x2110, 'LO', 'PENICILLIN'), el(0x0038, 0x0050, 'LO', 'WHEELCHAIR'),
      el(0x0038, 0x0500, 'LO', 'SEDATED'), el(0x0040, 0x0012, 'LO', 'CONTRAST'),
    ]));
    expect(r.verdict).toBe('identifying');
    for (const keyword of ['Allergies', 'SpecialNeeds', 'PatientState', 'PreMedication']) {
      expect(r.findings.find((f) => f.keyword === keyword), keyword).toMatchObject({ category: 'free-text', severity: 'medium' });
    }
  });

  it('only dates make a file identifying too', async () => {
    const r = await scan(ds([el(0x0008, 0x0020, 'DA', '20240105')]));
    expect(r.verdict).toBe('identifying');
  });
});

describe('private data', () => {
  it('reports private elements with their creator; typed text is medium, numbers low', async () => {
    const r = await scan(ds([
      el(0x0009, 0x0010, 'LO', 'ACME IMAGING'),
      el(0x0009, 0x1001, 'LO', 'ward 7 note'),
      el(0x0009, 0x1002, 'US', 12),
    ]));
    const text = r.findings.find((f) => f.tag === '00091001');
    expect(text).toMatchObject({ private: true, creator: 'ACME IMAGING', category: 'private-data', severity: 'medium', value: 'ward 7 note' });
    expect(r.findings.find((f) => f.tag === '00091002')?.severity).toBe('low');
  });

  it('private values in implicit VR files are read as text', async () => {
    const bytes = writeDicom(ds([el(0x0019, 0x0010, 'LO', 'SECTRA'), el(0x0019, 0x1001, 'LO', 'ACC123456')]), { transferSyntax: 'implicit-le' });
    const r = await scanFile({ path: 'x', source: bytesSource(bytes) });
    expect(r.findings.find((f) => f.tag === '00191001')).toMatchObject({ value: 'ACC123456', creator: 'SECTRA', severity: 'medium' });
  });
});

describe('identifying values repeated elsewhere', () => {
  it('finds the name in a description, an ID in private data, a birth date in a comment, a name in report text', async () => {
    const r = await scan(ds([
      el(0x0008, 0x0050, 'SH', 'ACC99812'),
      el(0x0008, 0x1030, 'LO', 'CT head for Jane Doe'),
      el(0x0009, 0x0010, 'LO', 'SECTRA_Ident_01'),
      el(0x0009, 0x1001, 'LO', 'ACC99812'),
      el(0x0010, 0x0010, 'PN', 'DOE^JANE'),
      el(0x0010, 0x0030, 'DA', '19800203'),
      el(0x0020, 0x4000, 'LT', 'patient born 03.02.1980'),
      { tag: tag(0x0040, 0xa730), vr: 'SQ', items: [[el(0x0040, 0xa160, 'UT', 'Ms Doe reports pain')]] },
    ]), false);
    const description = r.findings.find((f) => f.keyword === 'StudyDescription');
    expect(description).toMatchObject({ severity: 'high', repeats: { tag: '00100010', keyword: 'PatientName' } });
    expect(r.findings.find((f) => f.tag === '00091001')).toMatchObject({ severity: 'high', repeats: { keyword: 'AccessionNumber' } });
    expect(r.findings.find((f) => f.keyword === 'ImageComments')).toMatchObject({ severity: 'high', repeats: { keyword: 'PatientBirthDate' } });
    const text = r.findings.find((f) => f.tag === '0040A160');
    expect(text).toMatchObject({ category: 'structured-content', severity: 'high', sequence: ['0040A730'], repeats: { keyword: 'PatientName' } });
  });

  it('report text that names a member of staff is high; staff names in other name fields are not repeats', async () => {
    const r = await scanFile({ path: 'sr', source: bytesSource(corpusBytes('public/cornerstone3D/no-pixel-data.dcm')) });
    const text = r.findings.find((f) => f.tag === '0040A160' && f.value?.includes('Fukuda'));
    expect(text).toMatchObject({ category: 'structured-content', severity: 'high', repeats: { keyword: 'ReferringPhysicianName' } });
    const staff = await scan(ds([el(0x0008, 0x0090, 'PN', 'WHO^JOHN'), el(0x0008, 0x1050, 'PN', 'WHO^JOHN')]), false);
    expect(staff.findings.find((f) => f.keyword === 'PerformingPhysicianName')).toMatchObject({ severity: 'medium' });
    expect(staff.findings.find((f) => f.keyword === 'PerformingPhysicianName')?.repeats).toBeUndefined();
  });

  it('does not match parts of other words', async () => {
    const r = await scan(ds([el(0x0010, 0x0010, 'PN', 'LEE^ANN'), el(0x0008, 0x103e, 'LO', 'SLEEP STUDY CHANNEL')]), false);
    expect(r.findings.find((f) => f.keyword === 'SeriesDescription')?.repeats).toBeUndefined();
  });
});

describe('the picture itself', () => {
  it('BurnedInAnnotation YES is reported', async () => {
    const r = await scan(ds([el(0x0008, 0x0060, 'CS', 'CT'), el(0x0028, 0x0301, 'CS', 'YES')]));
    expect(r.findings.find((f) => f.category === 'picture-content')).toMatchObject({ severity: 'medium', value: 'YES' });
    expect(r.verdict).toBe('identifying');
  });

  it('ultrasound and secondary capture without BurnedInAnnotation may show text', async () => {
    for (const [modality, sop] of [['US', '1.2.840.10008.5.1.4.1.1.6.1'], ['OT', '1.2.840.10008.5.1.4.1.1.7']] as const) {
      const r = await scan(ds([el(0x0008, 0x0060, 'CS', modality)], sop));
      expect(r.findings.find((f) => f.category === 'picture-content')?.note, modality).toMatch(/may show identifying text/);
    }
  });

  it('screen captures are flagged from ImageType', async () => {
    const r = await scan(ds([el(0x0008, 0x0008, 'CS', ['DERIVED', 'SECONDARY', 'SCREEN SAVE']), el(0x0008, 0x0060, 'CS', 'CT')]));
    expect(r.findings.some((f) => f.category === 'picture-content')).toBe(true);
  });

  it('ultrasound that says NO, and files without pixels, are not flagged', async () => {
    const us = await scan(ds([el(0x0008, 0x0060, 'CS', 'US'), el(0x0028, 0x0301, 'CS', 'NO')]));
    expect(us.findings.some((f) => f.category === 'picture-content')).toBe(false);
    const sr = await scan(ds([el(0x0008, 0x0060, 'CS', 'OT')]), false);
    expect(sr.findings.some((f) => f.category === 'picture-content')).toBe(false);
  });

  it('overlay data is reported as picture content', async () => {
    const r = await scan(ds([{ tag: tag(0x6000, 0x3000), vr: 'OW', value: new Uint8Array(16) }]));
    expect(r.findings.find((f) => f.tag === '60003000')?.category).toBe('picture-content');
  });
});

describe('faces', () => {
  function headSlice(series: string, i: number, extra: El[] = []): Uint8Array {
    return writeDicom(ds([
      el(0x0008, 0x0060, 'CS', 'CT'),
      el(0x0018, 0x0015, 'CS', 'HEAD'),
      el(0x0018, 0x0050, 'DS', '2.5'),
      el(0x0020, 0x000e, 'UI', series),
      el(0x0020, 0x0013, 'IS', String(i)),
      ...extra,
    ]), { transferSyntax: 'explicit-le', pixelData: PIXELS });
  }

  it('a head CT series with enough slices could rebuild a face, on every file of the series', async () => {
    const inputs = Array.from({ length: 40 }, (_, i) => ({ path: `IM${i}`, source: bytesSource(headSlice('1.2.3.9', i)) }));
    const report = await scanFiles(inputs);
    for (const f of report.files) {
      expect(f.findings.find((x) => x.category === 'face')).toMatchObject({ severity: 'medium', note: 'a face could be rebuilt from this series' });
      expect(f.verdict).toBe('identifying');
    }
  });

  it('streams reports in input order as they are final, the files of a head series last with the whole series counted', async () => {
    const chest = (i: number): Uint8Array => writeDicom(ds([el(0x0008, 0x0060, 'CS', 'CT'), el(0x0018, 0x0015, 'CS', 'CHEST'), el(0x0020, 0x000e, 'UI', '1.2.3.5'), el(0x0020, 0x0013, 'IS', String(i))]), { transferSyntax: 'explicit-le', pixelData: PIXELS });
    const inputs = [
      ...Array.from({ length: 30 }, (_, i) => ({ path: `H${i}`, source: bytesSource(headSlice('1.2.3.10', i)) })),
      ...Array.from({ length: 5 }, (_, i) => ({ path: `C${i}`, source: bytesSource(chest(i)) })),
      { path: 'missing', open: () => Promise.resolve({ error: 'it could not be opened: permission denied' }) },
    ];
    const seen: Array<[string, number]> = [];
    const summary = await scanStream(inputs, { concurrency: 3, onReport: (report, index) => seen.push([report.path, index]) });
    expect(seen.map(([p]) => p)).toEqual([...Array.from({ length: 5 }, (_, i) => `C${i}`), 'missing', ...Array.from({ length: 30 }, (_, i) => `H${i}`)]);
    expect(seen.map(([, i]) => i)).toEqual([...Array.from({ length: 6 }, (_, i) => 30 + i), ...Array.from({ length: 30 }, (_, i) => i)]);
    expect(summary).toMatchObject({ files: 36, identifying: 30, unreadable: 1, series: 2 });
    const batch = await scanFiles(inputs, { concurrency: 3 });
    expect(batch.files.map((f) => f.path)).toEqual(inputs.map((i) => i.path));
    expect(batch.files[0]!.findings.find((f) => f.keyword === 'RecognizableFace')?.value).toBe('30 slices of the head');
    expect(batch.files[35]).toMatchObject({ verdict: 'unreadable', reason: 'it could not be opened: permission denied', format: 'other' });
  });

  it('opens a deferred file only when it is scanned, closes it after, and reports a failed open as unreadable', async () => {
    const events: string[] = [];
    const deferred = (name: string, fail?: 'error' | 'throw') => ({
      path: name,
      open: async () => {
        events.push(`open ${name}`);
        if (fail === 'throw') throw new Error('disk gone');
        if (fail === 'error') return { error: 'it could not be opened: permission denied' };
        return { source: bytesSource(headSlice('1.2.3.11', 1)), close: async () => { events.push(`close ${name}`); } };
      },
    });
    const report = await scanFiles([deferred('a'), deferred('b', 'error'), deferred('c', 'throw')], { concurrency: 1 });
    expect(events).toEqual(['open a', 'close a', 'open b', 'open c']);
    expect(report.files[0]!.format).toBe('dicom');
    expect(report.files[1]).toMatchObject({ verdict: 'unreadable', reason: 'it could not be opened: permission denied' });
    expect(report.files[2]).toMatchObject({ verdict: 'unreadable', reason: 'it could not be opened (disk gone)' });
  });

  it('a few slices, or a chest series, are not a face risk', async () => {
    const few = await scanFiles(Array.from({ length: 10 }, (_, i) => ({ path: `IM${i}`, source: bytesSource(headSlice('1.2.3.8', i)) })));
    expect(few.files.some((f) => f.findings.some((x) => x.category === 'face'))).toBe(false);
    const chest = await scanFiles(Array.from({ length: 60 }, (_, i) => ({
      path: `C${i}`,
      source: bytesSource(writeDicom(ds([el(0x0008, 0x0060, 'CS', 'CT'), el(0x0018, 0x0015, 'CS', 'CHEST'), el(0x0020, 0x000e, 'UI', '1.2.3.7')]), { transferSyntax: 'explicit-le', pixelData: PIXELS })),
    })));
    expect(chest.files.some((f) => f.findings.some((x) => x.category === 'face'))).toBe(false);
  });

  it('a multi-frame brain MR is a face risk on its own', async () => {
    const r = await scan(ds([
      el(0x0008, 0x0060, 'CS', 'MR'),
      el(0x0008, 0x103e, 'LO', 'T1 MPRAGE BRAIN'),
      el(0x0020, 0x000e, 'UI', '1.2.3.6'),
      el(0x0028, 0x0008, 'IS', '176'),
    ], '1.2.840.10008.5.1.4.1.1.4.1'));
    expect(r.findings.some((f) => f.category === 'face')).toBe(true);
  });
});

describe('uploads', () => {
  it('counts patients, studies and series', async () => {
    const file = (patient: string, study: string, series: string): Uint8Array => writeDicom(ds([
      el(0x0010, 0x0010, 'PN', patient), el(0x0010, 0x0020, 'LO', `${patient}-ID`),
      el(0x0020, 0x000d, 'UI', study), el(0x0020, 0x000e, 'UI', series),
    ]), { transferSyntax: 'explicit-le' });
    const report = await scanFiles([
      { path: 'a', source: bytesSource(file('DOE^JANE', '1.1', '1.1.1')) },
      { path: 'b', source: bytesSource(file('DOE^JANE', '1.1', '1.1.2')) },
      { path: 'c', source: bytesSource(file('ROE^RICHARD', '1.2', '1.2.1')) },
      { path: 'd', source: bytesSource(new TextEncoder().encode('not a scan')) },
    ]);
    expect(report.summary).toMatchObject({ files: 4, identifying: 3, notMedical: 1, patients: 2, studies: 2, series: 3 });
  });

  it('a DICOMDIR counts the patients of its records and reports their names', async () => {
    const report = await scanFiles([{ path: 'DICOMDIR', source: bytesSource(corpusBytes('public/pydicom/dicomdirtests/DICOMDIR')) }]);
    const dir = report.files[0]!;
    expect(dir.format).toBe('dicomdir');
    expect(dir.verdict).toBe('identifying');
    expect(report.summary.patients).toBeGreaterThanOrEqual(2);
    expect(dir.findings.some((f) => f.keyword === 'PatientName' && f.sequence[0] === '00041220')).toBe(true);
  });

  it('reports progress', async () => {
    const seen: number[] = [];
    await scanFiles([{ path: 'a', source: bytesSource(new Uint8Array(10)) }, { path: 'b', source: bytesSource(new Uint8Array(10)) }], {
      onProgress: (done) => seen.push(done),
    });
    expect(seen).toEqual([1, 2]);
  });
});

describe('NIfTI', () => {
  it('reports text fields, and the DICOM header carried in an extension, with repeats', async () => {
    const dicomExt = writeDicom(ds([el(0x0010, 0x0010, 'PN', 'SMITH^JOHN'), el(0x0010, 0x0020, 'LO', 'MRN-5521')]), {
      transferSyntax: 'explicit-le', preamble: false, meta: false,
    });
    const r = await scanFile({ path: 'brain.nii', source: bytesSource(writeNifti1('scan of John Smith', [{ code: 2, data: dicomExt }])) });
    expect(r.format).toBe('nifti');
    expect(r.verdict).toBe('identifying');
    expect(r.findings.find((f) => f.keyword === 'PatientName')?.value).toBe('SMITH^JOHN');
    expect(r.findings.find((f) => f.tag === 'nifti:descrip')).toMatchObject({ severity: 'high', repeats: { keyword: 'PatientName' } });
  });

  it('a NIfTI with empty text fields is clean, and a gzipped one is read too', async () => {
    const plain = writeNifti1('', []);
    expect((await scanFile({ path: 'a.nii', source: bytesSource(plain) })).verdict).toBe('clean');
    const { gzipSync } = await import('fflate');
    const gz = await scanFile({ path: 'a.nii.gz', source: bytesSource(gzipSync(writeNifti1('Jane Roe', []))) });
    expect(gz).toMatchObject({ format: 'nifti', verdict: 'identifying' });
  });
});
