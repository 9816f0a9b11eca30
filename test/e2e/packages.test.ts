// End-to-end: the store packages load in their browsers. `scripts/package.mjs` zips dist/chrome and
// dist/firefox; the Chrome zip, unpacked, is loaded into Chromium, and the Firefox zip is installed as it
// is into firefox-esr; in both the guard then holds an identifying DICOM and lets a PNG through.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { chromium } from 'playwright-core';
import puppeteer from 'puppeteer-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { identifyingDicom, pngFile, writeFiles } from './harness/fixture-files';
import { REPO_ROOT, startFixtureServer, type FixtureServer } from './harness/fixture-server';
import { waitForDialog } from './harness/guard-dialog';
import { seenFiles } from './harness/upload-path-suite';

const VERSION = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const ZIP = (browser: string): string => path.join(REPO_ROOT, 'dist', 'packages', `scan-privacy-guard-${VERSION}-${browser}.zip`);
const CHROMIUM = process.env.SPG_E2E_CHROMIUM ?? '/usr/bin/chromium';
const FIREFOX = process.env.SPG_E2E_FIREFOX ?? '/usr/bin/firefox-esr';

let server: FixtureServer;
let work: string;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'spg-packages-'));
  for (const browser of ['chrome', 'firefox']) {
    if (!fs.existsSync(path.join(REPO_ROOT, 'dist', browser, 'manifest.json'))) {
      execFileSync('npx', ['vite', 'build', ...(browser === 'firefox' ? ['--mode', 'firefox'] : [])], { cwd: REPO_ROOT, stdio: 'ignore' });
    }
  }
  execFileSync('node', ['scripts/package.mjs'], { cwd: REPO_ROOT, stdio: 'ignore' });
  return startFixtureServer().then((s) => {
    server = s;
  });
}, 180_000);

afterAll(async () => {
  await server?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

it('the Chrome zip holds a loadable extension: unpacked into Chromium, it guards an upload', async () => {
  const dir = path.join(work, 'chrome');
  for (const [name, bytes] of Object.entries(unzipSync(fs.readFileSync(ZIP('chrome'))))) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), bytes);
  }
  const context = await chromium.launchPersistentContext(path.join(work, 'chrome-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: [`--disable-extensions-except=${dir}`, `--load-extension=${dir}`, '--no-sandbox', '--disable-gpu',
      '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const [dicom] = writeFiles(work, [identifyingDicom(1)]);
    await page.goto(`${server.originA}/plain-input.html`, { waitUntil: 'load' });
    const mark = server.mark();
    await page.setInputFiles('input[type=file]', dicom!);
    const dialog = await waitForDialog(page);
    expect(await seenFiles(page.mainFrame())).toEqual([]);
    await dialog.cancel();
    expect(server.filesSince(mark)).toEqual([]);
  } finally {
    await context.close();
  }
}, 120_000);

it('the Firefox zip installs as it is into firefox-esr and guards an upload', async () => {
  const browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true });
  try {
    await browser.installExtension(ZIP('firefox'));
    const page = await browser.newPage();
    const [dicom, png] = writeFiles(work, [identifyingDicom(2), pngFile(1)]);
    await page.goto(`${server.originA}/plain-input.html`, { waitUntil: 'load' });
    // A PNG passes: the guard is running and releasing.
    let mark = server.mark();
    const input = await page.$('input[type=file]');
    await input!.uploadFile(png!);
    const arrived = await server.waitForFiles(mark, 1, 15_000);
    expect(arrived.map((f) => f.filename)).toEqual([path.basename(png!)]);
    // An identifying DICOM is held: nothing reaches the page or the server.
    await page.goto(`${server.originA}/plain-input.html`, { waitUntil: 'load' });
    mark = server.mark();
    await (await page.$('input[type=file]'))!.uploadFile(dicom!);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(server.filesSince(mark)).toEqual([]);
    const seen = await page.evaluate(() => ((window as unknown as { seen?: Array<{ names: string[] }> }).seen ?? []).filter((e) => e.names.length > 0));
    expect(seen).toEqual([]);
  } finally {
    await browser.close();
  }
}, 120_000);
