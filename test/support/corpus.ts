// Access to the public DICOM corpus in ../shared/corpus (read in place, never copied into the repo).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CORPUS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/corpus');

export interface ManifestRow {
  path: string;
  category: string;
  [column: string]: string;
}

/** MANIFEST.tsv as objects keyed by column name. */
export function manifest(): ManifestRow[] {
  const [header, ...lines] = fs.readFileSync(path.join(CORPUS, 'MANIFEST.tsv'), 'utf8').trimEnd().split('\n');
  const columns = header!.split('\t');
  return lines.map((line) => {
    const cells = line.split('\t');
    return Object.fromEntries(columns.map((c, i) => [c, cells[i] ?? ''])) as ManifestRow;
  });
}

export function corpusBytes(relative: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(path.join(CORPUS, relative)));
}
