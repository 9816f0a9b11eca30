// The identifying values of a file (the patient's names, IDs, birth date, address, staff names) as terms
// to remove from the text the de-identifier keeps (descriptions, report text, codes' meanings), and to
// look for in its output: a cleaned copy must not repeat any of them. The scan's search for repeated values
// (repeats.ts) picks the same words from the same findings.

import type { Finding } from '../report';

export interface IdentifyingTerm {
  /** Upper-case text. */
  text: string;
  /** Whether a match must stand as a word of its own (not for scripts written without spaces). */
  bounded: boolean;
  /** Whether the term is also looked for in the output's raw bytes (terms that cannot be a coincidence there). */
  distinctive: boolean;
}

/** Categories of the patient's own identifying values (high findings): their values are looked for elsewhere. */
export const SOURCE_CATEGORIES: ReadonlySet<string> = new Set(['name', 'identifier', 'birth-date', 'contact']);

/** Name parts too common to mean anything on their own. */
const STOP_WORDS = new Set([
  'MR', 'MRS', 'MS', 'DR', 'MD', 'JR', 'SR', 'PHD', 'THE', 'AND', 'VON', 'VAN', 'DER', 'DEL', 'LA', 'LE', 'DE',
  'MISS', 'PROF', 'SIR', 'ANON', 'ANONYMOUS', 'ANONYMIZED', 'PATIENT', 'TEST', 'UNKNOWN', 'NONE', 'NAME',
]);

/** Scripts written without spaces between words: a match there needs no word boundary. */
export const NO_SPACES_SCRIPT = /[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\u0e00-\u0e7f]/;
export const WORD_CHAR = /[\p{L}\p{N}]/u;

/**
 * The words of a finding's value worth looking for elsewhere (the scan's search for repeated values and
 * the de-identifier's terms share these): the parts of a patient's or staff member's name, the usual
 * spellings of a birth date, and IDs, accession numbers, addresses and phone numbers long enough not to be
 * a coincidence. `staff` says the words come from a member of staff's name rather than the patient's values.
 */
export function identifyingWordsOf(f: Finding): { words: string[]; staff: boolean } {
  const value = f.value?.trim();
  const patient = f.severity === 'high' && SOURCE_CATEGORIES.has(f.category);
  // Staff names (person-name values, with ^) count too: free text that names people is high.
  const staff = f.category === 'people-and-institution' && f.severity === 'medium' && value !== undefined && value.includes('^');
  if (!value || (!patient && !staff)) return { words: [], staff };
  if (f.category === 'name' || staff) {
    const words = value.split(/[\^=\s,.\\]+/).filter((part) => {
      const long = NO_SPACES_SCRIPT.test(part) ? part.length >= 2 : part.length >= 3;
      return long && !STOP_WORDS.has(part.toUpperCase()) && !/^\d+$/.test(part);
    });
    return { words, staff };
  }
  if (f.category === 'birth-date' && /^\d{8}$/.test(value)) {
    const [y, m, d] = [value.slice(0, 4), value.slice(4, 6), value.slice(6, 8)];
    return { words: [value, `${y}-${m}-${d}`, `${d}/${m}/${y}`, `${m}/${d}/${y}`, `${d}.${m}.${y}`, `${y}/${m}/${d}`], staff };
  }
  const words = value.split('\\').map((p) => p.trim()).filter((p) => p.length >= 4 && !/^0+$/.test(p) && (/\d/.test(p) || p.length >= 5));
  return { words, staff };
}

/** The identifying terms of a file, from the findings of its scan. */
export function identifyingTerms(findings: readonly Finding[]): IdentifyingTerm[] {
  const out = new Map<string, IdentifyingTerm>();
  for (const f of findings) {
    // A value that repeats another is found again through the value it repeats.
    if (f.repeats) continue;
    for (const t of identifyingWordsOf(f).words) {
      const text = t.toUpperCase();
      if (out.has(text)) continue;
      const letters = /\p{L}/u.test(text);
      out.set(text, {
        text,
        bounded: !NO_SPACES_SCRIPT.test(text),
        // A short number could appear by chance in a decimal or binary value; names and long IDs cannot.
        distinctive: letters ? text.length >= 4 : text.length >= 6,
      });
    }
  }
  // Longest first, so that a name is removed whole before any shorter term inside it.
  return [...out.values()].sort((a, b) => b.text.length - a.text.length);
}

function isWordChar(c: string | undefined): boolean {
  return c !== undefined && WORD_CHAR.test(c);
}

/**
 * The text with every identifying term removed (matched without regard to case, as whole words), runs of
 * spaces collapsed; undefined when nothing was found.
 */
export function scrubText(value: string, terms: readonly IdentifyingTerm[]): string | undefined {
  if (terms.length === 0) return undefined;
  let text = value;
  let changed = false;
  for (const term of terms) {
    let upper = text.toUpperCase();
    let from = 0;
    for (;;) {
      const at = upper.indexOf(term.text, from);
      if (at < 0) break;
      const end = at + term.text.length;
      // toUpperCase keeps the length for the scripts names are written in; if it did not, stop short.
      if (upper.length !== text.length) return '';
      if (term.bounded && (isWordChar(text[at - 1]) || isWordChar(text[end]))) {
        from = at + 1;
        continue;
      }
      text = text.slice(0, at) + text.slice(end);
      upper = text.toUpperCase();
      changed = true;
      from = at;
    }
  }
  if (!changed) return undefined;
  return text.replace(/ {2,}/g, ' ').replace(/^ +| +$/g, '');
}

function isAsciiAlnum(b: number | undefined): boolean {
  return b !== undefined && ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a));
}

const utf8 = new TextEncoder();
/** Each term's UTF-8 bytes, encoded once: the last check runs over every element of every file. */
const encodedTerms = new WeakMap<IdentifyingTerm, Uint8Array>();

function encodedTerm(term: IdentifyingTerm): Uint8Array {
  let bytes = encodedTerms.get(term);
  if (bytes === undefined) {
    bytes = utf8.encode(term.text);
    encodedTerms.set(term, bytes);
  }
  return bytes;
}

/**
 * Whether the bytes hold a distinctive term, in ASCII or UTF-8, without regard to the case of ASCII letters,
 * standing as a word of its own. Used on the cleaned header as a last check, independent of how it was built.
 */
export function bytesContainTerm(bytes: Uint8Array, terms: readonly IdentifyingTerm[]): boolean {
  for (const term of terms) {
    if (!term.distinctive) continue;
    const needle = encodedTerm(term);
    const first = needle[0]!;
    const firstLower = first >= 0x41 && first <= 0x5a ? first + 0x20 : first;
    outer: for (let i = 0; i + needle.length <= bytes.length; i++) {
      const b0 = bytes[i]!;
      if (b0 !== first && b0 !== firstLower) continue;
      for (let j = 1; j < needle.length; j++) {
        const n = needle[j]!;
        const b = bytes[i + j]!;
        if (b !== n && !(n >= 0x41 && n <= 0x5a && b === n + 0x20)) continue outer;
      }
      if (term.bounded && (isAsciiAlnum(bytes[i - 1]) || isAsciiAlnum(bytes[i + needle.length]))) continue;
      return true;
    }
  }
  return false;
}
