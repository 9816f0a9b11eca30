// `scan-privacy-guard deidentify --out DIR [--key FILE] PATH...`: folder structure kept under DIR, inputs
// never written over, an output folder inside an input refused, a summary, exit 0 / 1 / 2, the key file
// created once (mode 0600) and reused so the same files get the same pseudonyms.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main';
import { defaultKeyFile } from '../../src/cli/deidentify';
import { scanFile } from '../../src/core/scan';
import { bytesSource } from '../../src/core/source';
import { writeDicom, tag, type El } from '../fixtures/dicom-writer';
import { cleanUpDcmtk, dcmdump } from '../support/dcmtk';
import { dumpLines } from '../support/dicom-output';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let dir: string;
let config: string;

async function cli(...argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (t) => { stdout += t; },
    stderr: (t) => { stderr += t; },
    stderrIsTty: false,
    env: { XDG_CONFIG_HOME: config, HOME: dir },
  });
  return { code, stdout, stderr };
}

const PERSON: El[] = [
  { tag: tag(0x0008, 0x0016), vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.2' },
  { tag: tag(0x0008, 0x0018), vr: 'UI', value: '1.2.3.4.5' },
  { tag: tag(0x0008, 0x0020), vr: 'DA', value: '20200115' },
  { tag: tag(0x0008, 0x0060), vr: 'CS', value: 'CT' },
  { tag: tag(0x0010, 0x0010), vr: 'PN', value: 'DOE^JANE' },
  { tag: tag(0x0010, 0x0020), vr: 'LO', value: 'ID-4471' },
  { tag: tag(0x0020, 0x000d), vr: 'UI', value: '1.2.3.4' },
  { tag: tag(0x0020, 0x000e), vr: 'UI', value: '1.2.3.4.1' },
];

const input = (...p: string[]): string => path.join(dir, 'in', ...p);
const output = (...p: string[]): string => path.join(dir, 'out', ...p);

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spg-deid-cli-'));
  config = path.join(dir, 'config');
  fs.mkdirSync(input('series'), { recursive: true });
  fs.writeFileSync(input('series', 'IM0001'), writeDicom(PERSON, { transferSyntax: 'explicit-le', pixelData: { bytes: new Uint8Array(16).fill(5) } }));
  fs.writeFileSync(input('notes.txt'), 'nothing to see');
  fs.utimesSync(input('series', 'IM0001'), new Date('2021-03-04T05:06:07Z'), new Date('2021-03-04T05:06:07Z'));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  cleanUpDcmtk();
});

describe('usage errors exit 2 and write nothing', () => {
  it.each([
    [[], /needs --out/],
    [['--out', 'x'], /at least one PATH/],
    [['--out'], /--out needs a value/],
    [['--frobnicate', '--out', 'x', 'y'], /Unknown option: --frobnicate/],
    [['--with', 'retain-everything', '--out', 'x', 'y'], /Unknown option name/],
  ])('%j', async (args, message) => {
    const r = await cli('deidentify', ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/Usage:/);
    expect(r.stdout).toBe('');
  });

  it('a missing input', async () => {
    const r = await cli('deidentify', '--out', output(), path.join(dir, 'no-such-thing'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no such file or folder/);
  });

  it('an output folder inside the input folder, or the input folder itself', async () => {
    for (const out of [input('cleaned'), input(), input('series')]) {
      const r = await cli('deidentify', '--out', out, input());
      expect(r.code, out).toBe(2);
      expect(r.stderr).toMatch(/inside the input folder/);
    }
    expect(fs.existsSync(input('cleaned'))).toBe(false);
  });

  it('a copy that would be written over its input', async () => {
    const cwd = process.cwd();
    process.chdir(input('series'));
    try {
      const r = await cli('deidentify', '--out', '.', 'IM0001');
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/over an input file/);
    } finally {
      process.chdir(cwd);
    }
    expect(fs.readFileSync(input('series', 'IM0001'))).toEqual(Buffer.from(writeDicom(PERSON, { transferSyntax: 'explicit-le', pixelData: { bytes: new Uint8Array(16).fill(5) } })));
  });

  it('two inputs that would land in the same place', async () => {
    const other = path.join(dir, 'other');
    fs.mkdirSync(other, { recursive: true });
    fs.writeFileSync(path.join(other, 'IM0001'), 'x');
    const r = await cli('deidentify', '--out', output(), input('series', 'IM0001'), path.join(other, 'IM0001'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/would both be written/);
  });

  it('a key file that is too short, or a folder', async () => {
    const short = path.join(dir, 'short.key');
    fs.writeFileSync(short, 'abc');
    let r = await cli('deidentify', '--out', output(), '--key', short, input());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/at least 16/);
    r = await cli('deidentify', '--out', output(), '--key', input(), input());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/could not be read/);
    // A dangling link: nothing to read, and nothing may be created through it.
    const dangling = path.join(dir, 'dangling.key');
    fs.symlinkSync(path.join(dir, 'nowhere', 'key'), dangling);
    r = await cli('deidentify', '--out', output(), '--key', dangling, input());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/could not be created/);
  });
});

