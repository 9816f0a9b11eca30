// The site notes database: every record against its schema, the message strings it needs, matching a page to its
// notes (hosts, subdomains, paths), concern levels, the three answers the popup leads with (worst first), the order of
// disagreeing sources (newest first) and the age of the notes with an injected clock. Checks against the research
// itself are in site-notes-research.test.ts.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  SITE_NOTES_COUNT,
  allSiteNotes,
  CONCERN_ORDER,
  DURATION_UNITS,
  DURATION_VALUES,
  FACT_KINDS,
  FACT_VALUES,
  HOW_KINDS,
  LEAD_QUESTIONS,
  OTHER_KINDS,
  SITE_CATEGORIES,
  UPLOAD_QUESTIONS,
  concernOf,
  DOCUMENT_SITE_CATEGORIES,
  createDocumentPathsLookup,
  createListedHostTest,
  createSiteNotesLookup,
  documentPathsOf,
  durationDays,
  findSiteNotes,
  isListedHost,
  leadAnswers,
  normalizeHost,
  notesAreStale,
  orderFindings,
  parseIsoDate,
  parsePageAddress,
  periodConcern,
  resolveSiteNotes,
  splitDomain,
  worseFirst,
  type Concern,
  type Duration,
  type FactKind,
  type FactValue,
  type SiteNoteRecord,
  type SiteSource,
} from '../../src/core/site-notes';
import { SITE_NOTE_RECORDS } from '../../src/data/site-notes';
import { mergeSiteNotesMessages, siteNotesEnglishMessages, type ChromeMessage } from '../../src/data/site-notes-messages';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MESSAGES = JSON.parse(fs.readFileSync(path.resolve(HERE, '../../public/_locales/en/messages.json'), 'utf8')) as Record<string, ChromeMessage>;

// ------------------------------------------------------------------------------------------------------------------
// A hand-written schema validator: returns every problem found in one record, as "path: problem".
// ------------------------------------------------------------------------------------------------------------------

type Json = unknown;
const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: Json): v is string => typeof v === 'string' && v.trim() !== '' && v === v.trim();
const HOST = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const SITE_ID = /^[a-z][a-z0-9]*$/;

function onlyKeys(obj: Record<string, Json>, allowed: readonly string[], at: string, problems: string[]): void {
  for (const key of Object.keys(obj)) if (!allowed.includes(key)) problems.push(`${at}: unexpected field ${key}`);
}

function checkHttpsUrl(v: Json, at: string, problems: string[]): void {
  if (typeof v !== 'string') return void problems.push(`${at}: not a string`);
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return void problems.push(`${at}: not a URL`);
  }
  if (url.protocol !== 'https:') problems.push(`${at}: not https`);
  if (/\s|…/.test(v)) problems.push(`${at}: contains spaces or an ellipsis`);
  if (url.username || url.password) problems.push(`${at}: credentials`);
}

function checkDate(v: Json, at: string, problems: string[]): void {
  const ms = typeof v === 'string' ? parseIsoDate(v) : undefined;
  if (ms === undefined) problems.push(`${at}: not an ISO date`);
  else if (ms < Date.UTC(2000, 0, 1) || ms > Date.UTC(2026, 11, 5)) problems.push(`${at}: not between 2000 and the day the research was read`);
}

function checkQuotes(v: Json, at: string, problems: string[], required: boolean): void {
  if (v === undefined && !required) return;
  if (!Array.isArray(v) || v.length === 0) return void problems.push(`${at}: quotes must be a non-empty array`);
  v.forEach((q, i) => isText(q) || problems.push(`${at}[${i}]: empty or padded quote`));
}

function checkSources(v: Json, at: string, problems: string[]): void {
  if (!Array.isArray(v) || v.length === 0) return void problems.push(`${at}: at least one source`);
  v.forEach((s, i) => {
    const here = `${at}[${i}]`;
    if (!isObject(s)) return void problems.push(`${here}: not an object`);
    onlyKeys(s, ['url', 'read', 'pageDate', 'published', 'reportedBy', 'archived'], here, problems);
    checkHttpsUrl(s.url, `${here}.url`, problems);
    checkDate(s.read, `${here}.read`, problems);
    if (s.pageDate !== undefined && !isText(s.pageDate)) problems.push(`${here}.pageDate: empty`);
    if (typeof s.pageDate === 'string' && /^undated$/i.test(s.pageDate)) problems.push(`${here}.pageDate: leave out for undated`);
    if (s.published !== undefined) {
      checkDate(s.published, `${here}.published`, problems);
      if (s.pageDate === undefined) problems.push(`${here}.published: without a page date`);
    }
    if (s.reportedBy !== undefined && !isText(s.reportedBy)) problems.push(`${here}.reportedBy: empty`);
    if (s.archived !== undefined && s.archived !== true) problems.push(`${here}.archived: true or absent`);
  });
}

