// Upload paths that never reach window: file inputs that are not in the document (opened with .click(),
// .showPicker() or a dispatched click), the File System Access pickers, DataTransferItem handles and
// navigator.clipboard.read(). Each one's files are held by the guard before the page can read them.

import type { Release } from './bridge';
import { holdWhileAsking, unmarkHeld } from './taint';

const inputProto = HTMLInputElement.prototype;
const filesDescriptor = Object.getOwnPropertyDescriptor(inputProto, 'files');
const valueDescriptor = Object.getOwnPropertyDescriptor(inputProto, 'value');
const nativeClick = inputProto.click;
const nativeShowPicker = (inputProto as { showPicker?: () => void }).showPicker;
const nativeDispatch = EventTarget.prototype.dispatchEvent;
const nativeAddListener = EventTarget.prototype.addEventListener;

const ownEvents = new WeakSet<Event>();
const armed = new WeakSet<HTMLInputElement>();
/** Detached inputs whose files the page must not see yet (from the moment their picker opened). */
const hidden = new WeakSet<HTMLInputElement>();
const holding = new WeakSet<HTMLInputElement>();

function emptyFileList(): FileList {
  return new DataTransfer().files;
}

function fileListOf(files: readonly File[]): FileList {
  const dt = new DataTransfer();
  for (const f of files) dt.items.add(f);
  return dt.files;
}

function realFiles(input: HTMLInputElement): File[] {
  const list = filesDescriptor?.get?.call(input) as FileList | null | undefined;
  return list ? Array.from(list) : [];
}

function aborted(): DOMException {
  return new DOMException('The user aborted a request.', 'AbortError');
}

function replay(input: HTMLInputElement): void {
  const inputEvent = new Event('input', { bubbles: true, composed: true });
  const changeEvent = new Event('change', { bubbles: true });
  ownEvents.add(inputEvent);
  ownEvents.add(changeEvent);
  nativeDispatch.call(input, inputEvent);
  nativeDispatch.call(input, changeEvent);
}

function onDetachedEvent(this: HTMLInputElement, e: Event): void {
  const input = this;
  if (ownEvents.has(e) || input.isConnected) return;
  if (holding.has(input)) {
    e.stopImmediatePropagation();
    return;
  }
  const files = realFiles(input);
  if (files.length === 0) {
    hidden.delete(input);
    return;
  }
  e.stopImmediatePropagation();
  holding.add(input);
  const paths = files.map((f) => f.webkitRelativePath || f.name);
  void holdWhileAsking('detached-input', files, paths).then((r: Release) => {
    holding.delete(input);
    if (r.release === 'none') {
      valueDescriptor?.set?.call(input, '');
      hidden.delete(input);
      return;
    }
    if (r.release === 'cleaned') filesDescriptor?.set?.call(input, fileListOf(r.files));
    else unmarkHeld(files);
    hidden.delete(input);
    replay(input);
  });
}

function arm(input: unknown): void {
  if (!(input instanceof HTMLInputElement) || input.type !== 'file' || input.isConnected) return;
  hidden.add(input);
  if (armed.has(input)) return;
  armed.add(input);
  nativeAddListener.call(input, 'input', onDetachedEvent as EventListener, true);
  nativeAddListener.call(input, 'change', onDetachedEvent as EventListener, true);
  nativeAddListener.call(input, 'cancel', () => hidden.delete(input), true);
}

export function hookDetachedInputs(): void {
  if (filesDescriptor?.get && filesDescriptor.set) {
    Object.defineProperty(inputProto, 'files', {
      configurable: true,
      enumerable: filesDescriptor.enumerable ?? true,
      get(this: HTMLInputElement) {
        return hidden.has(this) ? emptyFileList() : filesDescriptor.get!.call(this);
      },
      set(this: HTMLInputElement, v: FileList) {
        filesDescriptor.set!.call(this, v);
      },
    });
  }
  inputProto.click = function click(this: HTMLInputElement) {
    arm(this);
    return nativeClick.call(this);
  };
  if (nativeShowPicker) {
    (inputProto as { showPicker?: () => void }).showPicker = function showPicker(this: HTMLInputElement) {
      arm(this);
      return nativeShowPicker.call(this);
    };
  }
  EventTarget.prototype.dispatchEvent = function dispatchEvent(this: EventTarget, event: Event) {
    if (event?.type === 'click') arm(this);
    return nativeDispatch.call(this, event);
  };
}

interface FileHandleLike {
  kind: 'file';
  name: string;
  getFile(): Promise<File>;
}

interface DirectoryHandleLike {
  kind: 'directory';
  name: string;
  values(): AsyncIterable<FileHandleLike | DirectoryHandleLike>;
}

type HandleLike = FileHandleLike | DirectoryHandleLike;

function cleanFileHandle(original: object, file: File): FileHandleLike {
  const handle = Object.create(original) as FileHandleLike;
  Object.defineProperty(handle, 'getFile', { value: async () => file });
  return handle;
}

