// End-to-end in Firefox: a real paste of a file. A ClipboardEvent a script builds carries no files in Gecko
// (its constructor ignores clipboardData), and Firefox's headless clipboard keeps only text, so this file
// runs firefox-esr with a display (a private Xvfb it starts) and puts the file on the system clipboard as a
// file manager's Copy does (application/x-moz-file, by privileged code in the browser's window, which
// --remote-allow-system-access allows). The person then clicks into the page's editor and presses Ctrl+V:
// the paste event is Firefox's own, trusted, with the file in clipboardData. Each case gets the four tests
// of every upload path (held; Cancel; the original; a de-identified copy; a non-medical file with no dialog).
// Without Xvfb the file fails, saying why.

import fs from 'node:fs';
import { identifyingDicom, pngFile, textFile } from './harness/fixture-files';
import { putFileOnClipboard, XVFB } from './harness/firefox-browser';
import { firefoxUploadPathTests, setUpFirefoxSuite, type FirefoxSuiteEnv, type FirefoxUploadCase } from './harness/firefox-upload-suite';

/** Copies the one file to the clipboard, clicks into the editor (a caret in it) and presses Ctrl+V. */
async function pasteFromClipboard(env: FirefoxSuiteEnv, paths: string[]): Promise<void> {
  if (paths.length !== 1) throw new Error('a file manager copy of one file is what this paste hands over');
  await putFileOnClipboard(env.firefox.browser, paths[0]!);
  await env.page.click('#editor');
  await env.page.keyboard.down('Control');
  await env.page.keyboard.press('v');
  await env.page.keyboard.up('Control');
}

function pasteCase(title: string, listener: 'editor' | 'document', nonMedical: () => ReturnType<typeof pngFile>): FirefoxUploadCase {
  return {
    title,
    page: `paste.html?listener=${listener}`,
    identifying: () => [identifyingDicom(1)],
    nonMedical: () => [nonMedical()],
    deliver: (e, _files, paths) => pasteFromClipboard(e, paths),
  };
}

// .ci/run and the README's set-up install xvfb: without it this file fails, saying so, rather than skip.
if (!fs.existsSync(XVFB)) {
  throw new Error(`paste of files in Firefox needs Xvfb at ${XVFB} (apt-get install xvfb): Firefox's headless clipboard keeps only text, and a scripted ClipboardEvent carries no files in Gecko`);
}
const env = setUpFirefoxSuite({ withDisplay: true });
firefoxUploadPathTests(env, pasteCase('paste of a file (Ctrl+V) into a contenteditable', 'editor', () => pngFile(1)));
firefoxUploadPathTests(env, pasteCase('paste of a file (Ctrl+V) caught by a document listener', 'document', () => textFile(1)));
