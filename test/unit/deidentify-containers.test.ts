// Containers: a DICOMDIR is cleaned with the same rules and UID map as the files it lists (its record
// offsets rebuilt, its references still resolving), a zip is rewritten entry by entry (nested zips too),
// NIfTI text fields and header extensions are cleared (.nii, .nii.gz, .hdr, NIfTI-2) with the image untouched.

import { afterAll, describe, expect, it } from 'vitest';
import dicomParser from 'dicom-parser';
import { gzipSync, gunzipSync, unzipSync, zipSync, strToU8 } from 'fflate';
import { deidentifyFiles, type DeidentifyResult } from '../../src/core/deidentify';
import { writeDicom, tag, type El } from '../fixtures/dicom-writer';
import { writeNifti1 } from '../fixtures/nifti-writer';
import { cleanUpDcmtk, dcmdump } from '../support/dcmtk';
import { blobOf, containsText, dumpLines, type DumpLine } from '../support/dicom-output';

afterAll(cleanUpDcmtk);

const KEY = new Uint8Array(32).fill(9);
const CT = '1.2.840.10008.5.1.4.1.1.2';
const EXPLICIT = '1.2.840.10008.1.2.1';

interface Person {
  name: string;
  id: string;
  study: string;
  series: string;
  instance: string;
  date: string;
  file: string;
}

const PEOPLE: Person[] = [
  { name: 'DOE^JANE', id: 'P-1001', study: '1.2.826.0.1.3680043.10.1137.7.1', series: '1.2.826.0.1.3680043.10.1137.7.1.1', instance: '1.2.826.0.1.3680043.10.1137.7.1.1.1', date: '20200115', file: 'IM0001' },
  { name: 'ROE^RICHARD', id: 'P-2002', study: '1.2.826.0.1.3680043.10.1137.7.2', series: '1.2.826.0.1.3680043.10.1137.7.2.1', instance: '1.2.826.0.1.3680043.10.1137.7.2.1.1', date: '20190320', file: 'IM0002' },
];

function image(p: Person): Uint8Array {
  const ds: El[] = [
    { tag: tag(0x0008, 0x0016), vr: 'UI', value: CT },
    { tag: tag(0x0008, 0x0018), vr: 'UI', value: p.instance },
    { tag: tag(0x0008, 0x0020), vr: 'DA', value: p.date },
    { tag: tag(0x0008, 0x0050), vr: 'SH', value: `ACC${p.id}` },
    { tag: tag(0x0008, 0x0060), vr: 'CS', value: 'CT' },
    { tag: tag(0x0010, 0x0010), vr: 'PN', value: p.name },
    { tag: tag(0x0010, 0x0020), vr: 'LO', value: p.id },
    { tag: tag(0x0020, 0x000d), vr: 'UI', value: p.study },
    { tag: tag(0x0020, 0x000e), vr: 'UI', value: p.series },
  ];
  return writeDicom(ds, { transferSyntax: 'explicit-le', pixelData: { bytes: new Uint8Array(8).fill(3) } });
}

const UL = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);

