// Finds identifying values (names, IDs, accession numbers, birth dates) repeated in other text of the
// same file: descriptions, comments, report text, private values, directory records.

import type { Finding } from '../report';
import type { TextValue } from './inspect';
import { identifyingWordsOf, NO_SPACES_SCRIPT, SOURCE_CATEGORIES, WORD_CHAR } from './identifying-terms';

interface Needle {
  /** Upper-case text to look for. */
  text: string;
  /** From the name of a member of staff rather than the patient's own values. */
  staff: boolean;
  /** Whether word boundaries are checked around a match (not for scripts written without spaces). */
  bounded: boolean;
  source: Finding;
}

/**
 * Text VRs a person writes in, where a repeated name or ID is a leak, not a coincidence: only their values
 * are searched (codes, numbers, dates and UIDs are not).
 */
export const REPEAT_TARGET_VRS: readonly string[] = ['AE', 'LO', 'LT', 'PN', 'SH', 'ST', 'UC', 'UR', 'UT'];

function needlesFrom(f: Finding): Needle[] {
  const { words, staff } = identifyingWordsOf(f);
  const out: Needle[] = [];
  for (const word of words) {
    const text = word.toUpperCase();
    if (!out.some((n) => n.text === text)) out.push({ text, bounded: !NO_SPACES_SCRIPT.test(text), staff, source: f });
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
