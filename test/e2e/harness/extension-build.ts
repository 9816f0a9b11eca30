// The build of the extension the end-to-end tests load. `vite build` writes dist/chrome, which other
// people may rebuild at any moment; the tests load a snapshot of it (test-results/e2e-extension/chrome),
// taken once per run, so a rebuild in the middle of a run cannot pull files from under the browser.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './fixture-server';

export const BUILT_DIST = path.join(REPO_ROOT, 'dist/chrome');
/** What the browser loads: SPG_E2E_DIST if set (used as it is), else the snapshot of dist/chrome. */
export const EXTENSION_UNDER_TEST = path.resolve(process.env.SPG_E2E_DIST ?? path.join(REPO_ROOT, 'test-results/e2e-extension/chrome'));

/** What the extension build reads: anything newer than the build makes it stale. */
const EXTENSION_SOURCES = ['src', 'public', 'icons', 'manifest.json', 'vite.config.ts', 'package.json'];

/**
 * Runs `vite build` when dist/chrome is missing or older than its sources. SPG_E2E_BUILD=always rebuilds
 * every time; SPG_E2E_BUILD=never never builds (dist/chrome is used as it is).
 */
export function buildExtensionIfNeeded(): void {
  const mode = process.env.SPG_E2E_BUILD ?? 'auto';
  if (mode === 'never' || process.env.SPG_E2E_DIST) return;
  const builtManifest = path.join(BUILT_DIST, 'manifest.json');
  const builtAt = fs.existsSync(builtManifest) ? fs.statSync(builtManifest).mtimeMs : 0;
  const newestSource = Math.max(...EXTENSION_SOURCES.map((p) => newestMtime(path.join(REPO_ROOT, p))));
  if (mode !== 'always' && builtAt > newestSource) return;
  const vite = path.join(REPO_ROOT, 'node_modules/.bin/vite');
  const run = spawnSync(vite, ['build'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (run.status !== 0) {
    throw new Error(`\`vite build\` failed (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
  }
}

/** Copies dist/chrome to the snapshot the tests load, again if dist/chrome changed during the copy. */
export function snapshotExtension(): void {
  if (process.env.SPG_E2E_DIST) return;
  const builtManifest = path.join(BUILT_DIST, 'manifest.json');
  for (let attempt = 1; attempt <= 5; attempt++) {
    if (!fs.existsSync(builtManifest)) throw new Error(`no built extension in ${BUILT_DIST}: run \`npx vite build\``);
    const before = treeSignature(BUILT_DIST);
    fs.rmSync(EXTENSION_UNDER_TEST, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(EXTENSION_UNDER_TEST), { recursive: true });
    fs.cpSync(BUILT_DIST, EXTENSION_UNDER_TEST, { recursive: true });
    if (treeSignature(BUILT_DIST) === before && treeSignature(EXTENSION_UNDER_TEST, BUILT_DIST) === before) return;
    spawnSync('sleep', ['1']);
  }
  throw new Error(`${BUILT_DIST} kept changing while it was copied (someone is rebuilding it): try again`);
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
