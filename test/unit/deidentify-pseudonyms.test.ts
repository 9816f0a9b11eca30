// Keyed pseudonyms across the files of an upload: one series keeps one study, series and frame of reference
// UID, references still resolve to the new instance UIDs, the same key gives the same UIDs in a later call
// and another key different ones; with Modified Dates, every date of a patient moves by the same number of
// days (intervals survive, across studies too) and another patient's dates move differently.

import { afterAll, describe, expect, it } from 'vitest';
import { deidentifyFiles, createDeidentifyKey, type DeidentifyResult } from '../../src/core/deidentify';
import { writeDicom, tag, type El } from '../fixtures/dicom-writer';
import { cleanUpDcmtk, dcmdump } from '../support/dcmtk';
import { blobOf, dumpLines, type DumpLine } from '../support/dicom-output';

afterAll(cleanUpDcmtk);

const CT = '1.2.840.10008.5.1.4.1.1.2';
const STUDY = '1.2.826.0.1.3680043.10.1137.5.1';
const STUDY_2 = '1.2.826.0.1.3680043.10.1137.5.2';
const SERIES = '1.2.826.0.1.3680043.10.1137.5.1.1';
const FRAME = '1.2.826.0.1.3680043.10.1137.5.9';
const instance = (i: number): string => `1.2.826.0.1.3680043.10.1137.5.1.1.${i}`;

function slice(i: number, opts: { patient?: string; study?: string; date?: string; references?: number } = {}): Uint8Array {
  const date = opts.date ?? '20200115';
  const ds: El[] = [
    { tag: tag(0x0008, 0x0016), vr: 'UI', value: CT },
    { tag: tag(0x0008, 0x0018), vr: 'UI', value: instance(i) },
    { tag: tag(0x0008, 0x0020), vr: 'DA', value: date },
    { tag: tag(0x0008, 0x0021), vr: 'DA', value: date },
    { tag: tag(0x0008, 0x0023), vr: 'DA', value: date },
    { tag: tag(0x0008, 0x002a), vr: 'DT', value: `${date}103000.5+0100` },
    { tag: tag(0x0008, 0x0030), vr: 'TM', value: '103000' },
    { tag: tag(0x0008, 0x0060), vr: 'CS', value: 'CT' },
    { tag: tag(0x0010, 0x0010), vr: 'PN', value: opts.patient === 'P-2002' ? 'ROE^RICHARD' : 'DOE^JANE' },
    { tag: tag(0x0010, 0x0020), vr: 'LO', value: opts.patient ?? 'P-1001' },
    { tag: tag(0x0010, 0x0030), vr: 'DA', value: '19700304' },
    { tag: tag(0x0020, 0x000d), vr: 'UI', value: opts.study ?? STUDY },
    { tag: tag(0x0020, 0x000e), vr: 'UI', value: SERIES },
    { tag: tag(0x0020, 0x0013), vr: 'IS', value: String(i) },
    { tag: tag(0x0020, 0x0052), vr: 'UI', value: FRAME },
  ];
  if (opts.references !== undefined) {
    const ref: El[] = [
      { tag: tag(0x0008, 0x1150), vr: 'UI', value: CT },
      { tag: tag(0x0008, 0x1155), vr: 'UI', value: instance(opts.references) },
    ];
    ds.push({ tag: tag(0x0008, 0x1140), vr: 'SQ', items: [ref] }, { tag: tag(0x0008, 0x2112), vr: 'SQ', items: [ref] });
  }
  return writeDicom(ds, { transferSyntax: 'explicit-le', pixelData: { bytes: new Uint8Array(8) } });
}

async function dumped(results: DeidentifyResult[]): Promise<DumpLine[][]> {
  const out: DumpLine[][] = [];
  for (const r of results) {
    expect(r.status, r.reason).toBe('cleaned');
    const bytes = new Uint8Array(await r.output!.arrayBuffer());
    out.push(dumpLines(dcmdump(bytes, r.path)));
  }
  return out;
}

function value(lines: DumpLine[], tagHex: string, depth = 0): string | undefined {
  return lines.find((l) => l.tag === tagHex && l.depth === depth)?.value;
}

function days(from: string, to: string): number {
  const t = (d: string): number => Date.UTC(Number(d.slice(0, 4)), Number(d.slice(4, 6)) - 1, Number(d.slice(6, 8)));
  return Math.round((t(to) - t(from)) / 86_400_000);
}

const KEY = Uint8Array.from({ length: 32 }, (_, i) => i);

