// Catches every file the person hands to the page through the DOM (file inputs, drops, pastes), stops the
// event before any page listener runs, takes the files synchronously and hands them to the guard.

import { ownEvents, relativePathOf, type HeldUpload } from './held';
import { pageDataTransfer, pageEvent } from './page-objects';

export type HoldHandler = (held: HeldUpload) => void;

/** The shadow root of a host, closed ones included (content scripts may see them; the page may not). */
function shadowRootOf(el: Element): ShadowRoot | null {
  const firefox = (el as Element & { openOrClosedShadowRoot?: ShadowRoot | null }).openOrClosedShadowRoot;
  if (firefox) return firefox;
  const dom = (globalThis as { chrome?: { dom?: { openOrClosedShadowRoot?: (e: Element) => ShadowRoot | null } } }).chrome?.dom;
  return dom?.openOrClosedShadowRoot?.(el) ?? el.shadowRoot;
}

function isFileInput(node: unknown): node is HTMLInputElement {
  return node instanceof HTMLInputElement && node.type === 'file';
}

/** File inputs holding files inside a host's shadow tree, nested shadow trees included. */
function fileInputsWithFilesIn(host: Element, out: HTMLInputElement[] = [], depth = 0): HTMLInputElement[] {
  const root = shadowRootOf(host);
  if (!root || depth > 16) return out;
  for (const el of root.querySelectorAll('*')) {
    if (isFileInput(el) && el.files && el.files.length > 0) out.push(el);
    else fileInputsWithFilesIn(el, out, depth + 1);
  }
  return out;
}

function stop(e: Event): void {
  e.stopImmediatePropagation();
  e.stopPropagation();
}

/** Inputs whose next `change` we swallow: we emptied them on `input`, the page must not see the change. */
const emptiedOnInput = new WeakSet<HTMLInputElement>();

function fileInputsOf(e: Event): HTMLInputElement[] {
  const first = e.composedPath()[0];
  if (isFileInput(first)) return [first];
  // An input inside a closed shadow root: the event reaches us retargeted to the host.
  if (first instanceof Element) return fileInputsWithFilesIn(first);
  return [];
}

function replayInput(input: HTMLInputElement, files: File[]): void {
  input.files = pageDataTransfer(files).files;
  const inputEvent = pageEvent<Event>('Event', 'input', { bubbles: true, composed: true });
  const changeEvent = pageEvent<Event>('Event', 'change', { bubbles: true });
  ownEvents.add(inputEvent);
  ownEvents.add(changeEvent);
  input.dispatchEvent(inputEvent);
  input.dispatchEvent(changeEvent);
}

function onInputOrChange(e: Event, hold: HoldHandler, passThrough = false): void {
  if (ownEvents.has(e)) return;
  for (const input of fileInputsOf(e)) {
    const files = input.files ? Array.from(input.files) : [];
    if (e.type === 'change' && emptiedOnInput.has(input)) {
      emptiedOnInput.delete(input);
      if (files.length === 0) {
        stop(e);
        continue;
      }
    }
    if (files.length === 0 || passThrough) continue;
    stop(e);
    if (e.type === 'input') {
      emptiedOnInput.add(input);
      // `change` does not leave a shadow root, so the window listener would not see it: stop it there.
      const root = input.getRootNode();
      if (root instanceof ShadowRoot) {
        root.addEventListener('change', (ce) => {
          if (!ownEvents.has(ce) && ce.composedPath()[0] === input && emptiedOnInput.delete(input)) stop(ce);
        }, { capture: true, once: true });
      }
    }
    const paths = files.map(relativePathOf);
    input.value = '';
    hold({
      path: input.webkitdirectory ? 'folder-input' : 'input',
      files,
      paths,
      caughtHere: true,
      release: (released) => replayInput(input, released),
      cancel: () => undefined,
    });
  }
}

interface DroppedItem {
  entry: FileSystemEntry | null;
  file: File | null;
}

