// Turns the CLI's PATH arguments into scan inputs: files as given, folders walked recursively in name order.

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

async function walk(display: string, absolute: string, out: CliInput[]): Promise<void> {
  let entries: fs.Dirent[];
  try {
    entries = await fs.promises.readdir(absolute, { withFileTypes: true });
  } catch (e) {
    out.push({ path: display, error: `the folder could not be read: ${describe(e)}` });
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const childDisplay = path.join(display, entry.name);
    const childAbsolute = path.join(absolute, entry.name);
    if (entry.isDirectory()) {
      await walk(childDisplay, childAbsolute, out);
    } else if (entry.isFile()) {
      out.push(await openFile(childDisplay, childAbsolute));
    } else if (entry.isSymbolicLink()) {
      // Links to files are followed; links to folders are not, so a loop cannot trap the walk.
      try {
        const stat = await fs.promises.stat(childAbsolute);
        if (stat.isFile()) out.push(await openFile(childDisplay, childAbsolute));
      } catch (e) {
        out.push({ path: childDisplay, error: `it could not be opened: ${describe(e)}` });
      }
    }
  }
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