describe('UIDs', () => {
  it('stay consistent across the files of a series, and references resolve', async () => {
    const inputs = [1, 2, 3].map((i) => ({ path: `IM${i}`, file: blobOf(slice(i, i === 2 ? { references: 1 } : {})) }));
    const [a, b, c] = await dumped(await deidentifyFiles(inputs, { key: KEY }));
    for (const t of ['0020000D', '0020000E', '00200052']) {
      expect(value(a!, t)).toMatch(/^2\.25\.\d{1,39}$/);
      expect(value(b!, t)).toBe(value(a!, t));
      expect(value(c!, t)).toBe(value(a!, t));
    }
    expect(value(a!, '0020000D')).not.toBe(value(a!, '0020000E'));
    const instances = [a!, b!, c!].map((d) => value(d, '00080018'));
    expect(new Set(instances).size).toBe(3);
    for (const d of [a!, b!, c!]) expect(value(d, '00020003')).toBe(value(d, '00080018'));
    // File 2 refers to file 1 in Referenced Image Sequence and Source Image Sequence.
    const refs = b!.filter((l) => l.tag === '00081155' && l.depth === 2).map((l) => l.value);
    expect(refs).toEqual([instances[0], instances[0]]);
    expect(b!.filter((l) => l.tag === '00081150' && l.depth === 2).map((l) => l.value)).toEqual([CT, CT]);
    expect(value(a!, '00080016')).toBe(CT);
  });

  it('map the same way in a later call with the same key, and differently with another key', async () => {
    const first = await dumped(await deidentifyFiles([{ path: 'IM2', file: blobOf(slice(2)) }], { key: KEY }));
    const again = await dumped(await deidentifyFiles([{ path: 'IM2', file: blobOf(slice(2)) }], { key: KEY.slice() }));
    const other = await dumped(await deidentifyFiles([{ path: 'IM2', file: blobOf(slice(2)) }], { key: createDeidentifyKey() }));
    for (const t of ['00080018', '0020000D', '0020000E', '00200052']) {
      expect(value(again[0]!, t)).toBe(value(first[0]!, t));
      expect(value(other[0]!, t)).not.toBe(value(first[0]!, t));
    }
  });

  it('are kept as they are with Retain UIDs', async () => {
    const [d] = await dumped(await deidentifyFiles([{ path: 'IM2', file: blobOf(slice(2, { references: 1 })) }], { key: KEY, options: { retainUids: true } }));
    expect(value(d!, '00080018')).toBe(instance(2));
    expect(value(d!, '00020003')).toBe(instance(2));
    expect(value(d!, '0020000D')).toBe(STUDY);
    expect(d!.find((l) => l.tag === '00081155')?.value).toBe(instance(1));
    expect(d!.filter((l) => l.tag === '00080100').map((l) => l.value)).toContain('113110');
  });

  it('refuse a key shorter than 16 bytes', async () => {
    await expect(deidentifyFiles([], { key: new Uint8Array(8) })).rejects.toThrow(/at least 16 bytes/);
  });

  it('createDeidentifyKey gives 32 random bytes', () => {
    const a = createDeidentifyKey();
    expect(a).toHaveLength(32);
    expect(a).not.toEqual(createDeidentifyKey());
  });
});

describe('Modified Dates', () => {
  const options = { retainLongitudinalModifiedDates: true };

  it('moves every date of a patient by one offset, so intervals survive across studies', async () => {
    const inputs = [
      { path: 'a', file: blobOf(slice(1)) },
      { path: 'b', file: blobOf(slice(2, { study: STUDY_2, date: '20210220' })) },
      { path: 'c', file: blobOf(slice(3, { patient: 'P-2002', date: '20200115' })) },
    ];
    const results = await deidentifyFiles(inputs, { key: KEY, options });
    const [a, b, c] = await dumped(results);
    const studyA = value(a!, '00080020')!;
    const studyB = value(b!, '00080020')!;
    expect(studyA).toMatch(/^\d{8}$/);
    expect(studyA).not.toBe('20200115');
    const shift = days('20200115', studyA);
    expect(shift).toBeLessThanOrEqual(-365);
    expect(shift).toBeGreaterThanOrEqual(-3650);
    expect(days(studyA, studyB)).toBe(days('20200115', '20210220'));
    for (const t of ['00080021', '00080023']) expect(value(a!, t)).toBe(studyA);
    // DateTime: the date moves, time of day and UTC offset stay.
    expect(value(a!, '0008002A')).toBe(`${studyA}103000.5+0100`);
    expect(value(a!, '00080030')).toBe('103000');
    // Another patient moves by another offset.
    expect(value(c!, '00080020')).not.toBe(studyA);
    // The birth date is still removed (the option does not name it), and the marker says MODIFIED.
    expect(value(a!, '00100030') ?? '').toBe('(no value available)');
    expect(value(a!, '00280303')).toBe('MODIFIED');
    expect(a!.filter((l) => l.tag === '00080100').map((l) => l.value)).toEqual(['113100', '113107', '113108']);
    // The verification scan lowered the moved dates, saying why.
    const moved = results[0]!.verification!.findings.find((f) => f.keyword === 'StudyDate');
    expect(moved?.severity).toBe('low');
    expect(moved?.note).toMatch(/moved/);
  });

  it('moves them the same way in a later call with the same key', async () => {
    const [x] = await dumped(await deidentifyFiles([{ path: 'a', file: blobOf(slice(1)) }], { key: KEY, options }));
    const [y] = await dumped(await deidentifyFiles([{ path: 'a', file: blobOf(slice(1)) }], { key: KEY, options }));
    expect(value(x!, '00080020')).toBe(value(y!, '00080020'));
  });

  it('without the option, dates are replaced per the Basic Profile', async () => {
    const [d] = await dumped(await deidentifyFiles([{ path: 'a', file: blobOf(slice(1)) }], { key: KEY }));
    expect(value(d!, '00080020')).toBe('(no value available)'); // Z
    expect(value(d!, '00080023')).toBe('(no value available)'); // Z/D: emptied (no made-up date)
    expect(value(d!, '00080021')).toBeUndefined(); // X/D: removed
    expect(value(d!, '00280303')).toBe('REMOVED');
  });
});
