// Finds identifying values (names, IDs, accession numbers, birth dates) repeated in other text of the
// same file: descriptions, comments, report text, private values, directory records.

import type { Finding } from '../report';
import type { TextValue } from './inspect';

interface Needle {
  /** Upper-case text to look for. */
  text: string;
  /** From the name of a member of staff rather than the patient's own values. */
  staff: boolean;
  /** Whether word boundaries are checked around a match (not for scripts written without spaces). */
  bounded: boolean;
  source: Finding;
}

const SOURCE_CATEGORIES = new Set(['name', 'identifier', 'birth-date', 'contact']);

/** Name parts too common to mean anything on their own. */
const STOP_WORDS = new Set([
  'MR', 'MRS', 'MS', 'DR', 'MD', 'JR', 'SR', 'PHD', 'THE', 'AND', 'VON', 'VAN', 'DER', 'DEL', 'LA', 'LE', 'DE',
  'MISS', 'PROF', 'SIR', 'ANON', 'ANONYMOUS', 'ANONYMIZED', 'PATIENT', 'TEST', 'UNKNOWN', 'NONE', 'NAME',
]);

/**
 * Text VRs a person writes in, where a repeated name or ID is a leak, not a coincidence: only their values
 * are searched (codes, numbers, dates and UIDs are not).
 */
export const REPEAT_TARGET_VRS: readonly string[] = ['AE', 'LO', 'LT', 'PN', 'SH', 'ST', 'UC', 'UR', 'UT'];

const NO_SPACES_SCRIPT = /[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\u0e00-\u0e7f]/;
const WORD_CHAR = /[\p{L}\p{N}]/u;

function needlesFrom(f: Finding): Needle[] {
  const patient = f.severity === 'high' && SOURCE_CATEGORIES.has(f.category);
  const people = f.category === 'people-and-institution' && f.severity === 'medium';
  if (!patient && !people) return [];
  const value = f.value?.trim();
  if (!value) return [];
  // Staff names (person-name values, with ^) are looked for too: free text that names people is high.
  const staff = people && value.includes('^');
  if (!patient && !staff) return [];
  const out: Needle[] = [];
  const add = (text: string): void => {
    const upper = text.toUpperCase();
    const bounded = !NO_SPACES_SCRIPT.test(upper);
    if (!out.some((n) => n.text === upper)) out.push({ text: upper, bounded, staff, source: f });
  };
  if (f.category === 'name' || staff) {
    for (const part of value.split(/[\^=\s,.\\]+/)) {
      const upper = part.toUpperCase();
      const long = NO_SPACES_SCRIPT.test(part) ? part.length >= 2 : part.length >= 3;
      if (long && !STOP_WORDS.has(upper) && !/^\d+$/.test(part)) add(part);
    }
  } else if (f.category === 'birth-date' && /^\d{8}$/.test(value)) {
    const [y, m, d] = [value.slice(0, 4), value.slice(4, 6), value.slice(6, 8)];
    for (const form of [value, `${y}-${m}-${d}`, `${d}/${m}/${y}`, `${m}/${d}/${y}`, `${d}.${m}.${y}`, `${y}/${m}/${d}`]) add(form);
  } else {
    for (const part of value.split('\\')) {
      const p = part.trim();
      if (p.length >= 4 && !/^0+$/.test(p) && (/\d/.test(p) || p.length >= 5)) add(p);
    }
  }
  return out;
}

function contains(haystack: string, needle: Needle): boolean {
  let from = 0;
  for (;;) {
    const at = haystack.indexOf(needle.text, from);
    if (at < 0) return false;
    if (!needle.bounded) return true;
    const before = at > 0 ? haystack[at - 1]! : ' ';
    const after = at + needle.text.length < haystack.length ? haystack[at + needle.text.length]! : ' ';
    if (!WORD_CHAR.test(before) && !WORD_CHAR.test(after)) return true;
    from = at + 1;
  }
}

/**
 * Marks every text value that repeats an identifying value found elsewhere in the file: an existing
 * finding becomes high with `repeats`; a value that was not a finding becomes one.
 */
export function findRepeats(findings: Finding[], texts: readonly TextValue[]): void {
  const needles = findings.flatMap(needlesFrom);
  if (needles.length === 0) return;
  for (const t of texts) {
    const existing = t.finding !== undefined ? findings[t.finding] : undefined;
    if (existing && existing.severity === 'high' && SOURCE_CATEGORIES.has(existing.category)) continue;
    const haystack = t.value.toUpperCase();
    // The sources themselves are high findings of these categories and were skipped above.
    // A staff name in another person-name field is a name already reported, not free text naming someone.
    const hit = needles.find((n) => !(n.staff && t.vr === 'PN') && contains(haystack, n));
    if (!hit) continue;
    const repeats = { tag: hit.source.tag, keyword: hit.source.keyword };
    const note = `repeats the ${hit.source.keyword}`;
    if (existing) {
      existing.severity = 'high';
      existing.repeats = repeats;
      existing.note = note;
    } else {
      findings.push({
        tag: t.tag,
        keyword: t.keyword,
        category: t.private ? 'private-data' : t.sequence.includes('0040A730') ? 'structured-content' : 'free-text',
        severity: 'high',
        sequence: [...t.sequence],
        private: t.private,
        value: t.value.length > 1024 ? `${t.value.slice(0, 1024)}…` : t.value,
        ...(t.creator ? { creator: t.creator } : {}),
        repeats,
        note,
      });
    }
  }
}
