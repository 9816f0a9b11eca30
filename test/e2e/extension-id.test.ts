// End-to-end: the built extension has the id administrators are told to use. dist/chrome (and the snapshot the
// end-to-end tests load) carries manifest.json's public key, whose id is the one README.md documents; Chromium
// runs a copy of the build from another folder under that same id (an unpacked extension without a key would get
// an id from its path); dist/firefox has no key and the documented gecko id.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, expect, it } from 'vitest';
import { chromiumExtensionIdOf } from '../../demo/browser';
import { CHROME_EXTENSION_ID, FIREFOX_EXTENSION_ID, chromeIdOfManifest, documentedChromeId } from '../support/extension-ids';
import { BUILT_DIST, BUILT_DIST_FIREFOX, EXTENSION_UNDER_TEST, FIREFOX_EXTENSION_UNDER_TEST } from './harness/extension-build';
import { CHROMIUM } from './harness/guarded-browser';

interface BuiltManifest {
  key?: string;
  browser_specific_settings?: { gecko?: { id?: string } };
}

const manifestOf = (dir: string): BuiltManifest => JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as BuiltManifest;

let work = '';
afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

it('dist/chrome and the snapshot under test carry the key whose id README.md documents', () => {
  expect(documentedChromeId()).toBe(CHROME_EXTENSION_ID);
  for (const dir of [BUILT_DIST, EXTENSION_UNDER_TEST]) {
    expect(chromeIdOfManifest(manifestOf(dir)), `${dir}/manifest.json`).toBe(CHROME_EXTENSION_ID);
  }
});

it('dist/firefox has no key and the documented gecko id', () => {
  for (const dir of [BUILT_DIST_FIREFOX, FIREFOX_EXTENSION_UNDER_TEST]) {
    const manifest = manifestOf(dir);
    expect(manifest, `${dir}/manifest.json`).not.toHaveProperty('key');
    expect(manifest.browser_specific_settings?.gecko?.id).toBe(FIREFOX_EXTENSION_ID);
  }
});

it('Chromium runs a copy of dist/chrome from another folder under the documented id, not one made from the path', async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'spg-extension-id-'));
  const copy = path.join(work, 'somewhere-else', 'scan-privacy-guard');
  fs.cpSync(BUILT_DIST, copy, { recursive: true });
  const idFromPath = chromiumExtensionIdOf(Buffer.from(fs.realpathSync(copy), 'utf8'));
  expect(idFromPath, 'the id this folder would give an extension without a key').not.toBe(CHROME_EXTENSION_ID);
  const context = await chromium.launchPersistentContext(path.join(work, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: [`--disable-extensions-except=${copy}`, `--load-extension=${copy}`, '--no-sandbox', '--disable-gpu',
      '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  try {
    const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 30_000 }));
    expect(new URL(worker.url()).host).toBe(CHROME_EXTENSION_ID);
  } finally {
    await context.close();
  }
}, 60_000);
