// Every row of PS3.15 Table E.1-1, planted with a distinct value in every transfer syntax, at top level and
// nested two sequences deep (defined and undefined lengths), is gone from the de-identified copy: the raw
// bytes (inflated for deflated files; ASCII, UTF-16LE and UTF-16BE) hold none of the planted values,
// dcmdump reads the copy without a complaint, dcmconv re-encodes it to the same elements, the pixel data is
// byte for byte the original, and our own scanner finds nothing identifying in it.

import { afterAll, describe, expect, it } from 'vitest';
import { deidentifyFiles, DEFAULT_DEIDENTIFY_OPTIONS, type DeidentifyResult } from '../../src/core/deidentify';
import { writeDicom, ENCAPSULATED_TRANSFER_SYNTAXES, type TransferSyntax } from '../fixtures/dicom-writer';
import { plantedDataset, type Nesting, type PlantedRow } from '../fixtures/planted';
import { cleanUpDcmtk, dcmconvDump, dcmdump, dcmdumpPixels, dataSetPart } from '../support/dcmtk';
import { blobOf, containsText, dumpLines, searchableBytes, withoutLengthStyle } from '../support/dicom-output';
import { BASIC_ONLY, optionColumns } from '../support/profile-table';

afterAll(cleanUpDcmtk);

const SYNTAXES: TransferSyntax[] = ['implicit-le', 'explicit-le', 'explicit-be', 'deflated', 'jpeg-baseline', 'jpeg-ls', 'jpeg2000', 'rle', 'htj2k'];
const NESTINGS: Nesting[] = ['none', 'defined', 'undefined'];
const KEY = new Uint8Array(32).fill(7);

function pixelsFor(ts: TransferSyntax): { bytes: Uint8Array } | { frames: Uint8Array[] } {
  if (ENCAPSULATED_TRANSFER_SYNTAXES.includes(ts)) return { frames: [Uint8Array.from([0xff, 0xd8, 1, 2, 3, 0xff, 0xd9]), Uint8Array.from([9, 8, 7, 6])] };
  return { bytes: Uint8Array.from({ length: 64 }, (_, i) => (i * 37) & 0xff) };
}

async function outputBytes(r: DeidentifyResult): Promise<Uint8Array> {
  expect(r.status, r.reason).toBe('cleaned');
  return new Uint8Array(await r.output!.arrayBuffer());
}

/** The text a planted row leaves in a file, and whether it must be searched as a whole word. */
function plantedText(row: PlantedRow): { text: string; bounded: boolean } | undefined {
  if (row.form === 'numeric') return undefined;
  const text = row.value!;
  return { text, bounded: !text.startsWith('PLANT') && !text.startsWith('https://plant') };
}

/** The planted values still in the bytes, as row keywords. */
function plantedValuesIn(bytes: Uint8Array, rows: readonly PlantedRow[]): string[] {
  const found: string[] = [];
  for (const row of rows) {
    const planted = plantedText(row);
    if (planted && containsText(bytes, planted.text, planted.bounded)) found.push(row.keyword);
  }
  return found;
}

/** Numeric planted values still shown by dcmdump (binary numbers cannot be searched as text). */
function plantedNumbersIn(dump: string, rows: readonly PlantedRow[]): string[] {
  const lines = dumpLines(dump);
  return rows
    .filter((r) => r.form === 'numeric')
    .filter((r) => lines.some((l) => l.tag === r.concreteTag && l.value === String(r.number)))
    .map((r) => r.keyword);
}

function checkDcmtk(bytes: Uint8Array, name: string, ts: TransferSyntax): string {
  const dump = dcmdump(bytes, name);
  // dcmtk 3.6.7 predates HTJ2K and cannot write it again: dcmdump alone is asked.
  if (ts === 'htj2k') return dump;
  expect(withoutLengthStyle(dataSetPart(dcmconvDump(bytes, name, 'defined')))).toBe(withoutLengthStyle(dataSetPart(dump)));
  return dump;
}

