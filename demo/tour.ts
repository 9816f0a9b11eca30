// The headless walk-through: drives the demo site the way a newcomer would, checks that each step happened
// as it should (the warning before the site gets anything, the de-identified copy or Cancel, harmless files
// passing untouched, the popup), and writes a screenshot of each step.

import path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import {
  dialogState,
  extensionId,
  popupPath,
  waitForDialog,
  waitForDialogClosed,
  watchForDialog,
  type DemoBrowser,
} from './browser';
import type { DemoServer, ReceivedFile } from './server';
import { SAMPLE_NAMES, type Sample } from './samples';

export type StepStatus = 'ok' | 'fallback' | 'failed';

export interface StepResult {
  id: string;
  title: string;
  status: StepStatus;
  /** What was seen, in one or two sentences. */
  detail: string;
  screenshot?: string;
  ms: number;
}

export interface TourOptions {
  browser: DemoBrowser;
  server: DemoServer;
  samples: readonly Sample[];
  extensionDir: string;
  outDir: string;
  /** How long to wait for "Upload a de-identified copy" after the warning shows. */
  deidentifyWaitMs: number;
  log: (line: string) => void;
}

class StepFailure extends Error {}

function expect(condition: unknown, message: string): asserts condition {
  if (!condition) throw new StepFailure(message);
}

