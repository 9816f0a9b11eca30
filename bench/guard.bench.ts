// `npx tsx bench/guard.bench.ts`: the guard's delay in the real browser (Debian Chromium + the built
// extension, headless), on the e2e fixture pages, as medians of a few runs. Times start at the input's change
// event (timestamped in the page by a listener that runs before the guard's) and end when the dialog frame,
// polled from here about every 5-15 ms (the figures include that much detection), shows:
//   - frame visible: the dialog frame is on screen with a card in it (the first paint: "Checking…");
//   - choices visible: the finished check with its choices, Cancel and "Upload the original anyway" (which
//     the default policy offers), i.e. after the administrator's policy was read;
// for 1 identifying DICOM file and for a 500-file folder (webkitdirectory), whose "choices visible" is the
// whole folder checked. The times of these views are the dialog page's own performance marks, taken just
// before the paint that shows them (see markPaint in src/ui/dialog/dialog.ts), read once the choices are
// on screen; polling from here only tells when to read them. Also:
//   - picked after a click: the input clicked, the file chooser answered a second later (a person choosing),
//     so the guard could load the dialog meanwhile; without a click (setInputFiles, as a script would), it
//     cannot, and the dialog page and engine load after the change event;
//   - cold start: a fresh browser (new profile) per run, the file picked as soon as the page has loaded;
//   - change → released: for 1 PNG and for a 500-file folder of PNGs, from the change event to the guard's
//     replayed change event that hands the files back to the page (0 when it let the event pass);
//   - a 2140 x 1760 radiograph with its name burned in (RLE): to the choices, to the text read in its picture
//     shown, and to the de-identified copy (masked, read again) offered; with an identifying header (the
//     choices come before the reading) and with an anonymised one (they wait for it).
// BENCH_RUNS sets the runs per row (default 5, after one warm-up run; cold-start rows have no warm-up).
// Builds and snapshots the extension like the e2e suite does (SPG_E2E_BUILD, SPG_E2E_DIST apply: with
// SPG_E2E_DIST=other/dist/chrome SPG_E2E_BUILD=never it measures another build, e.g. an older commit's).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { CHANGE_TIMES, MARKS_IN_FRAME, changeTimes, median, toRelease } from './browser-timing';
import { inputPayloads, startFolderSelection } from '../test/e2e/harness/deliveries';
import { buildExtensionIfNeeded, snapshotExtension } from '../test/e2e/harness/extension-build';
import { identifyingDicom, pngFile, writeFolder } from '../test/e2e/harness/fixture-files';
import { startFixtureServer } from '../test/e2e/harness/fixture-server';
import { dialogFrames } from '../test/e2e/harness/guard-dialog';
import { launchGuardedBrowser, type GuardedBrowser } from '../test/e2e/harness/guarded-browser';
import { drawPicture, pictureDicom, cleanUpBurnedIn } from '../test/fixtures/burned-in';
import { tag } from '../test/fixtures/dicom-writer';
import { sha256, type FixtureFile } from '../test/e2e/harness/fixture-files';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const FOLDER_SIZE = 500;

interface Row {
  what: string;
  samples: number[];
}

/** Evaluated in the dialog frame: 'choices', 'cancel' (the findings with Cancel only), 'card' (any other view) or 'nothing'. */
const SHOWN_IN_FRAME = `(() => {
  const visible = (selector) => {
    const node = document.querySelector(selector);
    return node !== null && node.getClientRects().length > 0 && getComputedStyle(node).visibility !== 'hidden';
  };
  if (visible('[data-action="cancel"]') && visible('[data-action="upload-original"]')) return 'choices';
  if (visible('[data-action="cancel"]')) return 'cancel';
  return visible('#spg-dialog') ? 'card' : 'nothing';
})()`;

/** What a dialog frame shows now: nothing, a card (any view), or the finished check with its choices. */
type Shown = 'nothing' | 'card' | 'cancel' | 'choices';

async function shown(frame: Frame): Promise<Shown> {
  if (frame.isDetached()) return 'nothing';
  try {
    const element = await frame.frameElement();
    const box = await element.boundingBox();
    if (!box || box.width < 20 || box.height < 20 || !(await element.isVisible())) return 'nothing';
    // A string, not a function: tsx would wrap a function's inner helpers in a helper the page does not have.
    return (await frame.evaluate(SHOWN_IN_FRAME)) as Shown;
  } catch {
    return 'nothing';
  }
}

