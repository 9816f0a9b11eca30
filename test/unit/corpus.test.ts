// Every file of the public corpus (../shared/corpus) is scanned, with the verdict it should get and the
// identifying values the corpus manifest lists for it.
import { describe, expect, it } from 'vitest';
import { scanFile } from '../../src/core/scan';
import { bytesSource } from '../../src/core/source';
import type { FileReport, Verdict } from '../../src/core/report';
import { corpusBytes, manifest } from '../support/corpus';

/** Public files with nothing identifying in them: only UIDs, image parameters or an empty directory. */
const CLEAN_PUBLIC = new Set([
  'public/fo-dicom/GH220.dcm', // SOP class and instance UIDs and an empty private sequence
  'public/orthanc-tests/Issue195-bis.dcm', // UIDs and two empty or numeric UN elements
  'public/pydicom/empty_charset_LEI.dcm', // an empty charset and ImageType
  'public/pydicom/dicomdirtests/DICOMDIR-empty.dcm', // a DICOMDIR with no records
]);

/** What each malformed file should get, and why. Any file not listed must be `identifying`. */
const MALFORMED: Record<string, Verdict> = {
  'malformed/carecoders/test.dcm': 'not-medical', // a Git LFS pointer (text)
  'malformed/deid/deid.dicom': 'not-medical', // a deid recipe (text)
  'malformed/fo-dicom/GH177_D_CLUNIE_CT1_IVRLE_BigEndian_undefined_length.dcm': 'unreadable',
  'malformed/fo-dicom/GH179B.dcm': 'unreadable', // truncated header
  'malformed/orthanc-tests/2026-05-06-Deeply-Nested-Sequence.dcm': 'unreadable', // 100,000 levels
  'malformed/pydicom/dicomdirtests/DICOMDIR-nooffset': 'unreadable',
  'malformed/pydicom/rtplan_truncated.dcm': 'unreadable', // ends inside a sequence
  'malformed/pydicom/meta_missing_tsyntax.dcm': 'clean', // only private test text in illegal group 0001
  'malformed/pydicom/nested_priv_SQ.dcm': 'clean', // the same dataset
};

const VALUE_COLUMNS = ['PatientName', 'PatientID', 'PatientBirthDate', 'InstitutionName', 'ReferringPhysicianName'] as const;

async function scan(relative: string): Promise<FileReport> {
  return scanFile({ path: relative, source: bytesSource(corpusBytes(relative)) });
}

function allReports(r: FileReport): FileReport[] {
  return [r, ...(r.entries ?? []).flatMap(allReports)];
}

const rows = manifest();

describe('public corpus', () => {
  for (const row of rows.filter((r) => r.path.startsWith('public/'))) {
    it(row.path, async () => {
      const report = await scan(row.path);
      const expected: Verdict = CLEAN_PUBLIC.has(row.path) ? 'clean' : 'identifying';
      expect(report.verdict, report.reason).toBe(expected);
      const findings = allReports(report).flatMap((r) => r.findings);
      for (const column of VALUE_COLUMNS) {
        const value = row[column]?.trim();
        // A person name of only delimiters (`^^^^`) is empty: nothing to find.
        if (!value || /^[\^=\s]*$/.test(value)) continue;
        // The manifest decodes values with the file's character set, as we do.
        const found = findings.some((f) => f.keyword === column && f.value?.trim() === value);
        expect(found, `${column} ${JSON.stringify(value)}`).toBe(true);
      }
    });
  }
});

describe('malformed corpus', () => {
  for (const row of rows.filter((r) => r.path.startsWith('malformed/'))) {
    it(row.path, async () => {
      const report = await scan(row.path);
      expect(report.verdict, report.reason).toBe(MALFORMED[row.path] ?? 'identifying');
      if (report.verdict === 'unreadable') expect(report.reason).toMatch(/\w/);
    });
  }

  it('a truncated file still reports what was read before the damage', async () => {
    const report = await scan('malformed/pydicom/rtplan_truncated.dcm');
    expect(report.verdict).toBe('unreadable');
    expect(report.findings.find((f) => f.keyword === 'PatientName')?.value).toBe('Last^First^mid^pre');
  });

  it('a 100,000-deep nesting is refused without reading the whole file', async () => {
    const report = await scan('malformed/orthanc-tests/2026-05-06-Deeply-Nested-Sequence.dcm');
    expect(report.verdict).toBe('unreadable');
    expect(report.reason).toMatch(/nested too deeply/);
    expect(report.bytesRead).toBeLessThan(report.size);
  });
});
