// Which pictures the decision dialog previews: files and zip entries whose picture may show text, in upload
// order, plus files the de-identifier flagged; files with nothing of the kind are never read for a preview.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { zipSync } from 'fflate';
import { scanFiles } from '../../src/core/scan';
import { blobSource } from '../../src/core/source';
import { picturesToPreview } from '../../src/ui/dialog/preview';
import { writeDicom, tag, type El } from '../fixtures/dicom-writer';

const el = (group: number, element: number, vr: string, value: El['value']): El => ({ tag: tag(group, element), vr, value });

function image(modality: string, sopClass: string, uid: string): Uint8Array {
  return writeDicom([
    el(0x0008, 0x0016, 'UI', sopClass),
    el(0x0008, 0x0018, 'UI', uid),
    el(0x0008, 0x0060, 'CS', modality),
    el(0x0010, 0x0010, 'PN', 'DOE^JANE'),
    el(0x0028, 0x0002, 'US', 1),
    el(0x0028, 0x0004, 'CS', 'MONOCHROME2'),
    el(0x0028, 0x0010, 'US', 2),
    el(0x0028, 0x0011, 'US', 2),
    el(0x0028, 0x0100, 'US', 8),
  ], { transferSyntax: 'explicit-le', pixelData: { bytes: new Uint8Array(4) } });
}

const US = image('US', '1.2.840.10008.5.1.4.1.1.6.1', '2.25.1');
const CT = image('CT', '1.2.840.10008.5.1.4.1.1.2', '2.25.2');
const fileOf = (bytes: Uint8Array, name: string): File => new File([new Uint8Array(bytes)], name);

async function scanned(files: File[]): Promise<Awaited<ReturnType<typeof scanFiles>>> {
  return scanFiles(files.map((f) => ({ path: f.name, source: blobSource(f) })));
}

describe('picturesToPreview', () => {
  it('files whose picture may show text, in upload order; others are left alone', async () => {
    const files = [fileOf(CT, 'ct.dcm'), fileOf(US, 'us-1.dcm'), fileOf(US, 'us-2.dcm')];
    const targets = picturesToPreview(await scanned(files), files);
    expect(targets.map((x) => x.path)).toEqual(['us-1.dcm', 'us-2.dcm']);
    expect(targets[0]!.file).toBe(files[1]);
    expect(targets[0]!.entry).toBeUndefined();
  });

  it('entries of a zip are previewed from inside the zip', async () => {
    const zip = zipSync({ 'study/IM1': CT, 'study/IM2': US });
    const files = [fileOf(zip, 'upload.zip')];
    const targets = picturesToPreview(await scanned(files), files);
    expect(targets).toEqual([{ path: 'upload.zip!study/IM2', file: files[0], entry: 'study/IM2' }]);
  });

  it('files the de-identifier says may show text are added once, after the scan\'s own', async () => {
    const files = [fileOf(CT, 'ct.dcm'), fileOf(US, 'us.dcm')];
    const report = await scanned(files);
    expect(picturesToPreview(report, files, ['us.dcm', 'ct.dcm']).map((x) => x.path)).toEqual(['us.dcm', 'ct.dcm']);
    expect(picturesToPreview(report, files, ['missing.dcm']).map((x) => x.path)).toEqual(['us.dcm']);
    // A report with more files than the upload (it cannot happen, but no preview is made up for it).
    expect(picturesToPreview(report, files.slice(0, 1), ['us.dcm'])).toEqual([]);
  });
});

describe('preview strings', () => {
  it('every string the previews use exists in English', () => {
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
    const messages = JSON.parse(fs.readFileSync(path.join(root, 'public/_locales/en/messages.json'), 'utf8')) as Record<string, unknown>;
    const source = fs.readFileSync(path.join(root, 'src/ui/dialog/preview.ts'), 'utf8');
    const used = [...source.matchAll(/\bt\('([a-z_A-Z]+)'/g)].map((m) => m[1]!);
    expect(used).toEqual(expect.arrayContaining(['dialog_preview_heading', 'dialog_preview_label', 'dialog_preview_none']));
    for (const key of used) expect(messages[key], key).toBeDefined();
  });
});
