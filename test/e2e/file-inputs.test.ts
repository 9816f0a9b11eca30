// End-to-end: uploads through file inputs, each on its own fixture page: plain, multiple, folder
// (webkitdirectory), detached (.click() and .showPicker()), inside open and closed shadow roots, a page
// under a strict CSP, a cross-origin iframe, a self-submitting multipart form, and Upload buttons that
// send with fetch + FormData and with XMLHttpRequest.

import type { ElementHandle, Frame } from 'playwright-core';
import { identifyingDicom, pngFile, textFile, writeFolder } from './harness/fixture-files';
import { inputPayloads, startFolderSelection } from './harness/deliveries';
import {
  noExtensionRequestsTest,
  pressUploadWhenFilled,
  setUpGuardedSuite,
  uploadPathTests,
  type FileSet,
  type SuiteEnv,
  type UploadPathCase,
} from './harness/upload-path-suite';

const env = setUpGuardedSuite();

const oneDicom = (): FileSet => ({ files: [identifyingDicom(1)] });
const onePng = (): FileSet => ({ files: [pngFile(1)] });

/** A case whose page has one input (found by `selector`) that the person fills through the file chooser. */
function inputCase(title: string, page: string, selector: string, extra: Partial<UploadPathCase> = {}): UploadPathCase {
  return {
    title,
    url: (e) => `${e.server.originA}/${page}`,
    identifying: oneDicom,
    nonMedical: onePng,
    deliver: async (_e, scope, set) => scope.locator(selector).setInputFiles(inputPayloads(set.files)),
    ...extra,
  };
}

uploadPathTests(env, inputCase('plain file input', 'plain-input.html', '#file'));

uploadPathTests(
  env,
  inputCase('file input with multiple', 'multiple-input.html', '#file', {
    identifying: () => ({ files: [identifyingDicom(1), identifyingDicom(2), pngFile(3)] }),
    nonMedical: () => ({ files: [pngFile(1), textFile(2)] }),
  }),
);

uploadPathTests(env, {
  title: 'folder input (webkitdirectory)',
  url: (e) => `${e.server.originA}/folder-input.html`,
  identifying: (e: SuiteEnv) => writeFolder(e.workDir, 'study-identifying', [identifyingDicom(1, 'IM0001'), identifyingDicom(2, 'IM0002'), textFile(3, 'README.txt')]),
  nonMedical: (e: SuiteEnv) => writeFolder(e.workDir, 'holiday-photos', [pngFile(1), pngFile(2), textFile(3)]),
  deliver: async (_e, scope, set) => startFolderSelection(scope.locator('#folder'), set.dir ?? ''),
});

/** The detached input opens the file chooser from a button; the test answers the chooser. */
function detachedCase(title: string, button: string): UploadPathCase {
  return {
    title,
    url: (e) => `${e.server.originA}/detached-input.html`,
    identifying: oneDicom,
    nonMedical: onePng,
    deliver: async (e, scope, set) => {
      const [chooser] = await Promise.all([e.page.waitForEvent('filechooser'), scope.locator(button).click()]);
      await chooser.setFiles(inputPayloads(set.files));
    },
  };
}

uploadPathTests(env, detachedCase('detached input opened with .click()', '#open-click'));
uploadPathTests(env, detachedCase('detached input opened with .showPicker()', '#open-picker'));

uploadPathTests(env, inputCase('file input in an open shadow root', 'shadow-roots.html', '#open-host #open-input'));

uploadPathTests(env, {
  title: 'file input in a closed shadow root',
  url: (e) => `${e.server.originA}/shadow-roots.html`,
  identifying: oneDicom,
  nonMedical: onePng,
  deliver: async (_e, scope, set) => {
    // A closed root cannot be reached by selectors: the page keeps a reference for the test.
    const input = (await scope.evaluateHandle(() => (window as unknown as { closedShadowInput: HTMLInputElement }).closedShadowInput)) as ElementHandle<HTMLInputElement>;
    await input.setInputFiles(inputPayloads(set.files));
    await input.dispose();
  },
});

uploadPathTests(env, inputCase('page with a strict Content-Security-Policy', 'strict-csp.html', '#file'));

uploadPathTests(env, {
  title: 'file input in a cross-origin iframe',
  url: (e) => `${e.server.originA}/frame-host.html?src=${encodeURIComponent(`${e.server.originB}/plain-input.html`)}`,
  scope: async (e): Promise<Frame> => {
    const frame = e.page.frames().find((f) => f.url().startsWith(`${e.server.originB}/`));
    if (!frame) throw new Error(`the cross-origin frame did not load (frames: ${e.page.frames().map((f) => f.url()).join(', ')})`);
    await frame.waitForLoadState('load');
    return frame;
  },
  identifying: oneDicom,
  nonMedical: onePng,
  deliver: async (_e, scope, set) => scope.locator('#file').setInputFiles(inputPayloads(set.files)),
});

uploadPathTests(
  env,
  inputCase('multipart <form> that submits itself on change', 'form-post.html', '#file', {
    recordsSurviveUpload: false,
  }),
);

uploadPathTests(
  env,
  inputCase('Upload button sending with fetch + FormData', 'fetch-button.html', '#file', {
    afterRelease: async (_e, scope) => pressUploadWhenFilled(scope),
    pageTriesWhileHeld: async (_e, scope) => scope.locator('#send').evaluate((button: HTMLElement) => button.click()),
  }),
);

uploadPathTests(
  env,
  inputCase('Upload button sending with XMLHttpRequest', 'xhr-button.html', '#file', {
    afterRelease: async (_e, scope) => pressUploadWhenFilled(scope),
    pageTriesWhileHeld: async (_e, scope) => scope.locator('#send').evaluate((button: HTMLElement) => button.click()),
  }),
);

noExtensionRequestsTest(env);
