// End-to-end privacy checks: what the dialog shows cannot be read by the page's JavaScript; the
// extension's storage (chrome.storage, localStorage, sessionStorage, IndexedDB, Cache Storage of its
// origin) and its files in the browser profile hold no planted value after dialogs were shown, cancelled
// and accepted; and its own contexts made no network request.

import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { inputPayloads, startFolderSelection } from './harness/deliveries';
import { extensionProfileFiles, extensionStorageDump } from './harness/extension-storage';
import { PLANTED_TOKENS, PLANTED_TOKENS_WITH_YEAR, identifyingDicom, plantedTokensIn, writeFolder } from './harness/fixture-files';
import { waitForDialog, type GuardDialog } from './harness/guard-dialog';
import { extensionId, unpackedExtensionId } from './harness/guarded-browser';
import { PROBE_INIT, PROBE_READ, type ProbeResult } from './harness/page-probe';
import { noExtensionRequestsTest, setUpGuardedSuite } from './harness/upload-path-suite';

const env = setUpGuardedSuite({ initScripts: [PROBE_INIT] });

let dialogExtensionId = '';

async function dialogFor(page: string, files = [identifyingDicom(1)]): Promise<GuardDialog> {
  await env.page.goto(`${env.server.originA}/${page}`);
  await env.page.locator('#file').setInputFiles(inputPayloads(files));
  const dialog = await waitForDialog(env.page);
  dialogExtensionId = dialog.extensionId;
  return dialog;
}

it("shows the planted values in the dialog, and the page's JavaScript cannot read them", async () => {
  const dialog = await dialogFor('plain-input.html?probe');
  // The dialog must show what it found, or the check below would prove nothing.
  const shown = plantedTokensIn(await dialog.text());
  expect(shown.length, 'planted values the dialog shows (it should show what it found)').toBeGreaterThan(0);

  const probe = (await env.page.evaluate(PROBE_READ)) as ProbeResult;
  expect(probe.notes.join('; '), 'the probe ran').toContain('window.frames:');
  expect(plantedTokensIn(probe.haystack, PLANTED_TOKENS_WITH_YEAR), `planted values the page read (probe: ${probe.notes.join('; ')})`).toEqual([]);
  await dialog.cancel();
  await dialog.waitClosed();
});

it('the page cannot read the planted values in the dialog of a cross-origin frame either', async () => {
  await env.page.goto(`${env.server.originA}/frame-host.html?probe&src=${encodeURIComponent(`${env.server.originB}/plain-input.html?probe`)}`);
  const frame = env.page.frames().find((f) => f.url().startsWith(`${env.server.originB}/`));
  if (!frame) throw new Error('the cross-origin frame did not load');
  await frame.locator('#file').setInputFiles(inputPayloads([identifyingDicom(2)]));
  const dialog = await waitForDialog(env.page);
  expect(plantedTokensIn(await dialog.text()).length, 'planted values the dialog shows').toBeGreaterThan(0);
  for (const scope of [env.page.mainFrame(), frame]) {
    const probe = (await scope.evaluate(PROBE_READ)) as ProbeResult;
    expect(plantedTokensIn(probe.haystack, PLANTED_TOKENS_WITH_YEAR), `planted values ${scope.url()} read (${probe.notes.join('; ')})`).toEqual([]);
  }
  await dialog.cancel();
});

it('after dialogs were accepted and cancelled, the extension storage holds no planted value', async () => {
  // One more of each decision, so the storage check follows real use: an original released, a folder cancelled.
  const accepted = await dialogFor('plain-input.html');
  const mark = env.server.mark();
  await accepted.uploadOriginal();
  await env.server.waitForFiles(mark, 1);
  await env.page.goto(`${env.server.originA}/folder-input.html`);
  const folder = writeFolder(env.workDir, 'privacy-study', [identifyingDicom(3, 'IM0003'), identifyingDicom(4, 'IM0004')]);
  startFolderSelection(env.page.locator('#folder'), folder.dir);
  const cancelled = await waitForDialog(env.page);
  await cancelled.cancel();
  await cancelled.waitClosed();

  const id = dialogExtensionId || extensionId(env.browser.context);
  expect(id, 'the dialog frame and the unpacked-extension id agree').toBe(unpackedExtensionId());
  const dump = await extensionStorageDump(env.browser.context, id);
  expect(JSON.parse(dump).origin, 'the storage was read from the extension origin').toBe(`chrome-extension://${id}`);
  expect(plantedTokensIn(dump, PLANTED_TOKENS_WITH_YEAR), `planted values in the extension storage: ${dump.slice(0, 2000)}`).toEqual([]);
});

noExtensionRequestsTest(env);

it("once the browser is closed, the extension's files in the profile hold no planted value", async () => {
  await env.browser.context.close();
  const id = unpackedExtensionId();
  const root = env.browser.userDataDir;
  const files = extensionProfileFiles(root, id);
  expect(files.length, 'the profile has files to look at').toBeGreaterThan(0);
  const found: string[] = [];
  for (const file of files) {
    const bytes = fs.readFileSync(file);
    const latin1 = bytes.toString('latin1');
    const utf16 = bytes.toString('utf16le');
    const hits = new Set([...plantedTokensIn(latin1, PLANTED_TOKENS), ...plantedTokensIn(utf16, PLANTED_TOKENS)]);
    if (hits.size > 0) found.push(`${path.relative(root, file)}: ${[...hits].join(', ')}`);
  }
  expect(found, `profile files checked: ${files.length}`).toEqual([]);
});
