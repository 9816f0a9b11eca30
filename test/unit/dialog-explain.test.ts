// What the decision dialog says about a scan: the outcome rule, findings by category with values, per file
// or per series, why each kind of detail matters, unreadable files, and that every message key exists.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { zipSync } from 'fflate';
import { scanFiles } from '../../src/core/scan';
import { bytesSource } from '../../src/core/source';
import type { FileReport, ScanReport } from '../../src/core/report';
import {
  displayPath,
  explainConfirm,
  explainFailure,
  explainReport,
  formatBytes,
  formatValue,
  outcomeOf,
  spellKeyword,
  FIELD_LABEL_KEYWORDS,
  type ExplainContext,
  type Translate,
} from '../../src/ui/dialog/explain';
import { writeDicom, tag, type El } from '../fixtures/dicom-writer';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
interface Message { message: string; placeholders?: Record<string, { content: string }> }
const MESSAGES = JSON.parse(fs.readFileSync(path.join(ROOT, 'public/_locales/en/messages.json'), 'utf8')) as Record<string, Message>;

/** browser.i18n.getMessage as Chrome does it, but strict: a missing key, or a substitution count that does not match, throws. */
const t: Translate = (key, substitutions = []) => {
  const m = MESSAGES[key];
  if (!m) throw new Error(`missing message ${key}`);
  const positions = Object.values(m.placeholders ?? {}).map((p) => Number(p.content.slice(1)));
  const wanted = positions.length ? Math.max(...positions) : 0;
  if (substitutions.length !== wanted) throw new Error(`${key}: ${substitutions.length} substitutions for ${wanted} placeholders`);
  return m.message.replace(/\$([A-Za-z_]+)\$/g, (_, name: string) => {
    const content = m.placeholders?.[name.toLowerCase()]?.content;
    if (!content) throw new Error(`${key}: undeclared placeholder ${name}`);
    return content.replace(/\$(\d)/g, (__, n: string) => substitutions[Number(n) - 1] ?? '');
  });
};

const CT = '1.2.840.10008.5.1.4.1.1.2';
const el = (group: number, element: number, vr: string, value: El['value']): El => ({ tag: tag(group, element), vr, value });
let uid = 0;

function dicom(extra: El[], pixels = true): Uint8Array {
  uid++;
  return writeDicom(
    [el(0x0008, 0x0016, 'UI', CT), el(0x0008, 0x0018, 'UI', `1.2.3.4.${uid}`), ...extra],
    { transferSyntax: 'explicit-le', ...(pixels ? { pixelData: { bytes: new Uint8Array(16) } } : {}) },
  );
}

function patient(name: string, id: string, series: string, more: El[] = []): El[] {
  return [
    el(0x0008, 0x0020, 'DA', '20240105'),
    el(0x0008, 0x0060, 'CS', 'CT'),
    el(0x0008, 0x0080, 'LO', 'ST ELSEWHERE HOSPITAL'),
    el(0x0010, 0x0010, 'PN', name),
    el(0x0010, 0x0020, 'LO', id),
    el(0x0010, 0x0030, 'DA', '19800203'),
    el(0x0020, 0x000d, 'UI', `2.25.9${[...id].map((c) => c.charCodeAt(0)).join('')}`),
    el(0x0020, 0x000e, 'UI', series),
    ...more,
  ];
}

async function scan(files: Array<[string, Uint8Array]>): Promise<ScanReport> {
  return scanFiles(files.map(([p, bytes]) => ({ path: p, source: bytesSource(bytes) })));
}

const context = (fileCount: number, overrides: Partial<ExplainContext> = {}): ExplainContext => ({ site: 'upload.example.org', path: 'input', fileCount, ...overrides });
const TEXT = new TextEncoder();

