// End-to-end: the CLI as an npm package. `npm pack` (whose prepack builds dist/cli) gives a tarball; it is
// installed with `npm install` into an empty folder outside the repository (so nothing of the repository's
// node_modules or sources can be found from there), and `npx scan-privacy-guard` is run from that folder:
// a known corpus file, then the whole public and malformed corpus against the CLI run from the sources
// (same JSON, same exit status: any file or dependency the built CLI needs at run time but the package lacks
// shows up here), and a de-identification whose copy the installed CLI then calls clean. The package carries
// only the built CLI, installs none of the repository's dev dependencies, and imports at run time nothing
// but Node's own modules and its declared dependencies.

import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CORPUS } from '../support/corpus';
import { REPO_ROOT } from './harness/fixture-server';

interface PackageJson {
  name: string;
  version: string;
  bin: Record<string, string>;
  files: string[];
  engines: { node: string };
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

const PACKAGE = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as PackageJson;
/** A file the CLI says identifies someone (the OFFIS structured-report sample; README's example). */
const IDENTIFYING = path.join(CORPUS, 'public/cornerstone3D/no-pixel-data.dcm');
const CORPUS_DIRS = [path.join(CORPUS, 'public'), path.join(CORPUS, 'malformed')];

let work = '';
let tarball = '';
let packedFiles: string[] = [];
/** The empty folder the tarball is installed into. */
let app = '';

/**
 * The environment for the npm and npx runs: without the npm_* variables of the `npm test` that started this run
 * (they name this repository's package and scripts), and without any node_modules/.bin on PATH, so only what the
 * installed package provides can answer.
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) && !/^npm_config_(cache|registry|userconfig)$/i.test(key)) continue;
    env[key] = value;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter((dir) => !dir.includes(`node_modules${path.sep}.bin`))
    .join(path.delimiter);
  return env;
}

function run(command: string, args: string[], cwd: string, timeout = 240_000): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, env: cleanEnv(), encoding: 'utf8', timeout, maxBuffer: 64 * 1024 * 1024 });
}

function describeRun(what: string, result: SpawnSyncReturns<string>): string {
  return `${what}: exit ${result.status}${result.error ? ` (${result.error.message})` : ''}\n${result.stdout.slice(-2000)}\n${result.stderr.slice(-4000)}`;
}

/** Every file under `dir`, relative to it, with / separators. */
function filesUnder(dir: string, base = dir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full, base) : [path.relative(base, full).split(path.sep).join('/')];
  });
}

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'spg-cli-package-'));
  const packed = run('npm', ['pack', '--json', '--pack-destination', work], REPO_ROOT);
  if (packed.status !== 0) throw new Error(describeRun('npm pack', packed));
  // prepack's own output (the vite build) comes before the JSON on stdout.
  const json = packed.stdout.slice(packed.stdout.indexOf('[\n'));
  const [info] = JSON.parse(json) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = path.join(work, info!.filename);
  packedFiles = info!.files.map((f) => f.path).sort();

  app = path.join(work, 'empty-folder');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'spg-install-check', version: '1.0.0', private: true }));
  const installed = run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], app);
  if (installed.status !== 0) throw new Error(describeRun(`npm install ${tarball}`, installed));
}, 600_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

it('package.json declares what an npm package needs: not private, a bin, a files list, a prepack build, Node 20 and later', () => {
  expect(PACKAGE).not.toHaveProperty('private');
  expect(PACKAGE.bin).toEqual({ 'scan-privacy-guard': 'bin/scan-privacy-guard.mjs' });
  expect(PACKAGE.files.length).toBeGreaterThan(0);
  expect((PACKAGE as unknown as { scripts: Record<string, string> }).scripts.prepack).toBe('npm run build:cli');
  expect(PACKAGE.engines.node).toBe('>=20');
  expect(Number(process.versions.node.split('.')[0]), 'this run is on a Node the package says it supports').toBeGreaterThanOrEqual(20);
});

