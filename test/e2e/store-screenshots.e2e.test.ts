// End-to-end: the store screenshots, made from the built extension in Chromium at exactly 1280 x 800 (the size the
// Chrome Web Store and Edge Add-ons ask for), written to docs/store/screenshots/: the warning dialog over a fixture
// upload page (served under a made-up site name), the toolbar popup for a known AI site shown over that site, and the options page. The patient in them
// is made up (test/e2e/harness/fixture-files.ts). Each file is read back and its size checked.

import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { inputPayloads } from './harness/deliveries';
import { identifyingDicom } from './harness/fixture-files';
import { REPO_ROOT } from './harness/fixture-server';
import { waitForDialog } from './harness/guard-dialog';
import { extensionId } from './harness/guarded-browser';
import { setUpGuardedSuite } from './harness/upload-path-suite';

const SHOTS = path.join(REPO_ROOT, 'docs/store/screenshots');
const SIZE = { width: 1280, height: 800 };
/** A made-up second-opinion site: its requests are answered by the fixture server (the dialog names the site). */
const UPLOAD_SITE = 'https://second-opinion.example.com';
/** The popup's width in the toolbar (it asks for 400 CSS px at most) and the most of its height shown. */
const POPUP = { width: 400, maxHeight: 720 };

const env = setUpGuardedSuite();
let id = '';

beforeAll(async () => {
  const context = env.browser.context;
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  id = new URL(worker.url()).host;
  expect(id).toBe(extensionId(context));
  // chatgpt.com is never contacted: the test answers with a plain stand-in page.
  await context.route('https://chatgpt.com/**', (route) =>
    route.fulfill({
      contentType: 'text/html; charset=utf-8',
      body:
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Stand-in for chatgpt.com</title><link rel="icon" href="data:,">' +
        '<style>body{margin:0;font:16px/1.5 system-ui,sans-serif;background:#f7f7f8;color:#222}main{max-width:46rem;margin:6rem auto;padding:0 2rem}' +
        '.box{border:1px dashed #999;border-radius:12px;padding:2rem;background:#fff}</style></head>' +
        '<body><main><h1>An AI assistant (stand-in)</h1><p>A page served by the test in place of chatgpt.com.</p>' +
        '<div class="box"><label>Attach a scan <input type="file"></label></div></main></body></html>',
    }),
  );
  await context.route(`${UPLOAD_SITE}/**`, async (route) => {
    const url = new URL(route.request().url());
    await route.fulfill({ response: await route.fetch({ url: `${env.server.originA}${url.pathname}${url.search}` }) });
  });
  fs.mkdirSync(SHOTS, { recursive: true });
});

/** Width and height from a PNG's IHDR chunk. */
function pngSize(file: string): { width: number; height: number } {
  const bytes = fs.readFileSync(file);
  expect(bytes.subarray(0, 8).toString('hex'), `${file} is a PNG`).toBe('89504e470d0a1a0a');
  expect(bytes.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

async function shoot(page: Page, name: string): Promise<void> {
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  expect(pngSize(file), `${name}.png`).toEqual(SIZE);
}

it('the warning dialog over a fixture upload page, with the de-identified copy offered', async () => {
  const page = env.page;
  await page.setViewportSize(SIZE);
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(`${UPLOAD_SITE}/plain-input.html`, { waitUntil: 'load' });
  await page.locator('#file').setInputFiles(inputPayloads([identifyingDicom(1, 'chest-ct.dcm')]));
  const dialog = await waitForDialog(page);
  await dialog.frame.locator('[data-action="deidentify"]').waitFor({ timeout: 30_000 });
  expect(await dialog.text()).toContain('second-opinion.example.com');
  await shoot(page, '1-dialog');
  await dialog.cancel();
  await dialog.waitClosed();
});

it('the toolbar popup for a known AI site, over that site', async () => {
  const popup = await env.browser.context.newPage();
  const site = await env.browser.context.newPage();
  try {
    await popup.setViewportSize({ width: POPUP.width, height: POPUP.maxHeight });
    await popup.emulateMedia({ colorScheme: 'light' });
    await popup.goto(`chrome-extension://${id}/src/ui/popup/index.html?url=${encodeURIComponent('https://chatgpt.com/')}`);
    await popup.waitForSelector('main[aria-busy="false"]');
    expect(await popup.locator('h1').textContent()).toBe('chatgpt.com');
    const popupPng = await popup.screenshot({ fullPage: false });

    await site.setViewportSize(SIZE);
    await site.goto('https://chatgpt.com/', { waitUntil: 'load' });
    const sitePng = await site.screenshot({ fullPage: false });

    // The popup as the toolbar shows it: below the toolbar's right end, over the page.
    await site.setContent(
      '<!doctype html><html><body style="margin:0;width:1280px;height:800px;overflow:hidden;position:relative">' +
        `<img alt="" src="data:image/png;base64,${sitePng.toString('base64')}" style="position:absolute;inset:0;width:1280px;height:800px">` +
        `<img alt="" src="data:image/png;base64,${popupPng.toString('base64')}" style="position:absolute;top:24px;right:32px;width:${POPUP.width}px;` +
        'border:1px solid #c8c8cc;border-radius:8px;box-shadow:0 8px 28px rgba(0,0,0,.28)">' +
        '</body></html>',
    );
    await site.waitForFunction(() => Array.from(document.images).every((img) => img.complete && img.naturalWidth > 0));
    await shoot(site, '2-popup');
  } finally {
    await popup.close();
    await site.close();
  }
});

it('the options page', async () => {
  const page = await env.browser.context.newPage();
  try {
    await page.setViewportSize(SIZE);
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(`chrome-extension://${id}/src/ui/options/index.html`);
    await page.waitForSelector('main[data-ready="true"]');
    await shoot(page, '3-options');
  } finally {
    await page.close();
  }
});

it('docs/store/screenshots holds these screenshots and no others, each 1280 x 800', () => {
  const files = fs.readdirSync(SHOTS).sort();
  expect(files).toEqual(['1-dialog.png', '2-popup.png', '3-options.png']);
  for (const file of files) expect(pngSize(path.join(SHOTS, file)), file).toEqual(SIZE);
});