describe('the outcome rule', () => {
  it('nothing medical passes; a zip of nothing medical passes too', async () => {
    const r = await scan([['notes.txt', TEXT.encode('hello')], ['photos.zip', zipSync({ 'a.txt': TEXT.encode('x'), 'b.jpg': new Uint8Array([0xff, 0xd8, 0xff]) })]]);
    expect(outcomeOf(r)).toEqual({ outcome: 'pass', counts: { files: 2, medical: 0, identifying: 0, unreadable: 0 } });
  });

  it('medical files that are all clean get a notice', async () => {
    const clean = dicom([el(0x0008, 0x0060, 'CS', 'CT'), el(0x0010, 0x0040, 'CS', 'F')]);
    const r = await scan([['a.dcm', clean], ['readme.txt', TEXT.encode('hi')]]);
    expect(outcomeOf(r)).toEqual({ outcome: 'notice', counts: { files: 2, medical: 1, identifying: 0, unreadable: 0 } });
  });

  it('an identifying file inside a zip asks, and counts the entry, not the zip', async () => {
    const zip = zipSync({ 'dir/IM1': dicom(patient('DOE^JANE', 'P1', '2.25.11')), 'dir/readme.txt': TEXT.encode('x') });
    const r = await scan([['study.zip', zip]]);
    expect(outcomeOf(r)).toEqual({ outcome: 'ask', counts: { files: 1, medical: 1, identifying: 1, unreadable: 0 } });
  });

  it('a medical file that cannot be read asks', async () => {
    const whole = dicom(patient('DOE^JANE', 'P1', '2.25.12'));
    const r = await scan([['cut.dcm', whole.subarray(0, 200)]]);
    expect(r.files[0]!.verdict).toBe('unreadable');
    expect(outcomeOf(r).outcome).toBe('ask');
    expect(outcomeOf(r).counts.unreadable).toBe(1);
  });

  it('an empty upload passes', () => {
    expect(outcomeOf({ files: [], summary: { files: 0, identifying: 0, clean: 0, unreadable: 0, notMedical: 0, patients: 0, studies: 0, series: 0 } }).outcome).toBe('pass');
  });
});

