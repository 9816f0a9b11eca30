// The builds of the extension the end-to-end tests load. `vite build` writes dist/chrome and `vite build
// --mode firefox` dist/firefox, which other people may rebuild at any moment; the tests load a snapshot of
// each (test-results/e2e-extension/chrome and .../firefox), taken once per run, so a rebuild in the middle
// of a run cannot pull files from under the browser.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './fixture-server';

export type BrowserTarget = 'chrome' | 'firefox';

export const BUILT_DIST = path.join(REPO_ROOT, 'dist/chrome');
export const BUILT_DIST_FIREFOX = path.join(REPO_ROOT, 'dist/firefox');
/** What Chromium loads: SPG_E2E_DIST if set (used as it is), else the snapshot of dist/chrome. */
export const EXTENSION_UNDER_TEST = path.resolve(process.env.SPG_E2E_DIST ?? path.join(REPO_ROOT, 'test-results/e2e-extension/chrome'));
/** What Firefox installs: SPG_E2E_FIREFOX_DIST if set (used as it is), else the snapshot of dist/firefox. */
export const FIREFOX_EXTENSION_UNDER_TEST = path.resolve(
  process.env.SPG_E2E_FIREFOX_DIST ?? path.join(REPO_ROOT, 'test-results/e2e-extension/firefox'),
);

interface TargetPaths {
  built: string;
  underTest: string;
  /** Set when the suite is pointed at another build, loaded in place (nothing is built or copied). */
  override: string | undefined;
  viteArgs: string[];
}

function pathsOf(target: BrowserTarget): TargetPaths {
  return target === 'firefox'
    ? { built: BUILT_DIST_FIREFOX, underTest: FIREFOX_EXTENSION_UNDER_TEST, override: process.env.SPG_E2E_FIREFOX_DIST, viteArgs: ['build', '--mode', 'firefox'] }
    : { built: BUILT_DIST, underTest: EXTENSION_UNDER_TEST, override: process.env.SPG_E2E_DIST, viteArgs: ['build'] };
}

/** What the extension build reads: anything newer than the build makes it stale. */
const EXTENSION_SOURCES = ['src', 'public', 'icons', 'manifest.json', 'vite.config.ts', 'package.json'];

/**
 * Runs `vite build` (`--mode firefox` for Firefox) when the build is missing or older than its sources.
 * SPG_E2E_BUILD=always rebuilds every time; SPG_E2E_BUILD=never never builds (dist/ is used as it is).
 */
export function buildExtensionIfNeeded(target: BrowserTarget = 'chrome'): void {
  const { built, override, viteArgs } = pathsOf(target);
  const mode = process.env.SPG_E2E_BUILD ?? 'auto';
  if (mode === 'never' || override) return;
  const builtManifest = path.join(built, 'manifest.json');
  const builtAt = fs.existsSync(builtManifest) ? fs.statSync(builtManifest).mtimeMs : 0;
  const newestSource = Math.max(...EXTENSION_SOURCES.map((p) => newestMtime(path.join(REPO_ROOT, p))));
  if (mode !== 'always' && builtAt > newestSource) return;
  const vite = path.join(REPO_ROOT, 'node_modules/.bin/vite');
  const run = spawnSync(vite, viteArgs, { cwd: REPO_ROOT, encoding: 'utf8' });
  if (run.status !== 0) {
    throw new Error(`\`vite ${viteArgs.join(' ')}\` failed (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
  }
}

/** Copies the build to the snapshot the tests load, again if the build changed during the copy. */
export function snapshotExtension(target: BrowserTarget = 'chrome'): void {
  const { built, underTest, override, viteArgs } = pathsOf(target);
  if (override) return;
  const builtManifest = path.join(built, 'manifest.json');
  for (let attempt = 1; attempt <= 5; attempt++) {
    if (!fs.existsSync(builtManifest)) throw new Error(`no built extension in ${built}: run \`npx vite ${viteArgs.join(' ')}\``);
    const before = treeSignature(built);
    fs.rmSync(underTest, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(underTest), { recursive: true });
    fs.cpSync(built, underTest, { recursive: true });
    if (treeSignature(built) === before && treeSignature(underTest, built) === before) return;
    spawnSync('sleep', ['1']);
  }
  throw new Error(`${built} kept changing while it was copied (someone is rebuilding it): try again`);
}

/** Relative path, size and (for the source) mtime of every file: equal signatures mean equal trees. */
function treeSignature(root: string, mtimesFrom?: string): string {
  const lines: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        const relative = path.relative(root, full);
        const mtime = fs.statSync(path.join(mtimesFrom ?? root, relative)).mtimeMs;
        lines.push(`${relative}:${fs.statSync(full).size}:${mtime}`);
      }
    }
  };
  walk(root);
  return lines.join('\n');
}

function newestMtime(target: string): number {
  if (!fs.existsSync(target)) return 0;
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}
