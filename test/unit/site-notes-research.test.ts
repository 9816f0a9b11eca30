// The site notes against the research they were copied from (../shared/research/sites-v2): every quote appears there
// verbatim, each source address in the row it came from (with its page date and labels), no address on a domain the
// research rejects, a record with all its domains for every site with a sourced fact. Then the same check on
// tampered copies (of the research, written to a temporary folder, and of the data) must fail.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { SiteNoteRecord } from '../../src/core/site-notes';
import { SITE_NOTE_RECORDS } from '../../src/data/site-notes';
import {
  FIRST_EDITION_AGGREGATORS,
  RESEARCH_FILES,
  headingDomains,
  onRejectedDomain,
  publishedMatches,
  quotedSegments,
  readResearch,
  rejectedDomains,
  researchProblems,
  researchSections,
  rowNamesUrl,
} from '../support/site-research';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const RESEARCH_DIR = path.resolve(HERE, '../../../shared/research/sites-v2');
const RESEARCH = readResearch(RESEARCH_DIR);

describe('the notes agree with ../shared/research/sites-v2', () => {
  it('reads the three research files and finds every site in them', () => {
    expect(RESEARCH.map((f) => f.name)).toEqual([...RESEARCH_FILES]);
    expect(RESEARCH.find((f) => f.name === 'README.md')!.text).toContain('read 2026-12-05');
    const sourced = researchSections(RESEARCH).filter((s) => s.sourcedRows.length > 0);
    // Ten AI chat services (part A) and 28 services in part B with at least one sourced row.
    expect(sourced.filter((s) => s.file === 'part-a.md')).toHaveLength(10);
    expect(sourced.filter((s) => s.file === 'part-b.md').length).toBeGreaterThanOrEqual(27);
  });

  it('every quote, address, page date and label matches its row; nothing from a rejected domain; every site covered', () => {
    expect(researchProblems(SITE_NOTE_RECORDS, RESEARCH)).toEqual([]);
  });

  it('the rejected domains are read from the research itself', () => {
    const rejected = rejectedDomains(RESEARCH);
    for (const name of ['conductatlas', 'privacygpt', 'productionai.institute', 'grokipedia', 'windowsforum', 'windowsnews.ai', 'mdsite.deno.dev']) {
      expect(rejected, name).toContain(name);
    }
    expect(rejected).toEqual(expect.arrayContaining(['deepseek.chat', 'deepseekagi.org', 'audit.dhuntley.com']));
    expect(onRejectedDomain('https://conductatlas.com/openai', rejected)).toBe(true);
    expect(onRejectedDomain('https://audit.dhuntley.com/xray/privacy', rejected)).toBe(true);
    expect(onRejectedDomain('https://deepseek.chat/privacy', rejected)).toBe(true);
    expect(onRejectedDomain('https://help.openai.com/en/articles/1', rejected)).toBe(false);
    expect(onRejectedDomain('https://dangerousrobot.org/research/sources/2026/13594961', FIRST_EDITION_AGGREGATORS)).toBe(true);
  });

  it('the Hugging Face Space note, x.com for Grok and every domain of X-ray Interpreter are in the data', () => {
    const byId = (id: string) => SITE_NOTE_RECORDS.find((r) => r.id === id)!;
    expect(byId('hfspaces').domains).toContain('hf.space');
    expect(byId('grok').domains).toEqual(expect.arrayContaining(['grok.com', 'x.com']));
    expect(byId('xrayinterpreter').domains).toEqual(['xrayinterpreter.com', 'xrays.ai', 'xraygpt.com', 'ctgpts.com', 'mriagi.com']);
  });
});

describe('the parts of the check', () => {
  it('quotedSegments reads "…" with \\" inside, and “…”', () => {
    expect(quotedSegments('| x | "a \\"b\\" c" / “d” | https://e.example |')).toEqual(['a "b" c', 'd']);
  });

  it('rowNamesUrl matches a whole address, with or without https://, not the start of a longer one', () => {
    const row = 'Eligibility (help.openai.com/en/articles/20001036) and https://a.example/x?';
    expect(rowNamesUrl(row, 'https://help.openai.com/en/articles/20001036')).toBe(true);
    expect(rowNamesUrl('see https://help.openai.com/en/articles/20001036-health-in-chatgpt', 'https://help.openai.com/en/articles/20001036')).toBe(false);
    expect(rowNamesUrl(row, 'https://a.example/x?')).toBe(true);
    expect(rowNamesUrl(row, 'https://a.example/')).toBe(false);
  });

  it('headingDomains reads the domains a heading names', () => {
    expect(headingDomains('4 xAI Grok (grok.com, x.com Grok)')).toEqual(['grok.com', 'x.com']);
    expect(headingDomains('pulmo.uk — chest X-ray AI prototype (relation not verified)')).toEqual(['pulmo.uk']);
    expect(headingDomains('Chester (mlmed.org/tools/xray) — free')).toEqual(['mlmed.org/tools/xray']);
  });

  it('publishedMatches: the ISO date must be the one the page date names', () => {
    expect(publishedMatches('2025-02-14', 'Last updated: Feb 14, 2025')).toBe(true);
    expect(publishedMatches('2025-08-08', '2024-08-16 (modified 2025-08-08)')).toBe(true);
    expect(publishedMatches('2023-09-21', 'Actualizata in 21 Septembrie 2023')).toBe(true);
    expect(publishedMatches('2025-02-15', 'Last updated: Feb 14, 2025')).toBe(false);
    expect(publishedMatches('2025-03-14', 'Last updated: Feb 14, 2025')).toBe(false);
    expect(publishedMatches('14/02/2025', 'Last updated: Feb 14, 2025')).toBe(false);
  });
});