/** The records of a DICOMDIR for PEOPLE, depth first, with their links given as record indexes (-1: none). */
function records(links: number[][]): El[][] {
  const out: El[][] = [];
  const link = (i: number, which: 0 | 1): El => ({ tag: tag(0x0004, which === 0 ? 0x1400 : 0x1420), vr: 'UL', value: UL(links[i]?.[which] ?? 0) });
  PEOPLE.forEach((p, n) => {
    const base = n * 4;
    out.push([link(base, 0), { tag: tag(0x0004, 0x1410), vr: 'US', value: 0xffff }, link(base, 1), { tag: tag(0x0004, 0x1430), vr: 'CS', value: 'PATIENT' },
      { tag: tag(0x0010, 0x0010), vr: 'PN', value: p.name }, { tag: tag(0x0010, 0x0020), vr: 'LO', value: p.id }, { tag: tag(0x0010, 0x0030), vr: 'DA', value: '19700304' }]);
    out.push([link(base + 1, 0), { tag: tag(0x0004, 0x1410), vr: 'US', value: 0xffff }, link(base + 1, 1), { tag: tag(0x0004, 0x1430), vr: 'CS', value: 'STUDY' },
      { tag: tag(0x0008, 0x0020), vr: 'DA', value: p.date }, { tag: tag(0x0008, 0x0030), vr: 'TM', value: '101010' }, { tag: tag(0x0008, 0x0050), vr: 'SH', value: `ACC${p.id}` },
      { tag: tag(0x0008, 0x1030), vr: 'LO', value: `CT FOR ${p.name.split('^')[0]}` }, { tag: tag(0x0020, 0x000d), vr: 'UI', value: p.study }, { tag: tag(0x0020, 0x0010), vr: 'SH', value: 'S77' }]);
    out.push([link(base + 2, 0), { tag: tag(0x0004, 0x1410), vr: 'US', value: 0xffff }, link(base + 2, 1), { tag: tag(0x0004, 0x1430), vr: 'CS', value: 'SERIES' },
      { tag: tag(0x0008, 0x0060), vr: 'CS', value: 'CT' }, { tag: tag(0x0020, 0x000e), vr: 'UI', value: p.series }, { tag: tag(0x0020, 0x0011), vr: 'IS', value: '1' }]);
    out.push([link(base + 3, 0), { tag: tag(0x0004, 0x1410), vr: 'US', value: 0xffff }, link(base + 3, 1), { tag: tag(0x0004, 0x1430), vr: 'CS', value: 'IMAGE' },
      { tag: tag(0x0004, 0x1500), vr: 'CS', value: ['IMAGES', p.file] }, { tag: tag(0x0004, 0x1510), vr: 'UI', value: CT },
      { tag: tag(0x0004, 0x1511), vr: 'UI', value: p.instance }, { tag: tag(0x0004, 0x1512), vr: 'UI', value: EXPLICIT }, { tag: tag(0x0020, 0x0013), vr: 'IS', value: '1' }]);
  });
  return out;
}

function directoryBytes(offsets: number[], links: number[][]): Uint8Array {
  const at = (i: number): number => (i < 0 ? 0 : offsets[i] ?? 0);
  const ds: El[] = [
    { tag: tag(0x0002, 0x0002), vr: 'UI', value: '1.2.840.10008.1.3.10' },
    { tag: tag(0x0002, 0x0003), vr: 'UI', value: '1.2.826.0.1.3680043.10.1137.7.99' },
    { tag: tag(0x0004, 0x1130), vr: 'CS', value: 'SPGTEST' },
    { tag: tag(0x0004, 0x1200), vr: 'UL', value: UL(at(0)) },
    { tag: tag(0x0004, 0x1202), vr: 'UL', value: UL(at(4)) },
    { tag: tag(0x0004, 0x1212), vr: 'US', value: 0 },
    { tag: tag(0x0004, 0x1220), vr: 'SQ', items: records(links.map((l) => l.map(at))) },
  ];
  return writeDicom(ds, { transferSyntax: 'explicit-le' });
}

/** Record links as indexes: patient 0 -> patient 4 next; each level's lower level is the next record. */
const LINKS: number[][] = [[4, 1], [-1, 2], [-1, 3], [-1, -1], [-1, 5], [-1, 6], [-1, 7], [-1, -1]];

interface Parsed {
  starts: number[];
  records: Array<{ type: string; next: number; lower: number; ds: dicomParser.DataSet }>;
  root: number;
  last: number;
}

function parseDirectory(bytes: Uint8Array): Parsed {
  const ds = dicomParser.parseDicom(bytes);
  const items = ds.elements['x00041220']!.items!;
  return {
    starts: items.map((i) => i.dataOffset - 8),
    records: items.map((i) => ({
      type: i.dataSet!.string('x00041430')!,
      next: i.dataSet!.uint32('x00041400')!,
      lower: i.dataSet!.uint32('x00041420')!,
      ds: i.dataSet!,
    })),
    root: ds.uint32('x00041200')!,
    last: ds.uint32('x00041202')!,
  };
}

