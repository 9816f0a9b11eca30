// Turns a scan report into what the person reads in the dialog (pure: no DOM, no extension API; text comes from `t`).

import type { Category, FileReport, Finding, ScanReport, Severity } from '../../core/report';
import { compareSeverity } from '../../core/report';
import type { OutcomeMessage, UploadPath } from './protocol';

/** Looks up a user-facing string (browser.i18n.getMessage in the dialog, a fake in tests). */
export type Translate = (key: string, substitutions?: string[]) => string;

export interface ExplainContext {
  /** The site's host, as shown to the person. */
  site: string;
  path: UploadPath;
  /** Files in the upload attempt (before zips are opened). */
  fileCount: number;
}

export interface ExplainOptions {
  /** Above this many flagged files, findings are grouped by series instead of by file. */
  groupBySeriesAbove?: number;
  /** Distinct values listed per category before "and N more". */
  maxItemsPerCategory?: number;
  /** Longer values are cut with an ellipsis. */
  maxValueLength?: number;
  /** Groups listed before "and N more". */
  maxGroups?: number;
  /** File names listed in a series heading before "and N more". */
  maxFileNames?: number;
}

export interface ExplainedItem {
  /** What the value is ("Patient's name"). */
  label: string;
  /** The value from the file, formatted for reading; absent when there is none to show. */
  value?: string;
  /** A sentence that stands in for a value, or says more about it. */
  detail?: string;
  /** "in 3 of 120 files", when a value is not in every file of a series. */
  spread?: string;
}

export interface ExplainedCategory {
  category: Category;
  severity: Severity;
  label: string;
  /** "Identifies the patient directly" (high) or "Can help identify the patient" (medium). */
  severityLabel: string;
  /** Why this kind of detail matters. */
  why: string;
  items: ExplainedItem[];
  /** "and 4 more", when items were left out. */
  more?: string;
}

export interface ExplainedGroup {
  /** The file's name, or the series ("Series 1: CT, HEAD"). */
  heading: string;
  /** Lines under the heading: the patient, the files of a series. */
  details: string[];
  /** Set when files of this group could not be checked: what to make of it, and the reasons. */
  unreadable?: { text: string; reasons: string[] };
  categories: ExplainedCategory[];
}

export interface Explanation {
  title: string;
  /** What happened and that nothing was sent yet. */
  lead: string;
  /** Counts: files, patients, studies, series. */
  facts: string[];
  /** Set when the upload holds several patients. */
  severalPatients?: string;
  grouping: 'file' | 'series';
  groups: ExplainedGroup[];
  /** "and N more series", when groups were left out. */
  moreGroups?: string;
  /** "Nothing identifying was found in N other files." */
  notShown?: string;
  /** The labels of every category found, worst first, for the confirmation step. */
  categoriesFound: string[];
  /** Files that could not be checked. */
  unreadableCount: number;
}

const DEFAULTS: Required<ExplainOptions> = {
  groupBySeriesAbove: 10,
  maxItemsPerCategory: 8,
  maxValueLength: 160,
  maxGroups: 30,
  maxFileNames: 3,
};

/** Worst first when severities tie: the order a person should read them in. */
const CATEGORY_ORDER: readonly Category[] = [
  'name',
  'identifier',
  'birth-date',
  'contact',
  'location',
  'face',
  'picture-content',
  'people-and-institution',
  'free-text',
  'structured-content',
  'private-data',
  'dates',
  'device',
  'patient-characteristics',
  'other',
  'uids',
];

/** Message-key part of each category (`dialog_cat_<part>`, `dialog_why_<part>`). */
const CATEGORY_KEY: Record<Category, string> = {
  name: 'name',
  identifier: 'identifier',
  'birth-date': 'birth_date',
  contact: 'contact',
  dates: 'dates',
  'people-and-institution': 'people',
  device: 'device',
  'free-text': 'free_text',
  'structured-content': 'structured',
  'private-data': 'private',
  uids: 'uids',
  'patient-characteristics': 'characteristics',
  'picture-content': 'picture',
  face: 'face',
  location: 'location',
  other: 'other',
};