describe('the Basic Profile removes every planted E.1-1 value', () => {
  for (const ts of SYNTAXES) {
    for (const nested of NESTINGS) {
      it(`${ts}, nesting ${nested}`, async () => {
        const { dataset, rows } = plantedDataset({ nested });
        const pixels = pixelsFor(ts);
        const original = writeDicom(dataset, { transferSyntax: ts, pixelData: pixels });
        const [result] = await deidentifyFiles([{ path: 'planted.dcm', file: blobOf(original) }], { key: KEY, options: BASIC_ONLY });
        const bytes = await outputBytes(result!);
        expect(result!.verification!.verdict).toBe('clean');

        expect(plantedValuesIn(searchableBytes(bytes), rows)).toEqual([]);
        const dump = checkDcmtk(bytes, `${ts}-${nested}.dcm`, ts);
        expect(plantedNumbersIn(dump, rows)).toEqual([]);
        const pixelsOut = dcmdumpPixels(bytes, 'out.dcm');
        expect(pixelsOut.length).toBeGreaterThan(0);
        expect(pixelsOut).toEqual(dcmdumpPixels(original, 'original.dcm'));

        // Conformance markers (PS3.15 E.1.1 and fo-dicom#1214).
        const top = dumpLines(dump).filter((l) => l.depth === 0);
        expect(top.find((l) => l.tag === '00120062')?.value).toBe('YES');
        expect(top.find((l) => l.tag === '00120063')?.value).toMatch(/Basic Profile/);
        expect(top.find((l) => l.tag === '00280303')?.value).toBe('REMOVED');
        const codes = dumpLines(dump).filter((l) => l.tag === '00080100' && l.depth === 2).map((l) => l.value);
        expect(codes).toEqual(['113100']);
        // Meta consistent: MediaStorageSOPInstanceUID is the new SOPInstanceUID; the transfer syntax is kept.
        const meta = dumpLines(dump.slice(0, dump.indexOf('# Dicom-Data-Set')));
        expect(meta.find((l) => l.tag === '00020003')?.value).toBe(top.find((l) => l.tag === '00080018')?.value);
        expect(meta.find((l) => l.tag === '00020003')?.value).toMatch(/^2\.25\.\d+$/);
        expect(meta.find((l) => l.tag === '00020010')?.value).toBe(dumpLines(dcmdump(original, 'original.dcm')).find((l) => l.tag === '00020010')?.value);
      });
    }
  }
});

describe('the default options keep exactly the patient characteristics', () => {
  for (const ts of ['explicit-le', 'implicit-le', 'deflated'] as TransferSyntax[]) {
    it(ts, async () => {
      const { dataset, rows } = plantedDataset({ nested: 'defined' });
      const original = writeDicom(dataset, { transferSyntax: ts, pixelData: pixelsFor(ts) });
      const [result] = await deidentifyFiles([{ path: 'planted.dcm', file: blobOf(original) }], { key: KEY });
      const bytes = searchableBytes(await outputBytes(result!));
      // Its K rows: the C rows are free text, removed unless Retain Patient Free Text is on.
      const kept = new Set([...optionColumns('rtnPatCharsOpt')].filter(([, code]) => code === 'K').map(([id]) => id));
      const expected = rows.filter((r) => kept.has(r.id) && plantedText(r) !== undefined).map((r) => r.keyword).sort();
      // The 8 K rows with planted text (the 4 C rows are free text, removed by default: checked below).
      expect(expected.length).toBe(8);
      expect(plantedValuesIn(bytes, rows).sort()).toEqual(expected);
      const dump = dcmdump(await result!.output!.arrayBuffer().then((b) => new Uint8Array(b)), `default-${ts}.dcm`);
      expect(dumpLines(dump).filter((l) => l.tag === '00080100').map((l) => l.value)).toEqual(['113100', '113108']);
      // Values the option keeps are findings of the verification scan too: lowered, with the reason.
      // Free text under that option is gone by default.
      for (const keyword of ['Allergies', 'PatientState', 'PreMedication', 'SpecialNeeds']) {
        expect(result!.verification!.findings.some((f) => f.keyword === keyword), keyword).toBe(false);
      }
      // Kept with Retain Patient Free Text, it is a finding of the verification scan too: lowered, with the reason.
      const [withText] = await deidentifyFiles([{ path: 'planted.dcm', file: blobOf(original) }], { key: KEY, options: { retainPatientFreeText: true } });
      expect(withText!.status, withText!.reason).toBe('cleaned');
      const allergies = withText!.verification!.findings.filter((f) => f.keyword === 'Allergies');
      expect(allergies.length).toBeGreaterThan(0);
      for (const f of allergies) {
        expect(f.note).toMatch(/Retain Patient Characteristics/);
        expect(f.severity).toBe('low');
      }
    });
  }
});

it('DEFAULT_DEIDENTIFY_OPTIONS: only Retain Patient Characteristics and Clean Pixel Data are on', () => {
  expect(Object.entries(DEFAULT_DEIDENTIFY_OPTIONS).filter(([, on]) => on).map(([k]) => k)).toEqual(['retainPatientCharacteristics', 'cleanPixelData']);
});
