// Each option of PS3.15 E.3 keeps exactly what its column of Table E.1-1 says, and nothing else: with one
// option on and the others off, the planted values left in the cleaned copy are exactly those of the rows
// that column names (K keeps; C keeps cleaned text; C cannot clean binary data, so the Basic Profile
// applies; C on dates moves them). The table is read from the standard, not from the engine.

import { afterAll, describe, expect, it } from 'vitest';
import { deidentifyFiles, type DeidentifyOptions } from '../../src/core/deidentify';
import { writeDicom, tag, type El } from '../fixtures/dicom-writer';
import { plantedDataset, type PlantedRow } from '../fixtures/planted';
import { cleanUpDcmtk, dcmdump } from '../support/dcmtk';
import { blobOf, containsText, dumpLines } from '../support/dicom-output';
import { BASIC_ONLY, optionColumns, type OptionColumn } from '../support/profile-table';

afterAll(cleanUpDcmtk);

const KEY = new Uint8Array(32).fill(3);
const BINARY_VRS = new Set(['OB', 'OW', 'UN', 'OF', 'OD', 'OL', 'OV']);
const DATE_VRS = new Set(['DA', 'DT']);

const OPTIONS: ReadonlyArray<[keyof DeidentifyOptions, OptionColumn, string]> = [
  ['retainPatientCharacteristics', 'rtnPatCharsOpt', '113108'],
  ['retainDeviceIdentity', 'rtnDevIdOpt', '113109'],
  ['retainInstitutionIdentity', 'rtnInstIdOpt', '113112'],
  ['retainUids', 'rtnUIDsOpt', '113110'],
  ['cleanDescriptors', 'cleanDescOpt', '113105'],
  ['cleanStructuredContent', 'cleanStructContOpt', '113104'],
  ['cleanGraphics', 'cleanGraphOpt', '113103'],
  ['retainLongitudinalModifiedDates', 'rtnLongModifDatesOpt', '113107'],
  ['retainSafePrivate', 'rtnSafePrivOpt', '113111'],
];

/** Rows an option names but whose planted value cannot survive, and why. */
function survives(row: PlantedRow, column: OptionColumn, code: string): boolean {
  if (row.form === 'numeric') return false; // not searchable as text
  // Binary data cannot be cleaned, except that overlay and curve data are pictures, kept whole by Clean
  // Graphics as the pixel data is (the result then says the picture was not changed).
  if (code === 'C' && BINARY_VRS.has(row.vr) && column !== 'cleanGraphOpt') return false;
  if (column === 'rtnLongModifDatesOpt' && DATE_VRS.has(row.vr)) return false; // moved, checked below
  // The file meta group is written anew (its instance UID is the dataset's), and command elements
  // (group 0000) never belong in a stored file.
  if (row.id === '00020003' || row.id.startsWith('0000')) return false;
  // The planted private creator is on no safe list.
  if (row.id === 'GGGGEEEE') return false;
  // Retain Patient Characteristics' C rows are free text (Allergies, Special Needs, Patient State,
  // Pre-Medication): removed unless Retain Patient Free Text is on too (checked below).
  if (column === 'rtnPatCharsOpt' && code === 'C') return false;
  return true;
}

function planted(bytes: Uint8Array, rows: readonly PlantedRow[]): string[] {
  return rows
    .filter((r) => r.form !== 'numeric' && containsText(bytes, r.value!, !r.value!.startsWith('PLANT') && !r.value!.startsWith('https')))
    .map((r) => r.keyword)
    .sort();
}

describe('each option keeps exactly what its column says', () => {
  for (const [option, column, code] of OPTIONS) {
    it(option, async () => {
      const { dataset, rows } = plantedDataset({ nested: 'defined' });
      const original = writeDicom(dataset, { transferSyntax: 'explicit-le', pixelData: { bytes: new Uint8Array(16) } });
      const [result] = await deidentifyFiles([{ path: 'p.dcm', file: blobOf(original) }], { key: KEY, options: { ...BASIC_ONLY, [option]: true } });
      expect(result!.status, result!.reason).toBe('cleaned');
      const bytes = new Uint8Array(await result!.output!.arrayBuffer());
      const named = optionColumns(column);
      const expected = rows.filter((r) => named.has(r.id) && survives(r, column, named.get(r.id)!)).map((r) => r.keyword).sort();
      expect(planted(bytes, rows)).toEqual(expected);
      const dump = dumpLines(dcmdump(bytes, `${option}.dcm`));
      expect(dump.filter((l) => l.tag === '00080100').map((l) => l.value)).toEqual(['113100', code]);
      if (option === 'retainLongitudinalModifiedDates') {
        // Each planted date is there, moved: a valid date that is not the original.
        const dated = rows.filter((r) => named.has(r.id) && r.vr === 'DA');
        expect(dated.length).toBeGreaterThan(20);
        for (const r of dated) {
          const shown = dump.filter((l) => l.tag === r.concreteTag).map((l) => l.value);
          expect(shown.length, r.keyword).toBeGreaterThan(0);
          for (const v of shown) {
            expect(v, r.keyword).toMatch(/^\d{8}$/);
            expect(v, r.keyword).not.toBe(r.value);
          }
        }
      }
    });
  }
});

