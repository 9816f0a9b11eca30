// End-to-end: the MAIN-world paths the isolated world never sees: showDirectoryPicker and
// navigator.clipboard.read() (both stubbed before the page loads, since a real folder picker or clipboard
// cannot be automated), and the egress backstop: a page that kept references to files being held tries to
// send them itself with fetch, XMLHttpRequest (a slice) and sendBeacon.

import { expect, it } from 'vitest';
import { offerToPicker, PICKER_STUB } from './harness/deliveries';
import { identifyingDicom, pngFile, textFile } from './harness/fixture-files';
import { describeRequests } from './harness/fixture-server';
import { dialogFrames, isDialogShown, GuardDialog, waitForDialog } from './harness/guard-dialog';
import { noExtensionRequestsTest, seenFiles, settle, setUpGuardedSuite, uploadPathTests } from './harness/upload-path-suite';

/** showDirectoryPicker resolves with a folder holding the test's files (one in a subfolder). */
const DIRECTORY_PICKER_STUB = `
if (location.pathname.endsWith('/directory-picker.html')) {
  window.showDirectoryPicker = async function showDirectoryPicker() {
    const files = window.__spgPickerFiles || [];
    function fileHandle(file) {
      const handle = Object.create(FileSystemFileHandle.prototype);
      Object.defineProperties(handle, {
        kind: { value: 'file' }, name: { value: file.name },
        getFile: { value: async function () { return file; } },
      });
      return handle;
    }
    function dirHandle(name, children) {
      const handle = Object.create(FileSystemDirectoryHandle.prototype);
      Object.defineProperties(handle, {
        kind: { value: 'directory' }, name: { value: name },
        values: { value: async function* () { yield* children; } },
      });
      return handle;
    }
    const top = files.slice(0, 1).map(fileHandle);
    const nested = dirHandle('series-1', files.slice(1).map(fileHandle));
    return dirHandle('study', files.length > 1 ? top.concat([nested]) : top);
  };
}
`;

/** navigator.clipboard.read resolves with one item per file, each of the file's type. */
const CLIPBOARD_STUB = `
if (location.pathname.endsWith('/clipboard-read.html')) {
  Clipboard.prototype.read = async function read() {
    return (window.__spgPickerFiles || []).map(function (file) {
      const type = file.type || 'application/octet-stream';
      return { types: [type], getType: async function () { return file; } };
    });
  };
}
`;

/** The egress page's picker: like PICKER_STUB, on egress.html. */
const EGRESS_PICKER_STUB = PICKER_STUB.replace("'/picker.html'", "'/egress.html'");

const env = setUpGuardedSuite({ initScripts: [PICKER_STUB, DIRECTORY_PICKER_STUB, CLIPBOARD_STUB, EGRESS_PICKER_STUB] });

uploadPathTests(env, {
  title: 'showDirectoryPicker (stubbed before the page loads)',
  url: (e) => `${e.server.originA}/directory-picker.html`,
  identifying: () => ({ files: [identifyingDicom(1), identifyingDicom(2)] }),
  nonMedical: () => ({ files: [pngFile(1), textFile(2)] }),
  deliver: async (_e, scope, set) => {
    await offerToPicker(scope, set.files);
    await scope.locator('#pick').click();
  },
});

uploadPathTests(env, {
  title: 'navigator.clipboard.read() (stubbed before the page loads)',
  url: (e) => `${e.server.originA}/clipboard-read.html`,
  identifying: () => ({ files: [identifyingDicom(1)] }),
  nonMedical: () => ({ files: [pngFile(1)] }),
  deliver: async (_e, scope, set) => {
    await offerToPicker(scope, set.files);
    await scope.locator('#paste').click();
  },
});

/** Cancels every dialog shown, until none has been shown for a while. */
async function cancelEveryDialog(): Promise<number> {
  let cancelled = 0;
  let quietSince = Date.now();
  while (Date.now() - quietSince < 1500) {
    let found = false;
    // The newest dialog is on top: cancel from the last frame back.
    for (const frame of dialogFrames(env.page).reverse()) {
      if (!(await isDialogShown(frame))) continue;
      found = true;
      await new GuardDialog(env.page, frame).cancel();
      cancelled++;
      break;
    }
    if (found) quietSince = Date.now();
    await env.page.waitForTimeout(100);
  }
  return cancelled;
}

it('egress backstop: fetch, a sliced XHR and sendBeacon of a held file wait for its decision and are refused on Cancel', async () => {
  await env.page.goto(`${env.server.originA}/egress.html`, { waitUntil: 'load' });
  const scope = env.page.mainFrame();
  const mark = env.server.mark();
  await offerToPicker(scope, [identifyingDicom(1)]);
  await scope.locator('#start').click();
  await waitForDialog(env.page);
  await settle(env, 1000);
  expect(describeRequests(env.server.requestsSince(mark)), 'requests that reached the server while held').toBe('no requests');
  const cancelled = await cancelEveryDialog();
  // One dialog: the sends of files already being decided wait for that decision instead of asking again.
  expect(cancelled, 'dialogs cancelled').toBe(1);
  await settle(env);
  expect(describeRequests(env.server.requestsSince(mark)), 'requests that reached the server after Cancel').toBe('no requests');
  const events = await scope.evaluate(() => (window as unknown as { seen: Array<{ event: string; detail?: unknown }> }).seen.map((e) => ({ event: e.event, detail: e.detail })));
  const names = events.map((e) => e.event);
  expect(names).toContain('fetch-refused');
  expect(names).toContain('xhr-refused');
  expect(names).toContain('picker-error');
  expect(events.find((e) => e.event === 'beacon')?.detail).toEqual({ queued: false });
  expect(names).not.toContain('fetch-sent');
  expect(names).not.toContain('xhr-sent');
  expect((await seenFiles(scope)).length).toBe(0);
});

it('egress backstop: after "upload the original", the sends that waited go out with the original bytes', async () => {
  await env.page.goto(`${env.server.originA}/egress.html`, { waitUntil: 'load' });
  const scope = env.page.mainFrame();
  const mark = env.server.mark();
  const file = identifyingDicom(1);
  await offerToPicker(scope, [file]);
  await scope.locator('#start').click();
  const dialog = await waitForDialog(env.page);
  await settle(env, 700);
  expect(describeRequests(env.server.requestsSince(mark)), 'requests while held').toBe('no requests');
  await dialog.uploadOriginal();
  await env.server.waitForFiles(mark, 1, 15_000);
  await settle(env, 700);
  const paths = env.server.requestsSince(mark).map((r) => r.path).sort();
  expect(paths).toEqual(['/upload/egress-fetch', '/upload/egress-xhr']);
  expect(env.server.filesSince(mark).filter((f) => f.sha256 === file.sha256).length, 'whole original files that arrived').toBe(1);
});

noExtensionRequestsTest(env);