describe('a tampered copy fails the check', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spg-sites-research-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** Copies the research to a temporary folder with one replacement in one file, and reads the copy back. */
  function tamperedResearch(file: string, from: string, to: string) {
    const dir = fs.mkdtempSync(path.join(tmp, 'copy-'));
    for (const name of RESEARCH_FILES) fs.copyFileSync(path.join(RESEARCH_DIR, name), path.join(dir, name));
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    expect(text.split(from).length - 1, `"${from}" occurs once in ${file}`).toBe(1);
    fs.writeFileSync(path.join(dir, file), text.replace(from, to));
    return readResearch(dir);
  }

  it('the untampered copy passes', () => {
    expect(researchProblems(SITE_NOTE_RECORDS, tamperedResearch('part-a.md', 'Files are retained for 30 days.', 'Files are retained for 30 days.'))).toEqual([]);
  });

  it('one word changed in a quote of the research', () => {
    const problems = researchProblems(SITE_NOTE_RECORDS, tamperedResearch('part-a.md', 'uploaded images, and generated images', 'uploaded pictures, and generated images'));
    expect(problems).toEqual([expect.stringMatching(/^chatgpt\.trainingUse\[0\]: quote not found verbatim .*uploaded images, and generated images/)]);
  });

  it('one word changed in a quote of the data', () => {
    const records: SiteNoteRecord[] = structuredClone(SITE_NOTE_RECORDS) as SiteNoteRecord[];
    const perplexity = records.find((r) => r.id === 'perplexity')!;
    (perplexity.facts.retention![1]!.quotes as string[])[0] = 'Files are retained for 60 days.';
    const problems = researchProblems(records, RESEARCH);
    expect(problems.some((p) => p.startsWith('perplexity.retention[1]: quote not found verbatim') && p.includes('60 days'))).toBe(true);
  });

  it('a source moved to a row it did not come from, a page date changed, a report label dropped', () => {
    const records: SiteNoteRecord[] = structuredClone(SITE_NOTE_RECORDS) as SiteNoteRecord[];
    const chatgpt = records.find((r) => r.id === 'chatgpt')!;
    const serverLocation = chatgpt.facts.serverLocation![0]!;
    (serverLocation as { sources: unknown }).sources = [{ ...serverLocation.sources[0]!, url: 'https://help.openai.com/articles/8983778' }];
    const hipaa = chatgpt.facts.hipaa![0]!;
    (hipaa as { sources: unknown }).sources = [{ ...hipaa.sources[0]!, pageDate: 'Updated: 20 days ago' }];
    const gdpr = chatgpt.facts.gdpr![0]!;
    const { reportedBy: _dropped, ...unlabelled } = gdpr.sources[0]!;
    (gdpr as { sources: unknown }).sources = [unlabelled];
    const problems = researchProblems(records, RESEARCH);
    expect(problems.some((p) => p.startsWith('chatgpt.serverLocation[0]: quote not found verbatim'))).toBe(true);
    expect(problems.some((p) => p.startsWith('chatgpt.serverLocation[0]: https://help.openai.com/articles/8983778 is not in a row with any of its quotes'))).toBe(true);
    expect(problems.some((p) => p.startsWith('chatgpt.hipaa[0]:') && p.includes('page date Updated: 20 days ago'))).toBe(true);
    expect(problems.some((p) => p.startsWith('chatgpt.gdpr[0]:') && p.includes('marked secondary'))).toBe(true);
  });

  it('an address on a rejected domain, and a site of the research left out', () => {
    const records: SiteNoteRecord[] = (structuredClone(SITE_NOTE_RECORDS) as SiteNoteRecord[]).filter((r) => r.id !== 'pulmo');
    const gemini = records.find((r) => r.id === 'gemini')!;
    const human = gemini.facts.humanReview![0]!;
    (human as { sources: unknown }).sources = [...human.sources, { url: 'https://conductatlas.com/gemini', read: '2026-12-05' }];
    const problems = researchProblems(records, RESEARCH);
    expect(problems).toContain('gemini: https://conductatlas.com/gemini is on a rejected domain');
    expect(problems.some((p) => p.startsWith('"pulmo.uk') && p.endsWith('has sourced facts but no record'))).toBe(true);
  });

  it('a domain the research names for a site, missing from its record', () => {
    const records: SiteNoteRecord[] = structuredClone(SITE_NOTE_RECORDS) as SiteNoteRecord[];
    const xray = records.find((r) => r.id === 'xrayinterpreter')!;
    (xray as unknown as { domains: string[] }).domains = xray.domains.filter((d) => d !== 'mriagi.com');
    expect(researchProblems(records, RESEARCH)).toEqual([expect.stringMatching(/domain mriagi\.com is in no record$/)]);
  });
});
