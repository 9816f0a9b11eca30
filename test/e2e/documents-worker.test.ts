// The extension's document host in Chromium: an extension page starts the built text worker, which checks
// pictures and PDFs (libjpeg-turbo, the browser's WebP decoder, pdf.js on OffscreenCanvas with the
// extension's own font data), makes their cleaned copies (JPEG on OffscreenCanvas, pdf-lib) and draws their
// previews; the copies are judged outside the extension (test/e2e/harness/document-worker.ts). No request
// leaves the browser.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EXTENSION_UNDER_TEST } from './harness/extension-build';
import { extensionId, launchGuardedBrowser, type GuardedBrowser } from './harness/guarded-browser';
import { askDocumentWorker, documentWorkerTests, type WorkerAnswer } from './harness/document-worker';

/** The text engine loads on first use, and pages are drawn and read here on a shared, slow machine. */
const TIMEOUT_MS = 120_000;
let browser: GuardedBrowser;
let url: string;
/** Every worker the page started (pdf.js must not start its own, nor anything from a blob: URL). */
const workers: string[] = [];

beforeAll(async () => {
  browser = await launchGuardedBrowser();
  const worker = fs.readdirSync(path.join(EXTENSION_UNDER_TEST, 'assets')).find((f) => /^text-worker-.*\.js$/.test(f));
  if (!worker) throw new Error('the build emits no text worker');
  const id = extensionId(browser.context);
  browser.page.on('worker', (w) => workers.push(w.url()));
  await browser.page.goto(`chrome-extension://${id}/src/ui/options/index.html`);
  url = `chrome-extension://${id}/assets/${worker}`;
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

documentWorkerTests(() => async (requests) => (await browser.page.evaluate(askDocumentWorker, { url, requests, timeoutMs: TIMEOUT_MS - 10_000 })) as WorkerAnswer[], { timeoutMs: TIMEOUT_MS });

it('no request left the browser while the worker checked and cleaned, and pdf.js started no worker of its own', () => {
  // No fixture page here: any http(s) request at all would be the extension's (a worker's is not attributed).
  expect(browser.network).toEqual([]);
  // The text worker and, inside it, tesseract.js's reader: both the extension's own files.
  expect([...new Set(workers)].sort()).toEqual([url, new URL('/tesseract/worker.min.js', url).href].sort());
});
