// End-to-end: the guard runs before the page's first script. The fixture page registers capture listeners
// for input, change, drop and paste on window and document in an inline <head> script; they must see no
// file of a held upload (and see it once released), for inputs, drops and pastes.

import { expect, it } from 'vitest';
import { dropFromDisk, inputPayloads, pasteBuiltInPage } from './harness/deliveries';
import { filesOnDisk, identifyingDicom, pngFile, textFile } from './harness/fixture-files';
import { waitForDialog } from './harness/guard-dialog';
import {
  noExtensionRequestsTest,
  settle,
  setUpGuardedSuite,
  uploadPathTests,
  type FileSet,
  type SuiteEnv,
} from './harness/upload-path-suite';

const env = setUpGuardedSuite();

const pageUrl = (e: SuiteEnv): string => `${e.server.originA}/capture-first.html`;

uploadPathTests(env, {
  title: 'page capture listeners from an inline <head> script: file input',
  url: pageUrl,
  identifying: () => ({ files: [identifyingDicom(1)] }),
  nonMedical: () => ({ files: [pngFile(1)] }),
  deliver: async (_e, scope, set) => scope.locator('#file').setInputFiles(inputPayloads(set.files)),
});

uploadPathTests(env, {
  title: 'page capture listeners from an inline <head> script: drop from disk',
  url: pageUrl,
  identifying: (e): FileSet => filesOnDisk(e.workDir, 'capture-drop-identifying', [identifyingDicom(1)]),
  nonMedical: (e): FileSet => filesOnDisk(e.workDir, 'capture-drop-plain', [textFile(1)]),
  deliver: async (e, scope, set) => dropFromDisk(e.page, scope.locator('#drop'), set.paths ?? []),
});

uploadPathTests(env, {
  title: 'page capture listeners from an inline <head> script: paste',
  url: pageUrl,
  identifying: () => ({ files: [identifyingDicom(1)] }),
  nonMedical: () => ({ files: [pngFile(1)] }),
  deliver: async (_e, scope, set) => pasteBuiltInPage(scope, scope.locator('#editor'), set.files),
});

it('the page capture listeners receive no input or change event at all while a chosen file is held', async () => {
  await env.page.goto(pageUrl(env));
  await env.page.locator('#file').setInputFiles(inputPayloads([identifyingDicom(1)]));
  const dialog = await waitForDialog(env.page);
  await settle(env, 200);
  const events = await env.page.evaluate(() => (window as unknown as { seen: Array<{ event: string }> }).seen.map((s) => s.event));
  expect(events, 'events the page capture listeners received while the dialog was open').toEqual([]);
  await dialog.cancel();
});

noExtensionRequestsTest(env);