describe('one file, explained', () => {
  it('groups findings by plain category, worst first, with the values, labels and why it matters', async () => {
    const r = await scan([['scans/IM0001.dcm', dicom([
      ...patient('DOE^JANE^^^', 'MRN-7731', '2.25.21'),
      el(0x0008, 0x0030, 'TM', '101502'),
      el(0x0009, 0x0010, 'LO', 'ACME IMAGING'),
      el(0x0009, 0x1001, 'LO', 'ward 7 note'),
      el(0x0008, 0x1030, 'LO', 'CT head for Jane Doe'),
    ])]]);
    const x = explainReport(r, context(1), t);
    expect(x.grouping).toBe('file');
    expect(x.title).toBe('This file identifies someone');
    expect(x.lead).toBe('You chose 1 file to upload to upload.example.org. Scan Privacy Guard checked it on this computer and found details that can identify the patient. Nothing has been sent yet.');
    expect(x.groups).toHaveLength(1);
    const g = x.groups[0]!;
    expect(g.heading).toBe('scans/IM0001.dcm');
    const labels = g.categories.map((c) => c.label);
    // High categories first (names, IDs, birth date, a repeat in the description), then medium ones in reading order.
    expect(labels.slice(0, 3)).toEqual(['Names', 'Patient IDs and record numbers', 'Birth date']);
    expect(labels).toContain('Hospital and staff');
    expect(labels.indexOf('Hospital and staff')).toBeLessThan(labels.indexOf('Dates and times'));
    expect(g.categories.every((c, i) => i === 0 || !(c.severity === 'high' && g.categories[i - 1]!.severity === 'medium'))).toBe(true);

    const names = g.categories.find((c) => c.category === 'name')!;
    expect(names.severityLabel).toBe('Identifies the patient directly');
    expect(names.why).toMatch(/whose scan/);
    expect(names.items).toEqual([{ label: "Patient's name", value: 'DOE JANE' }]);
    const birth = g.categories.find((c) => c.category === 'birth-date')!;
    expect(birth.items[0]).toEqual({ label: 'Birth date', value: '1980-02-03' });
    const dates = g.categories.find((c) => c.category === 'dates')!;
    expect(dates.severityLabel).toBe('Can help identify the patient');
    expect(dates.items).toContainEqual({ label: 'Exam date', value: '2024-01-05' });
    expect(dates.items).toContainEqual({ label: 'Study time', value: '10:15:02' });
    expect(g.categories.find((c) => c.category === 'people-and-institution')!.items).toContainEqual({ label: 'Hospital or clinic', value: 'ST ELSEWHERE HOSPITAL' });
    const priv = g.categories.find((c) => c.category === 'private-data')!;
    expect(priv.items).toContainEqual({ label: 'Scanner-maker data (ACME IMAGING)', value: 'ward 7 note' });
    const repeat = g.categories.flatMap((c) => c.items).find((i) => i.value === 'CT head for Jane Doe');
    expect(repeat).toEqual({ label: 'Exam description', value: 'CT head for Jane Doe', detail: "repeats the Patient's name" });
    expect(x.categoriesFound[0]).toBe('Names');
    expect(x.facts).toEqual(['1 file', '1 patient', '1 study', '1 series']);
    expect(x.severalPatients).toBeUndefined();
    expect(x.notShown).toBeUndefined();
  });

  it('words the first sentence by how the files arrived', async () => {
    const r = await scan([['a.dcm', dicom(patient('DOE^JANE', 'P1', '2.25.31'))]]);
    expect(explainReport(r, context(1, { path: 'drop' }), t).lead).toMatch(/^You dropped 1 file onto upload\.example\.org\./);
    expect(explainReport(r, context(2, { path: 'paste' }), t).lead).toMatch(/^You pasted 2 files into upload\.example\.org\./);
    expect(explainReport(r, context(1, { path: 'clipboard' }), t).lead).toMatch(/^upload\.example\.org asked to read 1 file from your clipboard\./);
    expect(explainReport(r, context(1, { path: 'egress' }), t).lead).toMatch(/^upload\.example\.org tried to send 1 file\./);
    expect(explainReport(r, context(1, { path: 'folder-input' }), t).lead).toMatch(/^You chose 1 file/);
  });

  it('text in the picture and a face from a head scan are explained in words, not values', async () => {
    const head = (i: number): Uint8Array => dicom([
      ...patient('ROE^RICHARD', 'P9', '2.25.41'),
      el(0x0018, 0x0015, 'CS', 'HEAD'),
      el(0x0018, 0x0050, 'DS', '3'),
      el(0x0020, 0x0013, 'IS', String(i)),
    ]);
    const us = dicom([el(0x0008, 0x0060, 'CS', 'US')]);
    const r = await scan([...Array.from({ length: 8 }, (_, i): [string, Uint8Array] => [`head/IM${i}`, head(i)]), ['us.dcm', us]]);
    // 8 head slices is not enough for a face; the ultrasound may show text.
    let x = explainReport(r, context(9), t);
    expect(x.groups.flatMap((g) => g.categories).some((c) => c.category === 'face')).toBe(false);
    const picture = x.groups.find((g) => g.heading === 'us.dcm')!.categories.find((c) => c.category === 'picture-content')!;
    expect(picture.items[0]).toEqual({ label: 'Text written into the picture', detail: expect.stringMatching(/often have text written into them/) });
    expect(picture.why).toMatch(/written into the picture itself/);

    const r2 = await scan(Array.from({ length: 25 }, (_, i): [string, Uint8Array] => [`head/IM${i}`, head(i)]));
    x = explainReport(r2, context(25), t);
    expect(x.grouping).toBe('series');
    const face = x.groups[0]!.categories.find((c) => c.category === 'face')!;
    expect(face.items[0]).toEqual({ label: 'Face from a head scan', detail: 'A face could be rebuilt from these 25 slices of the head.' });
    expect(face.why).toMatch(/face can be rebuilt/);
  });

  it('an unreadable file is explained as could not be checked, so treat it as risky, with what was found before the damage', async () => {
    const whole = dicom(patient('DOE^JANE', 'P1', '2.25.51'));
    const r = await scan([['cut.dcm', whole.subarray(0, 300)], ['fine.txt', TEXT.encode('x')]]);
    const x = explainReport(r, context(2), t);
    expect(x.title).toBe('This file could not be checked');
    expect(x.lead).toMatch(/could not check everything in them/);
    expect(explainReport(r, context(1), t).lead).toMatch(/could not check everything in it, so it cannot tell whether it identifies/);
    const g = x.groups[0]!;
    expect(g.unreadable?.text).toBe('This file could not be checked, so treat it as risky: it may contain anything.');
    expect(g.unreadable?.reasons[0]).toBe(r.files[0]!.reason);
    expect(x.unreadableCount).toBe(1);
    expect(x.notShown).toBe('Nothing identifying was found in 1 other file.');
    const confirm = explainConfirm(x, { ...context(2), totalBytes: 1234 }, t);
    expect(confirm.unchecked).toBe('1 file that could not be checked');
  });

  it('an unreadable file with no reason and no findings still says so', () => {
    const file: FileReport = { path: 'a.zip!b/c.dcm', format: 'dicom', verdict: 'unreadable', findings: [], bytesRead: 0, size: 10 };
    const report: ScanReport = { files: [{ path: 'a.zip', format: 'zip', verdict: 'unreadable', findings: [], bytesRead: 0, size: 10, entries: [file] }], summary: { files: 1, identifying: 0, clean: 0, unreadable: 1, notMedical: 0, patients: 0, studies: 0, series: 0 } };
    const x = explainReport(report, context(1), t);
    expect(x.groups[0]).toMatchObject({ heading: 'a.zip › b/c.dcm', categories: [], unreadable: { reasons: ['no reason given'] } });
    expect(x.facts).toEqual(['1 file']);
    expect(x.categoriesFound).toEqual([]);
  });

  it('lists a bounded number of values per category and clips long ones', () => {
    const findings = Array.from({ length: 12 }, (_, i) => ({
      tag: '00081030', keyword: 'StudyDescription', category: 'free-text' as const, severity: 'medium' as const, sequence: [], private: false, value: `${'x'.repeat(300)}${i}`,
    }));
    const report: ScanReport = { files: [{ path: 'a', format: 'dicom', verdict: 'identifying', findings, bytesRead: 1, size: 1 }], summary: { files: 1, identifying: 1, clean: 0, unreadable: 0, notMedical: 0, patients: 0, studies: 0, series: 0 } };
    const c = explainReport(report, context(1), t).groups[0]!.categories[0]!;
    expect(c.items).toHaveLength(8);
    expect(c.more).toBe('… and 4 more');
    expect(c.items[0]!.value).toHaveLength(160);
    expect(c.items[0]!.value!.endsWith('…')).toBe(true);
  });

  it('low findings (UIDs, age, sex) are not shown; binary values say they cannot be shown', () => {
    const report: ScanReport = {
      files: [{
        path: 'a', format: 'dicom', verdict: 'identifying', bytesRead: 1, size: 1, findings: [
          { tag: '0020000D', keyword: 'StudyInstanceUID', category: 'uids', severity: 'low', sequence: [], private: false, value: '2.25.1' },
          { tag: '00091002', keyword: 'PrivateAttribute', category: 'private-data', severity: 'medium', sequence: [], private: true, note: '12 bytes of vendor data' },
        ],
      }],
      summary: { files: 1, identifying: 1, clean: 0, unreadable: 0, notMedical: 0, patients: 0, studies: 0, series: 0 },
    };
    const g = explainReport(report, context(1), t).groups[0]!;
    expect(g.categories.map((c) => c.category)).toEqual(['private-data']);
    expect(g.categories[0]!.items).toEqual([{ label: 'Scanner-maker data', detail: 'stored as data that cannot be shown here' }]);
  });
});

