// The command-line contract of ARCHITECTURE.md: arguments, exit status, the JSON shape, folders and zips.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zipSync } from 'fflate';
import { runCli } from '../../src/cli/main';
import { writeDicom, tag, type El } from '../fixtures/dicom-writer';
import { CORPUS } from '../support/corpus';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(...argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, stderrIsTty: false });
  return { code, stdout, stderr };
}

const PERSON: El[] = [
  { tag: tag(0x0008, 0x0016), vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.2' },
  { tag: tag(0x0008, 0x0018), vr: 'UI', value: '1.2.3.4.5' },
  { tag: tag(0x0008, 0x0060), vr: 'CS', value: 'CT' },
  { tag: tag(0x0010, 0x0010), vr: 'PN', value: 'DOE^JANE' },
  { tag: tag(0x0010, 0x0020), vr: 'LO', value: 'ID-4471' },
  { tag: tag(0x0020, 0x000d), vr: 'UI', value: '1.2.3.4' },
  { tag: tag(0x0020, 0x000e), vr: 'UI', value: '1.2.3.4.1' },
  { tag: tag(0x0040, 0x0275), vr: 'SQ', items: [[{ tag: tag(0x0008, 0x0050), vr: 'SH', value: 'ACC-77' }]] },
];
const CLEAN: El[] = [
  { tag: tag(0x0008, 0x0016), vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.2' },
  { tag: tag(0x0008, 0x0018), vr: 'UI', value: '2.25.42' },
  { tag: tag(0x0008, 0x0060), vr: 'CS', value: 'CT' },
];

let dir: string;
let cleanDir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spg-cli-'));
  fs.mkdirSync(path.join(dir, 'series'));
  fs.writeFileSync(path.join(dir, 'series', 'IM0001'), writeDicom(PERSON, { transferSyntax: 'explicit-le' }));
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'nothing to see');
  fs.writeFileSync(path.join(dir, 'upload.zip'), zipSync({ 'dir/IM0002': writeDicom(PERSON, { transferSyntax: 'implicit-le' }) }));
  fs.symlinkSync(path.join(dir, 'does-not-exist'), path.join(dir, 'broken-link'));
  cleanDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spg-cli-clean-'));
  fs.writeFileSync(path.join(cleanDir, 'IM0001'), writeDicom(CLEAN, { transferSyntax: 'explicit-le' }));
  fs.writeFileSync(path.join(cleanDir, 'photo.txt'), 'hello');
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(cleanDir, { recursive: true, force: true });
});

describe('usage', () => {
  it('exits 2 with usage for no command, an unknown command, no path, an unknown option, a missing path', async () => {
    for (const argv of [[], ['frobnicate'], ['scan'], ['scan', '--yaml', 'x'], ['scan', path.join(os.tmpdir(), 'no-such-spg-path')]]) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr, argv.join(' ')).not.toBe('');
      expect(r.stdout).toBe('');
    }
  });

  it('prints help with exit 0', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/scan-privacy-guard scan \[--json\] \[--headers-only\] PATH/);
  });

  it('prints help for any command with --help or -h, exit 0, nothing on stderr, nothing scanned', async () => {
    for (const argv of [['-h'], ['help'], ['scan', '--help'], ['scan', '-h'], ['scan', '--json', dir, '--help'], ['deidentify', '--help'], ['deidentify', '-h', '--out', dir]]) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(0);
      expect(r.stderr, argv.join(' ')).toBe('');
      expect(r.stdout, argv.join(' ')).toMatch(/^Usage:\n/);
      expect(r.stdout, argv.join(' ')).not.toContain('{"files":[');
    }
    expect((await cli('scan', '--help')).stdout).toMatch(/scan-privacy-guard scan \[--json\] \[--headers-only\] PATH/);
    expect((await cli('deidentify', '--help')).stdout).toMatch(/scan-privacy-guard deidentify --out DIR/);
  });

  it('prints the version with --version, exit 0, alone or after a command', async () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };
    for (const argv of [['--version'], ['scan', '--version'], ['deidentify', '--version']]) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(0);
      expect(r.stdout).toBe(`scan-privacy-guard ${version}\n`);
      expect(r.stderr).toBe('');
    }
  });

  it('takes arguments after -- as paths, even when they look like options', async () => {
    const r = await cli('scan', '--json', '--', '--help');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no such file or folder: --help/);
  });
});