function validateRecord(record: Json): string[] {
  const problems: string[] = [];
  if (!isObject(record)) return ['record: not an object'];
  const at = `site ${String(record.id)}`;
  onlyKeys(record, ['id', 'name', 'domains', 'category', 'facts', 'remarks'], at, problems);
  if (typeof record.id !== 'string' || !SITE_ID.test(record.id)) problems.push(`${at}.id: lower-case letters and digits`);
  if (!isText(record.name)) problems.push(`${at}.name: missing`);
  if (!Array.isArray(record.domains) || record.domains.length === 0) problems.push(`${at}.domains: at least one`);
  else {
    record.domains.forEach((d, i) => {
      const here = `${at}.domains[${i}]`;
      if (typeof d !== 'string') return void problems.push(`${here}: not a string`);
      const { host, path: p } = splitDomain(d);
      if (!HOST.test(host)) return void problems.push(`${here}: not a lower-case host name (${d})`);
      if (host.startsWith('www.')) problems.push(`${here}: starts with www.`);
      if (normalizeHost(host) !== host) problems.push(`${here}: does not normalise to itself`);
      if (p !== '' && (!/^(?:\/[a-z0-9_-]+)+$/.test(p) || `${host}${p}` !== d)) problems.push(`${here}: a path is lower-case segments without a trailing slash`);
    });
    if (new Set(record.domains).size !== record.domains.length) problems.push(`${at}.domains: duplicates`);
  }
  if (!(SITE_CATEGORIES as readonly Json[]).includes(record.category)) problems.push(`${at}.category: ${String(record.category)}`);

  if (!isObject(record.facts)) problems.push(`${at}.facts: not an object`);
  else {
    onlyKeys(record.facts, FACT_KINDS, `${at}.facts`, problems);
    for (const kind of FACT_KINDS) {
      const findings = record.facts[kind];
      const here = `${at}.facts.${kind}`;
      if (findings === undefined) continue;
      if (!Array.isArray(findings) || findings.length === 0) {
        problems.push(`${here}: a non-empty array of findings (leave the kind out when nothing was found)`);
        continue;
      }
      findings.forEach((finding, i) => {
        const f = `${here}[${i}]`;
        if (!isObject(finding)) return void problems.push(`${f}: not an object`);
        onlyKeys(finding, ['value', 'duration', 'about', 'detail', 'quotes', 'lang', 'how', 'disagree', 'sources'], f, problems);
        const allowed = FACT_VALUES[kind] as readonly Json[];
        if (!allowed.includes(finding.value)) problems.push(`${f}.value: ${String(finding.value)} is not one of ${allowed.join(', ')}`);
        if (finding.value === 'unknown') problems.push(`${f}: unknown is written by leaving the kind out`);
        const durationValues = (DURATION_VALUES[kind] ?? []) as readonly Json[];
        if (finding.duration !== undefined) {
          if (!durationValues.includes(finding.value)) problems.push(`${f}.duration: not allowed for ${String(finding.value)}`);
          const d = finding.duration;
          if (!isObject(d) || !Number.isInteger(d.amount) || (d.amount as number) < 1 || !(DURATION_UNITS as readonly Json[]).includes(d.unit)) {
            problems.push(`${f}.duration: { amount: a positive whole number, unit: ${DURATION_UNITS.join(' | ')} }`);
          }
        } else if (kind === 'retention' && finding.value === 'period') problems.push(`${f}: a retention period needs a duration`);
        if (finding.about !== undefined && !isText(finding.about)) problems.push(`${f}.about: empty`);
        if (finding.detail !== undefined && !isText(finding.detail)) problems.push(`${f}.detail: empty`);
        checkQuotes(finding.quotes, `${f}.quotes`, problems, true);
        if (finding.lang !== undefined && (typeof finding.lang !== 'string' || !/^[a-z]{2}$/.test(finding.lang) || finding.lang === 'en')) {
          problems.push(`${f}.lang: a two-letter language other than en`);
        }
        if (finding.how !== undefined) {
          if (!HOW_KINDS.includes(kind)) problems.push(`${f}.how: only for ${HOW_KINDS.join(', ')}`);
          const quotes = Array.isArray(finding.quotes) ? (finding.quotes as Json[]) : [];
          if (!isText(finding.how) || !quotes.some((q) => typeof q === 'string' && q.includes(finding.how as string))) problems.push(`${f}.how: must be part of one of its quotes`);
        }
        if (finding.disagree !== undefined && finding.disagree !== true) problems.push(`${f}.disagree: true or absent`);
        checkSources(finding.sources, `${f}.sources`, problems);
      });
      const disagreeing = findings.filter((f) => isObject(f) && f.disagree === true).length;
      if (disagreeing === 1) problems.push(`${here}: one finding cannot disagree on its own`);
    }
  }

  if (record.remarks !== undefined) {
    if (!Array.isArray(record.remarks)) problems.push(`${at}.remarks: not an array`);
    else {
      record.remarks.forEach((remark, i) => {
        const here = `${at}.remarks[${i}]`;
        if (!isObject(remark)) return void problems.push(`${here}: not an object`);
        onlyKeys(remark, ['text', 'quotes', 'lang', 'sources'], here, problems);
        if (!isText(remark.text)) problems.push(`${here}.text: missing`);
        checkQuotes(remark.quotes, `${here}.quotes`, problems, false);
        checkSources(remark.sources, `${here}.sources`, problems);
      });
    }
  }
  return problems;
}

const source = (extra: Partial<SiteSource> = {}): SiteSource => ({ url: 'https://example.com/privacy', read: '2026-12-05', ...extra });

/** A valid record to mutate in the validator's own tests. */
const goodRecord = (): Record<string, unknown> =>
  structuredClone({
    id: 'example',
    name: 'Example',
    domains: ['example.com', 'example.org/app'],
    category: 'ai-chat',
    facts: {
      trainingUse: [{ value: 'opt-out', quotes: ['Go to Settings and turn it off.'], how: 'Go to Settings', sources: [source({ pageDate: 'Last updated: May 1, 2025', published: '2025-05-01' })] }],
      retention: [{ value: 'period', duration: { amount: 30, unit: 'day' }, quotes: ['30 days'], sources: [source({ reportedBy: 'A Paper' })] }],
    },
    remarks: [{ text: 'A remark.', sources: [source()] }],
  });

