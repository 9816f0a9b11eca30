// End-to-end in Firefox (Debian's firefox-esr, headless, puppeteer-core over WebDriver BiDi, the built
// extension installed with browser.installExtension): the core upload paths of the guard's suite, each
// with an identifying DICOM (held while the dialog is open; Cancel; the original; a de-identified copy)
// and a non-medical file (no dialog): a plain file input, a multiple one, a detached input opened with
// .click(), a drop of files (a DataTransfer built in the page), and two real upload libraries from npm
// (Dropzone.js and react-dropzone), each through its file input and through a drop. Then the dialog's
// keyboard: Cancel has the focus, Tab moves through the choices in order, Escape cancels.
// A real paste needs a display: firefox-paste.e2e.test.ts.

import type { ElementHandle, Page } from 'puppeteer-core';
import { expect, it } from 'vitest';
import { identifyingDicom, pngFile, textFile, type FixtureFile } from './harness/fixture-files';
import { waitForFirefoxDialog } from './harness/firefox-browser';
import {
  expectHeldFiles,
  filesInInputs,
  firefoxUploadPathTests,
  onDisk,
  QUIET_MS,
  setUpFirefoxSuite,
  type FirefoxUploadCase,
} from './harness/firefox-upload-suite';

const env = setUpFirefoxSuite();

/** The person picks the files in the page's file input (BiDi input.setFiles: input and change events). */
async function chooseInInput(page: Page, selector: string, paths: string[]): Promise<void> {
  const input = (await page.waitForSelector(selector, { timeout: 10_000 })) as ElementHandle<HTMLInputElement> | null;
  if (!input) throw new Error(`no ${selector} in the page`);
  await input.uploadFile(...paths);
  await input.dispose();
}

/** The page opens a file chooser from a button; the person picks the files in it. */
async function chooseInFileChooser(page: Page, button: string, paths: string[]): Promise<void> {
  const [chooser] = await Promise.all([page.waitForFileChooser({ timeout: 10_000 }), page.click(button)]);
  await chooser.accept(paths);
}

interface FilePayload {
  name: string;
  mimeType: string;
  base64: string;
}

/** A drop on `selector` with a DataTransfer built in the page's own world: dragenter, dragover, drop. */
async function dropBuiltInPage(page: Page, selector: string, files: readonly FixtureFile[]): Promise<void> {
  const payloads: FilePayload[] = files.map((f) => ({ name: f.name, mimeType: f.mimeType, base64: f.buffer.toString('base64') }));
  await page.evaluate(
    (target: string, list: FilePayload[]) => {
      const zone = document.querySelector(target);
      if (!zone) throw new Error(`no ${target} to drop on`);
      const dataTransfer = new DataTransfer();
      for (const p of list) {
        const bytes = Uint8Array.from(atob(p.base64), (c) => c.charCodeAt(0));
        dataTransfer.items.add(new File([bytes], p.name, { type: p.mimeType, lastModified: Date.now() }));
      }
      const box = zone.getBoundingClientRect();
      const at = { clientX: box.left + box.width / 2, clientY: box.top + box.height / 2 };
      for (const type of ['dragenter', 'dragover', 'drop']) {
        zone.dispatchEvent(new DragEvent(type, { dataTransfer, bubbles: true, cancelable: true, composed: true, ...at }));
      }
    },
    selector,
    payloads,
  );
}

function inputCase(title: string, page: string, selector: string, extra: Partial<FirefoxUploadCase> = {}): FirefoxUploadCase {
  return {
    title,
    page,
    identifying: () => [identifyingDicom(1)],
    nonMedical: () => [pngFile(1)],
    deliver: (e, _files, paths) => chooseInInput(e.page, selector, paths),
    ...extra,
  };
}

function dropCase(title: string, page: string, selector: string): FirefoxUploadCase {
  return {
    title,
    page,
    identifying: () => [identifyingDicom(1), identifyingDicom(2)],
    nonMedical: () => [pngFile(1), textFile(2)],
    deliver: (e, files) => dropBuiltInPage(e.page, selector, files),
  };
}

firefoxUploadPathTests(env, inputCase('plain file input', 'plain-input.html', '#file'));

firefoxUploadPathTests(
  env,
  inputCase('file input with multiple', 'multiple-input.html', '#file', {
    identifying: () => [identifyingDicom(1), identifyingDicom(2), pngFile(3)],
    nonMedical: () => [pngFile(1), textFile(2)],
  }),
);

