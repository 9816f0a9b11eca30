// The dialog's frame decoder (its text worker) in the built extension, in Chromium: an extension page starts the text worker
// (a module Worker from the extension's own files), which loads each codec's WebAssembly from the package
// under the extension's CSP, and decodes corpus frames exactly as the Node build does.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { corpusBytes } from '../support/corpus';
import { EXTENSION_UNDER_TEST } from './harness/extension-build';
import { extensionId, launchGuardedBrowser, type GuardedBrowser } from './harness/guarded-browser';
import { CODEC_FILES, decodeInWorker, nodeSummary } from './harness/pixel-worker';

let browser: GuardedBrowser;

beforeAll(async () => {
  browser = await launchGuardedBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

it('decodes a frame of every codec in an extension page\'s module Worker, as Node does, with no network request', async () => {
  const worker = fs.readdirSync(path.join(EXTENSION_UNDER_TEST, 'assets')).find((f) => /^text-worker-.*\.js$/.test(f));
  expect(worker, 'the build emits the text worker').toBeDefined();
  const id = extensionId(browser.context);
  await browser.page.goto(`chrome-extension://${id}/src/ui/options/index.html`);
  const files = CODEC_FILES.map((relative) => Buffer.from(corpusBytes(relative)).toString('base64'));
  const got = await browser.page.evaluate(decodeInWorker, { url: `chrome-extension://${id}/assets/${worker}`, encoded: files });
  for (let i = 0; i < CODEC_FILES.length; i++) expect(got[i], CODEC_FILES[i]).toEqual(await nodeSummary(CODEC_FILES[i]!));
  expect(browser.network.filter((entry) => entry.initiator.startsWith('chrome-extension://'))).toEqual([]);
}, 120_000);
