// Renders a scan report for people (grouped by patient and category, values shown) and as the JSON
// contract of ARCHITECTURE.md.

import type { Category, FileReport, Finding, ScanReport, Severity, UploadSummary } from '../core/report';
import { compareSeverity } from '../core/report';

export const CATEGORY_LABELS: Record<Category, string> = {
  name: 'Names',
  identifier: 'Identifiers',
  'birth-date': 'Birth date',
  contact: 'Address and contact',
  dates: 'Dates and times',
  'people-and-institution': 'People and institution',
  device: 'Device',
  'free-text': 'Free text and descriptions',
  'structured-content': 'Structured report content',
  'private-data': 'Private vendor data',
  uids: 'UIDs',
  'patient-characteristics': 'Age, sex, size, weight',
  'picture-content': 'Text in the picture',
  face: 'Face',
  location: 'Place where the picture was taken',
  other: 'Other',
};

/** Every file and zip entry, in order, each without its nested entries (the JSON lists them flat). */
export function flattenReports(files: readonly FileReport[]): FileReport[] {
  return files.flatMap((f) => [f, ...flattenReports(f.entries ?? [])]);
}

/** One file of the `scan --json` object, with the contract's fields in their documented order. */
function fileJson(f: FileReport): object {
  return {
    path: f.path,
    format: f.format,
    verdict: f.verdict,
    ...(f.reason ? { reason: f.reason } : {}),
    findings: f.findings.map((x) => ({
      tag: x.tag,
      keyword: x.keyword,
      category: x.category,
      severity: x.severity,
      sequence: x.sequence,
      private: x.private,
      ...(x.value !== undefined ? { value: x.value } : {}),
      ...(x.creator ? { creator: x.creator } : {}),
      ...(x.note ? { note: x.note } : {}),
      ...(x.repeats ? { repeats: x.repeats } : {}),
      ...(x.region ? { region: x.region } : {}),
      ...(x.text ? { text: x.text } : {}),
    })),
    ...(f.document ? { document: f.document } : {}),
    bytesRead: f.bytesRead,
    size: f.size,
    ...(f.picture ? { picture: f.picture } : {}),
  };
}

/**
 * Writes the `scan --json` object as the reports come: `files` as in ARCHITECTURE.md, one file per line
 * (zip entries after their zip), then the `summary`. Nothing is kept once written; each file is written on
 * its own (joining many into one long string first costs more than the writes it saves).
 */