/** Plain names for the fields people meet most (`dialog_field_<keyword>`); others are spelled out from the keyword. */
export const FIELD_LABEL_KEYWORDS: readonly string[] = [
  'PatientName',
  'PatientID',
  'PatientBirthDate',
  'PatientBirthTime',
  'PatientAddress',
  'PatientTelephoneNumbers',
  'OtherPatientIDs',
  'OtherPatientNames',
  'OtherPatientIDsSequence',
  'PatientBirthName',
  'PatientMotherBirthName',
  'AccessionNumber',
  'StudyID',
  'InstitutionName',
  'InstitutionAddress',
  'InstitutionalDepartmentName',
  'ReferringPhysicianName',
  'PerformingPhysicianName',
  'OperatorsName',
  'StationName',
  'DeviceSerialNumber',
  'StudyDate',
  'SeriesDate',
  'AcquisitionDate',
  'ContentDate',
  'StudyDescription',
  'SeriesDescription',
  'BurnedInAnnotation',
  'RecognizableVisualFeatures',
  'RecognizableFace',
];
const FIELD_LABELS = new Set(FIELD_LABEL_KEYWORDS);

function plural(t: Translate, n: number, key: string): string {
  return t(n === 1 ? `${key}_one` : `${key}_many`, [String(n)]);
}

/** "PatientBirthDate" → "Patient birth date"; acronyms stay ("StudyID" → "Study ID"). */
export function spellKeyword(keyword: string): string {
  const words = keyword.match(/[A-Z]+s?(?![a-z])|[A-Z]?[a-z]+|\d+/g);
  if (!words) return keyword;
  return words
    .map((w, i) => {
      if (/[A-Z].*[A-Z]/.test(w)) return w;
      const lower = w.toLowerCase();
      return i === 0 ? lower.charAt(0).toUpperCase() + lower.slice(1) : lower;
    })
    .join(' ');
}

function fieldLabel(t: Translate, keyword: string): string {
  return FIELD_LABELS.has(keyword) ? t(`dialog_field_${keyword}`) : spellKeyword(keyword);
}

/** "DOE^JANE" → "DOE JANE"; other name-like values are left as they are. */
function formatPersonName(value: string): string {
  return value
    .split('=')
    .map((rep) => rep.split('^').map((p) => p.trim()).filter(Boolean).join(' '))
    .filter(Boolean)
    .join(' = ');
}

/** DICOM dates, times and date-times in a readable, unambiguous form; anything else as it is. */
export function formatValue(finding: Pick<Finding, 'keyword' | 'category'>, value: string): string {
  const v = value.trim();
  const k = finding.keyword;
  let m: RegExpMatchArray | null;
  if (/DateTime$/.test(k) && (m = v.match(/^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(\.\d+)?([+-]\d{4})?$/))) {
    return `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}${m[6] ? `:${m[6]}` : ''}`;
  }
  if (/Date$/.test(k) && (m = v.match(/^(\d{4})(\d{2})(\d{2})$/))) return `${m[1]}-${m[2]}-${m[3]}`;
  if (/Time$/.test(k) && (m = v.match(/^(\d{2})(\d{2})(\d{2})?(\.\d+)?$/))) return `${m[1]}:${m[2]}${m[3] ? `:${m[3]}` : ''}`;
  if ((finding.category === 'name' || finding.category === 'people-and-institution') && v.includes('^')) {
    return formatPersonName(v);
  }
  return v;
}

function clip(value: string, max: number): string {
  return value.length > max ? `${value.slice(0, max - 1)}…` : value;
}

/** Every file and zip entry that is not itself a container: the files a person thinks of. */
function leavesOf(files: readonly FileReport[]): FileReport[] {
  return files.flatMap((f) => (f.entries ? leavesOf(f.entries) : [f]));
}