function readEntries(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

function entryFile(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

/** Every file of a dropped folder, walked through `webkitGetAsEntry` (the `files` list has 0-byte stand-ins). */
async function walkEntry(entry: FileSystemEntry, files: File[], paths: string[]): Promise<void> {
  if (entry.isFile) {
    files.push(await entryFile(entry as FileSystemFileEntry));
    paths.push(entry.fullPath.replace(/^\//, ''));
    return;
  }
  if (!entry.isDirectory) return;
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  for (;;) {
    const batch = await readEntries(reader);
    if (batch.length === 0) break;
    for (const child of batch) await walkEntry(child, files, paths);
  }
}

async function collectDropped(items: readonly DroppedItem[], fallback: readonly File[]): Promise<{ files: File[]; paths: string[] }> {
  const files: File[] = [];
  const paths: string[] = [];
  if (items.length === 0) {
    for (const f of fallback) {
      files.push(f);
      paths.push(f.name);
    }
    return { files, paths };
  }
  for (const item of items) {
    if (item.entry?.isDirectory) {
      await walkEntry(item.entry, files, paths);
    } else if (item.file) {
      files.push(item.file);
      paths.push(item.file.name);
    }
  }
  return { files, paths };
}

function pointerInit(e: MouseEvent): MouseEventInit & Record<string, unknown> {
  return {
    clientX: e.clientX, clientY: e.clientY, screenX: e.screenX, screenY: e.screenY,
    altKey: e.altKey, ctrlKey: e.ctrlKey, metaKey: e.metaKey, shiftKey: e.shiftKey,
  };
}

function onDrop(e: DragEvent, hold: HoldHandler, failed: (error: unknown) => void): void {
  if (ownEvents.has(e)) return;
  const dt = e.dataTransfer;
  if (!dt || !Array.from(dt.types).includes('Files')) return;
  stop(e);
  e.preventDefault();
  // Everything is taken before the first await: the DataTransfer is emptied once the event returns.
  const items: DroppedItem[] = Array.from(dt.items)
    .filter((item) => item.kind === 'file')
    .map((item) => ({ entry: item.webkitGetAsEntry?.() ?? null, file: item.getAsFile() }));
  const fallback = Array.from(dt.files);
  const target = e.composedPath()[0] ?? e.target;
  const init = pointerInit(e);
  if (target instanceof EventTarget) {
    // The page saw dragenter: let its drop overlay close as it would after a drop.
    const leave = pageEvent<DragEvent>('DragEvent', 'dragleave', { bubbles: true, cancelable: true, composed: true, ...init });
    ownEvents.add(leave);
    target.dispatchEvent(leave);
  }
  collectDropped(items, fallback).then(({ files, paths }) => {
    if (files.length === 0) return;
    hold({
      path: 'drop',
      files,
      paths,
      caughtHere: true,
      release: (released) => {
        const out = pageDataTransfer(released);
        const drop = pageEvent<DragEvent>('DragEvent', 'drop', { bubbles: true, cancelable: true, composed: true, dataTransfer: out, ...init });
        ownEvents.add(drop);
        (target instanceof EventTarget ? target : document).dispatchEvent(drop);
      },
      cancel: () => undefined,
    });
  }, failed);
}

function onPaste(e: ClipboardEvent, hold: HoldHandler): void {
  if (ownEvents.has(e)) return;
  const cd = e.clipboardData;
  if (!cd || cd.files.length === 0) return;
  stop(e);
  e.preventDefault();
  const files = Array.from(cd.files);
  const text = cd.getData('text/plain');
  const html = cd.getData('text/html');
  const target = e.composedPath()[0] ?? e.target;
  hold({
    path: 'paste',
    files,
    paths: files.map((f) => f.name),
    caughtHere: true,
    release: (released) => {
      const out = pageDataTransfer(released, { plain: text, html });
      const paste = pageEvent<ClipboardEvent>('ClipboardEvent', 'paste', { bubbles: true, cancelable: true, composed: true, clipboardData: out });
      ownEvents.add(paste);
      (target instanceof EventTarget ? target : document).dispatchEvent(paste);
    },
    cancel: () => undefined,
  });
}

/**
 * Registers the capture listeners on `window`. Called synchronously at document_start, before any page
 * script, so ours run first for every event that reaches the window.
 */
export function catchUploads(hold: HoldHandler, failed: (error: unknown) => void, protectedHere: () => boolean): void {
  const opts = { capture: true } as const;
  // Protection off for this site: the events go on untouched (the swallowed `change` after an `input` we
  // already held is still swallowed, so switching off mid-upload releases nothing by accident).
  window.addEventListener('input', (e) => protectedHere() && onInputOrChange(e, hold), opts);
  window.addEventListener('change', (e) => onInputOrChange(e, hold, !protectedHere()), opts);
  window.addEventListener('drop', (e) => protectedHere() && onDrop(e, hold, failed), opts);
  window.addEventListener('paste', (e) => protectedHere() && onPaste(e, hold), opts);
}