/** ms from the first change event to the frame's first card and to its choices; cancels the dialog afterwards. */
async function toDialog(page: Page, choose: () => void | Promise<void>): Promise<{ frame: number; cancel: number; choices: number }> {
  await choose();
  let frameAt: number | undefined;
  let cancelAt: number | undefined;
  let choicesAt: number | undefined;
  const deadline = Date.now() + 60_000;
  while (choicesAt === undefined) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the dialog');
    for (const frame of dialogFrames(page)) {
      const what = await shown(frame);
      const now = Date.now();
      if (what !== 'nothing') frameAt ??= now;
      if (what === 'cancel' || what === 'choices') cancelAt ??= now;
      if (what === 'choices') choicesAt = now;
    }
    // Lets Playwright's own messages through (with no frame yet the loop above does not wait on anything).
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  const [changedAt] = await changeTimes(page);
  if (changedAt === undefined) throw new Error('no change event was recorded');
  const marks: Record<string, number> = {};
  for (const frame of dialogFrames(page)) {
    const got = (await frame.evaluate(MARKS_IN_FRAME).catch(() => ({}))) as Record<string, number>;
    Object.assign(marks, got);
  }
  for (const frame of dialogFrames(page)) await frame.locator('[data-action="cancel"]').click().catch(() => undefined);
  // An older build has no marks: then the times polled from here.
  const at = (mark: string, polled: number): number => (marks[mark] ?? polled) - changedAt;
  const choices = at('spg-choices', choicesAt);
  return { frame: at('spg-checking', marks['spg-findings'] ?? marks['spg-choices'] ?? frameAt!), cancel: at('spg-findings', marks['spg-choices'] ?? cancelAt!), choices };
}

/** A 2140 x 1760 radiograph (RLE, 12-bit MONOCHROME1) with a name and birth date burned in. */
function radiograph(name: string, identifyingHeader: boolean): FixtureFile {
  const bytes = pictureDicom(drawPicture({
    rows: 1760, columns: 2140, photometric: 'MONOCHROME1', bitsAllocated: 16, bitsStored: 12, background: 'xray',
    lines: [{ text: 'WIERZBICKA HALINA [F] 12/03/2021', x: 30, y: 60, size: 40 }, { text: 'DOB: 16/06/1976', x: 30, y: 115, size: 40 }],
  }), 'rle', [
    { tag: tag(0x0008, 0x0060), vr: 'CS', value: 'CR' },
    ...(identifyingHeader ? [{ tag: tag(0x0010, 0x0010), vr: 'PN', value: 'WIERZBICKA^HALINA' }] : []),
  ]);
  const buffer = Buffer.from(bytes);
  return { name, mimeType: 'application/dicom', buffer, sha256: sha256(buffer) } as FixtureFile;
}

/** ms from the change event to the choices, to the pictures section, and to the de-identified copy offered. */
async function toPictures(page: Page, choose: () => Promise<void>): Promise<{ choices: number; pictures: number; copy: number }> {
  await choose();
  const deadline = Date.now() + 120_000;
  let marks: Record<string, number> = {};
  while (marks['spg-copy'] === undefined) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the de-identified copy');
    for (const frame of dialogFrames(page)) {
      const got = (await frame.evaluate(MARKS_IN_FRAME).catch(() => ({}))) as Record<string, number>;
      if (got['spg-copy'] !== undefined) marks = got;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const [changedAt] = await changeTimes(page);
  if (changedAt === undefined) throw new Error('no change event was recorded');
  for (const frame of dialogFrames(page)) await frame.locator('[data-action="cancel"]').click().catch(() => undefined);
  return { choices: marks['spg-choices']! - changedAt, pictures: marks['spg-pictures']! - changedAt, copy: marks['spg-copy']! - changedAt };
}

/** A person's pick: a click on the input opens the file chooser, a file is chosen a second later. */
async function pickAfterClick(page: Page, selector: string, files: Parameters<typeof inputPayloads>[0]): Promise<void> {
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.locator(selector).click()]);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await chooser.setFiles(inputPayloads(files));
}

async function freshBrowser(): Promise<GuardedBrowser> {
  const browser = await launchGuardedBrowser();
  await browser.context.addInitScript(CHANGE_TIMES);
  return browser;
}