const flagged = (f: FileReport): boolean => f.verdict === 'identifying' || f.verdict === 'unreadable';

/**
 * The outcome rule: nothing medical → `pass`; medical files all clean → `notice`; anything identifying or
 * unreadable → `ask`. Counts are of the files a person thinks of (zip entries, not the zips).
 */
export function outcomeOf(report: ScanReport): Pick<OutcomeMessage, 'outcome' | 'counts'> {
  const leaves = leavesOf(report.files);
  const all = [...report.files, ...leaves];
  const counts = {
    files: report.files.length,
    medical: leaves.filter((f) => f.verdict !== 'not-medical').length,
    identifying: leaves.filter((f) => f.verdict === 'identifying').length,
    unreadable: leaves.filter((f) => f.verdict === 'unreadable').length,
  };
  const outcome = all.some(flagged) ? 'ask' : all.some((f) => f.verdict === 'clean') ? 'notice' : 'pass';
  return { outcome, counts };
}

/** "archive.zip!dir/IM0001" → "archive.zip › dir/IM0001". */
export function displayPath(path: string): string {
  return path.split('!').join(' › ');
}

/** The name and ID in a patient key (`id\0name`), for a heading line. */
function patientLine(t: Translate, keys: readonly string[]): string | undefined {
  if (keys.length > 1) return t('dialog_patient_several');
  const key = keys[0];
  if (key === undefined) return undefined;
  const [id = '', name = ''] = key.split('\u0000');
  const shownName = formatPersonName(name);
  if (shownName && id) return t('dialog_patient_name_id', [shownName, id]);
  return t('dialog_patient_one', [shownName || id]);
}

interface Merged {
  finding: Finding;
  files: Set<number>;
}

/** What one finding says to a person: a label, and its value or a sentence in place of one. */
function explainFinding(t: Translate, f: Finding, max: number): ExplainedItem {
  const label = f.private
    ? f.creator ? t('dialog_item_private_creator', [f.creator]) : t('dialog_item_private')
    : fieldLabel(t, f.keyword);
  if (f.tag === '7FE00010' && f.category === 'picture-content') return explainPictureText(t, f, max);
  if (f.keyword === 'BurnedInAnnotation' && f.category === 'picture-content') {
    return { label, detail: t(f.value === 'YES' ? 'dialog_detail_burned_in_yes' : 'dialog_detail_burned_in_maybe') };
  }
  if (f.keyword === 'RecognizableVisualFeatures' && f.category === 'face') {
    return { label, detail: t('dialog_detail_recognizable') };
  }
  if (f.keyword === 'RecognizableFace') {
    const slices = f.value?.match(/^\d+/)?.[0];
    return { label, detail: slices ? t('dialog_detail_face_slices', [slices]) : t('dialog_detail_face') };
  }
  const item: ExplainedItem = { label };
  if (f.value !== undefined && f.value.trim() !== '') item.value = clip(formatValue(f, f.value), max);
  else item.detail = t('dialog_detail_binary');
  if (f.repeats) item.detail = t('dialog_detail_repeats', [fieldLabel(t, f.repeats.keyword)]);
  return item;
}

const REPEAT_KEYS: Readonly<Record<string, string>> = {
  name: 'dialog_picture_repeats_name',
  identifier: 'dialog_picture_repeats_identifier',
  'birth-date': 'dialog_picture_repeats_birth_date',
  date: 'dialog_picture_repeats_date',
  institution: 'dialog_picture_repeats_institution',
  staff: 'dialog_picture_repeats_staff',
};
const SHAPE_KEYS: Readonly<Record<string, string>> = {
  name: 'dialog_picture_looks_name',
  date: 'dialog_picture_looks_date',
  identifier: 'dialog_picture_looks_identifier',
  phone: 'dialog_picture_looks_phone',
  institution: 'dialog_picture_looks_institution',
};

