// PS3.15 Table E.1-1 read straight from the standard's machine-readable form in ../shared/data, so tests
// can say what each option should keep without going through the engine's generated table.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_DEIDENTIFY_OPTIONS, type DeidentifyOptions } from '../../src/core/deidentify';

const STANDARD_DATA = process.env.SPG_STANDARD_DATA ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/data');

export type OptionColumn =
  | 'rtnSafePrivOpt' | 'rtnUIDsOpt' | 'rtnDevIdOpt' | 'rtnInstIdOpt' | 'rtnPatCharsOpt'
  | 'rtnLongFullDatesOpt' | 'rtnLongModifDatesOpt' | 'cleanDescOpt' | 'cleanStructContOpt' | 'cleanGraphOpt';

interface TableRow {
  id: string;
  basicProfile: string;
  [column: string]: string;
}

let rows: TableRow[] | undefined;

/** The rows of the table; ids as the planted fixtures write them (upper case, private rows as GGGGEEEE). */
export function tableRows(): TableRow[] {
  rows ??= (JSON.parse(fs.readFileSync(path.join(STANDARD_DATA, 'ps315-table-e1-1-2024b.json'), 'utf8')) as TableRow[]).map((r) => ({
    ...r,
    id: /^gggg/i.test(r.id) ? 'GGGGEEEE' : r.id.toUpperCase(),
  }));
  return rows;
}

/** The rows an option column names, with its action (K or C). */
export function optionColumns(column: OptionColumn): Map<string, string> {
  return new Map(tableRows().filter((r) => r[column] !== undefined && r[column] !== '').map((r) => [r.id, r[column]!]));
}

/** Every option off: the Basic Profile alone. */
export const BASIC_ONLY: DeidentifyOptions = Object.fromEntries(Object.keys(DEFAULT_DEIDENTIFY_OPTIONS).map((k) => [k, false])) as unknown as DeidentifyOptions;
