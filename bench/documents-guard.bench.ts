// `npx tsx bench/documents-guard.bench.ts`: photos and PDFs in the real browser (Debian Chromium + the built
// extension, headless), issue 13's figures, as medians of a few runs after one warm-up:
//   - on an AI image reader of the site notes (xrayexplain.com, resolved to the fixture server): from the
//     input's change event to the dialog's choices (Cancel and "Upload the original anyway" on screen, the
//     check finished) for a 12-megapixel phone photo with GPS and owner EXIF (4000 x 3000 JPEG), and for a
//     10-page radiology report PDF with a text layer; also to the cleaned copy offered;
//   - on a site the notes do not list (photos.example): from the change event to the page getting an
//     ordinary 12-megapixel photo (0 when the guard let the event pass: nothing measurable added), and the
//     same on the AI site for comparison (the photo is checked there: metadata and a look at the pixels).
// Times are the dialog page's own performance marks (markPaint in src/ui/dialog/dialog.ts) against the
// change event's time taken in the page by a listener that runs before the guard's.
// With BENCH_BASELINE_DIST set to another build (e.g. the commit before issue 13, built with `npm run
// build:extension` in a checkout of it), the unlisted-site row is measured with that build too, in a browser of
// its own: the difference is what checking pictures and PDFs adds where they are not checked.
// BENCH_RUNS sets the runs per row (default 5). Builds and snapshots the extension like the e2e suite does.

import os from 'node:os';
import type { Page } from 'playwright-core';
import { CHANGE_TIMES, MARKS_IN_FRAME, changeTimes, median, toRelease } from './browser-timing';
import { inputPayloads } from '../test/e2e/harness/deliveries';
import { buildExtensionIfNeeded, snapshotExtension } from '../test/e2e/harness/extension-build';
import { sha256, type FixtureFile } from '../test/e2e/harness/fixture-files';
import { startFixtureServer } from '../test/e2e/harness/fixture-server';
import { dialogFrames } from '../test/e2e/harness/guard-dialog';
import { launchGuardedBrowser } from '../test/e2e/harness/guarded-browser';
import { PHOTO_TAGS, cleanUpDocuments, colourPhoto, reportPdf, withExif } from '../test/fixtures/documents';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const LISTED = 'xrayexplain.com';
const UNLISTED = 'photos.example';

function fixture(name: string, mimeType: string, bytes: Uint8Array): FixtureFile {
  const buffer = Buffer.from(bytes);
  return { name, mimeType, buffer, sha256: sha256(buffer) } as FixtureFile;
}

