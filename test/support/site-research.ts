// Checks the hand-curated site notes (src/data/site-notes.ts) against the research they were copied from
// (../shared/research/sites-v2): every quote verbatim in a row that names one of its sources, every source address in
// a row with one of its quotes, each page date, "reported by" and "archived" label as that row gives it, no address
// on a domain the research rejects, and a record, with all its domains, for every site the research has a sourced
// fact for. Takes the research as text, so a test can hand it a tampered copy and see the check fail.

import fs from 'node:fs';
import path from 'node:path';
import { FACT_KINDS, splitDomain, type FindingRecord, type RemarkRecord, type SiteNoteRecord, type SiteSource } from '../../src/core/site-notes';

export const RESEARCH_FILES = ['README.md', 'part-a.md', 'part-b.md'] as const;

export interface ResearchFile {
  readonly name: string;
  readonly text: string;
}

export function readResearch(dir: string): ResearchFile[] {
  return RESEARCH_FILES.map((name) => ({ name, text: fs.readFileSync(path.join(dir, name), 'utf8') }));
}

/** One site's part of the research: its `## ` heading and its rows (table rows, and paragraphs joined into one line). */
export interface ResearchSection {
  readonly file: string;
  readonly heading: string;
  readonly rows: readonly string[];
  /** Table rows that give a quote and an address: the site has at least one sourced fact. */
  readonly sourcedRows: readonly string[];
}

const isTableRow = (line: string): boolean => line.trimStart().startsWith('|');
const isTableHeaderOrRule = (line: string): boolean => /^\|\s*(?:fact|site)\s*\|/.test(line) || /^\|[-\s|]+\|$/.test(line.trim());