async function main(): Promise<void> {
  buildExtensionIfNeeded();
  snapshotExtension();
  const server = await startFixtureServer();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spg-guard-bench-'));
  const plain = `${server.originA}/plain-input.html`;
  const folder = `${server.originA}/folder-input.html`;
  const rows: Row[] = [];
  const row = (what: string): Row => {
    const r = { what, samples: [] };
    rows.push(r);
    return r;
  };
  let version = 'Chromium';
  try {
    // Cold start first: a fresh browser for each run, the file picked as soon as the page has loaded.
    const coldFrame = row('first pick after the browser starts, 1 identifying DICOM, no click: change → frame visible');
    const coldChoices = row('first pick after the browser starts, 1 identifying DICOM, no click: change → choices visible');
    const coldCancel = row('first pick after the browser starts, 1 identifying DICOM, no click: change → findings and Cancel visible');
    const coldClickFrame = row('first pick after the browser starts, 1 identifying DICOM, picked after a click: change → frame visible');
    const coldClickChoices = row('first pick after the browser starts, 1 identifying DICOM, picked after a click: change → choices visible');
    for (let i = 0; i < RUNS; i++) {
      for (const click of [false, true]) {
        const browser = await freshBrowser();
        try {
          await browser.page.goto(plain);
          const t = await toDialog(browser.page, () => (click
            ? pickAfterClick(browser.page, '#file', [identifyingDicom(1)])
            : browser.page.locator('#file').setInputFiles(inputPayloads([identifyingDicom(1)]))));
          (click ? coldClickFrame : coldFrame).samples.push(t.frame);
          (click ? coldClickChoices : coldChoices).samples.push(t.choices);
          if (!click) coldCancel.samples.push(t.cancel);
        } finally {
          await browser.close();
        }
      }
    }

    const browser = await freshBrowser();
    try {
      version = browser.context.browser()?.version() ?? version;
      const page = browser.page;
      const dicomFolder = writeFolder(workDir, 'ct-series', Array.from({ length: FOLDER_SIZE }, (_, i) => identifyingDicom(i + 1, `IM${String(i + 1).padStart(4, '0')}`)));
      const pngFolder = writeFolder(workDir, 'photos', Array.from({ length: FOLDER_SIZE }, (_, i) => pngFile(i + 1)));
      const oneFrame = row('1 identifying DICOM, no click: change → frame visible');
      const oneChoices = row('1 identifying DICOM, no click: change → choices visible');
      const clickFrame = row('1 identifying DICOM, picked after a click: change → frame visible');
      const clickChoices = row('1 identifying DICOM, picked after a click: change → choices visible');
      const folderFrame = row(`${FOLDER_SIZE}-file DICOM folder: change → frame visible`);
      const folderChoices = row(`${FOLDER_SIZE}-file DICOM folder: change → fully checked, choices visible`);
      const xray = radiograph('chest.dcm', true);
      const anonymised = radiograph('chest-anonymised.dcm', false);
      const xrayChoices = row('1 radiograph 2140 x 1760, name in header and picture: change → choices visible');
      const xrayPictures = row('1 radiograph 2140 x 1760, name in header and picture: change → text in the picture shown');
      const xrayCopy = row('1 radiograph 2140 x 1760, name in header and picture: change → masked copy offered');
      const anonChoices = row('1 radiograph 2140 x 1760, anonymised header, name in picture: change → choices visible');
      const anonCopy = row('1 radiograph 2140 x 1760, anonymised header, name in picture: change → masked copy offered');
      const png = row('1 PNG: change → released to the page');
      const pngs = row(`${FOLDER_SIZE}-file PNG folder: change → released to the page`);
      const warm: Array<() => Promise<void>> = [
        async () => {
          await page.goto(plain);
          const t = await toDialog(page, () => page.locator('#file').setInputFiles(inputPayloads([identifyingDicom(1)])));
          oneFrame.samples.push(t.frame);
          oneChoices.samples.push(t.choices);
        },
        async () => {
          await page.goto(plain);
          const t = await toDialog(page, () => pickAfterClick(page, '#file', [identifyingDicom(1)]));
          clickFrame.samples.push(t.frame);
          clickChoices.samples.push(t.choices);
        },
        async () => {
          await page.goto(folder);
          const t = await toDialog(page, () => startFolderSelection(page.locator('#folder'), dicomFolder.dir));
          folderFrame.samples.push(t.frame);
          folderChoices.samples.push(t.choices);
        },
        async () => {
          await page.goto(plain);
          const t = await toPictures(page, () => page.locator('#file').setInputFiles(inputPayloads([xray])));
          xrayChoices.samples.push(t.choices);
          xrayPictures.samples.push(t.pictures);
          xrayCopy.samples.push(t.copy);
        },
        async () => {
          await page.goto(plain);
          const t = await toPictures(page, () => page.locator('#file').setInputFiles(inputPayloads([anonymised])));
          anonChoices.samples.push(t.choices);
          anonCopy.samples.push(t.copy);
        },
        async () => {
          await page.goto(plain);
          png.samples.push(await toRelease(page, server, 1, () => page.locator('#file').setInputFiles(inputPayloads([pngFile(1)]))));
        },
        async () => {
          await page.goto(folder);
          pngs.samples.push(await toRelease(page, server, FOLDER_SIZE, () => startFolderSelection(page.locator('#folder'), pngFolder.dir)));
        },
      ];
      for (const run of warm) {
        await run(); // warm-up: first loads of the dialog page and the engine
        for (const r of rows) if (!r.what.startsWith('first pick')) r.samples.length = 0;
      }
      for (let i = 0; i < RUNS; i++) for (const run of warm) await run();
    } finally {
      await browser.close();
    }

    console.log(`Guard delay in ${version} (headless), ${os.cpus().length} CPU ${os.cpus()[0]?.model ?? ''}; median of ${RUNS} runs (min–max)`);
    console.log('');
    console.log('| what | median ms | min–max ms |');
    console.log('| --- | ---: | ---: |');
    for (const r of rows) {
      console.log(`| ${r.what} | ${median(r.samples).toFixed(0)} | ${Math.min(...r.samples).toFixed(0)}–${Math.max(...r.samples).toFixed(0)} |`);
    }
  } finally {
    await server.close();
    fs.rmSync(workDir, { recursive: true, force: true });
    cleanUpBurnedIn();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
