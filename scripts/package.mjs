#!/usr/bin/env node
// Writes the store packages: dist/packages/scan-privacy-guard-<version>-chrome.zip and -firefox.zip from
// the builds in dist/chrome and dist/firefox (run `npm run build:extension` first; `npm run package` does).
import { readFileSync, readdirSync, statSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { zipSync, unzipSync } from 'fflate';

const root = new URL('..', import.meta.url).pathname;
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

function filesUnder(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else out.push(path);
  }
  return out;
}

function pack(browser) {
  const dir = join(root, 'dist', browser);
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  } catch {
    throw new Error(`dist/${browser}/manifest.json is missing: run npm run build:extension first.`);
  }
  if (manifest.version !== version) {
    throw new Error(`dist/${browser} is version ${manifest.version}, package.json says ${version}: rebuild.`);
  }
  const entries = {};
  // A fixed date keeps the zip byte-for-byte reproducible for the same build.
  const mtime = new Date('2026-01-01T00:00:00Z');
  for (const file of filesUnder(dir)) {
    entries[relative(dir, file).split(sep).join('/')] = [readFileSync(file), { mtime, level: 9 }];
  }
  const zip = zipSync(entries);
  // Check what we wrote: the manifest at the root, every file present.
  const back = unzipSync(zip);
  if (!back['manifest.json'] || Object.keys(back).length !== Object.keys(entries).length) {
    throw new Error(`the ${browser} package did not read back complete`);
  }
  const outDir = join(root, 'dist', 'packages');
  mkdirSync(outDir, { recursive: true });
  const out = join(outDir, `scan-privacy-guard-${version}-${browser}.zip`);
  writeFileSync(out, zip);
  console.log(`${relative(root, out)}  ${Object.keys(entries).length} files, ${(zip.length / 1024).toFixed(0)} KiB`);
}

try {
  pack('chrome');
  pack('firefox');
} catch (e) {
  console.error(`package: ${e.message}`);
  process.exit(1);
}