/**
 * Why the detached input's own `files` are not checked while held: to answer the file chooser, WebDriver
 * BiDi intercepts it, and Firefox then fires `cancel` on the input before the chosen files arrive with
 * `input` and `change` (a person's pick sends no `cancel`). The MAIN-world hook stops hiding an input's
 * files on `cancel` and does not hide them again when files come without a new .click(), so the page could
 * read them from `input.files` (no handler of the page runs and nothing is sent). See the known-gap test.
 */
const DETACHED_CANCEL_GAP = 'BiDi file-chooser interception fires cancel before change (see the known-gap test)';

const detachedCase: FirefoxUploadCase = {
  title: 'detached input opened with .click()',
  page: 'detached-input.html',
  identifying: () => [identifyingDicom(1)],
  nonMedical: () => [pngFile(1)],
  deliver: (e, _files, paths) => chooseInFileChooser(e.page, '#open-click', paths),
  inputMayListHeldFiles: DETACHED_CANCEL_GAP,
};
firefoxUploadPathTests(env, detachedCase);

// Known gap (src/page/pickers.ts, onDetachedEvent): files that arrive after a `cancel` are held, but the
// input is not hidden again, so the page can read them from input.files while the dialog is open. This
// test states the gap as it is, so the suite stays green and says so; once the hook hides a held input's
// files whatever came before, it fails with the message below: then expect 0, and drop
// inputMayListHeldFiles above.
it(`known gap: a detached input whose picker sent \`cancel\` still lists the held file in input.files (${DETACHED_CANCEL_GAP})`, async () => {
  await env.page.goto(`${env.server.originA}/detached-input.html`, { waitUntil: 'load' });
  const files = [identifyingDicom(4)];
  const mark = env.server.mark();
  await chooseInFileChooser(env.page, '#open-click', onDisk(env, files));
  const dialog = await waitForFirefoxDialog(env.page);
  await expectHeldFiles(env, mark, 'while the dialog is open', false);
  const readable = await filesInInputs(env.page);
  await dialog.click('cancel');
  await dialog.waitClosed();
  expect(readable, 'files the page could read from the detached input while the dialog was open: 0 means the gap is fixed (expect 0 here now)').toBe(1);
});

firefoxUploadPathTests(env, dropCase('drop of files (a DataTransfer built in the page)', 'drop-zone.html', '#drop'));

firefoxUploadPathTests(env, inputCase('Dropzone.js, through its hidden file input', 'dropzone-js.html', 'input.dz-hidden-input'));
firefoxUploadPathTests(env, dropCase('Dropzone.js, through a drop', 'dropzone-js.html', '#dz'));
firefoxUploadPathTests(env, inputCase('react-dropzone, through its file input', 'react-dropzone.html', '#dropzone-input'));
firefoxUploadPathTests(env, dropCase('react-dropzone, through a drop', 'react-dropzone.html', '#dropzone'));

it('the dialog by keyboard: Cancel has the focus, Tab goes Cancel → de-identified copy → original, Escape cancels and sends nothing', async (): Promise<void> => {
  await env.page.goto(`${env.server.originA}/plain-input.html`, { waitUntil: 'load' });
  const files = [identifyingDicom(3)];
  const mark = env.server.mark();
  await chooseInInput(env.page, '#file', onDisk(env, files));
  const dialog = await waitForFirefoxDialog(env.page);
  // Wait for the copies, so the order with every choice present is the one checked.
  const full = await dialog.waitForAction('deidentify', 30_000);
  expect(full.actions, 'the choices on the asking view, in document order').toEqual(['cancel', 'deidentify', 'upload-original']);
  expect(full.focused, 'the focused control once the de-identified copy is offered').toBe('cancel');
  await dialog.press('Tab');
  expect((await dialog.view())?.focused, 'focus after one Tab').toBe('deidentify');
  await dialog.press('Tab');
  expect((await dialog.view())?.focused, 'focus after two Tabs').toBe('upload-original');
  await expectHeldFiles(env, mark, 'while the dialog is open');
  await dialog.cancelWithEscape();
  await dialog.waitClosed();
  await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
  await expectHeldFiles(env, mark, 'after Escape');
});
