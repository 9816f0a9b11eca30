// The CLI with pictures and PDFs: `scan --json` gives format image or pdf, findings with regions (and a page
// for PDFs), `scan` prints them grouped like header values, and `deidentify` writes cleaned copies (PDFs as
// pictures of their pages, said so), all checked in the CLI's document worker.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zipSync } from 'fflate';
import { runCli } from '../../src/cli/main';
import { cleanUpDocuments, colourPhoto, exiftoolTags, PHOTO_TAGS, reportPdf, tool, viewerScreenshot, withExif } from '../fixtures/documents';

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, stderrIsTty: false });
  return { code, stdout, stderr };
}

let dir: string;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spg-doc-cli-'));
  fs.mkdirSync(path.join(dir, 'in'));
  fs.writeFileSync(path.join(dir, 'in', 'photo.jpg'), withExif(colourPhoto(640, 480), 'cli-photo.jpg', PHOTO_TAGS));
  fs.writeFileSync(path.join(dir, 'in', 'screen.png'), viewerScreenshot().png);
  fs.writeFileSync(path.join(dir, 'in', 'report.pdf'), await reportPdf(1));
  fs.writeFileSync(path.join(dir, 'pictures.zip'), zipSync({ 'inside/screen.png': viewerScreenshot().png }));
}, 60_000);
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  cleanUpDocuments();
});

describe('scan', () => {
  it('--json: pictures and PDFs with their findings, regions and how they were checked', async () => {
    const run = await cli('scan', '--json', path.join(dir, 'in'), path.join(dir, 'pictures.zip'));
    expect(run.code).toBe(1);
    const { files } = JSON.parse(run.stdout) as { files: Array<{ path: string; format: string; verdict: string; findings: Array<Record<string, unknown>>; document?: Record<string, unknown> }> };
    const byName = (name: string) => files.find((f) => f.path.endsWith(name))!;
    expect(byName('photo.jpg')).toMatchObject({ format: 'image', verdict: 'identifying', document: { subtype: 'jpeg', pictureText: 'skipped' } });
    expect(byName('photo.jpg').findings).toContainEqual(expect.objectContaining({ tag: 'exif:GPSLatitude', category: 'location', severity: 'high', value: '52.22970, 21.01220' }));
    const screen = byName('in/screen.png');
    expect(screen).toMatchObject({ format: 'image', verdict: 'identifying', document: { pictureText: 'read', looksMedical: true } });
    expect(screen.findings).toContainEqual(expect.objectContaining({ tag: '7FE00010', keyword: 'PixelData', category: 'picture-content', region: expect.objectContaining({ frame: 1 }) }));
    const report = byName('report.pdf');
    expect(report).toMatchObject({ format: 'pdf', verdict: 'identifying', document: { pages: 1, pageScale: 2 } });
    expect(report.findings).toContainEqual(expect.objectContaining({ tag: 'pdf:text', region: expect.objectContaining({ page: 1 }) }));
    // A picture inside a zip is checked too.
    expect(byName('pictures.zip!inside/screen.png')).toMatchObject({ format: 'image', verdict: 'identifying' });
  }, 120_000);

  it('prints them like header values', async () => {
    const run = await cli('scan', path.join(dir, 'in', 'photo.jpg'), path.join(dir, 'in', 'report.pdf'));
    expect(run.stdout).toContain('Place where the picture was taken (high):');
    expect(run.stdout).toContain('GPSPosition exif:GPSLatitude  "52.22970, 21.01220"');
    // Lines of a page with their place, as text read in a picture is shown.
    expect(run.stdout).toMatch(/"Patient: KOWALCZYK, MARTA[^"]*" {2}\(page 1 at \d+,\d+ \d+ x \d+; text on the page: /);
  }, 120_000);
});

describe('deidentify', () => {
  it('writes cleaned pictures and image-only PDFs, and says which PDFs became pictures', async () => {
    const out = path.join(dir, 'out');
    const run = await cli('deidentify', '--key', path.join(dir, 'key'), '--out', out, path.join(dir, 'in'));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('3 cleaned');
    expect(run.stdout).toMatch(/1 PDF written as pictures of their pages/);
    const copies = path.join(out, path.basename(path.join(dir, 'in')));
    const written = fs.existsSync(copies) ? copies : out;
    const photo = new Uint8Array(fs.readFileSync(path.join(written, 'photo.jpg')));
    expect(Object.keys(exiftoolTags(photo, 'cli-copy.jpg')).filter((k) => /GPS|Artist|Owner|Serial|XMP|IPTC|Comment/.test(k))).toEqual([]);
    expect(tool('pdftotext', [path.join(written, 'report.pdf'), '-']).toString().trim()).toBe('');
    // The inputs are as they were.
    expect(Object.keys(exiftoolTags(new Uint8Array(fs.readFileSync(path.join(dir, 'in', 'photo.jpg'))), 'cli-in.jpg')).some((k) => /GPS/.test(k))).toBe(true);
  }, 180_000);
});
