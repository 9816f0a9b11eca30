// How the tests hand files to a fixture page, one function per upload path: a file chooser, a drop (built
// in the page, or a trusted drag from disk through the DevTools protocol), a paste, a stubbed
// showOpenFilePicker. Files built in the page are built in its main world from the fixture bytes.

import type { ElementHandle, Frame, JSHandle, Locator, Page } from 'playwright-core';
import type { FixtureFile } from './fixture-files';

export type Scope = Page | Frame;

interface FilePayload {
  name: string;
  mimeType: string;
  base64: string;
}

function payloads(files: readonly FixtureFile[]): FilePayload[] {
  return files.map((f) => ({ name: f.name, mimeType: f.mimeType, base64: f.buffer.toString('base64') }));
}

/** For locator.setInputFiles / fileChooser.setFiles. */
export function inputPayloads(files: readonly FixtureFile[]): Array<{ name: string; mimeType: string; buffer: Buffer }> {
  return files.map((f) => ({ name: f.name, mimeType: f.mimeType, buffer: f.buffer }));
}

/**
 * Chooses a folder in a webkitdirectory input, without waiting for it. Playwright's setInputFiles with a
 * directory waits for the input's `input` event, which a guard that holds the folder rightly stops, so the
 * call would hang until its timeout: it is started here and left to settle (or fail when the page goes).
 */
export function startFolderSelection(input: Locator, dir: string): void {
  input.setInputFiles(dir, { timeout: 60_000 }).catch(() => undefined);
}

/** A DataTransfer made in the page's main world, holding the files. */
export async function dataTransferInPage(scope: Scope, files: readonly FixtureFile[]): Promise<JSHandle<DataTransfer>> {
  return scope.evaluateHandle((list: FilePayload[]) => {
    const dataTransfer = new DataTransfer();
    for (const p of list) {
      const bytes = Uint8Array.from(atob(p.base64), (c) => c.charCodeAt(0));
      dataTransfer.items.add(new File([bytes], p.name, { type: p.mimeType, lastModified: Date.now() }));
    }
    return dataTransfer;
  }, payloads(files));
}

/** Drop with a DataTransfer built in the page: dragenter, dragover, drop dispatched on the target. */
export async function dropBuiltInPage(scope: Scope, target: Locator, files: readonly FixtureFile[]): Promise<void> {
  const dataTransfer = await dataTransferInPage(scope, files);
  for (const type of ['dragenter', 'dragover', 'drop']) {
    await target.dispatchEvent(type, { dataTransfer, bubbles: true, cancelable: true, composed: true });
  }
  await dataTransfer.dispose();
}

/**
 * A real, trusted drag and drop of files or folders from disk (Input.dispatchDragEvent): the page gets
 * isTrusted events and, for folders, directory entries from webkitGetAsEntry, as with a person's drop.
 */
export async function dropFromDisk(page: Page, target: Locator, paths: readonly string[]): Promise<void> {
  const box = await target.boundingBox();
  if (!box) throw new Error('drop target has no box on screen');
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  const session = await page.context().newCDPSession(page);
  try {
    const data = { items: [], files: [...paths], dragOperationsMask: 1 };
    for (const type of ['dragEnter', 'dragOver', 'drop'] as const) {
      await session.send('Input.dispatchDragEvent', { type, x, y, data });
    }
  } finally {
    await session.detach();
  }
}

/** Paste of files: a ClipboardEvent whose clipboardData holds them, dispatched on the target (focused first). */
export async function pasteBuiltInPage(scope: Scope, target: Locator, files: readonly FixtureFile[]): Promise<void> {
  const dataTransfer = await dataTransferInPage(scope, files);
  const element = (await target.elementHandle()) as ElementHandle<HTMLElement>;
  await element.evaluate((el, clipboardData) => {
    el.focus();
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData, bubbles: true, cancelable: true, composed: true }));
  }, dataTransfer);
  await dataTransfer.dispose();
  await element.dispose();
}

/**
 * Init script for the showOpenFilePicker fixture page (other pages are left alone). It runs before the
 * extension's document_start scripts, as a browser's own picker would exist before them: the stub resolves
 * with handles (FileSystemFileHandle instances in all but internals) for the files the test put in
 * window.__spgPickerFiles. A string, so no transpiler helper ends up in page code.
 */
export const PICKER_STUB = `
if (location.pathname.endsWith('/picker.html')) {
  window.showOpenFilePicker = async function showOpenFilePicker() {
    const files = window.__spgPickerFiles || [];
    return files.map(function (file) {
      const handle = Object.create(FileSystemFileHandle.prototype);
      Object.defineProperties(handle, {
        kind: { value: 'file' },
        name: { value: file.name },
        getFile: { value: async function () { return file; } },
        isSameEntry: { value: async function (other) { return other === handle; } },
      });
      return handle;
    });
  };
}
`;

/** Puts the files where the stubbed picker will return them from. */
export async function offerToPicker(scope: Scope, files: readonly FixtureFile[]): Promise<void> {
  await scope.evaluate((list: FilePayload[]) => {
    (window as unknown as { __spgPickerFiles: File[] }).__spgPickerFiles = list.map(
      (p) => new File([Uint8Array.from(atob(p.base64), (c) => c.charCodeAt(0))], p.name, { type: p.mimeType, lastModified: Date.now() }),
    );
  }, payloads(files));
}
