// The command line and the text in pictures: `scan` reads it (in its worker thread) and prints it with
// where it is, `--json` carries the regions, `--headers-only` skips it; `deidentify` masks it by default,
// `--keep-picture-text` leaves the pictures alone and warns, `--mask-outside-ultrasound-regions` blacks out
// an ultrasound's screen. Checked from outside: dcmtk's rendering read by Tesseract's own command.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main';
import { cleanUpBurnedIn, drawPicture, pictureDicom } from '../fixtures/burned-in';
import { tag, type El } from '../fixtures/dicom-writer';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let dir: string;
async function cli(...argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (t) => { stdout += t; },
    stderr: (t) => { stderr += t; },
    stderrIsTty: false,
    env: { XDG_CONFIG_HOME: path.join(dir, 'config'), HOME: dir },
  });
  return { code, stdout, stderr };
}

/** An anonymised header (nothing identifying in it) over a picture that shows the patient's name and ID. */
const ANONYMOUS: El[] = [
  { tag: tag(0x0008, 0x0060), vr: 'CS', value: 'CR' },
  { tag: tag(0x0010, 0x0010), vr: 'PN', value: '' },
];

function tesseractReads(file: string): string {
  const png = `${file}.png`;
  execFileSync('dcmj2pnm', ['--write-png', '--min-max-window', file, png], { stdio: 'ignore' });
  return execFileSync('tesseract', [png, '-', '--psm', '11'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).toUpperCase();
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spg-cli-pictures-'));
  const picture = drawPicture({
    rows: 512, columns: 512, photometric: 'MONOCHROME2', bitsAllocated: 8, background: 'xray',
    lines: [{ text: 'WIERZBICKA HALINA', x: 10, y: 24, size: 18 }, { text: 'MRN 55120943', x: 10, y: 50, size: 18 }],
  });
  fs.writeFileSync(path.join(dir, 'chest.dcm'), pictureDicom(picture, 'rle', ANONYMOUS));
  const us = drawPicture({
    rows: 400, columns: 500, photometric: 'RGB', bitsAllocated: 8, background: 'ultrasound',
    lines: [{ text: 'GAIN 60', x: 400, y: 40, size: 14 }],
  });
  const region = [
    { tag: tag(0x0018, 0x6018), vr: 'UL', value: 60 }, { tag: tag(0x0018, 0x601a), vr: 'UL', value: 60 },
    { tag: tag(0x0018, 0x601c), vr: 'UL', value: 360 }, { tag: tag(0x0018, 0x601e), vr: 'UL', value: 359 },
  ];
  fs.mkdirSync(path.join(dir, 'us'));
  fs.writeFileSync(path.join(dir, 'us', 'probe.dcm'), pictureDicom(us, 'explicit-le', [{ tag: tag(0x0018, 0x6011), vr: 'SQ', items: [region] }]));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  cleanUpBurnedIn();
});

describe('scan', () => {
  it('reads the text in a picture whose header is clean, says where it is, and calls the file identifying', async () => {
    const r = await cli('scan', path.join(dir, 'chest.dcm'));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Text in the picture (high):');
    expect(r.stdout).toMatch(/"WIERZBICKA HALINA"\s+\(frame 1 at \d+,\d+ \d+ x \d+; text in the picture looks like a name/);
    expect(r.stdout).toMatch(/"MRN 55120943"/);
  }, 60_000);

  it('--json carries each line with its region, and how the picture was checked', async () => {
    const r = await cli('scan', '--json', path.join(dir, 'chest.dcm'));
    const file = JSON.parse(r.stdout).files[0];
    const lines = file.findings.filter((f: { tag: string }) => f.tag === '7FE00010');
    expect(lines.map((f: { value: string }) => f.value)).toEqual(['WIERZBICKA HALINA', 'MRN 55120943']);
    for (const f of lines) {
      expect(f).toMatchObject({ keyword: 'PixelData', category: 'picture-content', severity: 'high', sequence: [], private: false });
      expect(f.region).toEqual({ frame: 1, x: expect.any(Number), y: expect.any(Number), width: expect.any(Number), height: expect.any(Number) });
    }
    expect(file.picture).toEqual({ status: 'read', frames: 1, framesRead: 1 });
  }, 60_000);

  it('--headers-only reads no picture: the file is judged by its header', async () => {
    const r = await cli('scan', '--json', '--headers-only', path.join(dir, 'chest.dcm'));
    const file = JSON.parse(r.stdout).files[0];
    expect(file.findings.some((f: { tag: string }) => f.tag === '7FE00010')).toBe(false);
    expect(file.picture).toBeUndefined();
  }, 30_000);
});

describe('deidentify', () => {
  it('masks the text by default, and the copy shows neither value', async () => {
    const out = path.join(dir, 'out-masked');
    const r = await cli('deidentify', '--out', out, path.join(dir, 'chest.dcm'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/The text in the pictures of 1 file was masked \(\d+ regions\), and each copy was read again\./);
    const copy = path.join(out, path.relative('/', path.join(dir, 'chest.dcm')).split(path.sep).pop()!);
    const text = tesseractReads(fs.existsSync(copy) ? copy : path.join(out, 'chest.dcm'));
    expect(text).not.toContain('WIERZBICKA');
    expect(text).not.toContain('55120943');
    expect(tesseractReads(path.join(dir, 'chest.dcm'))).toContain('WIERZBICKA');
  }, 90_000);

  it('--keep-picture-text leaves the picture as it was and says it may show text', async () => {
    const out = path.join(dir, 'out-kept');
    const r = await cli('deidentify', '--keep-picture-text', '--out', out, path.join(dir, 'chest.dcm'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('were not changed (--keep-picture-text) and may show identifying text');
    expect(tesseractReads(path.join(out, 'chest.dcm'))).toContain('WIERZBICKA');
  }, 60_000);

  it('--mask-outside-ultrasound-regions blacks out the screen around the listed region', async () => {
    const out = path.join(dir, 'out-us');
    const r = await cli('deidentify', '--mask-outside-ultrasound-regions', '--out', out, path.join(dir, 'us'));
    expect(r.code).toBe(0);
    const raw = path.join(dir, 'us-pixels');
    fs.mkdirSync(raw);
    execFileSync('dcmdump', ['+W', raw, path.join(out, 'us', 'probe.dcm')], { stdio: 'ignore' });
    const pixels = fs.readFileSync(path.join(raw, fs.readdirSync(raw)[0]!));
    const at = (x: number, y: number): number[] => [...pixels.subarray((y * 500 + x) * 3, (y * 500 + x) * 3 + 3)];
    expect(at(10, 10)).toEqual([0, 0, 0]);
    expect(at(450, 200)).toEqual([0, 0, 0]);
    expect(at(200, 300)).not.toEqual([0, 0, 0]);
  }, 60_000);

  it('refuses the two picture options together', async () => {
    const r = await cli('deidentify', '--keep-picture-text', '--mask-outside-ultrasound-regions', '--out', path.join(dir, 'x'), path.join(dir, 'chest.dcm'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot go together');
  });
});