/** A line of text read in a picture: the text, and what of the patient's details it repeats or resembles. */
function explainPictureText(t: Translate, f: Finding, max: number): ExplainedItem {
  const label = t('dialog_item_picture_text');
  if (f.value === undefined) return { label, detail: t('dialog_detail_picture_not_checked') };
  const item: ExplainedItem = { label, value: clip(f.value, max) };
  const repeats = f.text?.repeats ?? [];
  const looks = f.text?.looksLike ?? [];
  if (repeats.length > 0) item.detail = t('dialog_detail_picture_repeats', [repeats.map((k) => t(REPEAT_KEYS[k]!)).join(', ')]);
  else if (looks.length > 0) item.detail = t('dialog_detail_picture_looks', [looks.map((k) => t(SHAPE_KEYS[k]!)).join(', ')]);
  else item.detail = t('dialog_detail_picture_text');
  return item;
}

function worstOf(severities: Severity[]): Severity {
  return [...severities].sort(compareSeverity)[0] ?? 'low';
}

/** The categories of a group of files: high and medium findings only, worst first, equal values merged. */
function explainCategories(t: Translate, files: readonly FileReport[], o: Required<ExplainOptions>, showSpread: boolean): ExplainedCategory[] {
  const byCategory = new Map<Category, Map<string, Merged>>();
  files.forEach((file, index) => {
    for (const f of file.findings) {
      if (f.severity === 'low') continue;
      const merged = byCategory.get(f.category) ?? new Map<string, Merged>();
      byCategory.set(f.category, merged);
      const id = `${f.keyword}\u0000${f.creator ?? ''}\u0000${f.value ?? ''}`;
      const seen = merged.get(id);
      if (seen) {
        seen.files.add(index);
        if (compareSeverity(f.severity, seen.finding.severity) < 0) seen.finding = f;
      } else merged.set(id, { finding: f, files: new Set([index]) });
    }
  });
  const categories: ExplainedCategory[] = [];
  for (const [category, merged] of byCategory) {
    const list = [...merged.values()].sort((a, b) => compareSeverity(a.finding.severity, b.finding.severity) || b.files.size - a.files.size);
    const severity = worstOf(list.map((m) => m.finding.severity));
    const key = CATEGORY_KEY[category];
    const items = list.slice(0, o.maxItemsPerCategory).map(({ finding, files: inFiles }) => {
      const item = explainFinding(t, finding, o.maxValueLength);
      if (showSpread && inFiles.size < files.length) item.spread = t('dialog_spread', [String(inFiles.size), String(files.length)]);
      return item;
    });
    const left = list.length - items.length;
    categories.push({
      category,
      severity,
      label: t(`dialog_cat_${key}`),
      severityLabel: t(severity === 'high' ? 'dialog_severity_high' : 'dialog_severity_medium'),
      why: t(`dialog_why_${key}`),
      items,
      ...(left > 0 ? { more: t('dialog_more_values', [String(left)]) } : {}),
    });
  }
  return categories.sort((a, b) => compareSeverity(a.severity, b.severity) || CATEGORY_ORDER.indexOf(a.category) - CATEGORY_ORDER.indexOf(b.category));
}

function unreadableBlock(t: Translate, files: readonly FileReport[], total: number): ExplainedGroup['unreadable'] {
  const bad = files.filter((f) => f.verdict === 'unreadable');
  if (bad.length === 0) return undefined;
  const text = total === 1
    ? t('dialog_unreadable_file')
    : bad.length === total ? t('dialog_unreadable_all', [String(total)]) : t('dialog_unreadable_some', [String(bad.length), String(total)]);
  const reasons = [...new Set(bad.map((f) => f.reason ?? t('dialog_unreadable_no_reason')))];
  return { text, reasons };
}

/** Rank of a group for "worst first": high findings, then files that could not be checked, then medium. */
function groupRank(g: ExplainedGroup): number {
  const worst = g.categories[0]?.severity;
  if (worst === 'high') return 0;
  if (g.unreadable) return 1;
  return 2;
}