describe('cleaning a folder', () => {
  it('keeps the structure, copies what is not medical, cleans the rest, exits 0', async () => {
    const r = await cli('deidentify', '--out', output(), input());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/2 files de-identified/);
    expect(r.stdout).toMatch(/1 cleaned, 1 copied unchanged \(not medical images\), 0 could not be cleaned/);
    expect(r.stdout).toMatch(/notes\.txt/);
    expect(r.stdout).toMatch(/\(created now\)/);
    // An absolute PATH goes under DIR by its name.
    expect(fs.readFileSync(output('in', 'notes.txt'), 'utf8')).toBe('nothing to see');
    const cleaned = new Uint8Array(fs.readFileSync(output('in', 'series', 'IM0001')));
    const report = await scanFile({ path: 'IM0001', source: bytesSource(cleaned) });
    expect(report.verdict).toBe('clean');
    const lines = dumpLines(dcmdump(cleaned, 'IM0001'));
    expect(lines.find((l) => l.tag === '00120062')?.value).toBe('YES');
    expect(lines.find((l) => l.tag === '00100010')?.value).toBe('(no value available)');
    expect(fs.statSync(output('in', 'series', 'IM0001')).mtime.toISOString()).toBe('2021-03-04T05:06:07.000Z');
    // The key was created where the default says, readable by its owner only.
    const key = defaultKeyFile({ XDG_CONFIG_HOME: config });
    expect(fs.statSync(key).size).toBe(32);
    expect(fs.statSync(key).mode & 0o777).toBe(0o600);
    // A second run with the same key gives the same bytes, and says the key was reused.
    const again = await cli('deidentify', '--out', path.join(dir, 'out2'), input());
    expect(again.code).toBe(0);
    expect(again.stdout).not.toMatch(/created now/);
    expect(fs.readFileSync(path.join(dir, 'out2', 'in', 'series', 'IM0001'))).toEqual(Buffer.from(cleaned));
  });

  it('puts a relative PATH under DIR as given', async () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const r = await cli('deidentify', '--out', 'rel-out', path.join('in', 'series'));
      expect(r.code, r.stderr).toBe(0);
      expect(fs.existsSync(path.join(dir, 'rel-out', 'in', 'series', 'IM0001'))).toBe(true);
    } finally {
      process.chdir(cwd);
    }
  });

  it('uses --key FILE, creating it once', async () => {
    const keyFile = path.join(dir, 'keys', 'my.key');
    const a = await cli('deidentify', '--out', path.join(dir, 'k1'), '--key', keyFile, input('series', 'IM0001'));
    const b = await cli('deidentify', '--out', path.join(dir, 'k2'), '--key', keyFile, input('series', 'IM0001'));
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    expect(a.stdout).toMatch(/created now/);
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(path.join(dir, 'k1', 'IM0001'))).toEqual(fs.readFileSync(path.join(dir, 'k2', 'IM0001')));
    expect(fs.readFileSync(path.join(dir, 'k1', 'IM0001'))).not.toEqual(fs.readFileSync(output('in', 'series', 'IM0001')));
  });

  it('switches options with --with and --without', async () => {
    const r = await cli('deidentify', '--out', path.join(dir, 'opt'), '--with', 'retain-longitudinal-modified-dates', '--without', 'retain-patient-characteristics', input('series', 'IM0001'));
    expect(r.code).toBe(0);
    const lines = dumpLines(dcmdump(new Uint8Array(fs.readFileSync(path.join(dir, 'opt', 'IM0001'))), 'opt'));
    expect(lines.find((l) => l.tag === '00280303')?.value).toBe('MODIFIED');
    expect(lines.filter((l) => l.tag === '00080100').map((l) => l.value)).toEqual(['113100', '113107']);
  });

  it('keeps free text such as Allergies only with --with retain-patient-free-text', async () => {
    const withAllergies = path.join(dir, 'allergies');
    fs.mkdirSync(withAllergies, { recursive: true });
    fs.writeFileSync(path.join(withAllergies, 'IM1'), writeDicom([...PERSON, { tag: tag(0x0010, 0x2110), vr: 'LO', value: 'PENICILLIN PER DR HOUSE' }], { transferSyntax: 'explicit-le' }));
    const plain = await cli('deidentify', '--out', path.join(dir, 'allergies-default'), '--', withAllergies);
    const kept = await cli('deidentify', '--out', path.join(dir, 'allergies-kept'), '--with', 'retain-patient-free-text', '--', withAllergies);
    expect(plain.code).toBe(0);
    expect(kept.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'allergies-default', 'allergies', 'IM1')).includes('PENICILLIN')).toBe(false);
    expect(fs.readFileSync(path.join(dir, 'allergies-kept', 'allergies', 'IM1')).includes('PENICILLIN PER DR HOUSE')).toBe(true);
    expect((await cli('deidentify', '--help')).stdout).toMatch(/retain-patient-free-text/);
  });

  it('exits 1 when a file cannot be cleaned, and writes no copy of it', async () => {
    const bad = path.join(dir, 'bad');
    fs.mkdirSync(bad, { recursive: true });
    const whole = writeDicom(PERSON, { transferSyntax: 'explicit-le', pixelData: { bytes: new Uint8Array(4096) } });
    fs.writeFileSync(path.join(bad, 'cut.dcm'), whole.subarray(0, whole.length - 1000));
    fs.writeFileSync(path.join(bad, 'good.dcm'), whole);
    const r = await cli('deidentify', '--out', path.join(dir, 'bad-out'), '--', bad);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/1 cleaned, 0 copied unchanged \(not medical images\), 1 could not be cleaned/);
    expect(r.stdout).toMatch(/cut\.dcm: its pixel data is cut short/);
    expect(fs.existsSync(path.join(dir, 'bad-out', 'bad', 'cut.dcm'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'bad-out', 'bad', 'good.dcm'))).toBe(true);
    expect(fs.readdirSync(path.join(dir, 'bad-out', 'bad'))).toEqual(['good.dcm']);
  });

  it('help names the command', async () => {
    const r = await cli('--help');
    expect(r.stdout).toMatch(/scan-privacy-guard deidentify --out DIR/);
  });

  it('the default key file is under ~/.config without XDG_CONFIG_HOME', () => {
    expect(defaultKeyFile({ HOME: '/home/x' })).toBe(path.join('/home/x', '.config', 'scan-privacy-guard', 'key'));
    expect(defaultKeyFile({ HOME: '/home/x', XDG_CONFIG_HOME: 'relative' })).toBe(path.join('/home/x', '.config', 'scan-privacy-guard', 'key'));
  });
});

it('npm run --silent deidentify -- --out DIR PATH works from the repository', () => {
  const run = spawnSync('npm', ['run', '--silent', 'deidentify', '--', '--out', path.join(dir, 'npm-out'), input('series')], {
    encoding: 'utf8',
    env: { ...process.env, XDG_CONFIG_HOME: config },
  });
  expect(run.status, run.stderr).toBe(0);
  expect(run.stdout).toMatch(/1 cleaned/);
  expect(fs.existsSync(path.join(dir, 'npm-out', 'series', 'IM0001'))).toBe(true);
});
