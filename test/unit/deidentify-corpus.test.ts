// Every file of the public corpus (../shared/corpus) that can be cleaned is cleaned and verified: dcmdump
// reads the copy without a complaint, the pixel data is the original's, the identifying values the corpus
// manifest lists are gone from the header bytes (checked with dicom-parser, not the engine), and the scan of
// the copy finds nothing identifying. Files that cannot be cleaned fail with a plain reason, never a copy.

import { afterAll, describe, expect, it } from 'vitest';
import { deidentifyFiles, type DeidentifyResult } from '../../src/core/deidentify';
import { corpusBytes, manifest, type ManifestRow } from '../support/corpus';
import { gunzipSync, unzipSync } from 'fflate';
import { cleanUpDcmtk, dcmdumpComplaints, dcmdumpPixels } from '../support/dcmtk';
import { blobOf, containsBytes, containsText, headerBytes, sameByteArrays } from '../support/dicom-output';

afterAll(cleanUpDcmtk);

const KEY = new Uint8Array(32).fill(11);

/** Public files that must not be cleaned, and why. */
const REFUSED: Record<string, RegExp> = {
  // These directories name their folders by the patient ID: the files would have to be renamed.
  'public/dcm4che/DICOMDIR': /Referenced File ID/,
  'public/pydicom/dicomdirtests/DICOMDIR': /Referenced File ID/,
  'public/pydicom/dicomdirtests/DICOMDIR-bigEnd': /Referenced File ID/,
  'public/pydicom/dicomdirtests/DICOMDIR-implicit': /Referenced File ID/,
};

/** What each malformed file gets. Any file not listed must be cleaned. */
const MALFORMED: Record<string, 'not-medical' | RegExp> = {
  'malformed/carecoders/test.dcm': 'not-medical', // a Git LFS pointer
  'malformed/deid/deid.dicom': 'not-medical', // a deid recipe
  'malformed/dcm4che/3gb-bulk-data-truncated': /pixel data is cut short/,
  'malformed/fo-dicom/GH1339.dcm': /pixel data is cut short/,
  'malformed/fo-dicom/GH177_D_CLUNIE_CT1_IVRLE_BigEndian_undefined_length.dcm': /ends in the middle of its header/,
  'malformed/fo-dicom/GH179B.dcm': /ends in the middle of its header/,
  'malformed/orthanc-tests/2026-05-06-Deeply-Nested-Sequence.dcm': /nested too deeply/,
  'malformed/pydicom-data/emri_small_jpeg_2k_lossless_too_short.dcm': /pixel data is cut short/,
  'malformed/pydicom/MR_truncated.dcm': /pixel data is cut short/,
  'malformed/pydicom/dicomdirtests/DICOMDIR-nooffset': /ends in the middle of its header/,
  'malformed/pydicom/rtplan_truncated.dcm': /ends in the middle of its header/,
};

const VALUE_COLUMNS = ['PatientName', 'PatientID', 'PatientBirthDate', 'InstitutionName', 'ReferringPhysicianName'] as const;

/** Manifest values that are still in a cleaned copy for a reason that is no leak. */
const NOT_LEAKS: Record<string, string> = {
  // The birth date is 1 January 1900, which is also the dummy date the Basic Profile writes for D.
  'public/nibabel/csa_slice_norm.dcm PatientBirthDate': '19000101',
  // The institution name TOSHIBA is also the Manufacturer (0008,0070), which the profile keeps.
  'public/pydicom/MR_small.dcm InstitutionName': 'TOSHIBA',
  'public/pydicom/MR_small_RLE.dcm InstitutionName': 'TOSHIBA',
  'public/pydicom/MR_small_bigendian.dcm InstitutionName': 'TOSHIBA',
  'public/pydicom/MR_small_implicit.dcm InstitutionName': 'TOSHIBA',
  'public/pydicom/MR_small_jp2klossless.dcm InstitutionName': 'TOSHIBA',
  'public/pydicom/MR_small_jpeg_ls_lossless.dcm InstitutionName': 'TOSHIBA',
  'public/pydicom/MR_small_padded.dcm InstitutionName': 'TOSHIBA',
  'public/pydicom/MR_small_expb.dcm InstitutionName': 'TOSHIBA',
};

/** Placeholders of earlier anonymisers and values too short to mean anything on their own. */
function meaningful(value: string): boolean {
  return !/^[\^=\s]*$/.test(value) && !/^(anonymi[sz]ed|anonymous|test\^*)$/i.test(value) && value.length >= 4;
}

