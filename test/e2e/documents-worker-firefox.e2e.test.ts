// The extension's document host in Firefox: inside the dialog (an extension page framed into a site, opened
// by a DICOM upload), the built text worker checks pictures and PDFs, makes their cleaned copies and draws
// their previews, under the extension's CSP; the copies are judged outside the extension, as in Chromium
// (test/e2e/harness/document-worker.ts).

import fs from 'node:fs';
import path from 'node:path';
import type { ElementHandle, Frame } from 'puppeteer-core';
import { afterAll, beforeAll } from 'vitest';
import { FIREFOX_EXTENSION_UNDER_TEST } from './harness/extension-build';
import { identifyingDicom } from './harness/fixture-files';
import { waitForFirefoxDialog, type FirefoxDialog } from './harness/firefox-browser';
import { onDisk, setUpFirefoxSuite } from './harness/firefox-upload-suite';
import { askDocumentWorker, documentWorkerTests, type WorkerAnswer } from './harness/document-worker';

const env = setUpFirefoxSuite();
/** The text engine loads on first use, and pages are drawn and read here on a shared, slow machine. */
const TIMEOUT_MS = 150_000;
let dialog: FirefoxDialog;
let frame: Frame;
let url: string;

beforeAll(async () => {
  const worker = fs.readdirSync(path.join(FIREFOX_EXTENSION_UNDER_TEST, 'assets')).find((f) => /^text-worker-.*\.js$/.test(f));
  if (!worker) throw new Error('the build emits no text worker');
  await env.page.goto(`${env.server.originA}/plain-input.html`, { waitUntil: 'load' });
  const input = (await env.page.waitForSelector('#file', { timeout: 10_000 })) as ElementHandle<HTMLInputElement>;
  await input.uploadFile(...onDisk(env, [identifyingDicom(1)]));
  dialog = await waitForFirefoxDialog(env.page);
  frame = dialog.frame;
  // puppeteer reports the dialog frame's URL as about:blank in Firefox: the frame itself knows its origin.
  const origin = await frame.evaluate(() => location.origin);
  if (!origin.startsWith('moz-extension://')) throw new Error('the dialog is not an extension page');
  url = `${origin}/assets/${worker}`;
}, 120_000);

afterAll(async () => {
  await dialog?.cancelWithEscape().catch(() => undefined);
});

documentWorkerTests(() => async (requests) => (await frame.evaluate(askDocumentWorker, { url, requests, timeoutMs: TIMEOUT_MS - 10_000 })) as WorkerAnswer[], { timeoutMs: TIMEOUT_MS });