describe('large uploads, by series', () => {
  it('groups more than 10 flagged files by series, names each series and its patient, and says several patients are in the upload', async () => {
    const files: Array<[string, Uint8Array]> = [];
    for (let i = 0; i < 8; i++) {
      files.push([`a/IM${i}`, dicom(patient('DOE^JANE', 'P1', '2.25.61', [el(0x0008, 0x103e, 'LO', 'AXIAL'), el(0x0008, 0x0031, 'TM', i < 2 ? '101500' : '101600')]))]);
    }
    for (let i = 0; i < 5; i++) files.push([`b/IM${i}`, dicom(patient('ROE^RICHARD', 'P2', '2.25.62'))]);
    files.push(['notes.txt', TEXT.encode('x')]);
    const r = await scan(files);
    const x = explainReport(r, context(14, { path: 'folder-input' }), t);
    expect(x.grouping).toBe('series');
    expect(x.facts).toEqual(['14 files', '2 patients', '2 studies', '2 series']);
    expect(x.severalPatients).toBe('This upload holds scans of 2 different patients. Make sure you mean to share all of them.');
    expect(x.title).toBe('These files identify someone');
    expect(x.notShown).toBe('Nothing identifying was found in 1 other file.');
    expect(x.groups.map((g) => g.heading)).toEqual(['Series 1: CT, AXIAL', 'Series 2: CT']);
    expect(x.groups[0]!.details).toEqual(['Patient: DOE JANE (ID P1)', '8 files: a/IM0, a/IM1, a/IM2 and 5 more']);
    expect(x.groups[1]!.details).toEqual(['Patient: ROE RICHARD (ID P2)', '5 files: b/IM0, b/IM1, b/IM2 and 2 more']);
    // The same value in every file is listed once; a value in some files says in how many.
    const names = x.groups[0]!.categories.find((c) => c.category === 'name')!;
    expect(names.items).toEqual([{ label: "Patient's name", value: 'DOE JANE' }]);
    const times = x.groups[0]!.categories.find((c) => c.category === 'dates')!.items.filter((i) => i.label === 'Series time');
    expect(times).toEqual([
      { label: 'Series time', value: '10:16:00', spread: 'in 6 of 8 files' },
      { label: 'Series time', value: '10:15:00', spread: 'in 2 of 8 files' },
    ]);
  });

  it('files with no series and unreadable files get groups of their own; the group list is bounded', async () => {
    const files: Array<[string, Uint8Array]> = [];
    for (let i = 0; i < 6; i++) files.push([`s${i}`, dicom(patient('DOE^JANE', 'P1', `2.25.7${i}`))]);
    for (let i = 0; i < 4; i++) files.push([`bad${i}`, dicom(patient('DOE^JANE', 'P1', '2.25.79')).subarray(0, 150)]);
    for (let i = 0; i < 2; i++) files.push([`noseries${i}`, dicom([el(0x0010, 0x0010, 'PN', 'DOE^JANE')])]);
    const r = await scan(files);
    const x = explainReport(r, context(12), t, { maxGroups: 3 });
    expect(x.grouping).toBe('series');
    expect(x.groups).toHaveLength(3);
    expect(x.moreGroups).toBe('… and 5 more series with similar details');
    const all = explainReport(r, context(12), t);
    const headings = all.groups.map((g) => g.heading);
    expect(headings.slice(0, 6)).toEqual(['Series 1: CT', 'Series 2: CT', 'Series 3: CT', 'Series 4: CT', 'Series 5: CT', 'Series 6: CT']);
    expect(headings.slice(6).sort()).toEqual(['Files that could not be checked', 'Other files']);
    const bad = all.groups.find((g) => g.heading === 'Files that could not be checked')!;
    expect(bad.unreadable?.text).toBe('These 4 files could not be checked, so treat them as risky: they may contain anything.');
    expect(bad.unreadable?.reasons).toHaveLength(1);
  });

  it('a series where only some files could not be read says how many', () => {
    const identity = { patientKeys: ['\u0000'], studyUids: ['1'], seriesUids: ['2'] };
    const ok: FileReport = { path: 'x', format: 'dicom', verdict: 'identifying', bytesRead: 1, size: 1, identity, findings: [{ tag: '00100020', keyword: 'PatientID', category: 'identifier', severity: 'high', sequence: [], private: false, value: 'P1' }] };
    const bad: FileReport = { path: 'y', format: 'dicom', verdict: 'unreadable', reason: 'cut short', bytesRead: 1, size: 1, identity: { ...identity, patientKeys: ['P1\u0000', 'P2\u0000'] }, findings: [] };
    const report: ScanReport = { files: [...Array.from({ length: 10 }, (_, i) => ({ ...ok, path: `x${i}` })), bad], summary: { files: 11, identifying: 10, clean: 0, unreadable: 1, notMedical: 0, patients: 2, studies: 1, series: 1 } };
    const g = explainReport(report, context(11), t).groups[0]!;
    expect(g.unreadable).toEqual({ text: '1 of these 11 files could not be checked, so treat them as risky: they may contain anything.', reasons: ['cut short'] });
    expect(g.heading).toBe('Series 1');
    expect(g.details[0]).toBe('Patients: several (a list of patients)');
  });

  it('per-file grouping lists unreadable files after files with high findings', async () => {
    const r = await scan([
      ['dates-only', dicom([el(0x0008, 0x0020, 'DA', '20240105')])],
      ['cut', dicom(patient('DOE^JANE', 'P1', '2.25.81')).subarray(0, 150)],
      ['named', dicom([el(0x0010, 0x0010, 'PN', 'DOE^JANE')])],
    ]);
    expect(explainReport(r, context(3), t).groups.map((g) => g.heading)).toEqual(['named', 'cut', 'dates-only']);
  });
});