/** A read-only directory handle over cleaned files, for a cleaned directory pick. */
function cleanDirectoryHandle(name: string, files: readonly File[], paths: readonly string[]): DirectoryHandleLike {
  const children = new Map<string, HandleLike>();
  const subdirs = new Map<string, { files: File[]; paths: string[] }>();
  files.forEach((file, i) => {
    const parts = (paths[i] ?? file.name).split('/');
    if (parts.length <= 1) {
      children.set(file.name, { kind: 'file', name: file.name, getFile: async () => file });
      return;
    }
    const sub = subdirs.get(parts[0]!) ?? { files: [], paths: [] };
    sub.files.push(file);
    sub.paths.push(parts.slice(1).join('/'));
    subdirs.set(parts[0]!, sub);
  });
  for (const [sub, content] of subdirs) children.set(sub, cleanDirectoryHandle(sub, content.files, content.paths));
  const notFound = (n: string): DOMException => new DOMException(`${n} was not found.`, 'NotFoundError');
  const dir = {
    kind: 'directory' as const,
    name,
    async *values() { yield* children.values(); },
    async *keys() { yield* children.keys(); },
    async *entries() { yield* children.entries(); },
    [Symbol.asyncIterator]() { return this.entries(); },
    async getFileHandle(n: string) {
      const c = children.get(n);
      if (c?.kind === 'file') return c;
      throw notFound(n);
    },
    async getDirectoryHandle(n: string) {
      const c = children.get(n);
      if (c?.kind === 'directory') return c;
      throw notFound(n);
    },
  };
  return dir;
}

async function walkDirectory(dir: DirectoryHandleLike, prefix: string, files: File[], paths: string[]): Promise<void> {
  for await (const child of dir.values()) {
    if (child.kind === 'file') {
      files.push(await child.getFile());
      paths.push(`${prefix}${child.name}`);
    } else {
      await walkDirectory(child, `${prefix}${child.name}/`, files, paths);
    }
  }
}

/** Replaces `window[name]` with a wrapper, also wrapping whatever is assigned later (polyfills, stubs). */
function wrapWindowFunction<F extends (...args: never[]) => unknown>(name: string, wrap: (current: () => F) => F): void {
  const w = window as unknown as Record<string, unknown>;
  if (typeof w[name] !== 'function') return;
  let current = w[name] as F;
  const wrapped = wrap(() => current);
  Object.defineProperty(window, name, {
    configurable: true,
    enumerable: true,
    get: () => wrapped,
    set: (v: F) => {
      if (typeof v === 'function' && v !== wrapped) current = v;
    },
  });
}

type OpenPicker = (options?: unknown) => Promise<FileHandleLike[]>;
type DirectoryPicker = (options?: unknown) => Promise<DirectoryHandleLike>;

export function hookFilePickers(): void {
  wrapWindowFunction<OpenPicker>('showOpenFilePicker', (current) => async function showOpenFilePicker(this: unknown, options?: unknown) {
    const handles = await current().call(window, options);
    const files = await Promise.all(handles.map((h) => h.getFile()));
    const r = await holdWhileAsking('picker', files);
    if (r.release === 'none') throw aborted();
    unmarkHeld(files);
    if (r.release === 'original') return handles;
    return handles.map((h, i) => cleanFileHandle(h, r.files[i]!));
  } as OpenPicker);

  wrapWindowFunction<DirectoryPicker>('showDirectoryPicker', (current) => async function showDirectoryPicker(this: unknown, options?: unknown) {
    const handle = await current().call(window, options);
    const files: File[] = [];
    const paths: string[] = [];
    await walkDirectory(handle, '', files, paths);
    const r = await holdWhileAsking('directory-picker', files, paths);
    if (r.release === 'none') throw aborted();
    unmarkHeld(files);
    if (r.release === 'original') return handle;
    return cleanDirectoryHandle(handle.name, r.files, paths);
  } as DirectoryPicker);

  const itemProto = (globalThis as { DataTransferItem?: { prototype: { getAsFileSystemHandle?: () => Promise<HandleLike | null> } } }).DataTransferItem?.prototype;
  const nativeGetHandle = itemProto?.getAsFileSystemHandle;
  if (itemProto && nativeGetHandle) {
    itemProto.getAsFileSystemHandle = async function getAsFileSystemHandle(this: DataTransferItem) {
      const handle = await nativeGetHandle.call(this);
      if (!handle) return handle;
      const files: File[] = [];
      const paths: string[] = [];
      if (handle.kind === 'file') {
        files.push(await handle.getFile());
        paths.push(handle.name);
      } else {
        await walkDirectory(handle, `${handle.name}/`, files, paths);
      }
      const r = await holdWhileAsking('fs-handle', files, paths);
      if (r.release === 'none') return null;
      unmarkHeld(files);
      if (r.release === 'original') return handle;
      return handle.kind === 'file' ? cleanFileHandle(handle, r.files[0]!) : cleanDirectoryHandle(handle.name, r.files, paths.map((p) => p.split('/').slice(1).join('/')));
    };
  }

  const clipboardProto = (globalThis as { Clipboard?: { prototype: { read?: () => Promise<ClipboardItem[]> } } }).Clipboard?.prototype;
  const nativeRead = clipboardProto?.read;
  if (clipboardProto && nativeRead) {
    clipboardProto.read = async function read(this: Clipboard) {
      const items = await nativeRead.call(this);
      const files: File[] = [];
      const where: Array<{ item: number; type: string }> = [];
      for (const [i, item] of items.entries()) {
        for (const type of item.types) {
          const blob = await item.getType(type);
          files.push(new File([blob], `clipboard-${i + 1}`, { type }));
          where.push({ item: i, type });
        }
      }
      if (files.length === 0) return items;
      const r = await holdWhileAsking('clipboard', files);
      if (r.release === 'none') throw new DOMException('Scan Privacy Guard kept the clipboard content from this page.', 'NotAllowedError');
      unmarkHeld(files);
      if (r.release === 'original') return items;
      return items.map((item, i) => {
        const parts: Record<string, Blob> = {};
        where.forEach((w, k) => {
          if (w.item === i) parts[w.type] = r.files[k]!;
        });
        return new ClipboardItem(parts);
      });
    };
  }
}