describe('Retain Patient Free Text', () => {
  const FREE_TEXT = ['Allergies', 'PatientState', 'PreMedication', 'SpecialNeeds'];

  it('keeps the four free-text rows of Retain Patient Characteristics only when it is on too', async () => {
    const { dataset, rows } = plantedDataset({ nested: 'defined' });
    const original = writeDicom(dataset, { transferSyntax: 'explicit-le', pixelData: { bytes: new Uint8Array(16) } });
    const named = optionColumns('rtnPatCharsOpt');
    const freeText = rows.filter((r) => named.get(r.id) === 'C');
    expect(freeText.map((r) => r.keyword).sort()).toEqual(FREE_TEXT);
    const run = async (options: Partial<DeidentifyOptions>): Promise<string[]> => {
      const [result] = await deidentifyFiles([{ path: 'p.dcm', file: blobOf(original) }], { key: KEY, options: { ...BASIC_ONLY, ...options } });
      expect(result!.status, result!.reason).toBe('cleaned');
      return planted(new Uint8Array(await result!.output!.arrayBuffer()), rows);
    };
    const characteristics = await run({ retainPatientCharacteristics: true });
    const withText = await run({ retainPatientCharacteristics: true, retainPatientFreeText: true });
    const alone = await run({ retainPatientFreeText: true });
    for (const keyword of FREE_TEXT) {
      expect(characteristics, keyword).not.toContain(keyword);
      expect(withText, keyword).toContain(keyword);
      expect(alone, keyword).not.toContain(keyword); // it only widens Retain Patient Characteristics
    }
    expect(withText.filter((k) => !FREE_TEXT.includes(k))).toEqual(characteristics);
    expect(alone).toEqual(await run({}));
  });
});

describe('Retain Safe Private', () => {
  const CREATOR_PET = 'Philips PET Private Group';
  function withPrivate(): Uint8Array {
    const ds: El[] = [
      { tag: tag(0x0008, 0x0016), vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.128' },
      { tag: tag(0x0008, 0x0018), vr: 'UI', value: '1.2.3.4.5.6' },
      { tag: tag(0x0008, 0x0060), vr: 'CS', value: 'PT' },
      { tag: tag(0x0009, 0x0010), vr: 'LO', value: 'SECTRA_Ident_01' },
      { tag: tag(0x0009, 0x1001), vr: 'LO', value: 'ACC-SECRET-77' },
      { tag: tag(0x0010, 0x0010), vr: 'PN', value: 'DOE^JANE' },
      { tag: tag(0x7053, 0x0010), vr: 'LO', value: CREATOR_PET },
      { tag: tag(0x7053, 0x0011), vr: 'LO', value: 'OTHER VENDOR' },
      { tag: tag(0x7053, 0x1000), vr: 'DS', value: '0.000523' }, // SUV factor: safe
      { tag: tag(0x7053, 0x1009), vr: 'DS', value: 'JANE DOE' }, // a safe slot holding text: not safe
      { tag: tag(0x7053, 0x1001), vr: 'LO', value: 'NOT ON THE LIST' },
      { tag: tag(0x7053, 0x1100), vr: 'DS', value: '1.5' }, // same element number, other creator: not safe
    ];
    return writeDicom(ds, { transferSyntax: 'explicit-le' });
  }

  it('keeps the safe-listed number of a known creator and nothing else private', async () => {
    for (const on of [true, false]) {
      const [r] = await deidentifyFiles([{ path: 'pt.dcm', file: blobOf(withPrivate()) }], { key: KEY, options: { ...BASIC_ONLY, retainSafePrivate: on } });
      expect(r!.status, r!.reason).toBe('cleaned');
      const bytes = new Uint8Array(await r!.output!.arrayBuffer());
      const dump = dumpLines(dcmdump(bytes, 'pt.dcm'));
      const privateTags = dump.filter((l) => parseInt(l.tag.slice(0, 4), 16) % 2 === 1).map((l) => `${l.tag}=${l.value}`);
      expect(privateTags).toEqual(on ? [`70530010=${CREATOR_PET}`, '70531000=0.000523'] : []);
      for (const text of ['ACC-SECRET-77', 'SECTRA_Ident_01', 'JANE DOE', 'NOT ON THE LIST', 'OTHER VENDOR']) expect(containsText(bytes, text)).toBe(false);
    }
  });

  it('keeps safe-listed values of implicit VR files, where private elements have no VR', async () => {
    const ds: El[] = [
      { tag: tag(0x0008, 0x0016), vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.4' },
      { tag: tag(0x0008, 0x0018), vr: 'UI', value: '1.2.3.4.5.7' },
      { tag: tag(0x2005, 0x0010), vr: 'LO', value: 'Philips MR Imaging DD 001' },
      { tag: tag(0x2005, 0x100e), vr: 'FL', value: 2.5 },
      { tag: tag(0x2005, 0x100d), vr: 'FL', value: [1, 2, 3] }, // wrong size for FL: still a whole number of FLs
      { tag: tag(0x2005, 0x1011), vr: 'LO', value: 'X' },
    ];
    const bytes = writeDicom(ds, { transferSyntax: 'implicit-le' });
    const [r] = await deidentifyFiles([{ path: 'mr.dcm', file: blobOf(bytes) }], { key: KEY, options: { ...BASIC_ONLY, retainSafePrivate: true } });
    expect(r!.status, r!.reason).toBe('cleaned');
    const dump = dumpLines(dcmdump(new Uint8Array(await r!.output!.arrayBuffer()), 'mr.dcm'));
    expect(dump.filter((l) => l.tag.startsWith('2005')).map((l) => l.tag)).toEqual(['20050010', '2005100D', '2005100E']);
  });
});