describe('the schema validator', () => {
  it('accepts a good record and rejects each kind of fault', () => {
    expect(validateRecord(goodRecord())).toEqual([]);
    const faults: Array<[string, (r: any) => void]> = [
      ['id', (r) => (r.id = 'Bad-Id')],
      ['name', (r) => (r.name = '')],
      ['extra field', (r) => (r.links = {})],
      ['no domains', (r) => (r.domains = [])],
      ['scheme in domain', (r) => (r.domains = ['https://example.com'])],
      ['upper case domain', (r) => (r.domains = ['Example.com'])],
      ['upper case path', (r) => (r.domains = ['example.com/App'])],
      ['trailing slash', (r) => (r.domains = ['example.com/app/'])],
      ['www domain', (r) => (r.domains = ['www.example.com'])],
      ['IP domain', (r) => (r.domains = ['10.0.0.1'])],
      ['duplicate domain', (r) => (r.domains = ['example.com', 'example.com'])],
      ['category', (r) => (r.category = 'social')],
      ['kind as an object', (r) => (r.facts.trainingUse = r.facts.trainingUse[0])],
      ['empty kind', (r) => (r.facts.trainingUse = [])],
      ['value outside the set', (r) => (r.facts.trainingUse[0].value = 'maybe')],
      ['explicit unknown', (r) => (r.facts.trainingUse[0].value = 'unknown')],
      ['unknown fact kind', (r) => (r.facts.rating = [{ value: 'yes', quotes: ['x'], sources: [source()] }])],
      ['no quote', (r) => (r.facts.trainingUse[0].quotes = [])],
      ['empty quote', (r) => (r.facts.trainingUse[0].quotes = [''])],
      ['no source', (r) => (r.facts.trainingUse[0].sources = [])],
      ['how not in a quote', (r) => (r.facts.trainingUse[0].how = 'Go to Preferences')],
      ['how on another kind', (r) => (r.facts.retention[0].how = '30 days')],
      ['period without duration', (r) => delete r.facts.retention[0].duration],
      ['duration on another value', (r) => (r.facts.trainingUse[0].duration = { amount: 1, unit: 'day' })],
      ['bad duration unit', (r) => (r.facts.retention[0].duration.unit = 'week')],
      ['bad duration amount', (r) => (r.facts.retention[0].duration.amount = 0)],
      ['lang en written out', (r) => (r.facts.trainingUse[0].lang = 'en')],
      ['one disagreeing finding', (r) => (r.facts.trainingUse[0].disagree = true)],
      ['source without url', (r) => delete r.facts.trainingUse[0].sources[0].url],
      ['truncated URL', (r) => (r.facts.trainingUse[0].sources[0].url = 'https://example.com/privacy/…')],
      ['http URL', (r) => (r.facts.trainingUse[0].sources[0].url = 'http://example.com/privacy')],
      ['not a URL', (r) => (r.facts.trainingUse[0].sources[0].url = 'example.com/privacy')],
      ['no read date', (r) => delete r.facts.trainingUse[0].sources[0].read],
      ['impossible read date', (r) => (r.facts.trainingUse[0].sources[0].read = '2026-02-30')],
      ['read after the research', (r) => (r.facts.trainingUse[0].sources[0].read = '2027-01-01')],
      ['"undated" written as a page date', (r) => (r.facts.trainingUse[0].sources[0].pageDate = 'undated')],
      ['published without page date', (r) => (r.remarks[0].sources[0].published = '2025-01-01')],
      ['archived not true', (r) => (r.remarks[0].sources[0].archived = 'yes')],
      ['remark without text', (r) => (r.remarks[0].text = ' ')],
      ['remark without source', (r) => (r.remarks[0].sources = [])],
    ];
    for (const [name, spoil] of faults) {
      const r = goodRecord();
      spoil(r);
      expect(validateRecord(r), name).not.toEqual([]);
    }
  });
});

describe('the site notes database', () => {
  it('every record validates against the schema', () => {
    expect(SITE_NOTE_RECORDS.flatMap((r) => validateRecord(r))).toEqual([]);
  });

  it('ids are unique and no domain belongs to two sites', () => {
    const ids = SITE_NOTE_RECORDS.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    const domains = SITE_NOTE_RECORDS.flatMap((r) => r.domains);
    expect(new Set(domains).size).toBe(domains.length);
  });

  it('covers general AI chat, AI image readers, model demos, second-opinion and imaging services', () => {
    const count = (c: string) => SITE_NOTE_RECORDS.filter((r) => r.category === c).length;
    expect(count('ai-chat')).toBeGreaterThanOrEqual(10);
    expect(count('ai-image-reader')).toBeGreaterThanOrEqual(10);
    expect(count('second-opinion')).toBeGreaterThanOrEqual(10);
    expect(count('model-demo')).toBeGreaterThanOrEqual(1);
    expect(count('imaging-service')).toBeGreaterThanOrEqual(1);
  });

  it('every record has at least one finding with a source (a site with nothing sourced has no record)', () => {
    for (const r of SITE_NOTE_RECORDS) {
      const findings = FACT_KINDS.flatMap((k) => (r.facts[k] ?? []) as readonly unknown[]);
      expect(findings.length, r.id).toBeGreaterThan(0);
    }
    expect(findSiteNotes('doctorum.co.uk'), 'doctorum.co.uk: only an article, no sourced fact').toBeUndefined();
  });

  it('official pages come before news reports within each kind', () => {
    for (const r of SITE_NOTE_RECORDS) {
      for (const kind of FACT_KINDS) {
        // Disagreeing findings are ordered newest first instead (a later report can come before an older page).
        const findings = (r.facts[kind] ?? []).filter((f) => !f.disagree);
        const secondary = findings.map((f) => f.sources.every((s) => s.reportedBy !== undefined));
        const firstReport = secondary.indexOf(true);
        if (firstReport >= 0) expect(secondary.slice(firstReport).every(Boolean), `${r.id}.${kind}: an official page after a report`).toBe(true);
      }
    }
  });

  it('Hugging Face Spaces: every *.hf.space host, with the note that each Space follows its owner', () => {
    const spaces = findSiteNotes('https://someone-chest-xray.hf.space/')!;
    expect(spaces.id).toBe('hfspaces');
    expect(findSiteNotes('https://huggingface.co/spaces/someone/chest-xray')?.id).toBe('hfspaces');
    expect(spaces.remarks.map((r) => r.text).join(' ')).toMatch(/owner/);
    expect(spaces.facts.find((f) => f.kind === 'humanReview')!.findings[0]!.value).toBe('owner');
  });
});