it('the tarball holds the bin, the built CLI and the package files, and nothing of the sources or tests', () => {
  expect(path.basename(tarball)).toBe(`${PACKAGE.name}-${PACKAGE.version}.tgz`);
  expect(packedFiles).toContain('package.json');
  expect(packedFiles).toContain('README.md');
  expect(packedFiles).toContain(PACKAGE.bin['scan-privacy-guard']);
  expect(packedFiles).toContain('dist/cli/scan-privacy-guard.mjs');
  const outsideFilesList = packedFiles.filter(
    (file) => !['package.json', 'README.md', 'LICENSE'].includes(file) && !PACKAGE.files.some((entry) => file.startsWith(entry)),
  );
  expect(outsideFilesList, 'packed files that the files list does not name').toEqual([]);
  expect(packedFiles.filter((file) => /^(src|test|demo|bench|scripts|docs|node_modules)\//.test(file))).toEqual([]);
});

it('the installed package is what was packed, and none of the repository\'s dev dependencies came with it', () => {
  const installedRoot = path.join(app, 'node_modules', PACKAGE.name);
  expect(filesUnder(installedRoot).sort()).toEqual(packedFiles);
  const installedPackages = fs
    .readdirSync(path.join(app, 'node_modules'))
    .filter((name) => !name.startsWith('.'))
    .flatMap((name) => (name.startsWith('@') ? fs.readdirSync(path.join(app, 'node_modules', name)).map((sub) => `${name}/${sub}`) : [name]));
  const devOnly = Object.keys(PACKAGE.devDependencies ?? {}).filter((name) => !(name in (PACKAGE.dependencies ?? {})));
  expect(installedPackages.filter((name) => devOnly.includes(name)), 'dev dependencies installed with the package').toEqual([]);
  for (const name of Object.keys(PACKAGE.dependencies ?? {})) expect(installedPackages, `runtime dependency ${name}`).toContain(name);
});

it('the built CLI imports at run time only Node\'s own modules and the declared dependencies', () => {
  const installedRoot = path.join(app, 'node_modules', PACKAGE.name);
  const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
  // Optional dependencies too: pdf.js loads @napi-rs/canvas in a try (pages are not drawn without it).
  const declared = [...Object.keys(PACKAGE.dependencies ?? {}), ...Object.keys(PACKAGE.optionalDependencies ?? {})];
  const specifiers = new Set<string>();
  for (const file of filesUnder(installedRoot).filter((f) => /\.(m?js|cjs)$/.test(f))) {
    // Comments left out: bundled libraries' documentation shows imports in its examples (pdf-lib, pako, noble).
    const code = fs.readFileSync(path.join(installedRoot, file), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    for (const m of code.matchAll(/(?:^|[;\s])import\s[^'"`;]*?from\s*["']([^"']+)["']|(?:^|[;\s])import\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)|\b(?:__require|require)\(\s*["']([^"']+)["']\s*\)/gm)) {
      const specifier = m[1] ?? m[2] ?? m[3] ?? m[4];
      if (specifier) specifiers.add(specifier);
    }
  }
  expect(specifiers.size, 'the scan found the bundle\'s imports (it works)').toBeGreaterThan(0);
  const unresolvable = [...specifiers].filter((s) => {
    // A template's placeholder is code that writes code (pdf.js's CDN wrapper, never used here), not a module.
    if (s.startsWith('.') || builtins.has(s) || s.includes('${')) return false;
    const name = s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!;
    return !declared.includes(name);
  });
  expect(unresolvable, 'imports that are neither Node modules nor declared dependencies').toEqual([]);
});

it('`npx scan-privacy-guard scan --json FILE` in the empty folder: exit 1 and the identifying values in the JSON', () => {
  const result = run('npx', ['--no', 'scan-privacy-guard', 'scan', '--json', IDENTIFYING], app);
  expect(result.status, describeRun('npx scan-privacy-guard scan --json', result)).toBe(1);
  const report = JSON.parse(result.stdout) as { files: Array<{ path: string; format: string; verdict: string; findings: Array<{ tag: string; keyword: string; value?: string }> }> };
  expect(report.files).toHaveLength(1);
  const [file] = report.files;
  expect(file).toMatchObject({ path: IDENTIFYING, format: 'dicom', verdict: 'identifying' });
  expect(file!.findings).toEqual(expect.arrayContaining([expect.objectContaining({ tag: '00100010', keyword: 'PatientName', value: 'Osterman^Phillip^B.' })]));
  // Without --json: the human report, same exit status.
  const text = run('npx', ['--no', 'scan-privacy-guard', 'scan', IDENTIFYING], app);
  expect(text.status, describeRun('npx scan-privacy-guard scan', text)).toBe(1);
  expect(text.stdout).toContain('Osterman^Phillip^B.');
});

it('`npx scan-privacy-guard` with no command is a usage error (exit 2)', () => {
  const result = run('npx', ['--no', 'scan-privacy-guard'], app);
  expect(result.status, describeRun('npx scan-privacy-guard', result)).toBe(2);
});

it('the installed CLI gives the same JSON and exit status as the CLI run from the sources, over the whole corpus (headers)', () => {
  const installed = run('npx', ['--no', 'scan-privacy-guard', 'scan', '--json', '--headers-only', ...CORPUS_DIRS], app);
  const fromSources = spawnSync(path.join(REPO_ROOT, 'node_modules/.bin/tsx'), ['src/cli/scan-privacy-guard.ts', 'scan', '--json', '--headers-only', ...CORPUS_DIRS], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 240_000,
  });
  expect(fromSources.status, describeRun('the CLI from the sources', fromSources)).toBe(1);
  expect(installed.status, describeRun('the installed CLI', installed)).toBe(fromSources.status);
  const expected = JSON.parse(fromSources.stdout) as { files: unknown[] };
  expect(expected.files.length, 'files in the corpus').toBeGreaterThan(100);
  expect(JSON.parse(installed.stdout)).toEqual(expected);
}, 300_000);

it('the installed CLI reads the text in a picture as the CLI from the sources does (its worker, codecs and models ship in the package)', () => {
  const picture = path.join(CORPUS, 'public/dcm4che/YBR_FULL-RLE.dcm');
  const installed = run('npx', ['--no', 'scan-privacy-guard', 'scan', '--json', picture], app);
  expect(installed.status, describeRun('npx scan-privacy-guard scan --json (a picture)', installed)).toBe(1);
  const fromSources = spawnSync(path.join(REPO_ROOT, 'node_modules/.bin/tsx'), ['src/cli/scan-privacy-guard.ts', 'scan', '--json', picture], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 240_000 });
  const lines = (out: string): string[] => (JSON.parse(out) as { files: Array<{ findings: Array<{ tag: string; value?: string }> }> }).files[0]!.findings.filter((f) => f.tag === '7FE00010').map((f) => f.value ?? '');
  expect(lines(installed.stdout)).toContain('DOE, JOHN');
  expect(lines(installed.stdout)).toEqual(lines(fromSources.stdout));
}, 300_000);

it('`npx scan-privacy-guard deidentify` in the empty folder writes a copy the installed CLI calls clean', () => {
  const out = path.join(work, 'clean');
  const key = path.join(work, 'key');
  const result = run('npx', ['--no', 'scan-privacy-guard', 'deidentify', '--key', key, '--out', out, IDENTIFYING], app);
  expect(result.status, describeRun('npx scan-privacy-guard deidentify', result)).toBe(0);
  const copy = path.join(out, path.basename(IDENTIFYING));
  expect(fs.existsSync(copy), `the copy ${copy}`).toBe(true);
  const rescan = run('npx', ['--no', 'scan-privacy-guard', 'scan', '--json', copy], app);
  expect(rescan.status, describeRun('npx scan-privacy-guard scan (the copy)', rescan)).toBe(0);
  expect((JSON.parse(rescan.stdout) as { files: Array<{ verdict: string }> }).files.map((f) => f.verdict)).toEqual(['clean']);
});
