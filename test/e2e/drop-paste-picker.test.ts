// End-to-end: uploads that never go through a file input's change event: drops of files (a real drag
// from disk, and a DataTransfer built by script), a real drag of a folder (directory entries), pastes of
// files (on a contenteditable, and caught by a document listener), and showOpenFilePicker (stubbed in the
// page before it loads, since a real picker cannot be automated).

import {
  PICKER_STUB,
  dropBuiltInPage,
  dropFromDisk,
  offerToPicker,
  pasteBuiltInPage,
} from './harness/deliveries';
import { filesOnDisk, identifyingDicom, pngFile, textFile, writeFolder } from './harness/fixture-files';
import {
  noExtensionRequestsTest,
  setUpGuardedSuite,
  uploadPathTests,
} from './harness/upload-path-suite';

const env = setUpGuardedSuite({ initScripts: [PICKER_STUB] });

uploadPathTests(env, {
  title: 'drop of files (a real drag from disk)',
  url: (e) => `${e.server.originA}/drop-zone.html`,
  identifying: (e) => filesOnDisk(e.workDir, 'drop-identifying', [identifyingDicom(1), identifyingDicom(2)]),
  nonMedical: (e) => filesOnDisk(e.workDir, 'drop-plain', [pngFile(1), textFile(2)]),
  deliver: async (e, scope, set) => dropFromDisk(e.page, scope.locator('#drop'), set.paths ?? []),
});

uploadPathTests(env, {
  title: 'drop of files (a DataTransfer built in the page)',
  url: (e) => `${e.server.originA}/drop-zone.html`,
  identifying: () => ({ files: [identifyingDicom(1)] }),
  nonMedical: () => ({ files: [pngFile(1)] }),
  deliver: async (_e, scope, set) => dropBuiltInPage(scope, scope.locator('#drop'), set.files),
});

uploadPathTests(env, {
  title: 'drop of a folder (a real drag from disk: directory entries)',
  url: (e) => `${e.server.originA}/drop-zone.html`,
  identifying: (e) => {
    const folder = writeFolder(e.workDir, 'dropped-study', [identifyingDicom(1, 'IM0001'), identifyingDicom(2, 'IM0002'), textFile(3, 'README.txt')]);
    return { ...folder, paths: [folder.dir] };
  },
  nonMedical: (e) => {
    const folder = writeFolder(e.workDir, 'dropped-photos', [pngFile(1), pngFile(2), textFile(3)]);
    return { ...folder, paths: [folder.dir] };
  },
  deliver: async (e, scope, set) => dropFromDisk(e.page, scope.locator('#drop'), set.paths ?? []),
});

uploadPathTests(env, {
  title: 'paste of files into a contenteditable',
  url: (e) => `${e.server.originA}/paste.html?listener=editor`,
  identifying: () => ({ files: [identifyingDicom(1)] }),
  nonMedical: () => ({ files: [pngFile(1)] }),
  deliver: async (_e, scope, set) => pasteBuiltInPage(scope, scope.locator('#editor'), set.files),
});

uploadPathTests(env, {
  title: 'paste of files caught by a document listener',
  url: (e) => `${e.server.originA}/paste.html?listener=document`,
  identifying: () => ({ files: [identifyingDicom(1)] }),
  nonMedical: () => ({ files: [textFile(1)] }),
  deliver: async (_e, scope, set) => pasteBuiltInPage(scope, scope.locator('#editor'), set.files),
});

uploadPathTests(env, {
  title: 'showOpenFilePicker (stubbed before the page loads)',
  url: (e) => `${e.server.originA}/picker.html`,
  identifying: () => ({ files: [identifyingDicom(1), identifyingDicom(2)] }),
  nonMedical: () => ({ files: [pngFile(1)] }),
  deliver: async (_e, scope, set) => {
    await offerToPicker(scope, set.files);
    await scope.locator('#pick').click();
  },
});

noExtensionRequestsTest(env);
