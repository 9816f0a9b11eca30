// `npx tsx bench/guard.bench.ts`: the guard's delay in the real browser (Debian Chromium + the built
// extension, headless), on the e2e fixture pages. For a file input it measures, as medians of a few runs:
//   - change → dialog visible: from the input's change event (timestamped in the page by a listener that
//     runs before the guard's) to the moment the dialog frame is on screen with its Cancel button visible
//     (polled every 10 ms from here, so the figure includes up to ~15 ms of detection), for 1 identifying
//     DICOM file and for a 500-file folder (webkitdirectory);
//   - change → released: for 1 PNG and for a 500-file folder of PNGs, from the change event to the
//     guard's replayed change event that hands the files back to the page (0 when it let the event pass).
// BENCH_RUNS sets the runs per row (default 5, after one warm-up run). Builds and snapshots the extension
// like the e2e suite does (SPG_E2E_BUILD, SPG_E2E_DIST apply).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { inputPayloads, startFolderSelection } from '../test/e2e/harness/deliveries';
import { buildExtensionIfNeeded, snapshotExtension } from '../test/e2e/harness/extension-build';
import { identifyingDicom, pngFile, writeFolder } from '../test/e2e/harness/fixture-files';
import { startFixtureServer, type FixtureServer } from '../test/e2e/harness/fixture-server';
import { dialogFrames, isDialogShown } from '../test/e2e/harness/guard-dialog';
import { launchGuardedBrowser } from '../test/e2e/harness/guarded-browser';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const FOLDER_SIZE = 500;

/** Every change event's time (epoch ms), recorded by a capture listener registered before the guard's. */
const CHANGE_TIMES = `
window.__spgChangeTimes = [];
window.addEventListener('change', function () { window.__spgChangeTimes.push(performance.timeOrigin + performance.now()); }, true);
`;

interface Row {
  what: string;
  samples: number[];
}

async function changeTimes(page: Page): Promise<number[]> {
  return page.evaluate(() => (window as unknown as { __spgChangeTimes: number[] }).__spgChangeTimes);
}

async function waitUntil<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** ms from the first change event to the dialog being shown; cancels the dialog afterwards. */
async function toDialog(page: Page, choose: () => void | Promise<void>): Promise<number> {
  await choose();
  const shownAt = await waitUntil(async () => {
    for (const frame of dialogFrames(page)) if (await isDialogShown(frame)) return Date.now();
    return undefined;
  }, 60_000, 'the dialog');
  const [changedAt] = await changeTimes(page);
  if (changedAt === undefined) throw new Error('no change event was recorded');
  for (const frame of dialogFrames(page)) await frame.locator('[data-action="cancel"]').click().catch(() => undefined);
  return shownAt - changedAt;
}

/** ms from the first change event to the page getting the files (the replayed change, or the same event). */
async function toRelease(page: Page, server: FixtureServer, count: number, choose: () => void | Promise<void>): Promise<number> {
  const mark = server.mark();
  await choose();
  await server.waitForFiles(mark, count, 60_000);
  const times = await changeTimes(page);
  if (times.length === 0) throw new Error('no change event was recorded');
  return times.length === 1 ? 0 : (times[times.length - 1] ?? 0) - (times[0] ?? 0);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

async function main(): Promise<void> {
  buildExtensionIfNeeded();
  snapshotExtension();
  const server = await startFixtureServer();
  const browser = await launchGuardedBrowser();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spg-guard-bench-'));
  try {
    await browser.context.addInitScript(CHANGE_TIMES);
    const page = browser.page;
    const dicomFolder = writeFolder(workDir, 'ct-series', Array.from({ length: FOLDER_SIZE }, (_, i) => identifyingDicom(i + 1, `IM${String(i + 1).padStart(4, '0')}`)));
    const pngFolder = writeFolder(workDir, 'photos', Array.from({ length: FOLDER_SIZE }, (_, i) => pngFile(i + 1)));
    const plain = `${server.originA}/plain-input.html`;
    const folder = `${server.originA}/folder-input.html`;

    const rows: Array<Row & { run: () => Promise<number> }> = [
      {
        what: '1 identifying DICOM: change → dialog visible',
        samples: [],
        run: async () => {
          await page.goto(plain);
          return toDialog(page, () => page.locator('#file').setInputFiles(inputPayloads([identifyingDicom(1)])));
        },
      },
      {
        what: `${FOLDER_SIZE}-file DICOM folder: change → dialog visible`,
        samples: [],
        run: async () => {
          await page.goto(folder);
          return toDialog(page, () => startFolderSelection(page.locator('#folder'), dicomFolder.dir));
        },
      },
      {
        what: '1 PNG: change → released to the page',
        samples: [],
        run: async () => {
          await page.goto(plain);
          return toRelease(page, server, 1, () => page.locator('#file').setInputFiles(inputPayloads([pngFile(1)])));
        },
      },
      {
        what: `${FOLDER_SIZE}-file PNG folder: change → released to the page`,
        samples: [],
        run: async () => {
          await page.goto(folder);
          return toRelease(page, server, FOLDER_SIZE, () => startFolderSelection(page.locator('#folder'), pngFolder.dir));
        },
      },
    ];

    for (const row of rows) {
      await row.run(); // warm-up: first loads of the dialog page and the engine
      for (let i = 0; i < RUNS; i++) row.samples.push(await row.run());
    }

    const chromium = browser.context.browser()?.version() ?? 'Chromium';
    console.log(`Guard delay in ${chromium} (headless), ${os.cpus().length} CPU ${os.cpus()[0]?.model ?? ''}; median of ${RUNS} runs (min–max)`);
    console.log('');
    console.log('| what | median ms | min–max ms |');
    console.log('| --- | ---: | ---: |');
    for (const row of rows) {
      const min = Math.min(...row.samples);
      const max = Math.max(...row.samples);
      console.log(`| ${row.what} | ${median(row.samples).toFixed(0)} | ${min.toFixed(0)}–${max.toFixed(0)} |`);
    }
  } finally {
    await browser.close();
    await server.close();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
