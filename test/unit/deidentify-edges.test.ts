// De-identification at its edges: empty and unreadable files, damaged gzip and zip containers, zips nested
// too deep or holding entries that cannot be opened, NIfTI headers whose image offset is impossible, and the
// keyed date and UID pseudonyms on values that are not plain dates. Every failure must come back as
// 'failed' with a plain reason (never a throw, never a partly cleaned copy); the input is never changed.

import { describe, expect, it, vi } from 'vitest';
import { gzipSync, strToU8, unzipSync, zipSync } from 'fflate';
import { deidentifyFiles, type DeidentifyResult } from '../../src/core/deidentify';
import { Pseudonyms, shiftDate, shiftDateTime } from '../../src/core/pseudonym';
import { writeDicom, tag, type El } from '../fixtures/dicom-writer';
import { writeNifti1 } from '../fixtures/nifti-writer';
import { blobOf, containsText } from '../support/dicom-output';

const KEY = new Uint8Array(32).fill(5);
const NAME = 'EDGECASE^PATIENT';

function dicom(): Uint8Array {
  const ds: El[] = [
    { tag: tag(0x0008, 0x0016), vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.2' },
    { tag: tag(0x0008, 0x0018), vr: 'UI', value: '1.2.826.0.1.3680043.10.1137.9.1.1.1' },
    { tag: tag(0x0008, 0x0060), vr: 'CS', value: 'CT' },
    { tag: tag(0x0010, 0x0010), vr: 'PN', value: NAME },
    { tag: tag(0x0010, 0x0020), vr: 'LO', value: 'EDGE-77' },
    { tag: tag(0x0020, 0x000d), vr: 'UI', value: '1.2.826.0.1.3680043.10.1137.9.1' },
    { tag: tag(0x0020, 0x000e), vr: 'UI', value: '1.2.826.0.1.3680043.10.1137.9.1.1' },
  ];
  return writeDicom(ds, { transferSyntax: 'explicit-le', pixelData: { bytes: new Uint8Array(8).fill(7) } });
}

async function one(file: Blob, path = 'upload'): Promise<DeidentifyResult> {
  const [result] = await deidentifyFiles([{ path, file }], { key: KEY });
  return result!;
}

async function bytesOf(blob: Blob | undefined): Promise<Uint8Array> {
  expect(blob).toBeDefined();
  return new Uint8Array(await blob!.arrayBuffer());
}

/** Offsets of every `PK` record with this signature's last two bytes (3,4: local header; 1,2: central). */
function recordsOf(zip: Uint8Array, a: number, b: number): number[] {
  const at: number[] = [];
  for (let i = 0; i + 4 <= zip.length; i++) if (zip[i] === 0x50 && zip[i + 1] === 0x4b && zip[i + 2] === a && zip[i + 3] === b) at.push(i);
  return at;
}

describe('files that are not medical, or cannot be read', () => {
  it('an empty file is passed on as it is', async () => {
    const file = new File([], 'empty.dcm');
    const result = await one(file);
    expect(result.status).toBe('not-medical');
    expect(result.output).toBe(file);
  });

  it('a file that cannot be read fails with the reason, and is never reported clean', async () => {
    class VanishedBlob extends Blob {
      override slice(): Blob {
        return new VanishedBlob([new Uint8Array(4)]);
      }
      override async arrayBuffer(): Promise<ArrayBuffer> {
        throw new Error('the file was removed from the disk');
      }
    }
    const result = await one(new VanishedBlob([new Uint8Array(dicom())]));
    expect(result.status).toBe('failed');
    expect(result.reason).toBe('it could not be cleaned because of an unexpected error (the file was removed from the disk)');
    expect(result.output).toBeUndefined();
  });
});

describe('gzip', () => {
  it('a damaged gzip fails with a reason', async () => {
    const gz = gzipSync(dicom());
    const damaged = gz.slice(0, 40);
    const result = await one(blobOf(damaged), 'scan.dcm.gz');
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(/compressed file could not be opened/);
  });

  it('a gzip of something that is not medical is passed on unchanged', async () => {
    const file = blobOf(gzipSync(strToU8('just some notes, nothing medical here\n'.repeat(20))));
    const result = await one(file, 'notes.txt.gz');
    expect(result.status).toBe('not-medical');
    expect(result.output).toBe(file);
  });
});

describe('zip', () => {
  it('keeps folders and files that are not medical as they are, and cleans the DICOM beside them', async () => {
    const notes = strToU8('appointment notes\n');
    const zip = zipSync({ 'study/': new Uint8Array(0), 'study/IM0001': dicom(), 'study/readme.txt': notes });
    const result = await one(blobOf(zip), 'upload.zip');
    expect(result.status).toBe('cleaned');
    expect(result.format).toBe('zip');
    const entries = unzipSync(await bytesOf(result.output));
    expect(Object.keys(entries).sort()).toEqual(['study/', 'study/IM0001', 'study/readme.txt']);
    expect(entries['study/readme.txt']).toEqual(notes);
    expect(containsText(entries['study/IM0001']!, NAME)).toBe(false);
    expect(containsText(entries['study/IM0001']!, 'EDGE-77')).toBe(false);
  });

  it('a zip with nothing medical in it is passed on as it is', async () => {
    const file = blobOf(zipSync({ 'a.txt': strToU8('hello'), 'b/': new Uint8Array(0) }));
    const result = await one(file, 'plain.zip');
    expect(result.status).toBe('not-medical');
    expect(result.output).toBe(file);
  });

  it('refuses zips nested deeper than the scanner reads', async () => {
    let zip = zipSync({ 'IM0001': dicom() });
    for (let i = 0; i < 5; i++) zip = zipSync({ [`level${i}.zip`]: zip });
    const result = await one(blobOf(zip), 'deep.zip');
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(/nested more than 4 deep/);
  });

  it('a zip whose directory is cut off fails with a reason', async () => {
    const zip = zipSync({ 'IM0001': dicom(), 'IM0002': dicom() }, { level: 0 });
    const central = recordsOf(zip, 1, 2)[0]!;
    const result = await one(blobOf(zip.slice(0, central + 10)), 'cut.zip');
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(/^the zip file could not be read \(/);
  });

  it('an encrypted entry cannot be cleaned, and says which', async () => {
    const zip = zipSync({ 'IM0001': dicom() }, { level: 0 });
    // General purpose flag bit 0 (encrypted) in the local header (offset 6) and the central record (offset 8).
    for (const at of recordsOf(zip, 3, 4)) zip[at + 6]! |= 1;
    for (const at of recordsOf(zip, 1, 2)) zip[at + 8]! |= 1;
    const result = await one(blobOf(zip), 'locked.zip');
    expect(result.status).toBe('failed');
    expect(result.reason).toBe('entry 1 of the zip cannot be read (entry 1 is encrypted)');
  });

  it('an entry whose compressed data is damaged fails with the entry number', async () => {
    const zip = zipSync({ 'notes.txt': strToU8('fine\n'), 'IM0001': dicom() }, { level: 9 });
    const [, second] = recordsOf(zip, 3, 4);
    const nameLength = zip[second! + 26]! | (zip[second! + 27]! << 8);
    const data = second! + 30 + nameLength;
    zip.fill(0xff, data, data + 24);
    const result = await one(blobOf(zip), 'damaged.zip');
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(/^entry 2 of the zip (could not be read|: )/);
  });

  it('a damaged DICOM inside a zip fails with the entry number and the reason from the DICOM', async () => {
    const bytes = dicom();
    const zip = zipSync({ 'IM0001': bytes.slice(0, 200) }, { level: 0 });
    const alone = await one(blobOf(bytes.slice(0, 200)), 'IM0001');
    const result = await one(blobOf(zip), 'cut-dicom.zip');
    expect(alone.status).toBe('failed');
    expect(result.status).toBe('failed');
    expect(result.reason).toBe(`entry 1 of the zip: ${alone.reason}`);
  });
});

describe('NIfTI', () => {
  it('an image offset inside the header is refused', async () => {
    const nii = writeNifti1('subject EDGECASE');
    new DataView(nii.buffer).setFloat32(108, 300, true);
    const result = await one(blobOf(nii), 'brain.nii');
    expect(result.status).toBe('failed');
    expect(result.reason).toBe('its NIfTI image data offset is invalid');
  });

  it('an image offset past the end of the file is refused', async () => {
    const nii = writeNifti1('subject EDGECASE');
    new DataView(nii.buffer).setFloat32(108, 4096, true);
    const result = await one(blobOf(nii), 'brain.nii');
    expect(result.status).toBe('failed');
    expect(result.reason).toBe('its NIfTI header and extensions are damaged or too large');
  });
});

describe('keyed pseudonyms', () => {
  it('map standard and empty UIDs to themselves and refuse a UID that was not prepared', async () => {
    const p = await Pseudonyms.create(KEY);
    expect(p.uid('1.2.840.10008.1.2.1\0')).toBe('1.2.840.10008.1.2.1');
    expect(p.uid('  ')).toBe('');
    expect(() => p.uid('1.2.3.4')).toThrow('a UID was not prepared before cleaning');
    await p.prepareUids(['1.2.3.4 ']);
    expect(p.uid('1.2.3.4')).toMatch(/^2\.25\.[1-9]\d{0,38}$/);
    expect(p.uid('1.2.3.4\0')).toBe(p.uid('1.2.3.4'));
  });

  it('give each patient one date offset, between one and ten years back', async () => {
    const p = await Pseudonyms.create(KEY);
    const a = await p.dateOffset('patient-a');
    expect(await p.dateOffset('patient-a')).toBe(a);
    expect(a).toBeLessThanOrEqual(-365);
    expect(a).toBeGreaterThan(-3650);
    const again = await (await Pseudonyms.create(KEY)).dateOffset('patient-a');
    expect(again).toBe(a);
  });

  it('without WebCrypto (Firefox on a plain-HTTP page) give the same pseudonyms, from @noble/hashes', async () => {
    const uids = ['1.2.3.4', '1.2.826.0.1.3680043.10.1137.5.1'];
    const withSubtle = await Pseudonyms.create(KEY);
    await withSubtle.prepareUids(uids);
    const offset = await withSubtle.dateOffset('patient-a');
    vi.stubGlobal('crypto', { getRandomValues: globalThis.crypto.getRandomValues.bind(globalThis.crypto) });
    try {
      expect((globalThis.crypto as Crypto).subtle).toBeUndefined();
      const without = await Pseudonyms.create(KEY);
      await without.prepareUids(uids);
      for (const u of uids) expect(without.uid(u)).toBe(withSubtle.uid(u));
      expect(await without.dateOffset('patient-a')).toBe(offset);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('move dates, ranges, open ranges, several values and the old dotted form', () => {
    expect(shiftDate('20200301', -1)).toBe('20200229');
    expect(shiftDate('20200115-20200120', -15)).toBe('20191231-20200105');
    expect(shiftDate('-20200120', 1)).toBe('-20200121');
    expect(shiftDate('20200120-', 1)).toBe('20200121-');
    expect(shiftDate('2020.01.15', 1)).toBe('20200116');
    // Years below 100 stay where they are (Date.UTC would read them as 19xx).
    expect(shiftDate('00500615', 1)).toBe('00500616');
    expect(shiftDate('20200115\\\\20200116', 1)).toBe('20200116\\\\20200117');
  });

  it('refuse what is not a full date that can be moved', () => {
    for (const bad of ['2020', '20201301', '20200230', '20200100', 'abcdefgh', '20200101-20200102-20200103', '2020-01-15', '00010101']) {
      expect(shiftDate(bad, -1), bad).toBeUndefined();
    }
    expect(shiftDate('99991231', 1)).toBeUndefined();
  });

  it('move date-times, keeping the time of day, fraction and UTC offset', () => {
    expect(shiftDateTime('20200101103000.123456+0100', -1)).toBe('20191231103000.123456+0100');
    expect(shiftDateTime('20200101', 1)).toBe('20200102');
    expect(shiftDateTime('20200101\\\\20200102', 1)).toBe('20200102\\\\20200103');
    expect(shiftDateTime('2020', 1)).toBeUndefined();
    expect(shiftDateTime('20200101T1030', 1)).toBeUndefined();
    expect(shiftDateTime('20201301', 1)).toBeUndefined();
  });
});