function seriesDescriptionOf(files: readonly FileReport[]): string | undefined {
  for (const f of files) {
    const d = f.findings.find((x) => x.keyword === 'SeriesDescription' && x.sequence.length === 0 && x.value?.trim());
    if (d?.value) return d.value.trim();
  }
  return undefined;
}

function fileNamesLine(t: Translate, files: readonly FileReport[], o: Required<ExplainOptions>): string {
  const names = files.slice(0, o.maxFileNames).map((f) => displayPath(f.path)).join(', ');
  const left = files.length - o.maxFileNames;
  return left > 0
    ? t('dialog_series_files_more', [String(files.length), names, String(left)])
    : plural(t, files.length, 'dialog_series_files') + ': ' + names;
}

function groupBySeries(t: Translate, files: readonly FileReport[], o: Required<ExplainOptions>): ExplainedGroup[] {
  const buckets = new Map<string, FileReport[]>();
  for (const f of files) {
    const key = f.identity?.seriesUids[0] !== undefined ? `series:${f.identity.seriesUids[0]}` : `other:${f.verdict}`;
    buckets.set(key, [...(buckets.get(key) ?? []), f]);
  }
  const groups: Array<{ group: ExplainedGroup; series: boolean; modality?: string; description?: string }> = [];
  for (const [key, list] of buckets) {
    const series = key.startsWith('series:');
    const details: string[] = [];
    const patients = [...new Set(list.flatMap((f) => f.identity?.patientKeys ?? []))];
    const patient = patientLine(t, patients);
    if (patient) details.push(patient);
    details.push(fileNamesLine(t, list, o));
    const unreadable = unreadableBlock(t, list, list.length);
    const group: ExplainedGroup = {
      heading: series ? '' : t(key === 'other:unreadable' ? 'dialog_group_unreadable' : 'dialog_group_other'),
      details,
      categories: explainCategories(t, list, o, true),
      ...(unreadable ? { unreadable } : {}),
    };
    const modality = list.find((f) => f.identity?.modality)?.identity?.modality;
    const description = seriesDescriptionOf(list);
    groups.push({ group, series, ...(modality ? { modality } : {}), ...(description ? { description } : {}) });
  }
  const ordered = groups
    .map((g, i) => ({ ...g, i }))
    .sort((a, b) => Number(!a.series) - Number(!b.series) || groupRank(a.group) - groupRank(b.group) || a.i - b.i);
  let n = 0;
  for (const g of ordered) {
    if (!g.series) continue;
    n++;
    const about = [g.modality, g.description].filter((x): x is string => Boolean(x)).join(', ');
    g.group.heading = about ? t('dialog_group_series_about', [String(n), clip(about, o.maxValueLength)]) : t('dialog_group_series', [String(n)]);
  }
  return ordered.map((g) => g.group);
}

function groupByFile(t: Translate, files: readonly FileReport[], o: Required<ExplainOptions>): ExplainedGroup[] {
  const groups = files.map((f, i) => {
    const unreadable = unreadableBlock(t, [f], 1);
    const group: ExplainedGroup = {
      heading: displayPath(f.path),
      details: [],
      categories: explainCategories(t, [f], o, false),
      ...(unreadable ? { unreadable } : {}),
    };
    return { group, i };
  });
  return groups.sort((a, b) => groupRank(a.group) - groupRank(b.group) || a.i - b.i).map((g) => g.group);
}

const LEAD_KEYS: Record<UploadPath, string> = {
  input: 'dialog_lead_input',
  'folder-input': 'dialog_lead_input',
  picker: 'dialog_lead_input',
  drop: 'dialog_lead_drop',
  paste: 'dialog_lead_paste',
  clipboard: 'dialog_lead_clipboard',
  egress: 'dialog_lead_egress',
};