describe('resolved notes', () => {
  it('list every fact kind once, in order, with findings in display order and message keys filled in', () => {
    expect(allSiteNotes()).toHaveLength(SITE_NOTE_RECORDS.length);
    expect(SITE_NOTES_COUNT).toBe(SITE_NOTE_RECORDS.length);
    expect(allSiteNotes(), 'resolved once').toBe(allSiteNotes());
    for (const [i, notes] of allSiteNotes().entries()) {
      const record = SITE_NOTE_RECORDS[i]!;
      expect(notes.facts.map((f) => f.kind)).toEqual(FACT_KINDS);
      for (const fact of notes.facts) {
        const stored = record.facts[fact.kind] ?? [];
        expect(fact.findings).toHaveLength(stored.length);
        expect(fact.concern).toBe(stored.length === 0 ? 'unknown' : fact.findings.map((f) => f.concern).sort((a, b) => CONCERN_ORDER.indexOf(a) - CONCERN_ORDER.indexOf(b))[0]);
        for (const finding of fact.findings) {
          expect(finding.concern).toBe(concernOf(finding.kind, finding.value, finding.duration));
          expect(finding.valueKey).toMatch(/^sites_value_/);
        }
      }
      expect(notes.read).toBe('2026-12-05');
    }
  });

  it('carry the message keys of every label', () => {
    const chatgpt = findSiteNotes('chatgpt.com')!;
    const training = chatgpt.facts.find((f) => f.kind === 'trainingUse')!;
    expect(training.titleKey).toBe('sites_fact_training_use');
    expect(training.findings[0]).toMatchObject({ value: 'opt-out', concern: 'high', valueKey: 'sites_value_training_use_opt_out', detailKey: 'sites_detail_chatgpt_training_use_1' });
    expect(training.findings[1]).toMatchObject({ value: 'no', aboutKey: 'sites_about_chatgpt_training_use_2', about: 'Temporary Chat' });
    const deletion = chatgpt.facts.find((f) => f.kind === 'deletion')!;
    expect(deletion.findings.find((f) => f.value === 'yes')!.valueKey).toBe('sites_value_deletion_yes_within');
    expect(chatgpt.categoryKey).toBe('sites_category_ai_chat');
    expect(chatgpt.remarks[0]!.textKey).toBe('sites_remark_chatgpt_1');
    const claude = findSiteNotes('claude.ai')!;
    expect(claude.facts.find((f) => f.kind === 'humanReview')!.findings[0]!.lang).toBe('fr');
    const bare = resolveSiteNotes({ id: 'bare', name: 'Bare', domains: ['bare.example'], category: 'model-demo', facts: {} });
    expect(bare.remarks).toEqual([]);
    expect(bare.read).toBeUndefined();
    expect(bare.facts.every((f) => f.findings.length === 0 && f.concern === 'unknown' && !f.disagree)).toBe(true);
  });

  it('show disagreeing official pages together, first, newest first; undated ones keep their order after dated ones', () => {
    const ads = findSiteNotes('chatgpt.com')!.facts.find((f) => f.kind === 'advertising')!;
    expect(ads.disagree).toBe(true);
    expect(ads.findings.map((f) => [f.value, f.disagree])).toEqual([
      ['ads-shown', true],
      ['no', true],
      ['no', false],
    ]);
    expect(ads.findings[0]!.sources[0]!.published).toBe('2026-01-17');
    const mistral = findSiteNotes('chat.mistral.ai')!.facts.find((f) => f.kind === 'trainingUse')!;
    expect(mistral.findings.filter((f) => f.disagree).map((f) => f.about)).toEqual([
      'Free, Pro and Student plans; uploaded documents included (help centre)',
      'Pro, Team and Enterprise plans, by default (documentation)',
    ]);
    const f = (concern: Concern, disagree: boolean, published?: string) => ({ concern, disagree, sources: [source(published ? { pageDate: published, published } : {})] });
    const ordered = orderFindings([f('low', false), f('high', false), f('low', true, '2024-01-01'), f('high', true), f('medium', true, '2025-06-01')]);
    const kept = (amount?: number, unit: 'day' | 'month' | 'year' = 'day'): { concern: Concern; duration?: Duration } =>
      amount === undefined ? { concern: 'high' } : { concern: 'high', duration: { amount, unit } };
    expect([kept(18, 'month'), kept(3, 'year'), kept()].sort(worseFirst).map((x) => x.duration?.unit)).toEqual(['year', 'month', undefined]);
    expect(ordered.map((x) => `${x.disagree ? 'D' : '-'}${x.concern}${x.sources[0]!.published ?? ''}`)).toEqual([
      'Dmedium2025-06-01',
      'Dlow2024-01-01',
      'Dhigh',
      '-high',
      '-low',
    ]);
  });
});

