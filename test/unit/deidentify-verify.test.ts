// Verify before release, fail closed: every cleaned copy is scanned again, and a copy is withheld when that
// scan cannot read it, no longer sees a medical file, or finds an identifying value the cleaner did not
// leave on purpose. The cleaner never leaves one for real input (the planted and corpus tests prove that),
// so here the verification scan is tampered with to stand for a cleaner that missed something.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { zipSync } from 'fflate';
import type { FileReport, Finding } from '../../src/core/report';

const tamper = vi.hoisted(() => ({ current: undefined as ((report: FileReport) => FileReport) | undefined }));

vi.mock('../../src/core/scan', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/core/scan')>();
  return {
    ...real,
    scanFile: async (...args: Parameters<typeof real.scanFile>) => {
      const report = await real.scanFile(...args);
      return tamper.current ? tamper.current(report) : report;
    },
  };
});

const { deidentifyFiles } = await import('../../src/core/deidentify');
const { writeDicom, tag } = await import('../fixtures/dicom-writer');
const { blobOf } = await import('../support/dicom-output');

const KEY = new Uint8Array(32).fill(6);

function dicom(n = 1): Uint8Array {
  return writeDicom(
    [
      { tag: tag(0x0008, 0x0016), vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.4' },
      { tag: tag(0x0008, 0x0018), vr: 'UI', value: `1.2.826.0.1.3680043.10.1137.8.1.1.${n}` },
      { tag: tag(0x0008, 0x0060), vr: 'CS', value: 'MR' },
      { tag: tag(0x0010, 0x0010), vr: 'PN', value: 'VERIFY^PATIENT' },
      { tag: tag(0x0020, 0x000d), vr: 'UI', value: '1.2.826.0.1.3680043.10.1137.8.1' },
      { tag: tag(0x0020, 0x000e), vr: 'UI', value: '1.2.826.0.1.3680043.10.1137.8.1.1' },
    ],
    { transferSyntax: 'explicit-le', pixelData: { bytes: new Uint8Array(8).fill(1) } },
  );
}

function finding(keyword: string, tagHex: string, category: Finding['category'] = 'name', severity: Finding['severity'] = 'high'): Finding {
  return { tag: tagHex, keyword, category, severity, sequence: [], private: false };
}

/** Every DICOM report in the verification scan (entries of a zip too) gets these extra findings. */
function withFindings(...extra: Finding[]): (r: FileReport) => FileReport {
  const add = (r: FileReport): void => {
    if (r.entries) r.entries.forEach(add);
    else if (r.format === 'dicom') {
      r.findings.push(...extra.map((f) => ({ ...f })));
      r.verdict = 'identifying';
    }
  };
  return (r) => {
    add(r);
    return r;
  };
}

afterEach(() => {
  tamper.current = undefined;
});

describe('a cleaned copy is withheld', () => {
  it('when an identifying value remains, naming what remained (and never its value)', async () => {
    tamper.current = withFindings({ ...finding('PatientName', '00100010'), value: 'LEFT^BEHIND' });
    const [result] = await deidentifyFiles([{ path: 'IM1', file: blobOf(dicom()) }], { key: KEY });
    expect(result!.status).toBe('failed');
    expect(result!.output).toBeUndefined();
    expect(result!.reason).toBe('1 identifying value remained after cleaning: PatientName (00100010)');
    expect(result!.reason).not.toContain('LEFT');
  });

  it('names at most five of them', async () => {
    const keywords = ['PatientName', 'PatientID', 'PatientBirthDate', 'OtherPatientIDs', 'PatientAddress', 'PatientTelephoneNumbers'];
    tamper.current = withFindings(...keywords.map((k, i) => finding(k, `001000${(16 + i).toString(16)}`)));
    const [result] = await deidentifyFiles([{ path: 'IM1', file: blobOf(dicom()) }], { key: KEY });
    expect(result!.status).toBe('failed');
    expect(result!.reason).toMatch(/^6 identifying values remained after cleaning: PatientName \(00100010\), .*, …$/);
    expect(result!.reason!.split(', ')).toHaveLength(6);
  });

  it('when the copy cannot be read back', async () => {
    tamper.current = (r) => ({ ...r, verdict: 'unreadable', reason: 'the header ends early', findings: [] });
    const [result] = await deidentifyFiles([{ path: 'IM1', file: blobOf(dicom()) }], { key: KEY });
    expect(result!.status).toBe('failed');
    expect(result!.reason).toBe('the cleaned copy could not be read back (the header ends early)');
  });

  it('when the copy cannot be read back, even without a reason', async () => {
    tamper.current = (r) => ({ ...r, verdict: 'unreadable', findings: [] });
    const [result] = await deidentifyFiles([{ path: 'IM1', file: blobOf(dicom()) }], { key: KEY });
    expect(result!.reason).toBe('the cleaned copy could not be read back (unknown problem)');
  });

  it('when the copy is no longer recognised as medical', async () => {
    tamper.current = (r) => ({ ...r, verdict: 'not-medical', format: 'other', findings: [] });
    const [result] = await deidentifyFiles([{ path: 'IM1', file: blobOf(dicom()) }], { key: KEY });
    expect(result!.status).toBe('failed');
    expect(result!.reason).toBe('the cleaned copy is no longer recognised as a medical image file');
  });

  it('when one entry of a zip keeps a value, the whole zip is withheld', async () => {
    tamper.current = (r) => {
      const second = r.entries?.[1];
      if (second) withFindings(finding('PatientID', '00100020', 'identifier'))(second);
      return r;
    };
    const zip = zipSync({ IM1: dicom(1), IM2: dicom(2) });
    const [result] = await deidentifyFiles([{ path: 'series.zip', file: blobOf(zip) }], { key: KEY });
    expect(result!.status).toBe('failed');
    expect(result!.reason).toBe('1 identifying value remained after cleaning: PatientID (00100020)');
  });
});

describe('what the header cannot change is offered with a warning', () => {
  it('a face that could be rebuilt, and text that may be in the picture, are lowered with a note', async () => {
    tamper.current = withFindings(finding('FaceRisk', 'face', 'face', 'medium'), {
      ...finding('BurnedInAnnotation', '00280301', 'picture-content', 'medium'),
      note: 'the file says the picture shows text',
    });
    const [result] = await deidentifyFiles([{ path: 'IM1', file: blobOf(dicom()) }], { key: KEY });
    expect(result!.status).toBe('cleaned');
    expect(result!.faceMayBeRebuilt).toBe(true);
    expect(result!.pictureMayShowText).toBe(true);
    const findings = result!.verification!.findings;
    const face = findings.find((f) => f.category === 'face')!;
    const picture = findings.find((f) => f.tag === '00280301')!;
    expect(face.severity).toBe('low');
    expect(face.note).toBe('the picture itself was not changed: look at it before uploading');
    expect(picture.note).toBe('the file says the picture shows text; the picture itself was not changed: look at it before uploading');
    expect(result!.verification!.verdict).toBe('clean');
  });

  it('a zip whose entries are all clean after lowering reads as clean', async () => {
    tamper.current = withFindings(finding('FaceRisk', 'face', 'face', 'medium'));
    const [result] = await deidentifyFiles([{ path: 'head.zip', file: blobOf(zipSync({ IM1: dicom(1), IM2: dicom(2) })) }], { key: KEY });
    expect(result!.status).toBe('cleaned');
    expect(result!.faceMayBeRebuilt).toBe(true);
    expect(result!.verification!.verdict).toBe('clean');
    expect(result!.verification!.entries!.map((e) => e.verdict)).toEqual(['clean', 'clean']);
  });
});