/** What the dialog says about an upload whose outcome is `ask`. */
export function explainReport(report: ScanReport, context: ExplainContext, t: Translate, options: ExplainOptions = {}): Explanation {
  const o = { ...DEFAULTS, ...options };
  const leaves = leavesOf(report.files);
  const shown = leaves.filter(flagged);
  const s = report.summary;
  const identifying = shown.some((f) => f.verdict === 'identifying');
  const unreadableCount = shown.filter((f) => f.verdict === 'unreadable').length;

  const title = identifying
    ? t(shown.length === 1 ? 'dialog_title_identifying_one' : 'dialog_title_identifying_many')
    : t(shown.length === 1 ? 'dialog_title_unreadable_one' : 'dialog_title_unreadable_many');
  const lead = [
    t(LEAD_KEYS[context.path], [plural(t, context.fileCount, 'dialog_count_files'), context.site]),
    t(`${identifying ? 'dialog_lead_found' : 'dialog_lead_unchecked'}_${context.fileCount === 1 ? 'one' : 'many'}`),
    t('dialog_lead_nothing_sent'),
  ].join(' ');

  const facts = [plural(t, s.files, 'dialog_count_files')];
  if (s.patients > 0) facts.push(plural(t, s.patients, 'dialog_count_patients'));
  if (s.studies > 0) facts.push(plural(t, s.studies, 'dialog_count_studies'));
  if (s.series > 0) facts.push(plural(t, s.series, 'dialog_count_series'));

  const grouping = shown.length > o.groupBySeriesAbove ? 'series' : 'file';
  const all = grouping === 'series' ? groupBySeries(t, shown, o) : groupByFile(t, shown, o);
  const groups = all.slice(0, o.maxGroups);
  const left = all.length - groups.length;

  const others = leaves.length - shown.length;
  const categoriesFound = [...new Map(
    explainCategories(t, shown, o, false).map((c) => [c.category, c.label]),
  ).values()];

  return {
    title,
    lead,
    facts,
    ...(s.patients > 1 ? { severalPatients: t('dialog_several_patients', [String(s.patients)]) } : {}),
    grouping,
    groups,
    ...(left > 0 ? { moreGroups: t(grouping === 'series' ? 'dialog_more_series' : 'dialog_more_files', [String(left)]) } : {}),
    ...(others > 0 ? { notShown: plural(t, others, 'dialog_not_shown') } : {}),
    categoriesFound,
    unreadableCount,
  };
}

export interface ConfirmText {
  title: string;
  /** What will be sent, and to which site. */
  body: string;
  /** The kinds of identifying details that go with it (empty when only unreadable files were found). */
  categories: string[];
  /** Set when some files could not be checked. */
  unchecked?: string;
  warning: string;
}

/** "12.4 MB": sizes for the confirmation step. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let unit = -1;
  while (v >= 1000 && unit < units.length - 1) {
    v /= 1000;
    unit++;
  }
  return `${v >= 100 ? Math.round(v) : v.toFixed(1)} ${units[unit]}`;
}

/** The deliberate second step before an original goes out: what will be sent, to which site, with what in it. */
export function explainConfirm(explanation: Explanation, context: ExplainContext & { totalBytes: number }, t: Translate): ConfirmText {
  return {
    title: t('dialog_confirm_title'),
    body: t('dialog_confirm_body', [plural(t, context.fileCount, 'dialog_count_files'), formatBytes(context.totalBytes), context.site]),
    categories: explanation.categoriesFound,
    ...(explanation.unreadableCount > 0 ? { unchecked: plural(t, explanation.unreadableCount, 'dialog_confirm_unchecked') } : {}),
    warning: t('dialog_confirm_warning', [context.site]),
  };
}

export interface FailureText {
  title: string;
  body: string;
}

/** The view when the check itself failed or took too long: the files stay held. */
export function explainFailure(reason: 'timeout' | 'error', t: Translate): FailureText {
  return {
    title: t('dialog_failure_title'),
    body: [t(reason === 'timeout' ? 'dialog_failure_timeout' : 'dialog_failure_error'), t('dialog_failure_held')].join(' '),
  };
}
