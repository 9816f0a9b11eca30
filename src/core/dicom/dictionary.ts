// Look-ups in the generated PS3.6 dictionary: the VR and keyword of a tag, including repeating groups.

import { DICTIONARY, DICTIONARY_MASKED } from '../../data/dictionary';

export interface DictionaryEntry {
  readonly vr: string;
  readonly keyword: string;
}

const cache = new Map<string, DictionaryEntry | undefined>();

/** The dictionary entry of a tag given as 8 hex digits (any case), or undefined for private and unknown tags. */
export function lookupTag(tag: string): DictionaryEntry | undefined {
  const key = tag.toUpperCase();
  if (cache.has(key)) return cache.get(key);
  let entry: DictionaryEntry | undefined;
  const exact = DICTIONARY[key];
  if (exact !== undefined) {
    const space = exact.indexOf(' ');
    entry = space < 0 ? { vr: exact, keyword: '' } : { vr: exact.slice(0, space), keyword: exact.slice(space + 1) };
  } else {
    const n = parseInt(key, 16);
    for (const [mask, value, vr, keyword] of DICTIONARY_MASKED) {
      if (((n & mask) >>> 0) === value) {
        entry = { vr, keyword };
        break;
      }
    }
  }
  cache.set(key, entry);
  return entry;
}

/** The dictionary VR for dicom-parser's implicit-VR callback, which names tags as `xggggeeee`. */
export function implicitVr(parserTag: string): string | undefined {
  const entry = lookupTag(parserTag.slice(1));
  // Private and unknown tags have no dictionary VR, and a sequence is left to dicom-parser's peek for an
  // item tag: writers sometimes encode a dictionary sequence as a plain value (and dcmdump then fails).
  return entry?.vr === 'SQ' ? undefined : entry?.vr;
}