describe('scan --json', () => {
  it('lists every file, zip entries as archive!path, with the contract fields, and exits 1', async () => {
    const r = await cli('scan', '--json', dir);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { files: Array<Record<string, unknown>>; summary: Record<string, number> };
    const byPath = new Map(out.files.map((f) => [f.path as string, f]));
    const im = byPath.get(path.join(dir, 'series', 'IM0001'))!;
    expect(im).toMatchObject({ format: 'dicom', verdict: 'identifying' });
    const findings = im.findings as Array<Record<string, unknown>>;
    for (const f of findings) {
      expect(f.tag).toMatch(/^[0-9A-F]{8}$/);
      expect(['high', 'medium', 'low']).toContain(f.severity);
      expect(Array.isArray(f.sequence)).toBe(true);
      expect(typeof f.private).toBe('boolean');
      expect(typeof f.category).toBe('string');
    }
    expect(findings).toContainEqual(expect.objectContaining({ tag: '00100010', keyword: 'PatientName', category: 'name', severity: 'high', sequence: [], private: false, value: 'DOE^JANE' }));
    expect(findings).toContainEqual(expect.objectContaining({ tag: '00080050', sequence: ['00400275'], value: 'ACC-77' }));
    expect(byPath.get(path.join(dir, 'upload.zip'))).toMatchObject({ format: 'zip', verdict: 'identifying' });
    expect(byPath.get(`${path.join(dir, 'upload.zip')}!dir/IM0002`)).toMatchObject({ format: 'dicom', verdict: 'identifying' });
    expect(byPath.get(path.join(dir, 'notes.txt'))).toMatchObject({ format: 'other', verdict: 'not-medical', findings: [] });
    const broken = byPath.get(path.join(dir, 'broken-link'))!;
    expect(broken.verdict).toBe('unreadable');
    expect(broken.reason).toMatch(/could not be opened/);
    expect(out.summary).toMatchObject({ patients: 1, studies: 1 });
  });

  it('writes the same JSON as the reports it streams: one file per line, then the summary', async () => {
    const r = await cli('scan', '--json', dir);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('{"files":[');
    const out = JSON.parse(r.stdout) as { files: unknown[]; summary: { files: number } };
    // One line per file, zip entries included, then the closing of the array and the summary.
    expect(lines.length).toBe(1 + out.files.length + 2);
    // Leaves: IM0001, the zip's entry, notes.txt and the broken link (the zip itself is listed but not counted).
    expect(out.files.length).toBe(5);
    expect(out.summary.files).toBe(4);
  });

  it('exits 0 for a folder with nothing identifying', async () => {
    const r = await cli('scan', '--json', cleanDir);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { files: Array<{ verdict: string }> };
    expect(out.files.map((f) => f.verdict).sort()).toEqual(['clean', 'not-medical']);
  });
});

describe('scan, human-readable', () => {
  it('groups by patient and category and shows values', async () => {
    const r = await cli('scan', dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/Patient DOE\^JANE, ID ID-4471: 2 files/);
    expect(r.stdout).toMatch(/Names \(high\):\n\s+PatientName \(0010,0010\)\s+"DOE\^JANE"/);
    expect(r.stdout).toMatch(/AccessionNumber \(0008,0050\) in \(0040,0275\)\s+"ACC-77"/);
    expect(r.stdout).toMatch(/Could not be checked: .*broken-link/);
    expect(r.stdout).toMatch(/Do not upload these files/);
  });

  it('says so when nothing identifying was found', async () => {
    const r = await cli('scan', cleanDir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Nothing identifying was found/);
  });

  it('groups a directory listing several patients on its own', async () => {
    const r = await cli('scan', path.join(CORPUS, 'public/pydicom/dicomdirtests/DICOMDIR'));
    expect(r.stdout).toMatch(/Directories listing several patients: 1 file/);
    expect(r.stdout).toMatch(/PatientName \(0010,0010\) in \(0004,1220\)\s+"Doe\^Peter"/);
  });

  it('tells a clinician when a folder holds several patients', async () => {
    const r = await cli('scan', path.join(CORPUS, 'public/pydicom/charset'));
    expect(r.stdout).toMatch(/these files belong to \d+ different patients/);
  });

  it('draws a progress bar on a terminal for long runs', async () => {
    let stderr = '';
    const many = fs.mkdtempSync(path.join(os.tmpdir(), 'spg-cli-many-'));
    try {
      for (let i = 0; i < 25; i++) fs.writeFileSync(path.join(many, `f${i}.txt`), 'x');
      const code = await runCli(['scan', many], { stdout: () => {}, stderr: (t) => { stderr += t; }, stderrIsTty: true });
      expect(code).toBe(0);
      expect(stderr).toMatch(/\[#+\] 25\/25 files/);
    } finally {
      fs.rmSync(many, { recursive: true, force: true });
    }
  });
});
