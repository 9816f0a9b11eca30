// Turns the CLI's PATH arguments into scan inputs: files as given, folders walked recursively in name order
// (`walkFolder`, which deidentify uses too).

import fs from 'node:fs';
import path from 'node:path';
import type { DeferredScanInput } from '../core/scan';
import { openFileSource } from './file-source';

export class MissingPathError extends Error {
  override readonly name = 'MissingPathError';
}

function describe(e: unknown): string {
  const code = (e as { code?: string }).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOENT') return 'it no longer exists';
  if (code === 'EISDIR') return 'it is a folder';
  return e instanceof Error ? e.message : String(e);
}

/** A scan input of the CLI: opened when the scan gets to it; `absolute` where it is on disk. */
export type CliInput = DeferredScanInput & { absolute?: string };

/** A file to scan, opened (with its first bytes read ahead) only when the scan gets to it. */
function deferredFile(display: string, absolute: string): CliInput {
  return {
    path: display,
    absolute,
    async open() {
      try {
        const source = await openFileSource(absolute);
        return { source, close: () => source.close() };
      } catch (e) {
        return { error: `it could not be opened: ${describe(e)}` };
      }
    },
  };
}

/** An input known to be unreadable before it is opened (a folder that cannot be listed, a broken link). */
function failedInput(display: string, error: string): DeferredScanInput {
  return { path: display, open: () => Promise.resolve({ error }) };
}

/** One entry of a folder walk: a file, or a folder or link that could not be read (`error` says why). */
export type FolderEntry =
  | { kind: 'file'; absolute: string; relative: string }
  | { kind: 'unreadable-folder' | 'unreadable-link'; absolute: string; relative: string; error: unknown };

/**
 * Visits every file under the folder `absolute`, subfolders included, in name order; `relative` is joined with
 * each entry's name. Links to files are followed; links to folders are not, so a loop cannot trap the walk.
 */
export async function walkFolder(absolute: string, relative: string, visit: (entry: FolderEntry) => void | Promise<void>): Promise<void> {
  let entries: fs.Dirent[];
  try {
    entries = await fs.promises.readdir(absolute, { withFileTypes: true });
  } catch (error) {
    await visit({ kind: 'unreadable-folder', absolute, relative, error });
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const child = { absolute: path.join(absolute, entry.name), relative: path.join(relative, entry.name) };
    if (entry.isDirectory()) {
      await walkFolder(child.absolute, child.relative, visit);
    } else if (entry.isFile()) {
      await visit({ kind: 'file', ...child });
    } else if (entry.isSymbolicLink()) {
      let stat: fs.Stats;
      try {
        stat = await fs.promises.stat(child.absolute);
      } catch (error) {
        await visit({ kind: 'unreadable-link', ...child, error });
        continue;
      }
      if (stat.isFile()) await visit({ kind: 'file', ...child });
    }
  }
}

async function walk(display: string, absolute: string, out: CliInput[]): Promise<void> {
  await walkFolder(absolute, display, (entry) => {
    if (entry.kind === 'file') out.push(deferredFile(entry.relative, entry.absolute));
    else if (entry.kind === 'unreadable-folder') out.push(failedInput(entry.relative, `the folder could not be read: ${describe(entry.error)}`));
    else out.push(failedInput(entry.relative, `it could not be opened: ${describe(entry.error)}`));
  });
}

/** Expands PATH arguments into the files to scan (none of them opened yet). Throws MissingPathError for a path that does not exist. */
export async function collectInputs(paths: readonly string[]): Promise<CliInput[]> {
  const out: CliInput[] = [];
  for (const p of paths) {
    const absolute = path.resolve(p);
    const stat = await fs.promises.stat(absolute).catch((e: unknown) => {
      if ((e as { code?: string }).code === 'ENOENT') throw new MissingPathError(`no such file or folder: ${p}`);
      return undefined;
    });
    if (stat?.isDirectory()) await walk(p, absolute, out);
    else out.push(deferredFile(p, absolute));
  }
  return out;
}