describe('the three answers the popup leads with', () => {
  it('are training, access and keeping, each with the kinds that answer it; the others are "more about"', () => {
    expect(LEAD_QUESTIONS.map((q) => q.id)).toEqual(['training', 'access', 'keep']);
    expect(LEAD_QUESTIONS.flatMap((q) => q.kinds)).toEqual(['trainingUse', 'humanReview', 'thirdPartyAi', 'retention', 'deletion']);
    expect([...LEAD_QUESTIONS.flatMap((q) => q.kinds), ...OTHER_KINDS].sort()).toEqual([...FACT_KINDS].sort());
  });

  it('come worst first, each led by its worst finding', () => {
    for (const notes of allSiteNotes()) {
      const answers = leadAnswers(notes);
      expect(answers.map((a) => a.question).sort()).toEqual(['access', 'keep', 'training']);
      const ranks = answers.map((a) => CONCERN_ORDER.indexOf(a.concern));
      expect(ranks, notes.id).toEqual([...ranks].sort((a, b) => a - b));
      for (const a of answers) {
        expect(a.questionKey).toBe(`popup_question_${a.question}`);
        const all = a.kinds.flatMap((k) => notes.facts.find((f) => f.kind === k)!.findings);
        expect(a.findings).toHaveLength(all.length);
        expect(a.headline).toBe(a.findings[0]);
        for (let i = 1; i < a.findings.length; i++) expect(worseFirst(a.findings[i - 1]!, a.findings[i]!), `${notes.id} ${a.question}`).toBeLessThanOrEqual(0);
        expect(a.concern).toBe(a.headline?.concern ?? 'unknown');
        expect(a.unknownKinds).toEqual(a.kinds.filter((k) => notes.facts.find((f) => f.kind === k)!.findings.length === 0));
        expect(a.how.every((f) => f.how !== undefined)).toBe(true);
      }
    }
  });

  it('for Gemini: training worst, then keeping (up to three years for reviewed chats), with where to turn it off', () => {
    const answers = leadAnswers(findSiteNotes('gemini.google.com')!);
    expect(answers.map((a) => `${a.question}:${a.concern}`)).toEqual(['training:high', 'access:high', 'keep:high']);
    const keep = answers.find((a) => a.question === 'keep')!;
    expect(keep.headline).toMatchObject({ kind: 'retention', value: 'period', duration: { amount: 3, unit: 'year' } });
    expect(answers[0]!.how[0]!.how).toBe('turn off Keep Activity in My Activity at any time.');
  });

  it('unknown when nothing was found; ties keep the questions\' order', () => {
    const deepseek = leadAnswers(findSiteNotes('chat.deepseek.com')!);
    expect(deepseek.map((a) => `${a.question}:${a.concern}`)).toEqual(['training:unknown', 'access:unknown', 'keep:unknown']);
    expect(deepseek.every((a) => a.headline === undefined && a.findings.length === 0)).toBe(true);
    const chester = leadAnswers(findSiteNotes('https://mlmed.org/tools/xray/')!);
    expect(chester.map((a) => `${a.question}:${a.concern}`)).toEqual(['training:unknown', 'keep:unknown', 'access:low']);
    expect(chester[2]!.unknownKinds).toEqual(['humanReview']);
  });
});

describe('concern levels', () => {
  it('derive a concern for every kind and value; unknown only for unknown', () => {
    for (const kind of FACT_KINDS) {
      for (const value of FACT_VALUES[kind] as readonly FactValue[]) {
        const concern = concernOf(kind, value as FactValue<typeof kind>);
        if (value === 'unknown') expect(concern).toBe('unknown');
        else expect(['high', 'medium', 'low']).toContain(concern);
      }
    }
    expect(concernOf('trainingUse', 'opt-out')).toBe('high');
    expect(concernOf('trainingUse', 'opt-in')).toBe('low');
    expect(concernOf('humanReview', 'owner')).toBe('high');
    expect(concernOf('humanReview', 'clinicians')).toBe('low');
    expect(concernOf('serverLocation', 'device')).toBe('low');
    expect(concernOf('deletion', 'partial')).toBe('medium');
    // A value from outside the closed set (untyped data) is treated as unknown.
    expect(concernOf('trainingUse', 'maybe' as FactValue<'trainingUse'>)).toBe('unknown');
  });

  it('a retention period: a year or more worrying, more than a month worth a look, a month or less reassuring', () => {
    expect(durationDays({ amount: 72, unit: 'hour' })).toBe(3);
    expect(durationDays({ amount: 2, unit: 'year' })).toBeCloseTo(730.5);
    expect(periodConcern({ amount: 5, unit: 'year' })).toBe('high');
    expect(periodConcern({ amount: 12, unit: 'month' })).toBe('high');
    expect(periodConcern({ amount: 18, unit: 'month' })).toBe('high');
    expect(periodConcern({ amount: 2, unit: 'month' })).toBe('medium');
    expect(periodConcern({ amount: 30, unit: 'day' })).toBe('low');
    expect(periodConcern({ amount: 24, unit: 'hour' })).toBe('low');
    expect(periodConcern(undefined)).toBe('medium');
    expect(concernOf('retention', 'period', { amount: 3, unit: 'year' })).toBe('high');
    expect(concernOf('retention', 'until-deleted')).toBe('medium');
  });

  it('a reassuring value is never ranked above a worrying one of the same kind', () => {
    const rank = (c: Concern) => CONCERN_ORDER.indexOf(c);
    expect(rank(concernOf('trainingUse', 'yes'))).toBeLessThan(rank(concernOf('trainingUse', 'no')));
    expect(rank(concernOf('retention', 'unstated'))).toBeLessThan(rank(concernOf('retention', 'not-retained')));
    expect(rank(concernOf('deletion', 'no'))).toBeLessThan(rank(concernOf('deletion', 'yes')));
    expect(rank(concernOf('hipaa', 'not-covered'))).toBeLessThan(rank(concernOf('hipaa', 'baa-offered')));
  });
});