describe('confirmation and failure', () => {
  it('the confirmation step says what will be sent, how much, to which site, and what is in it', async () => {
    const r = await scan([['a.dcm', dicom(patient('DOE^JANE', 'P1', '2.25.91'))], ['b.dcm', dicom(patient('DOE^JANE', 'P1', '2.25.91'))]]);
    const x = explainReport(r, context(2), t);
    const c = explainConfirm(x, { ...context(2), totalBytes: 12_400_000 }, t);
    expect(c.title).toBe('Upload the original files?');
    expect(c.body).toBe('2 files (12.4 MB) will be sent to upload.example.org exactly as they are.');
    expect(c.categories.slice(0, 3)).toEqual(['Names', 'Patient IDs and record numbers', 'Birth date']);
    expect(c.unchecked).toBeUndefined();
    expect(c.warning).toMatch(/up to upload\.example\.org\.$/);
  });

  it('the failure view says the files were held', () => {
    expect(explainFailure('timeout', t)).toEqual({ title: 'The files could not be checked', body: expect.stringMatching(/^Checking took too long\. To be safe, nothing was uploaded\./) });
    expect(explainFailure('error', t).body).toMatch(/^Something went wrong/);
  });
});

describe('formatting', () => {
  it('spells DICOM keywords as words', () => {
    expect(spellKeyword('PatientBirthDate')).toBe('Patient birth date');
    expect(spellKeyword('StudyID')).toBe('Study ID');
    expect(spellKeyword('OtherPatientIDsSequence')).toBe('Other patient IDs sequence');
    expect(spellKeyword('SOPInstanceUID')).toBe('SOP instance UID');
    expect(spellKeyword('nifti')).toBe('Nifti');
    expect(spellKeyword('extension6')).toBe('Extension 6');
    expect(spellKeyword('___')).toBe('___');
  });

  it('formats dates, times, date-times and person names; leaves other values alone', () => {
    const f = (keyword: string, value: string, category: 'dates' | 'name' | 'free-text' | 'people-and-institution' = 'dates'): string => formatValue({ keyword, category }, value);
    expect(f('StudyDate', '20240105')).toBe('2024-01-05');
    expect(f('StudyDate', '2024')).toBe('2024');
    expect(f('StudyTime', '1015')).toBe('10:15');
    expect(f('StudyTime', '101502.123')).toBe('10:15:02');
    expect(f('AcquisitionDateTime', '20240105101502.1+0100')).toBe('2024-01-05 10:15:02');
    expect(f('AcquisitionDateTime', '202401051015')).toBe('2024-01-05 10:15');
    expect(f('PatientName', 'DOE^JANE=ドウ^ジェーン', 'name')).toBe('DOE JANE = ドウ ジェーン');
    expect(f('ReferringPhysicianName', 'WHO^JOHN^^DR', 'people-and-institution')).toBe('WHO JOHN DR');
    expect(f('StudyDescription', 'DOE^JANE', 'free-text')).toBe('DOE^JANE');
  });

  it('shows zip entries with a readable separator and sizes in units', () => {
    expect(displayPath('a.zip!b.zip!c/d')).toBe('a.zip › b.zip › c/d');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1500)).toBe('1.5 kB');
    expect(formatBytes(250_000_000)).toBe('250 MB');
    expect(formatBytes(5e15)).toBe('5000 TB');
  });
});

