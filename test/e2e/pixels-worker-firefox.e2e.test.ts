// The dialog's frame decoder (its text worker) in the built extension, in Firefox: inside the dialog (an extension page framed
// into a site), the text worker loads each codec's WebAssembly from the package under the extension's CSP
// and decodes corpus frames as the Node build does.

import fs from 'node:fs';
import path from 'node:path';
import type { ElementHandle } from 'puppeteer-core';
import { expect, it } from 'vitest';
import { corpusBytes } from '../support/corpus';
import { FIREFOX_EXTENSION_UNDER_TEST } from './harness/extension-build';
import { identifyingDicom } from './harness/fixture-files';
import { waitForFirefoxDialog } from './harness/firefox-browser';
import { onDisk, setUpFirefoxSuite } from './harness/firefox-upload-suite';
import { CODEC_FILES, decodeInWorker, nodeSummary } from './harness/pixel-worker';

const env = setUpFirefoxSuite();

it('decodes a frame of every codec in the dialog\'s module Worker, as Node does', async () => {
  const worker = fs.readdirSync(path.join(FIREFOX_EXTENSION_UNDER_TEST, 'assets')).find((f) => /^text-worker-.*\.js$/.test(f));
  expect(worker, 'the build emits the text worker').toBeDefined();
  await env.page.goto(`${env.server.originA}/plain-input.html`, { waitUntil: 'load' });
  const input = (await env.page.waitForSelector('#file', { timeout: 10_000 })) as ElementHandle<HTMLInputElement>;
  await input.uploadFile(...onDisk(env, [identifyingDicom(1)]));
  const dialog = await waitForFirefoxDialog(env.page);
  // puppeteer reports the dialog frame's URL as about:blank in Firefox: the frame itself knows its origin.
  const origin = await dialog.frame.evaluate(() => location.origin);
  expect(origin).toMatch(/^moz-extension:\/\//);
  const files = CODEC_FILES.map((relative) => Buffer.from(corpusBytes(relative)).toString('base64'));
  const got = await dialog.frame.evaluate(decodeInWorker, { url: `${origin}/assets/${worker}`, encoded: files });
  for (let i = 0; i < CODEC_FILES.length; i++) expect(got[i], CODEC_FILES[i]).toEqual(await nodeSummary(CODEC_FILES[i]!));
  await dialog.cancelWithEscape();
}, 120_000);