async function clean(row: ManifestRow): Promise<{ original: Uint8Array; result: DeidentifyResult }> {
  const original = corpusBytes(row.path);
  const [result] = await deidentifyFiles([{ path: row.path, file: blobOf(original) }], { key: KEY });
  return { original, result: result! };
}

/**
 * dcmdump reads the copy with no complaint that it did not also have about the original (warnings about the
 * pixel data, which is carried over as it was, stay), and the pixel data is the original's: the copy's
 * pixel data written out by dcmdump is the last of the original's (icons and overlays come before it and
 * are removed), or, when dcmdump cannot read the original, found in it byte for byte.
 */
function checkDicomCopy(bytes: Uint8Array, original: Uint8Array, name: string, hasPixels: boolean): void {
  const copy = dcmdumpComplaints(bytes, name);
  const before = dcmdumpComplaints(original, `${name}.orig`);
  expect(copy.read, copy.complaints.join('\n')).toBe(true);
  for (const c of copy.complaints) {
    if (/^W: .*\(7fe0,0010\)/.test(c)) continue; // the pixel data is carried over as it was
    expect(before.complaints, `${name}: ${c}`).toContain(c);
  }
  if (!hasPixels) return;
  const pixels = dcmdumpPixels(bytes, name);
  expect(pixels.length).toBeGreaterThan(0);
  if (before.read) expect(sameByteArrays(dcmdumpPixels(original, `${name}.orig`).slice(-pixels.length), pixels)).toBe(true);
  else for (const p of pixels) expect(containsBytes(original, p)).toBe(true);
}

async function checkCleaned(row: ManifestRow, original: Uint8Array, result: DeidentifyResult): Promise<void> {
  expect(result.status, result.reason).toBe('cleaned');
  expect(['clean', 'not-medical']).toContain(result.verification!.verdict);
  let bytes = new Uint8Array(await result.output!.arrayBuffer());
  const name = row.path.replace(/\//g, '_');
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    bytes = gunzipSync(bytes);
    original = gunzipSync(original);
  }
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) {
    const before = unzipSync(original);
    for (const [entry, data] of Object.entries(unzipSync(bytes))) {
      if (data.length > 132 && String.fromCharCode(...data.subarray(128, 132)) === 'DICM') checkDicomCopy(data, before[entry]!, `${name}_${entry}`, true);
      else expect(sameByteArrays([data], [before[entry]!])).toBe(true);
    }
    return;
  }
  checkDicomCopy(bytes, original, name, row.has_pixel_data === 'yes');
  const header = headerBytes(bytes);
  for (const column of VALUE_COLUMNS) {
    const v = row[column]?.trim();
    if (!v || !meaningful(v) || NOT_LEAKS[`${row.path} ${column}`] === v) continue;
    expect(containsText(header, v, v.length < 6), `${column} ${JSON.stringify(v)}`).toBe(false);
    if (/^[\x20-\xff]*$/.test(v)) expect(containsText(header, new TextDecoder('latin1').decode(new TextEncoder().encode(v)), v.length < 6), column).toBe(false);
    expect(result.verification!.findings.some((f) => f.value?.trim() === v), `${column} in the scan`).toBe(false);
  }
}

const rows = manifest();

describe('public corpus', () => {
  for (const row of rows.filter((r) => r.path.startsWith('public/'))) {
    it(row.path, async () => {
      const { original, result } = await clean(row);
      const refused = REFUSED[row.path];
      if (refused) {
        expect(result.status).toBe('failed');
        expect(result.output).toBeUndefined();
        expect(result.reason).toMatch(refused);
        return;
      }
      await checkCleaned(row, original, result);
    });
  }
});

describe('malformed corpus', () => {
  for (const row of rows.filter((r) => r.path.startsWith('malformed/'))) {
    it(row.path, async () => {
      const { original, result } = await clean(row);
      const expected = MALFORMED[row.path];
      if (expected === 'not-medical') {
        expect(result.status).toBe('not-medical');
        expect(result.output).toBeInstanceOf(Blob);
        expect(new Uint8Array(await result.output!.arrayBuffer())).toEqual(original);
      } else if (expected) {
        expect(result.status).toBe('failed');
        expect(result.output).toBeUndefined();
        expect(result.reason).toMatch(expected);
      } else {
        await checkCleaned(row, original, result);
      }
    });
  }
});
