// Isolated-world entry, registered at document_start in every frame: catches every file handed to the page,
// holds it, has it checked in the framed dialog, and releases only what the person chose. Must stay
// synchronous up to the listener registration (built as an IIFE, no loader).

import { catchUploads } from './catch';
import { acceptHooks } from './page-bridge';
import { decide } from './decide';
import { showNotice } from './notice';
import type { HeldUpload } from './held';
import browser from 'webextension-polyfill';
import { reportGuardEvent, watchSettings } from './settings-client';
import { preloadDialogFrame } from './dialog-frame';

function failClosed(): void {
  showNotice({
    text: browser.i18n.getMessage('guard_noticeFailed') || 'Scan Privacy Guard could not check these files, so they were not given to the page.',
    dismissLabel: browser.i18n.getMessage('guard_dismiss') || 'Dismiss',
    warning: true,
  });
}

const hooks = acceptHooks(onHold);
// Until storage has been read, the safe defaults: protected, ask (the guard fails closed).
const settings = watchSettings();

function onHold(held: HeldUpload): void {
  decide(held, { hooks, settings, report: reportGuardEvent }).catch(() => {
    held.cancel();
    failClosed();
  });
}

catchUploads(onHold, failClosed, () => settings.current().protected);

// A pick is likely (a file input was clicked, files are dragged over the page): load the dialog meanwhile.
// In Chromium only: in Firefox a non-medical pick brings no dialog frame into the page at all (its
// end-to-end suite holds to that), so its dialog loads after the pick.
const preloads = browser.runtime.getURL('').startsWith('chrome-extension:');
function preload(): void {
  if (preloads && settings.current().protected) preloadDialogFrame(browser.i18n.getMessage('guard_dialogFrameTitle') || 'Scan Privacy Guard');
}
window.addEventListener('click', (e) => {
  if (e.composedPath().some((node) => node instanceof HTMLInputElement && node.type === 'file')) preload();
}, true);
window.addEventListener('dragenter', (e) => {
  if (e.dataTransfer?.types.includes('Files')) preload();
}, true);
