// What the guard holds for one upload attempt: the files, where they came from, and how to give them back.

import type { UploadPath } from '../ui/dialog/protocol';

export interface HeldUpload {
  path: UploadPath;
  files: File[];
  /** Relative path of each file in a picked or dropped folder, or its name. */
  paths: string[];
  /** True when the guard caught the files itself (the MAIN-world hooks learn their fingerprints). */
  caughtHere: boolean;
  /** Puts the files back where they came from and replays the event, so the site carries on. */
  release(files: File[], kind: 'original' | 'cleaned'): void;
  /** Gives nothing back: the person cancelled, or the check failed. */
  cancel(): void;
}

/** Our own replayed events, so the guard lets them through (never a DOM attribute the page could copy). */
export const ownEvents = new WeakSet<Event>();

export function relativePathOf(file: File): string {
  return file.webkitRelativePath || file.name;
}