export function researchSections(research: readonly ResearchFile[]): ResearchSection[] {
  const sections: ResearchSection[] = [];
  for (const file of research) {
    let current: { heading: string; lines: string[] } | undefined;
    const close = (): void => {
      if (!current) return;
      const rows: string[] = [];
      let paragraph: string[] = [];
      const flush = (): void => {
        if (paragraph.length > 0) rows.push(paragraph.join(' '));
        paragraph = [];
      };
      for (const line of current.lines) {
        if (line.trim() === '' || line.trim() === '---') flush();
        else if (isTableRow(line)) {
          flush();
          if (!isTableHeaderOrRule(line)) rows.push(line);
        } else paragraph.push(line.trim());
      }
      flush();
      const sourcedRows = rows.filter((row) => isTableRow(row) && quotedSegments(row).length > 0 && /https:\/\//.test(row));
      sections.push({ file: file.name, heading: current.heading, rows, sourcedRows });
      current = undefined;
    };
    for (const line of file.text.split('\n')) {
      if (/^#{1,2} /.test(line)) {
        close();
        if (line.startsWith('## ')) current = { heading: line.slice(3).trim(), lines: [] };
      } else current?.lines.push(line);
    }
    close();
  }
  return sections;
}

/** The words a row puts in quotation marks: "…" (with \" inside standing for ") and “…”. */
export function quotedSegments(row: string): string[] {
  const straight = [...row.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\"/g, '"'));
  const curly = [...row.matchAll(/“([^”]*)”/g)].map((m) => m[1]!);
  return [...straight, ...curly];
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Whether a row names this address (with or without https://), as a whole address, not the start of a longer one. */
export function rowNamesUrl(row: string, url: string): boolean {
  const bare = url.replace(/^https:\/\//, '');
  return new RegExp(`(?<![\\w./-])(?:https://)?${escapeRegExp(bare)}(?![\\w/-])`).test(row);
}

const hostIn = (text: string, host: string): boolean => new RegExp(`(?<![\\w.-])${escapeRegExp(host)}(?![\\w-]|\\.[a-z])`, 'i').test(text);

/** The research section of a record: the one whose heading names the hosts of its domains. */
export function sectionOf(record: SiteNoteRecord, sections: readonly ResearchSection[]): ResearchSection | undefined {
  const hosts = record.domains.map((d) => splitDomain(d).host);
  const found = sections.filter((s) => hosts.some((h) => hostIn(s.heading, h)));
  return found.length === 1 ? found[0] : undefined;
}

/** The domains a heading names: "X-ray Interpreter (xrayinterpreter.com, xrays.ai, …)", "pulmo.uk — …". */
export function headingDomains(heading: string): string[] {
  const domainsIn = (text: string): string[] =>
    [...text.matchAll(/(?<![\w.-])([a-z0-9-]+(?:\.[a-z0-9-]+)+(?:\/[\w/-]+)?)/gi)].map((m) => m[1]!.toLowerCase());
  const inParentheses = domainsIn(/\(([^)]*)\)/.exec(heading)?.[1] ?? '');
  return inParentheses.length > 0 ? inParentheses : domainsIn(heading.split(' — ')[0]!);
}

// ---- the parts of a row ---------------------------------------------------------------------------------------

const cells = (row: string): string[] => row.split('|').slice(1, -1).map((c) => c.trim());

/** A table row's last cell (the page date); undefined for a paragraph. */
const dateCell = (row: string): string | undefined => (isTableRow(row) ? cells(row).at(-1) : undefined);

const isSecondaryRow = (row: string): boolean => /\[secondary|\(secondary\)/i.test(row);

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** Whether `published` (YYYY-MM-DD) is a date `pageDate` names: its year, month (number or name) and day are there. */
export function publishedMatches(published: string, pageDate: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(published);
  if (!m) return false;
  const [year, month, day] = [m[1]!, Number(m[2]), Number(m[3])];
  const numbers = [...pageDate.matchAll(/\d+/g)].map((n) => Number(n[0]));
  const names = [...pageDate.toLowerCase().matchAll(/[a-z]{3,}/g)].map((w) => w[0].slice(0, 3));
  return pageDate.includes(year) && numbers.includes(day) && (numbers.includes(month) || names.includes(MONTHS[month - 1]!));
}

// ---- rejected sources --------------------------------------------------------------------------------------------

/**
 * The first research's weak sources (mirrors and aggregators) that the second edition replaced: none may come back.
 * The domains the research itself rejects are read from its text (rejectedDomains).
 */
export const FIRST_EDITION_AGGREGATORS = [
  'dangerousrobot.org',
  'privacygpt.lynicis.dev',
  'cyberp1.com',
  'technologynews.uk',
  'accessarticlenow',
  'allaboutai.com',
  'tldrtos.com',
  'productionai.institute',
  'magicmirror.team',
  'tnsafety.com',
  'bestintechnology.de',
  'atomicgains.com',
];

/** What the research says it rejected: its list of mirrors and aggregators, sites that are not the service's own. */
export function rejectedDomains(research: readonly ResearchFile[]): string[] {
  const text = research.map((f) => f.text).join('\n').replace(/\s+/g, ' ');
  const out: string[] = [];
  for (const m of text.matchAll(/\(e\.g\. ([^)]*)\) were \*\*not\*\* used/g)) {
    out.push(...m[1]!.split(',').map((s) => s.trim()).filter((s) => !/\s/.test(s)));
  }
  for (const m of text.matchAll(/([a-z0-9.-]+\.[a-z]+) and ([a-z0-9.-]+\.[a-z]+) are not [\w'’]+ official sites/gi)) out.push(m[1]!, m[2]!);
  for (const m of text.matchAll(/(https?:\/\/\S+) \(not the site's own domain/g)) out.push(new URL(m[1]!).hostname);
  return [...new Set(out.map((s) => s.toLowerCase()))];
}

/** Whether a URL's host is (under) a rejected domain, or contains a rejected name given without a dot. */
export function onRejectedDomain(url: string, rejected: readonly string[]): boolean {
  const host = new URL(url).hostname.toLowerCase();
  return rejected.some((r) => (r.includes('.') ? host === r || host.endsWith(`.${r}`) || host.includes(r) : host.includes(r)));
}

// ---- the check ----------------------------------------------------------------------------------------------------

type Cited = Pick<FindingRecord, 'quotes' | 'sources' | 'how'> | RemarkRecord;

function checkCited(what: string, cited: Cited, section: ResearchSection, problems: string[]): void {
  const quotes = [...(cited.quotes ?? []), ...('how' in cited && cited.how !== undefined ? [cited.how] : [])];
  const rowsOf = (source: SiteSource): string[] => section.rows.filter((row) => rowNamesUrl(row, source.url));
  for (const quote of quotes) {
    const ok = section.rows.some((row) => quotedSegments(row).some((s) => s.includes(quote)) && cited.sources.some((s) => rowNamesUrl(row, s.url)));
    if (!ok) problems.push(`${what}: quote not found verbatim in a row of "${section.heading}" that names its source: ${quote}`);
  }
  for (const source of cited.sources) {
    const rows = rowsOf(source);
    if (rows.length === 0) {
      problems.push(`${what}: ${source.url} is not named in "${section.heading}"`);
      continue;
    }
    if (quotes.length > 0 && !rows.some((row) => quotedSegments(row).some((s) => quotes.some((q) => s.includes(q))))) {
      problems.push(`${what}: ${source.url} is not in a row with any of its quotes`);
    }
    const dateOk = rows.some((row) => {
      const cell = dateCell(row);
      if (source.pageDate !== undefined) return (cell ?? row).includes(source.pageDate);
      return cell === undefined || cell === 'undated';
    });
    if (!dateOk) problems.push(`${what}: ${source.url}: page date ${source.pageDate ?? '(undated)'} is not the one its row gives`);
    if (source.published !== undefined && (source.pageDate === undefined || !publishedMatches(source.published, source.pageDate))) {
      problems.push(`${what}: ${source.url}: published ${source.published} is not the date in "${source.pageDate ?? ''}"`);
    }
    if (rows.some(isSecondaryRow) && source.reportedBy === undefined) problems.push(`${what}: ${source.url} is marked secondary: say who reported it`);
    if (source.reportedBy !== undefined) {
      const words = source.reportedBy.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 2);
      if (!rows.some((row) => words.every((w) => row.includes(w)))) problems.push(`${what}: ${source.url}: "${source.reportedBy}" is not named beside it`);
    }
    if (rows.some((row) => /ARCHIVE/.test(row)) !== (source.archived === true)) problems.push(`${what}: ${source.url}: archived label does not match the research`);
    if (source.read !== '2026-12-05') problems.push(`${what}: ${source.url}: read ${source.read}, the research was read on 2026-12-05`);
  }
}

/** Every way the records disagree with the research; empty when they agree. */
export function researchProblems(records: readonly SiteNoteRecord[], research: readonly ResearchFile[]): string[] {
  const problems: string[] = [];
  const sections = researchSections(research);
  const rejected = [...rejectedDomains(research), ...FIRST_EDITION_AGGREGATORS];
  const covered = new Map<ResearchSection, Set<string>>();
  for (const record of records) {
    const section = sectionOf(record, sections);
    if (!section) {
      problems.push(`${record.id}: no single research section names its domains (${record.domains.join(', ')})`);
      continue;
    }
    const hosts = covered.get(section) ?? new Set<string>();
    for (const d of record.domains) hosts.add(d).add(splitDomain(d).host);
    covered.set(section, hosts);
    for (const kind of FACT_KINDS) {
      (record.facts[kind] ?? []).forEach((finding, i) => checkCited(`${record.id}.${kind}[${i}]`, finding, section, problems));
    }
    (record.remarks ?? []).forEach((remark, i) => checkCited(`${record.id}.remarks[${i}]`, remark, section, problems));
    for (const kind of FACT_KINDS) {
      for (const finding of record.facts[kind] ?? []) {
        for (const source of finding.sources) if (onRejectedDomain(source.url, rejected)) problems.push(`${record.id}: ${source.url} is on a rejected domain`);
      }
    }
    for (const remark of record.remarks ?? []) {
      for (const source of remark.sources) if (onRejectedDomain(source.url, rejected)) problems.push(`${record.id}: ${source.url} is on a rejected domain`);
    }
  }
  for (const section of sections) {
    if (section.sourcedRows.length === 0) continue;
    const hosts = covered.get(section);
    if (!hosts) {
      problems.push(`"${section.heading}" has sourced facts but no record`);
      continue;
    }
    for (const domain of headingDomains(section.heading)) {
      if (!hosts.has(domain)) problems.push(`"${section.heading}": domain ${domain} is in no record`);
    }
  }
  return problems;
}