export function jsonStream(write: (text: string) => void): { file(report: FileReport): void; end(summary: UploadSummary): void } {
  let first = true;
  write('{"files":[');
  return {
    file(report) {
      for (const f of flattenReports([report])) {
        write(`${first ? '\n' : ',\n'}${JSON.stringify(fileJson(f))}`);
        first = false;
      }
    },
    end(summary) {
      write(`\n],\n"summary":${JSON.stringify(summary)}}\n`);
    },
  };
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Group key of files that hold records of several patients (a DICOMDIR). */
const SEVERAL = '\u0001several';

function patientLabel(key: string | undefined): string {
  if (key === undefined) return 'No patient details in the file';
  if (key === SEVERAL) return 'Directories listing several patients';
  const [id, name] = key.split('\u0000');
  const parts = [name ? name : undefined, id ? `ID ${id}` : undefined].filter(Boolean);
  return `Patient ${parts.join(', ')}`;
}

const MAX_PER_CATEGORY = 6;
const MAX_FILE_NAMES = 4;

/** Where text was read in a picture: "frame 1, 12,8 240 x 36" (frames listed when it shows in several). */
function regionText(f: Finding): string {
  const r = f.region!;
  const place = r.frame !== undefined ? (r.frames && r.frames.length > 1 ? `frames ${r.frames.slice(0, 6).join(', ')}${r.frames.length > 6 ? ', …' : ''}` : `frame ${r.frame}`) : `page ${r.page ?? 1}`;
  return `${place} at ${r.x},${r.y} ${r.width} x ${r.height}`;
}

function findingLine(f: Finding): string {
  if (f.region) {
    const value = JSON.stringify((f.value ?? '').length > 80 ? `${f.value!.slice(0, 79)}…` : f.value ?? '');
    return `${value}  (${regionText(f)}${f.note ? `; ${f.note}` : ''})`;
  }
  const where = f.sequence.length > 0 ? ` in ${f.sequence.map((s) => `(${s.slice(0, 4)},${s.slice(4)})`).join(' > ')}` : '';
  const tag = /^[0-9A-F]{8}$/.test(f.tag) ? `(${f.tag.slice(0, 4)},${f.tag.slice(4)})` : f.tag;
  const value = f.value !== undefined ? `  ${JSON.stringify(f.value.length > 80 ? `${f.value.slice(0, 79)}…` : f.value)}` : '';
  const extra = f.repeats ? `  ← repeats ${f.repeats.keyword}` : f.note && f.value === undefined ? `  (${f.note})` : '';
  const creator = f.creator ? ` [${f.creator}]` : '';
  return `${f.keyword}${creator} ${tag}${where}${value}${extra}`;
}

/** The human-readable summary: counts, then each patient's files and what identifies them, by category. */
export function toText(report: ScanReport): string {
  const s = report.summary;
  const lines: string[] = [];
  lines.push(`Scan Privacy Guard: ${plural(s.files, 'file')} checked`);
  lines.push(
    `  ${s.identifying} identify someone, ${s.unreadable} could not be checked, ${s.clean} clean, ${s.notMedical} not medical`,
  );
  if (s.patients + s.studies + s.series > 0) {
    lines.push(`  ${plural(s.patients, 'patient')}, ${plural(s.studies, 'study', 'studies')}, ${plural(s.series, 'series', 'series')}`);
  }
  if (s.patients > 1) lines.push(`  Note: these files belong to ${s.patients} different patients.`);

  const leaves = flattenReports(report.files).filter((f) => !f.entries);
  const flagged = leaves.filter((f) => f.verdict === 'identifying' || f.verdict === 'unreadable');
  const groups = new Map<string | undefined, FileReport[]>();
  for (const f of flagged) {
    const keys = f.identity?.patientKeys ?? [];
    const key = keys.length > 1 ? SEVERAL : keys[0];
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  for (const [key, files] of groups) {
    lines.push('');
    const names = files.slice(0, MAX_FILE_NAMES).map((f) => f.path).join(', ');
    const more = files.length > MAX_FILE_NAMES ? ` and ${files.length - MAX_FILE_NAMES} more` : '';
    lines.push(`${patientLabel(key)}: ${plural(files.length, 'file')} (${names}${more})`);
    const byCategory = new Map<Category, Map<string, { finding: Finding; count: number }>>();
    for (const f of files) {
      for (const finding of f.findings) {
        if (finding.severity === 'low') continue;
        const cat = byCategory.get(finding.category) ?? new Map();
        const id = `${finding.keyword}|${finding.tag}|${finding.sequence.join('/')}|${finding.value ?? ''}`;
        const seen = cat.get(id);
        if (seen) seen.count++;
        else cat.set(id, { finding, count: 1 });
        byCategory.set(finding.category, cat);
      }
    }
    const ordered = [...byCategory.entries()].sort((a, b) => {
      const worst = (m: Map<string, { finding: Finding }>): Severity =>
        [...m.values()].map((v) => v.finding.severity).sort(compareSeverity)[0] ?? 'low';
      return compareSeverity(worst(a[1]), worst(b[1]));
    });
    for (const [category, entries] of ordered) {
      const list = [...entries.values()].sort((a, b) => compareSeverity(a.finding.severity, b.finding.severity));
      const severity = list[0]!.finding.severity;
      lines.push(`  ${CATEGORY_LABELS[category]} (${severity}):`);
      for (const { finding, count } of list.slice(0, MAX_PER_CATEGORY)) {
        lines.push(`    ${findingLine(finding)}${count > 1 ? `  ×${count}` : ''}`);
      }
      if (list.length > MAX_PER_CATEGORY) lines.push(`    … and ${list.length - MAX_PER_CATEGORY} more`);
    }
    for (const f of files.filter((x) => x.verdict === 'unreadable')) {
      lines.push(`  Could not be checked: ${f.path}: ${f.reason ?? 'unknown problem'}`);
    }
  }
  const containers = flattenReports(report.files).filter((f) => f.entries && f.verdict === 'unreadable');
  for (const c of containers) lines.push('', `Could not be checked: ${c.path}: ${c.reason ?? 'unknown problem'}`);
  lines.push('');
  if (s.identifying + s.unreadable > 0) {
    lines.push('Do not upload these files as they are: they identify someone or could not be checked.');
  } else if (s.clean > 0) {
    lines.push('Nothing identifying was found in the medical files.');
  } else {
    lines.push('No medical image files were found.');
  }
  return lines.join('\n');
}