/** Runs every step in order; stops at the first failure (later steps depend on earlier ones). */
export async function runTour(opts: TourOptions): Promise<StepResult[]> {
  const { browser, server, log } = opts;
  const page = browser.page;
  const results: StepResult[] = [];
  const sample = (name: string): Sample => {
    const found = opts.samples.find((s) => s.name === name);
    if (!found) throw new Error(`no sample named ${name}`);
    return found;
  };
  let counter = 0;
  /** The page to photograph when a step fails (the site, unless the step opened its own). */
  let failureTarget: Page = page;
  const extraPages: Page[] = [];
  const shot = async (target: Page, name: string): Promise<string> => {
    const file = path.join(opts.outDir, name);
    await target.screenshot({ path: file });
    return file;
  };

  async function step(id: string, title: string, body: () => Promise<{ status?: StepStatus; detail: string; screenshot: string }>): Promise<boolean> {
    counter += 1;
    const number = String(counter).padStart(2, '0');
    log(`  ${number}. ${title}…`);
    const started = Date.now();
    try {
      const { status = 'ok', detail, screenshot } = await body();
      results.push({ id, title, status, detail, screenshot, ms: Date.now() - started });
      log(`      ${status === 'ok' ? 'ok' : 'FALLBACK'} (${((Date.now() - started) / 1000).toFixed(1)} s): ${detail}`);
      log(`      screenshot: ${screenshot}`);
      return true;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      let screenshot: string | undefined;
      try {
        screenshot = await shot(failureTarget, `failed-${number}-${id}.png`);
      } catch {
        // no screenshot of a closed page
      }
      results.push({ id, title, status: 'failed', detail: message, ...(screenshot ? { screenshot } : {}), ms: Date.now() - started });
      log(`      FAILED: ${message}`);
      if (screenshot) log(`      screenshot of the failure: ${screenshot}`);
      return false;
    } finally {
      failureTarget = page;
    }
  }

  const pick = (s: Sample): Promise<void> => page.locator('#file').setInputFiles(s.path);
  /** The site's received-files table shows the row of `file`. */
  const rowShown = (file: ReceivedFile): Promise<unknown> =>
    page.locator(`#received tr[data-seq="${file.seq}"]`).waitFor({ state: 'visible', timeout: 10_000 });
  const pageHasGotFiles = async (): Promise<boolean> => (await page.locator('#page-log .page-log-line').count()) > 0;

  const identifying = sample(SAMPLE_NAMES.identifyingCt);
  let dialog: Frame | null = null;

  const steps: Array<() => Promise<boolean>> = [
    () =>
      step('site', 'Open the demo site', async () => {
        await page.goto(`${server.origin}/`);
        await page.locator('body[data-ready="true"]').waitFor({ timeout: 15_000 });
        return { detail: `${server.origin}/ loaded with ${opts.samples.length} sample files listed`, screenshot: await shot(page, '01-demo-site.png') };
      }),

    () =>
      step('warning', `Pick ${identifying.name} (identifies a made-up patient): the warning shows`, async () => {
        const before = server.lastSeq();
        const picked = Date.now();
        await pick(identifying);
        dialog = await waitForDialog(page, 20_000);
        const shownAfter = Date.now() - picked;
        expect((await dialogState(dialog)) === 'asking', `the dialog is shown but its state is ${await dialogState(dialog)}, not asking`);
        // Give "Upload a de-identified copy" its moment to appear (the copy is prepared after the warning shows).
        await dialog.locator('[data-action="deidentify"]').waitFor({ state: 'visible', timeout: opts.deidentifyWaitMs }).catch(() => undefined);
        expect(server.lastSeq() === before, 'the site\'s server already received a file while the warning was open');
        expect(!(await pageHasGotFiles()), 'the site\'s own script was given the file while the warning was open');
        const text = (await dialog.locator('body').innerText()).replace(/\s+/g, ' ').trim();
        expect(text.length > 40, 'the warning dialog has almost no text');
        return {
          detail: `the warning showed ${shownAfter} ms after the pick; the site's script and server have nothing`,
          screenshot: await shot(page, '02-warning.png'),
        };
      }),

    () =>
      step('choice', 'Choose "Upload a de-identified copy"', async () => {
        expect(dialog, 'no dialog to choose in');
        const before = server.lastSeq();
        const deidentify = dialog.locator('[data-action="deidentify"]');
        if (await deidentify.isVisible()) {
          await deidentify.click({ timeout: 10_000 });
          await waitForDialogClosed(page, 15_000);
          const [got] = await server.waitForReceived(before, 1, 20_000);
          expect(got, 'nothing received');
          expect(got.name === identifying.name, `the site received ${got.name}, expected a copy named ${identifying.name}`);
          expect(got.sha256 !== identifying.sha256, 'the site received the original bytes, not a de-identified copy');
          const values = got.originalValues;
          expect(values && values.checked > 0, "the demo could not compare the copy with the original's identifying values");
          expect(values.found === 0, `${values.found} of the original's ${values.checked} identifying values are still in the copy the site received`);
          const high = got.findings.filter((f) => f.severity === 'high').map((f) => f.keyword);
          expect(high.length === 0, `our engine finds high-severity details in the received copy: ${high.join(', ')}`);
          expect(got.marks?.patientIdentityRemoved === 'YES', 'the received copy does not say PatientIdentityRemoved YES');
          const engine =
            got.verdict === 'clean'
              ? 'our engine says it is clean'
              : `our engine, scanning the copy on its own, says ${got.verdict} for what the copy keeps (${got.findings.map((f) => f.keyword).join(', ')}; dates ${got.marks?.datesModified ?? 'not marked'})`;
          if (got.verdict !== 'clean') {
            log(`      NOTE: ${engine}. The extension's default de-identification options keep moved dates and cleaned descriptions; a plain scan cannot tell them from original ones.`);
          }
          await rowShown(got);
          return {
            detail:
              `the site received ${got.name} (${got.size} bytes, sha256 ${got.sha256.slice(0, 12)}…, not the original's), ` +
              `none of the original's ${values.checked} identifying values are in it, it says PatientIdentityRemoved YES, and ${engine}`,
            screenshot: await shot(page, '03-deidentified-copy-received.png'),
          };
        }
        log('      "Upload a de-identified copy" is not available in this build (no [data-action=deidentify] in the dialog): choosing Cancel instead.');
        await dialog.locator('[data-action="cancel"]').click({ timeout: 10_000 });
        await waitForDialogClosed(page, 15_000);
        await page.waitForTimeout(1500);
        expect(server.lastSeq() === before, 'after Cancel the site\'s server received a file');
        expect(!(await pageHasGotFiles()), 'after Cancel the site\'s own script was given the file');
        return {
          status: 'fallback',
          detail: '"Upload a de-identified copy" is not in this build yet; Cancel was chosen: the site received nothing',
          screenshot: await shot(page, '03-cancelled-nothing-sent.png'),
        };
      }),

    () => harmlessStep('photo', sample(SAMPLE_NAMES.photo), '04-photo-passes.png', 'not-medical'),
    () => harmlessStep('clean-scan', sample(SAMPLE_NAMES.cleanCt), '05-clean-scan-passes.png', 'clean'),

    () =>
      step('popup', 'Open the toolbar popup for the demo site', async () => {
        const popup = popupPath(opts.extensionDir);
        const id = extensionId(browser.context, opts.extensionDir);
        if (!popup) {
          log('      The popup is not in this build (the built manifest has no action.default_popup): showing the extension page list instead.');
          const extensions = await browser.context.newPage();
          extraPages.push(extensions);
          failureTarget = extensions;
          await extensions.setViewportSize({ width: 1280, height: 900 });
          await extensions.goto(`chrome://extensions/?id=${id}`);
          await extensions.waitForTimeout(500);
          return {
            status: 'fallback',
            detail: `no popup in this build yet; the extension (id ${id}) is loaded, shown on chrome://extensions`,
            screenshot: await shot(extensions, '06-extension-loaded.png'),
          };
        }
        const popupPage = await browser.context.newPage();
        extraPages.push(popupPage);
        failureTarget = popupPage;
        const errors: string[] = [];
        popupPage.on('pageerror', (error) => errors.push(error.message));
        await popupPage.setViewportSize({ width: 420, height: 640 });
        const url = `chrome-extension://${id}/${popup}?url=${encodeURIComponent(`${server.origin}/`)}`;
        await popupPage.goto(url);
        await popupPage.waitForLoadState('load');
        const hasText = await popupPage
          .waitForFunction(() => (document.body?.innerText ?? '').trim().length > 20, undefined, { timeout: 10_000 })
          .then(() => true, () => false);
        expect(errors.length === 0, `the popup page threw: ${errors.join('; ')}`);
        expect(hasText, `the popup (${url}) showed no text within 10 s`);
        await popupPage.waitForTimeout(300);
        const lines = (await popupPage.locator('body').innerText()).split('\n').map((l) => l.trim()).filter(Boolean);
        return {
          detail: `the popup opened for ${server.origin}/ (first line: "${lines[0] ?? ''}")`,
          screenshot: await shot(popupPage, '06-popup.png'),
        };
      }),
  ];

  async function harmlessStep(id: string, s: Sample, screenshotName: string, verdict: 'not-medical' | 'clean'): Promise<boolean> {
    const what = verdict === 'clean' ? 'a scan with nothing identifying' : 'not medical';
    return step(id, `Pick ${s.name} (${what}): it goes through untouched`, async () => {
      const before = server.lastSeq();
      const watch = watchForDialog(page);
      let got: ReceivedFile | undefined;
      try {
        await pick(s);
        [got] = await server.waitForReceived(before, 1, 20_000);
      } finally {
        const asked = await watch.stop();
        expect(!asked, `a warning was shown for ${s.name}`);
      }
      expect(got, 'nothing received');
      expect(got.sha256 === s.sha256, `the site received different bytes for ${s.name}`);
      expect(got.verdict === verdict, `our engine says the received ${s.name} is ${got.verdict}, expected ${verdict}`);
      await rowShown(got);
      await page.waitForTimeout(300); // let a "checked" notice settle into the screenshot
      return {
        detail: `no warning; the site received the identical bytes (sha256 ${got.sha256.slice(0, 12)}…), ${verdict}`,
        screenshot: await shot(page, screenshotName),
      };
    });
  }

  for (const run of steps) {
    if (!(await run())) break;
  }
  for (const extra of extraPages) await extra.close().catch(() => undefined);
  return results;
}