describe('the age of the notes (injected clock)', () => {
  it('notes read 2026-12-05 are current for twelve months and stale from 2027-12-06 (UTC)', () => {
    expect(notesAreStale('2026-12-05', new Date('2026-12-05T10:00:00Z'))).toBe(false);
    expect(notesAreStale('2026-12-05', new Date('2027-06-01T00:00:00Z'))).toBe(false);
    expect(notesAreStale('2026-12-05', new Date('2027-12-05T23:59:59Z'))).toBe(false);
    expect(notesAreStale('2026-12-05', new Date('2027-12-06T00:00:00Z'))).toBe(true);
    expect(notesAreStale('2026-12-05', new Date('2031-01-01T00:00:00Z'))).toBe(true);
    // Month ends roll over as the calendar does.
    expect(notesAreStale('2024-01-31', new Date('2025-01-31T12:00:00Z'))).toBe(false);
    expect(notesAreStale('2024-01-31', new Date('2025-02-01T00:00:00Z'))).toBe(true);
  });

  it('an invalid date or clock counts as stale (the popup then says so rather than nothing)', () => {
    expect(notesAreStale('not a date', new Date('2026-12-05T00:00:00Z'))).toBe(true);
    expect(notesAreStale('2026-12-05', new Date('invalid'))).toBe(true);
  });

  it('parseIsoDate accepts real calendar dates only', () => {
    expect(parseIsoDate('2025-11-11')).toBe(Date.UTC(2025, 10, 11));
    expect(parseIsoDate('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
    for (const bad of ['2025-02-29', '2025-13-01', '2025-00-10', '2025-1-1', '20251111', '2025-11-11T00:00:00Z', '', 'yesterday']) {
      expect(parseIsoDate(bad), bad).toBeUndefined();
    }
  });
});

describe('messages', () => {
  const english = siteNotesEnglishMessages();

  it('every key the notes and questions use has an English string', () => {
    const used = new Set<string>();
    for (const notes of allSiteNotes()) {
      used.add(notes.categoryKey);
      for (const fact of notes.facts) {
        used.add(fact.titleKey);
        for (const f of fact.findings) [f.valueKey, f.aboutKey, f.detailKey].forEach((k) => k && used.add(k));
      }
      for (const m of notes.remarks) used.add(m.textKey);
    }
    for (const kind of FACT_KINDS) {
      for (const value of FACT_VALUES[kind] as readonly FactValue[]) used.add(`sites_value_${kind.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}_${value.replace(/-/g, '_')}`);
    }
    for (const c of CONCERN_ORDER) used.add(`sites_concern_${c}`);
    for (const q of UPLOAD_QUESTIONS) used.add(q.messageKey);
    const missing = [...used].filter((k) => english[k] === undefined);
    expect(missing).toEqual([]);
    expect(used.size).toBeGreaterThan(200);
    for (const q of LEAD_QUESTIONS) expect(MESSAGES[`popup_question_${q.id}`], q.id).toBeDefined();
  });

  it('keys are valid _locales keys; only duration labels take a placeholder', () => {
    for (const [key, m] of Object.entries(english)) {
      expect(key).toMatch(/^(?:sites|question)_[a-z0-9_]+$/);
      expect(m.message.trim()).not.toBe('');
      if (m.message.includes('$')) {
        expect(m.message.replace(/\$DURATION\$/, ''), key).not.toContain('$');
        expect(m.placeholders, key).toEqual({ duration: { content: '$1', example: '30 days' } });
      }
    }
    expect(english.sites_value_retention_period!.message).toContain('$DURATION$');
    expect(english.sites_value_deletion_automatic_within!.message).toContain('$DURATION$');
  });

  it('public/_locales/en/messages.json holds them all, unchanged (run src/data/site-notes-messages.ts after edits)', () => {
    const stale = Object.entries(english).filter(([key, m]) => JSON.stringify(MESSAGES[key]) !== JSON.stringify(m)).map(([k]) => k);
    expect(stale).toEqual([]);
    const orphans = Object.keys(MESSAGES).filter((k) => /^sites_(?:about|detail|remark|value|read)_/.test(k) && !(k in english));
    expect(orphans).toEqual([]);
  });

  it('the merge keeps other keys, drops stale findings, remarks and values, and is idempotent', () => {
    const before: Record<string, ChromeMessage> = {
      extensionName: { message: 'Scan Privacy Guard' },
      sites_no_notes: { message: 'someone else’s key' },
      sites_detail_gone_training_use_1: { message: 'stale' },
      sites_about_gone_training_use_1: { message: 'stale' },
      sites_value_retention_years: { message: 'a value no longer in the vocabulary' },
      sites_fact_training_use: { message: 'old text' },
    };
    const merged = mergeSiteNotesMessages(before);
    expect(merged.extensionName).toEqual(before.extensionName);
    expect(merged.sites_no_notes).toEqual(before.sites_no_notes);
    expect(merged.sites_detail_gone_training_use_1).toBeUndefined();
    expect(merged.sites_about_gone_training_use_1).toBeUndefined();
    expect(merged.sites_value_retention_years).toBeUndefined();
    expect(merged.sites_fact_training_use).toEqual(english.sites_fact_training_use);
    expect(Object.keys(merged)[0]).toBe('extensionName');
    expect(mergeSiteNotesMessages(merged)).toEqual(merged);
  });
});

describe('findSiteNotes', () => {
  const idOf = (input: string) => findSiteNotes(input)?.id;

  it('matches exact hosts, full URLs, www., subdomains and a trailing dot', () => {
    expect(idOf('chatgpt.com')).toBe('chatgpt');
    expect(idOf('https://chatgpt.com/c/123?x=1#y')).toBe('chatgpt');
    expect(idOf('https://www.chatgpt.com/')).toBe('chatgpt');
    expect(idOf('WWW.ChatGPT.COM')).toBe('chatgpt');
    expect(idOf('chat.openai.com')).toBe('chatgpt');
    expect(idOf('https://chatgpt.com./')).toBe('chatgpt');
    expect(idOf('http://chatgpt.com:8443/path')).toBe('chatgpt');
    expect(idOf('chatgpt.com/share/abc')).toBe('chatgpt');
    expect(idOf('  https://claude.ai/new  ')).toBe('claude');
    expect(idOf('https://cdn.assets.chatgpt.com/x')).toBe('chatgpt');
    expect(idOf('https://x.com/i/grok')).toBe('grok');
    expect(idOf('https://user:pw@x.com/i/grok')).toBe('grok');
    expect(idOf('https://mail.secondopinionmedic.com/privacy')).toBe('secondopinionmedic');
    expect(idOf('labread.ai')).toBe('labreadai');
    expect(idOf('https://www.medicai.io/ro/gdpr')).toBe('medicai');
  });

  it('domains with a path: only that part of the site, segment by segment; the most specific path wins', () => {
    expect(idOf('https://mlmed.org/tools/xray/')).toBe('chester');
    expect(idOf('https://mlmed.org/tools/xray')).toBe('chester');
    expect(idOf('https://mlmed.org/TOOLS/XRAY/index.html')).toBe('chester');
    expect(idOf('https://mlmed.org/')).toBeUndefined();
    expect(idOf('https://mlmed.org/tools/xray-other/')).toBeUndefined();
    expect(idOf('mlmed.org'), 'a bare host matches only domains without a path').toBeUndefined();
    expect(idOf('https://medical.26.systems/ai_radiologist/legal/privacy')).toBe('airadiologist');
    expect(idOf('https://medical.26.systems/other_app')).toBeUndefined();
    expect(idOf('https://huggingface.co/chat/conversation/1')).toBe('huggingchat');
    expect(idOf('https://huggingface.co/chatty')).toBe('huggingface');
    expect(idOf('https://huggingface.co/spaces/a/b')).toBe('hfspaces');
    expect(idOf('https://huggingface.co/models')).toBe('huggingface');
    expect(idOf('huggingface.co')).toBe('huggingface');
    expect(idOf('https://someone-chest-xray.hf.space/')).toBe('hfspaces');
  });

  it('does not match a parent of a listed host, or a sibling', () => {
    expect(idOf('openai.com')).toBeUndefined();
    expect(idOf('deepseek.com')).toBeUndefined();
    expect(idOf('https://google.com/')).toBeUndefined();
    expect(idOf('mail.google.com')).toBeUndefined();
    expect(idOf('mistral.ai')).toBeUndefined();
    expect(idOf('26.systems')).toBeUndefined();
    expect(idOf('chat.deepseek.com')).toBe('deepseek');
  });

  it('does not match look-alike domains', () => {
    for (const host of [
      'notchatgpt.com',
      'chatgpt.com.evil.example',
      'https://chatgpt.com.evil.example/login',
      'chatgpt-com.example',
      'chatgptcom',
      'chatgpt.co',
      'xchatgpt.com',
      'https://evil.example/chatgpt.com',
      'https://evil.example/?u=https://chatgpt.com',
      'https://chatgpt.com@evil.example/',
      'fakex.com',
      'claude.ai.evil.example',
      'hf.space.evil.example',
      'https://evil.example/tools/xray',
    ]) {
      expect(idOf(host), host).toBeUndefined();
    }
  });

  it('returns undefined for IP addresses, localhost, browser and extension pages, and garbage, without throwing', () => {
    for (const input of [
      '127.0.0.1',
      'http://127.0.0.1:8080/',
      'http://127.1/',
      'http://0x7f000001/',
      'http://[::1]/',
      '[2001:db8::1]',
      '192.168.1.10',
      'localhost',
      'http://localhost:3000/upload',
      'app.localhost',
      'chrome-extension://abcdefghijklmnop/src/ui/popup/index.html',
      'moz-extension://1234-5678/popup.html',
      'about:blank',
      'file:///home/me/scan.dcm',
      'data:text/html,chatgpt.com',
      'javascript:alert(1)',
      'blob:https://chatgpt.com/1234',
      'view-source:https://chatgpt.com/',
      'chrome://settings',
      'ftp://chatgpt.com/',
      'ws://chatgpt.com/',
      '',
      '   ',
      'http://',
      '://',
      'not a url at all',
      'chatgpt',
      '..chatgpt.com',
      'chatgpt..com',
      'http://exa mple.com',
      '-bad-.example',
      'http://%%%/',
      '\u0000',
      'x'.repeat(5000),
    ]) {
      expect(() => findSiteNotes(input), input).not.toThrow();
      expect(findSiteNotes(input), input).toBeUndefined();
    }
    expect(findSiteNotes(undefined as unknown as string)).toBeUndefined();
    expect(findSiteNotes(42 as unknown as string)).toBeUndefined();
  });

  it('normalizeHost and parsePageAddress give the host the popup shows and the path', () => {
    expect(normalizeHost('https://WWW.Example.COM./a')).toBe('example.com');
    expect(normalizeHost('www2.example.com')).toBe('www2.example.com');
    expect(normalizeHost('https://bücher.example/')).toBe('xn--bcher-kva.example');
    expect(parsePageAddress('https://example.com/a/b?c')).toEqual({ host: 'example.com', path: '/a/b' });
    expect(parsePageAddress('example.com')).toEqual({ host: 'example.com', path: '/' });
    expect(splitDomain('x.com')).toEqual({ host: 'x.com', path: '' });
    expect(splitDomain('mlmed.org/tools/xray/')).toEqual({ host: 'mlmed.org', path: '/tools/xray' });
  });

  it('resolves a site once, on first use', () => {
    expect(findSiteNotes('https://chatgpt.com/a')).toBe(findSiteNotes('chat.openai.com'));
  });

  it('the most specific domain wins, whatever the order of the database', () => {
    const site = (id: string, domains: string[]): SiteNoteRecord => ({ id, name: id, domains, category: 'ai-chat', facts: {} });
    const records = [site('parent', ['example.com']), site('child', ['app.example.com']), site('path', ['example.com/tool']), site('deeper', ['example.com/tool/x'])];
    for (const lookup of [createSiteNotesLookup(records), createSiteNotesLookup([...records].reverse())]) {
      expect(lookup('example.com')?.id).toBe('parent');
      expect(lookup('https://other.example.com/tool')?.id).toBe('path');
      expect(lookup('https://app.example.com/tool')?.id).toBe('child');
      expect(lookup('https://example.com/tool/x/y')?.id).toBe('deeper');
      expect(lookup('https://example.com/toolbox')?.id).toBe('parent');
      expect(lookup('notexample.com')).toBeUndefined();
    }
  });

  it('refuses a database that gives one domain to two sites', () => {
    const site = (id: string, domain: string): SiteNoteRecord => ({ id, name: id, domains: [domain], category: 'ai-chat', facts: {} });
    expect(() => createSiteNotesLookup([site('a', 'same.example'), site('b', 'same.example')])).toThrow(/same\.example/);
    expect(() => createSiteNotesLookup([site('a', 'same.example/p'), site('b', 'same.example/p')])).toThrow(/same\.example\/p/);
    expect(() => createSiteNotesLookup([site('a', 'same.example'), site('b', 'same.example/p')])).not.toThrow();
  });

  it('finds every listed domain and its subdomains', () => {
    for (const r of SITE_NOTE_RECORDS) {
      for (const d of r.domains) {
        const { host, path: p } = splitDomain(d);
        expect(findSiteNotes(`https://${d}`)?.id, d).toBe(r.id);
        expect(findSiteNotes(`https://www.${host}${p}/upload`)?.id, d).toBe(r.id);
        expect(findSiteNotes(`https://a.b.${host}${p}/`)?.id, d).toBe(r.id);
        expect(findSiteNotes(`https://not${host}${p}/`), `not${host}`).toBeUndefined();
        expect(findSiteNotes(`https://${host}.evil.example${p}/`), `${host}.evil.example`).toBeUndefined();
      }
    }
  });

  it('a listed host: any host of a domain (with or without a path) and its subdomains', () => {
    expect(isListedHost('chatgpt.com')).toBe(true);
    expect(isListedHost('www.x.com')).toBe(true);
    expect(isListedHost('mlmed.org')).toBe(true);
    expect(isListedHost('someone.hf.space')).toBe(true);
    expect(isListedHost('example.org')).toBe(false);
    expect(isListedHost('localhost')).toBe(false);
    expect(createListedHostTest([])('chatgpt.com')).toBe(false);
  });
});

describe('where pictures and PDFs are checked', () => {
  const site = (id: string, domains: string[], category: SiteNoteRecord['category']): SiteNoteRecord => ({ id, name: id, domains, category, facts: {} });

  it('the paths of AI chat, AI image reader and second-opinion records of a host and its parents; none for others', () => {
    const lookup = createDocumentPathsLookup([
      site('chat', ['chat.example', 'portal.example/chat'], 'ai-chat'),
      site('reader', ['portal.example/read', 'portal.example/chat'], 'ai-image-reader'),
      site('opinion', ['doctors.example'], 'second-opinion'),
      site('demo', ['portal.example', 'demos.example'], 'model-demo'),
      site('archive', ['pacs.example'], 'imaging-service'),
    ]);
    expect(lookup('chat.example')).toEqual(['']);
    expect(lookup('www.chat.example')).toEqual(['']);
    expect(lookup('portal.example')).toEqual(['/chat', '/read']);
    expect(lookup('https://eu.doctors.example/x')).toEqual(['']);
    expect(lookup('demos.example')).toEqual([]);
    expect(lookup('pacs.example')).toEqual([]);
    expect(lookup('not a host')).toEqual([]);
  });

  it('in the bundled notes: every AI chat, AI image reader and second-opinion site, and no model demo', () => {
    expect(DOCUMENT_SITE_CATEGORIES).toEqual(['ai-chat', 'ai-image-reader', 'second-opinion']);
    for (const r of SITE_NOTE_RECORDS) {
      for (const d of r.domains) {
        const { host, path: p } = splitDomain(d);
        if (DOCUMENT_SITE_CATEGORIES.includes(r.category)) expect(documentPathsOf(host), d).toContain(p);
      }
    }
    expect(documentPathsOf('foo.hf.space')).toEqual([]);
    expect(documentPathsOf('huggingface.co')).toEqual(['/chat']);
  });
});

describe('the questions to ask before uploading', () => {
  it('have stable ids, question_ message keys and refer only to known fact kinds', () => {
    expect(UPLOAD_QUESTIONS.map((q) => q.id)).toEqual(['who_can_see', 'how_deidentified', 'privacy_notice', 'opt_out_training', 'how_long_kept', 'where_stored', 'worth_uploading']);
    for (const q of UPLOAD_QUESTIONS) {
      expect(q.messageKey).toBe(`question_${q.id}`);
      for (const kind of q.facts) expect(FACT_KINDS).toContain(kind as FactKind);
    }
  });
});