/** A DICOMDIR whose offsets point at its records (written twice: offsets have a fixed size). */
function dicomdir(): Uint8Array {
  const first = directoryBytes([], LINKS);
  return directoryBytes(parseDirectory(first).starts, LINKS);
}

/** The record types in the order the links reach them, from the root. */
function walkLinks(d: Parsed): string[] {
  const byStart = new Map(d.starts.map((s, i) => [s, d.records[i]!]));
  const out: string[] = [];
  const chain = (at: number, depth: number): void => {
    for (let p = at; p !== 0; ) {
      const r = byStart.get(p);
      if (!r || depth > 10) throw new Error(`an offset points at no record: ${p}`);
      out.push(r.type);
      chain(r.lower, depth + 1);
      p = r.next;
    }
  };
  chain(d.root, 0);
  return out;
}

async function bytesOf(r: DeidentifyResult): Promise<Uint8Array> {
  expect(r.status, r.reason).toBe('cleaned');
  return new Uint8Array(await r.output!.arrayBuffer());
}

function top(lines: DumpLine[], t: string): string | undefined {
  return lines.find((l) => l.tag === t && l.depth === 0)?.value;
}

describe('DICOMDIR', () => {
  it('the fixture is a valid directory', () => {
    const d = parseDirectory(dicomdir());
    expect(walkLinks(d)).toEqual(['PATIENT', 'STUDY', 'SERIES', 'IMAGE', 'PATIENT', 'STUDY', 'SERIES', 'IMAGE']);
    expect(d.last).toBe(d.starts[4]);
    dcmdump(dicomdir(), 'DICOMDIR');
  });

  it('is cleaned with the same UID map as its files; its offsets are rebuilt', async () => {
    const inputs = [{ path: 'DICOMDIR', file: blobOf(dicomdir()) }, ...PEOPLE.map((p) => ({ path: `IMAGES/${p.file}`, file: blobOf(image(p)) }))];
    const results = await deidentifyFiles(inputs, { key: KEY });
    expect(results[0]!.format).toBe('dicomdir');
    const dir = await bytesOf(results[0]!);
    const files = await Promise.all(results.slice(1).map(bytesOf));
    dcmdump(dir, 'DICOMDIR');
    for (const text of ['DOE', 'JANE', 'ROE', 'RICHARD', 'P-1001', 'P-2002', 'ACCP-1001', '19700304', '20200115', 'CT FOR', ...PEOPLE.flatMap((p) => [p.study, p.series, p.instance])]) {
      expect(containsText(dir, text), text).toBe(false);
    }
    const d = parseDirectory(dir);
    expect(walkLinks(d)).toEqual(['PATIENT', 'STUDY', 'SERIES', 'IMAGE', 'PATIENT', 'STUDY', 'SERIES', 'IMAGE']);
    expect(d.root).toBe(d.starts[0]);
    expect(d.last).toBe(d.starts[4]);
    PEOPLE.forEach((p, n) => {
      const file = dumpLines(dcmdump(files[n]!, p.file));
      const imageRecord = d.records[n * 4 + 3]!.ds;
      expect(imageRecord.string('x00041511')).toBe(top(file, '00080018'));
      expect(imageRecord.string('x00041510')).toBe(CT);
      expect(imageRecord.string('x00041500')).toBe(`IMAGES\\${p.file}`);
      expect(d.records[n * 4 + 1]!.ds.string('x0020000d')).toBe(top(file, '0020000D'));
      expect(d.records[n * 4 + 2]!.ds.string('x0020000e')).toBe(top(file, '0020000E'));
    });
    // No de-identification markers at the top of a directory (they belong to composite instances).
    expect(top(dumpLines(dcmdump(dir, 'DICOMDIR')), '00120062')).toBeUndefined();
  });

  it('moves each record date by the offset of the patient the record belongs to', async () => {
    const inputs = [{ path: 'DICOMDIR', file: blobOf(dicomdir()) }, ...PEOPLE.map((p) => ({ path: p.file, file: blobOf(image(p)) }))];
    const results = await deidentifyFiles(inputs, { key: KEY, options: { retainLongitudinalModifiedDates: true } });
    const d = parseDirectory(await bytesOf(results[0]!));
    for (const [n, p] of PEOPLE.entries()) {
      const file = dumpLines(dcmdump(await bytesOf(results[n + 1]!), p.file));
      const moved = d.records[n * 4 + 1]!.ds.string('x00080020');
      expect(moved).not.toBe(p.date);
      expect(moved).toBe(top(file, '00080020'));
    }
  });

  it('records linked out of order still get their patient by position', async () => {
    // No lower-level links at all: records go with the PATIENT record before them.
    const flat = LINKS.map((l) => [l[0]!, -1]);
    const first = directoryBytes([], flat);
    const bytes = directoryBytes(parseDirectory(first).starts, flat);
    const [dirResult, ...files] = await deidentifyFiles([{ path: 'DICOMDIR', file: blobOf(bytes) }, ...PEOPLE.map((p) => ({ path: p.file, file: blobOf(image(p)) }))], { key: KEY, options: { retainLongitudinalModifiedDates: true } });
    const d = parseDirectory(await bytesOf(dirResult!));
    for (const [n, p] of PEOPLE.entries()) {
      expect(d.records[n * 4 + 1]!.ds.string('x00080020')).toBe(top(dumpLines(dcmdump(await bytesOf(files[n]!), p.file)), '00080020'));
    }
  });

  it('an offset that points at no record becomes 0', async () => {
    const bytes = directoryBytes(parseDirectory(directoryBytes([], LINKS)).starts.map((s, i) => (i === 4 ? s + 2 : s)), LINKS);
    const [r] = await deidentifyFiles([{ path: 'DICOMDIR', file: blobOf(bytes) }], { key: KEY });
    const d = parseDirectory(await bytesOf(r!));
    expect(d.records[0]!.next).toBe(0);
    expect(d.last).toBe(0);
  });

  it('a directory naming files by the patient ID is refused', async () => {
    const bytes = dicomdir();
    // Rewrite IMAGES\IM0001 as P-1001\IM0001 (same length): the folder is named by the patient ID.
    const text = new TextDecoder('latin1').decode(bytes).replace('IMAGES\\IM0001', 'P-1001\\IM0001');
    const [r] = await deidentifyFiles([{ path: 'DICOMDIR', file: blobOf(Uint8Array.from(text, (c) => c.charCodeAt(0))) }], { key: KEY });
    expect(r!.status).toBe('failed');
    expect(r!.reason).toMatch(/Referenced File ID/);
    expect(r!.output).toBeUndefined();
  });
});