describe('messages', () => {
  it('every field label, category and dialog string the page uses exists in messages.json', () => {
    for (const k of FIELD_LABEL_KEYWORDS) expect(() => t(`dialog_field_${k}`)).not.toThrow();
    for (const k of ['name', 'identifier', 'birth_date', 'contact', 'dates', 'people', 'device', 'free_text', 'structured', 'private', 'uids', 'characteristics', 'picture', 'face', 'other']) {
      expect(MESSAGES[`dialog_cat_${k}`], k).toBeDefined();
      expect(MESSAGES[`dialog_why_${k}`], k).toBeDefined();
    }
    const page = fs.readFileSync(path.join(ROOT, 'src/ui/dialog/dialog.ts'), 'utf8');
    const used = [...page.matchAll(/\bt\('([a-z_A-Z]+)'/g)].map((m) => m[1]!);
    expect(used.length).toBeGreaterThan(8);
    for (const key of used) expect(MESSAGES[key], key).toBeDefined();
  });

  it('no message is left unused or without a description', () => {
    const dir = path.join(ROOT, 'src/ui/dialog');
    const sources = fs.readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('\n');
    for (const [key, m] of Object.entries(MESSAGES)) {
      if (!key.startsWith('dialog_')) continue;
      expect((m as Message & { description?: string }).description, key).toBeTruthy();
      const stem = key.replace(/_(one|many)$/, '').replace(/^dialog_(cat|why|field)_.*/, 'dialog_$1_');
      expect(sources.includes(stem) || sources.includes(`'${key.replace(/^dialog_/, '')}'`), key).toBe(true);
    }
  });
});