/** ms from the change event to the choices and to the cleaned copy offered; cancels afterwards. */
async function toChoices(page: Page, file: FixtureFile): Promise<{ choices: number; copy: number }> {
  await page.locator('#file').setInputFiles(inputPayloads([file]));
  const deadline = Date.now() + 120_000;
  let marks: Record<string, number> = {};
  while (marks['spg-copy'] === undefined || marks['spg-choices'] === undefined) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for the dialog's choices and copy (${file.name})`);
    for (const frame of dialogFrames(page)) {
      const got = (await frame.evaluate(MARKS_IN_FRAME).catch(() => ({}))) as Record<string, number>;
      if (got['spg-choices'] !== undefined) marks = got;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const [changedAt] = await changeTimes(page);
  if (changedAt === undefined) throw new Error('no change event was recorded');
  for (const frame of dialogFrames(page)) await frame.locator('[data-action="cancel"]').click().catch(() => undefined);
  return { choices: marks['spg-choices']! - changedAt, copy: marks['spg-copy']! - changedAt };
}

async function main(): Promise<void> {
  buildExtensionIfNeeded();
  snapshotExtension();
  const server = await startFixtureServer();
  const port = new URL(server.originA).port;
  const on = (host: string): string => `http://${host}:${port}/plain-input.html`;
  const browser = await launchGuardedBrowser({
    args: [`--host-resolver-rules=MAP ${LISTED} 127.0.0.1, MAP ${UNLISTED} 127.0.0.1`, '--disable-features=HttpsUpgrades,HttpsFirstBalancedModeAutoEnable'],
  });
  await browser.context.addInitScript(CHANGE_TIMES);
  const page = browser.page;
  const photo = fixture('IMG_4032.jpg', 'image/jpeg', withExif(colourPhoto(4000, 3000), 'bench-gps.jpg', [...PHOTO_TAGS]));
  const ordinary = fixture('holiday.jpg', 'image/jpeg', colourPhoto(4000, 3000));
  const pdf = fixture('report.pdf', 'application/pdf', await reportPdf(10));
  const rows: Array<{ what: string; samples: number[] }> = [];
  const row = (what: string): number[] => {
    const samples: number[] = [];
    rows.push({ what, samples });
    return samples;
  };
  const photoChoices = row(`12-megapixel phone photo with GPS (${(photo.buffer.length / 1e6).toFixed(1)} MB), AI site: change → choices visible`);
  const photoCopy = row('12-megapixel phone photo with GPS, AI site: change → cleaned copy offered');
  const pdfChoices = row(`10-page report PDF (${(pdf.buffer.length / 1e3).toFixed(0)} KB), AI site: change → choices visible`);
  const pdfCopy = row('10-page report PDF, AI site: change → cleaned (image-only) copy offered');
  const unlisted = row('ordinary 12-megapixel photo, unlisted site: change → released to the page (0: the event passed)');
  const listedOrdinary = row('ordinary 12-megapixel photo, AI site: change → released to the page (checked: metadata, a look)');
  const runs: Array<() => Promise<void>> = [
    async () => {
      await page.goto(on(LISTED));
      const t = await toChoices(page, photo);
      photoChoices.push(t.choices);
      photoCopy.push(t.copy);
    },
    async () => {
      await page.goto(on(LISTED));
      const t = await toChoices(page, pdf);
      pdfChoices.push(t.choices);
      pdfCopy.push(t.copy);
    },
    async () => {
      await page.goto(on(UNLISTED));
      unlisted.push(await toRelease(page, server, 1, () => page.locator('#file').setInputFiles(inputPayloads([ordinary]))));
    },
    async () => {
      await page.goto(on(LISTED));
      listedOrdinary.push(await toRelease(page, server, 1, () => page.locator('#file').setInputFiles(inputPayloads([ordinary]))));
    },
  ];
  const baselineDist = process.env.BENCH_BASELINE_DIST;
  const baselineRows: number[] | undefined = baselineDist ? row(`ordinary 12-megapixel photo, unlisted site, baseline build (${baselineDist}): change → released`) : undefined;
  let version = 'Chromium';
  try {
    version = browser.context.browser()?.version() ?? version;
    for (const run of runs) await run(); // warm-up: first loads of the dialog page, its worker and pdf.js
    for (const r of rows) r.samples.length = 0;
    for (let i = 0; i < RUNS; i++) for (const run of runs) await run();
    if (baselineDist && baselineRows) {
      const baseline = await launchGuardedBrowser({ extensionDir: baselineDist, args: [`--host-resolver-rules=MAP ${UNLISTED} 127.0.0.1`, '--disable-features=HttpsUpgrades,HttpsFirstBalancedModeAutoEnable'] });
      try {
        await baseline.context.addInitScript(CHANGE_TIMES);
        for (let i = 0; i <= RUNS; i++) {
          await baseline.page.goto(on(UNLISTED));
          const t = await toRelease(baseline.page, server, 1, () => baseline.page.locator('#file').setInputFiles(inputPayloads([ordinary])));
          if (i > 0) baselineRows.push(t); // the first is a warm-up
        }
      } finally {
        await baseline.close();
      }
    }
    console.log(`Photos and PDFs in ${version} (headless), ${os.cpus().length} CPU ${os.cpus()[0]?.model ?? ''}; median of ${RUNS} runs (min–max)`);
    console.log('');
    console.log('| what | median ms | min–max ms |');
    console.log('| --- | ---: | ---: |');
    for (const r of rows) console.log(`| ${r.what} | ${median(r.samples).toFixed(0)} | ${Math.min(...r.samples).toFixed(0)}–${Math.max(...r.samples).toFixed(0)} |`);
  } finally {
    await browser.close();
    await server.close();
    cleanUpDocuments();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