describe('zip', () => {
  function archive(): Uint8Array {
    const inner = zipSync({ 'deep/IM0002': image(PEOPLE[1]!) });
    return zipSync(
      {
        'scans/': new Uint8Array(0),
        'scans/IM0001': [image(PEOPLE[0]!), { level: 6 }],
        'scans/stored.dcm': [image(PEOPLE[0]!), { level: 0 }],
        'notes.txt': strToU8('just notes'),
        'inner.zip': inner,
      },
      { comment: 'for DOE^JANE' } as never,
    );
  }

  it('is rewritten entry by entry, nested zips included; what is not medical is kept as it was', async () => {
    const [r] = await deidentifyFiles([{ path: 'upload.zip', file: new File([archive() as Uint8Array<ArrayBuffer>], 'upload.zip', { type: 'application/zip', lastModified: 1_600_000_000_000 }) }], { key: KEY });
    expect(r!.format).toBe('zip');
    const bytes = await bytesOf(r!);
    expect(r!.output).toBeInstanceOf(File);
    expect((r!.output as File).name).toBe('upload.zip');
    expect((r!.output as File).type).toBe('application/zip');
    expect((r!.output as File).lastModified).toBe(1_600_000_000_000);
    for (const text of ['DOE', 'JANE', 'P-1001']) expect(containsText(bytes, text), text).toBe(false);
    const entries = unzipSync(bytes);
    expect(Object.keys(entries).sort()).toEqual(['inner.zip', 'notes.txt', 'scans/', 'scans/IM0001', 'scans/stored.dcm']);
    expect(new TextDecoder().decode(entries['notes.txt'])).toBe('just notes');
    for (const name of ['scans/IM0001', 'scans/stored.dcm']) {
      const lines = dumpLines(dcmdump(entries[name]!, 'entry.dcm'));
      expect(top(lines, '00120062')).toBe('YES');
      expect(top(lines, '00100010')).toBe('(no value available)');
    }
    const inner = unzipSync(entries['inner.zip']!);
    const deep = dumpLines(dcmdump(inner['deep/IM0002']!, 'deep.dcm'));
    expect(top(deep, '00100020')).toBe('ANONYMIZED');
    expect(containsText(entries['inner.zip']!, 'ROE')).toBe(false);
    // The verification scanned every entry.
    const flat = (x: NonNullable<DeidentifyResult['verification']>): string[] => [x.path, ...(x.entries ?? []).flatMap(flat)];
    expect(flat(r!.verification!)).toContain('upload.zip!inner.zip!deep/IM0002');
    expect(r!.verification!.verdict).toBe('clean');
  });

  it('one entry that cannot be cleaned fails the whole zip', async () => {
    const whole = image(PEOPLE[0]!);
    const bytes = zipSync({ 'a.dcm': image(PEOPLE[1]!), 'b.dcm': whole.subarray(0, whole.length - 4) });
    const [r] = await deidentifyFiles([{ path: 'bad.zip', file: blobOf(bytes) }], { key: KEY });
    expect(r!.status).toBe('failed');
    expect(r!.reason).toMatch(/^entry 2 of the zip: its pixel data is cut short/);
    expect(r!.output).toBeUndefined();
  });

  it('a zip with nothing medical in it is passed on as it is', async () => {
    const bytes = zipSync({ 'a.txt': strToU8('hello'), 'inner.zip': zipSync({ 'b.txt': strToU8('x') }) });
    const input = blobOf(bytes);
    const [r] = await deidentifyFiles([{ path: 'plain.zip', file: input }], { key: KEY });
    expect(r!.status).toBe('not-medical');
    expect(r!.output).toBe(input);
  });

  it('a damaged zip, or one nested too deep, fails with a reason', async () => {
    const damaged = archive().slice(0, 200);
    let nested: Uint8Array = zipSync({ 'IM': image(PEOPLE[0]!) });
    for (let i = 0; i < 5; i++) nested = zipSync({ 'z.zip': nested });
    const results = await deidentifyFiles([{ path: 'damaged.zip', file: blobOf(damaged) }, { path: 'deep.zip', file: blobOf(nested) }], { key: KEY });
    expect(results[0]!.status).toBe('failed');
    expect(results[0]!.reason).toMatch(/zip file could not be read/);
    expect(results[1]!.status).toBe('failed');
    expect(results[1]!.reason).toMatch(/nested more than/);
  });
});

