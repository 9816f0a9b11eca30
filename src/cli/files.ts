// Turns the CLI's PATH arguments into scan inputs: files as given, folders walked recursively in name order
// (`walkFolder`, which deidentify uses too).

import fs from 'node:fs';
import path from 'node:path';
import type { ByteSource } from '../core/source';
import { blobSource } from '../core/source';

export interface CliInput {
  path: string;
  /** Absent when the file could not be opened; `error` says why. */
  source?: ByteSource;
  error?: string;
}

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

async function openFile(display: string, absolute: string): Promise<CliInput> {
  try {
    // A Blob backed by the file: Blob.slice reads only the ranges the engine asks for.
    await fs.promises.access(absolute, fs.constants.R_OK);
    const blob = await fs.openAsBlob(absolute);
    return { path: display, source: blobSource(blob) };
  } catch (e) {
    return { path: display, error: `it could not be opened: ${describe(e)}` };
  }
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
  await walkFolder(absolute, display, async (entry) => {
    if (entry.kind === 'file') out.push(await openFile(entry.relative, entry.absolute));
    else if (entry.kind === 'unreadable-folder') out.push({ path: entry.relative, error: `the folder could not be read: ${describe(entry.error)}` });
    else out.push({ path: entry.relative, error: `it could not be opened: ${describe(entry.error)}` });
  });
}

/** Expands PATH arguments. Throws MissingPathError for a path that does not exist. */
export async function collectInputs(paths: readonly string[]): Promise<CliInput[]> {
  const out: CliInput[] = [];
  for (const p of paths) {
    const absolute = path.resolve(p);
    const stat = await fs.promises.stat(absolute).catch((e: unknown) => {
      if ((e as { code?: string }).code === 'ENOENT') throw new MissingPathError(`no such file or folder: ${p}`);
      return undefined;
    });
    if (stat?.isDirectory()) await walk(p, absolute, out);
    else out.push(await openFile(p, absolute));
  }
  return out;
}