describe('gzip', () => {
  it('a gzip-compressed DICOM file is cleaned and compressed again', async () => {
    const [r] = await deidentifyFiles([{ path: 'IM.dcm.gz', file: blobOf(gzipSync(image(PEOPLE[0]!))) }], { key: KEY });
    const inner = gunzipSync(await bytesOf(r!));
    expect(top(dumpLines(dcmdump(inner, 'gz.dcm')), '00100010')).toBe('(no value available)');
    expect(containsText(inner, 'DOE')).toBe(false);
  });

  it('a damaged one fails, a compressed text file is passed on', async () => {
    const good = gzipSync(image(PEOPLE[0]!));
    const results = await deidentifyFiles(
      [{ path: 'bad.gz', file: blobOf(good.slice(0, 60)) }, { path: 'notes.gz', file: blobOf(gzipSync(strToU8('notes'))) }],
      { key: KEY },
    );
    expect(results[0]!.status).toBe('failed');
    expect(results[0]!.reason).toMatch(/compressed file could not be opened/);
    expect(results[1]!.status).toBe('not-medical');
  });
});

describe('NIfTI', () => {
  const dicomExtension = writeDicom([{ tag: tag(0x0010, 0x0010), vr: 'PN', value: 'DOE^JANE' }], { transferSyntax: 'explicit-le', preamble: false, meta: false });
  const nifti = (): Uint8Array => {
    const bytes = writeNifti1('JANE DOE head 2020-01-15', [{ code: 6, data: strToU8('comment naming JANE DOE') }, { code: 2, data: dicomExtension }]);
    bytes.set(strToU8('DOE_SCAN'), 228); // aux_file
    bytes.set(strToU8('JDOE'), 328); // intent_name
    bytes.set(strToU8('doe db'), 14); // db_name
    bytes.set(Uint8Array.from({ length: 16 }, (_, i) => i + 1), bytes.length - 16); // the image
    return bytes;
  };

  it('text fields and extensions are cleared, the image is untouched (.nii)', async () => {
    const original = nifti();
    const [r] = await deidentifyFiles([{ path: 'head.nii', file: blobOf(original) }], { key: KEY });
    expect(r!.format).toBe('nifti');
    const bytes = await bytesOf(r!);
    expect(bytes.length).toBe(original.length);
    expect(bytes.subarray(bytes.length - 16)).toEqual(original.subarray(original.length - 16));
    for (const text of ['DOE', 'JANE', 'JDOE', 'doe db']) expect(containsText(bytes, text), text).toBe(false);
    expect(bytes.subarray(348, bytes.length - 16).every((b) => b === 0)).toBe(true);
    expect(bytes.subarray(0, 4)).toEqual(original.subarray(0, 4));
    expect(bytes.subarray(344, 348)).toEqual(original.subarray(344, 348));
    expect(r!.verification!.verdict).toBe('clean');
  });

  it('.nii.gz is cleaned and compressed again', async () => {
    const [r] = await deidentifyFiles([{ path: 'head.nii.gz', file: blobOf(gzipSync(nifti())) }], { key: KEY });
    const inner = gunzipSync(await bytesOf(r!));
    expect(containsText(inner, 'JANE')).toBe(false);
    expect(inner.subarray(inner.length - 16)).toEqual(nifti().subarray(nifti().length - 16));
  });

  it('a .hdr keeps only its header and an empty extender', async () => {
    // A .hdr holds no image: its extensions run to its end.
    const full = nifti();
    const hdr = full.slice(0, full.length - 16);
    hdr.set(strToU8('ni1\0'), 344);
    const [r] = await deidentifyFiles([{ path: 'head.hdr', file: blobOf(hdr) }], { key: KEY });
    const bytes = await bytesOf(r!);
    expect(bytes.length).toBe(352);
    expect(containsText(bytes, 'JANE')).toBe(false);
  });

  it('NIfTI-2 text fields are cleared', async () => {
    const bytes = new Uint8Array(544 + 8);
    const view = new DataView(bytes.buffer);
    view.setInt32(0, 540, true);
    bytes.set(strToU8('n+2\0\r\n\x1a\n'), 4);
    view.setBigInt64(16, 1n, true); // dim[0]
    view.setBigInt64(24, 8n, true);
    view.setBigInt64(168, 544n, true); // vox_offset
    bytes.set(strToU8('JANE DOE'), 240);
    bytes.set(strToU8('DOE_SCAN'), 320);
    const [r] = await deidentifyFiles([{ path: 'n2.nii', file: blobOf(bytes) }], { key: KEY });
    const out = await bytesOf(r!);
    expect(out.length).toBe(bytes.length);
    expect(containsText(out, 'JANE')).toBe(false);
    expect(containsText(out, 'DOE')).toBe(false);
  });

  it('a NIfTI file whose image offset is impossible, or whose header is cut short, fails', async () => {
    const bad = nifti();
    new DataView(bad.buffer).setFloat32(108, 100, true);
    const results = await deidentifyFiles([{ path: 'bad.nii', file: blobOf(bad) }, { path: 'cut.nii', file: blobOf(nifti().slice(0, 360)) }], { key: KEY });
    expect(results[0]!.status).toBe('failed');
    expect(results[0]!.reason).toMatch(/image data offset is invalid/);
    expect(results[1]!.status).toBe('failed');
    expect(results[1]!.reason).toMatch(/NIfTI header/);
  });
});
