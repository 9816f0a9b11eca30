// The site notes database: every record against its schema and against the research it was curated from, the
// message strings it needs, matching a page to its notes, concern levels, worst-first order and read dates.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ALL_SITE_NOTES,
  CONCERN_ORDER,
  FACT_KINDS,
  FACT_VALUES,
  SITE_CATEGORIES,
  UPLOAD_QUESTIONS,
  concernOf,
  createSiteNotesLookup,
  daysSince,
  findSiteNotes,
  normalizeHost,
  oldestDateRead,
  parseIsoDate,
  readAgeMessage,
  resolveSiteNotes,
  sortFactsWorstFirst,
  type Concern,
  type FactKind,
  type FactValue,
  type SiteFact,
  type SiteNoteRecord,
} from '../../src/core/site-notes';
import { SITE_NOTE_RECORDS } from '../../src/data/site-notes';
import { mergeSiteNotesMessages, siteNotesEnglishMessages, type ChromeMessage } from '../../src/data/site-notes-messages';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const RESEARCH = fs.readFileSync(path.resolve(HERE, '../../../shared/research/sites.md'), 'utf8');
const MESSAGES = JSON.parse(
  fs.readFileSync(path.resolve(HERE, '../../public/_locales/en/messages.json'), 'utf8'),
) as Record<string, ChromeMessage>;

// ------------------------------------------------------------------------------------------------------------------
// A hand-written schema validator: returns every problem found in one record, as "path: problem".
// ------------------------------------------------------------------------------------------------------------------

type Json = unknown;
const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: Json): v is string => typeof v === 'string' && v.trim() !== '' && v === v.trim();
const DOMAIN = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
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
  if (url.href !== v && `${url.href}` !== `${v}/`) problems.push(`${at}: not in canonical form (${url.href})`);
  if (/\s|…/.test(v)) problems.push(`${at}: contains spaces or an ellipsis`);
  if (url.username || url.password || url.port) problems.push(`${at}: credentials or port`);
}

function checkQuotes(v: Json, at: string, problems: string[]): void {
  if (v === undefined) return;
  if (!Array.isArray(v) || v.length === 0) return void problems.push(`${at}: quotes must be a non-empty array when present`);
  v.forEach((q, i) => isText(q) || problems.push(`${at}[${i}]: empty or padded quote`));
}

function checkSources(v: Json, at: string, problems: string[]): void {
  if (!Array.isArray(v) || v.length === 0) return void problems.push(`${at}: at least one source`);
  v.forEach((s, i) => {
    const here = `${at}[${i}]`;
    if (!isObject(s)) return void problems.push(`${here}: not an object`);
    onlyKeys(s, ['citation', 'url', 'dateRead'], here, problems);
    if (!isText(s.citation)) problems.push(`${here}.citation: missing`);
    if (s.url !== undefined) checkHttpsUrl(s.url, `${here}.url`, problems);
    if (s.dateRead !== undefined) {
      const ms = typeof s.dateRead === 'string' ? parseIsoDate(s.dateRead) : undefined;
      if (ms === undefined) problems.push(`${here}.dateRead: not an ISO date`);
      else if (ms < Date.UTC(2024, 0, 1) || ms > Date.now()) problems.push(`${here}.dateRead: outside 2024..today`);
    }
  });
}

function validateRecord(record: Json): string[] {
  const problems: string[] = [];
  if (!isObject(record)) return ['record: not an object'];
  const at = `site ${String(record.id)}`;
  onlyKeys(record, ['id', 'name', 'domains', 'category', 'links', 'facts', 'remarks'], at, problems);
  if (typeof record.id !== 'string' || !SITE_ID.test(record.id)) problems.push(`${at}.id: lower-case letters and digits`);
  if (!isText(record.name)) problems.push(`${at}.name: missing`);
  if (!Array.isArray(record.domains) || record.domains.length === 0) problems.push(`${at}.domains: at least one`);
  else {
    record.domains.forEach((d, i) => {
      const here = `${at}.domains[${i}]`;
      if (typeof d !== 'string' || !DOMAIN.test(d)) return void problems.push(`${here}: not a lower-case host name (${String(d)})`);
      if (d.startsWith('www.')) problems.push(`${here}: starts with www.`);
      if (normalizeHost(d) !== d) problems.push(`${here}: does not normalise to itself`);
    });
    if (new Set(record.domains).size !== record.domains.length) problems.push(`${at}.domains: duplicates`);
  }
  if (!(SITE_CATEGORIES as readonly Json[]).includes(record.category)) problems.push(`${at}.category: ${String(record.category)}`);

  if (!isObject(record.links)) problems.push(`${at}.links: not an object`);
  else {
    onlyKeys(record.links, ['privacy', 'terms', 'legal'], `${at}.links`, problems);
    for (const [key, url] of Object.entries(record.links)) checkHttpsUrl(url, `${at}.links.${key}`, problems);
  }

  if (!isObject(record.facts)) problems.push(`${at}.facts: not an object`);
  else {
    onlyKeys(record.facts, FACT_KINDS, `${at}.facts`, problems);
    for (const kind of FACT_KINDS) {
      const fact = record.facts[kind];
      const here = `${at}.facts.${kind}`;
      if (fact === undefined) continue;
      if (!isObject(fact)) {
        problems.push(`${here}: not an object`);
        continue;
      }
      onlyKeys(fact, ['value', 'quotes', 'detail', 'sources'], here, problems);
      const allowed = FACT_VALUES[kind] as readonly Json[];
      if (!allowed.includes(fact.value)) problems.push(`${here}.value: ${String(fact.value)} is not one of ${allowed.join(', ')}`);
      if (fact.value === 'unknown') problems.push(`${here}: unknown is written by leaving the fact out`);
      checkQuotes(fact.quotes, `${here}.quotes`, problems);
      if (fact.detail !== undefined && !isText(fact.detail)) problems.push(`${here}.detail: empty`);
      checkSources(fact.sources, `${here}.sources`, problems);
    }
  }

  if (record.remarks !== undefined) {
    if (!Array.isArray(record.remarks)) problems.push(`${at}.remarks: not an array`);
    else {
      record.remarks.forEach((remark, i) => {
        const here = `${at}.remarks[${i}]`;
        if (!isObject(remark)) return void problems.push(`${here}: not an object`);
        onlyKeys(remark, ['text', 'quotes', 'sources'], here, problems);
        if (!isText(remark.text)) problems.push(`${here}.text: missing`);
        checkQuotes(remark.quotes, `${here}.quotes`, problems);
        checkSources(remark.sources, `${here}.sources`, problems);
      });
    }
  }
  return problems;
}

/** Every source cited anywhere in a record. */
const sourcesOf = (r: SiteNoteRecord) => [
  ...Object.values(r.facts).flatMap((f) => f?.sources ?? []),
  ...(r.remarks ?? []).flatMap((m) => m.sources),
];
const quotesOf = (r: SiteNoteRecord) => [
  ...Object.values(r.facts).flatMap((f) => f?.quotes ?? []),
  ...(r.remarks ?? []).flatMap((m) => m.quotes ?? []),
];

/** A valid record to mutate in the validator's own tests. */
const goodRecord = (): Record<string, unknown> =>
  structuredClone({
    id: 'example',
    name: 'Example',
    domains: ['example.com'],
    category: 'ai-chat',
    links: { privacy: 'https://example.com/privacy' },
    facts: { trainingUse: { value: 'no', quotes: ['never'], sources: [{ citation: 'example.com/privacy', url: 'https://example.com/privacy', dateRead: '2025-03-01' }] } },
    remarks: [{ text: 'A remark.', sources: [{ citation: 'a blog' }] }],
  });

describe('the schema validator', () => {
  it('accepts a good record and rejects each kind of fault', () => {
    expect(validateRecord(goodRecord())).toEqual([]);
    const faults: Array<[string, (r: any) => void]> = [
      ['id', (r) => (r.id = 'Bad-Id')],
      ['name', (r) => (r.name = '')],
      ['extra field', (r) => (r.rating = 'A')],
      ['no domains', (r) => (r.domains = [])],
      ['scheme in domain', (r) => (r.domains = ['https://example.com'])],
      ['path in domain', (r) => (r.domains = ['example.com/x'])],
      ['upper case domain', (r) => (r.domains = ['Example.com'])],
      ['www domain', (r) => (r.domains = ['www.example.com'])],
      ['trailing dot', (r) => (r.domains = ['example.com.'])],
      ['IP domain', (r) => (r.domains = ['10.0.0.1'])],
      ['duplicate domain', (r) => (r.domains = ['example.com', 'example.com'])],
      ['category', (r) => (r.category = 'social')],
      ['http link', (r) => (r.links.privacy = 'http://example.com/privacy')],
      ['bad link kind', (r) => (r.links.faq = 'https://example.com/faq')],
      ['value outside the set', (r) => (r.facts.trainingUse.value = 'maybe')],
      ['explicit unknown', (r) => (r.facts.trainingUse.value = 'unknown')],
      ['unknown fact kind', (r) => (r.facts.rating = { value: 'yes', sources: [{ citation: 'x' }] })],
      ['no source', (r) => (r.facts.trainingUse.sources = [])],
      ['quote without source', (r) => delete r.facts.trainingUse.sources],
      ['empty quote', (r) => (r.facts.trainingUse.quotes = [''])],
      ['empty quotes array', (r) => (r.facts.trainingUse.quotes = [])],
      ['source without citation', (r) => (r.facts.trainingUse.sources = [{ url: 'https://example.com/privacy' }])],
      ['truncated URL', (r) => (r.facts.trainingUse.sources[0].url = 'https://example.com/privacy/…')],
      ['not a URL', (r) => (r.facts.trainingUse.sources[0].url = 'example.com/privacy')],
      ['date format', (r) => (r.facts.trainingUse.sources[0].dateRead = '01/03/2025')],
      ['impossible date', (r) => (r.facts.trainingUse.sources[0].dateRead = '2025-02-30')],
      ['future date', (r) => (r.facts.trainingUse.sources[0].dateRead = '2999-01-01')],
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
  it('has at least 30 sites', () => {
    expect(SITE_NOTE_RECORDS.length).toBeGreaterThanOrEqual(30);
  });

  it('every record validates against the schema', () => {
    const problems = SITE_NOTE_RECORDS.flatMap((r) => validateRecord(r));
    expect(problems).toEqual([]);
  });

  it('ids are unique and no domain belongs to two sites', () => {
    const ids = SITE_NOTE_RECORDS.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    const domains = SITE_NOTE_RECORDS.flatMap((r) => r.domains);
    expect(new Set(domains).size).toBe(domains.length);
  });

  it('covers general AI chat, AI image readers and second-opinion services', () => {
    const count = (c: string) => SITE_NOTE_RECORDS.filter((r) => r.category === c).length;
    expect(count('ai-chat')).toBeGreaterThanOrEqual(5);
    expect(count('ai-image-reader')).toBeGreaterThanOrEqual(5);
    expect(count('second-opinion')).toBeGreaterThanOrEqual(5);
  });

  it('each site links only to pages the research cites for it', () => {
    for (const r of SITE_NOTE_RECORDS) {
      const cited = new Set(sourcesOf(r).map((s) => s.url));
      for (const url of Object.values(r.links)) expect(cited.has(url), `${r.id}: ${url}`).toBe(true);
    }
  });
});

describe('nothing that is not in ../shared/research/sites.md', () => {
  const quotedInResearch = [...RESEARCH.matchAll(/"([^"\n]+)"/g)].map((m) => m[1]!);
  const allSources = SITE_NOTE_RECORDS.flatMap(sourcesOf);

  it('every quote is (part of) words the research puts in quotation marks', () => {
    for (const r of SITE_NOTE_RECORDS) {
      for (const q of quotesOf(r)) expect(quotedInResearch.some((text) => text.includes(q)), `${r.id}: ${q}`).toBe(true);
    }
  });

  it('every citation is the research\'s own text, or its address written out', () => {
    for (const s of allSources) {
      const inResearch = RESEARCH.includes(s.citation);
      const addressWrittenOut = s.url !== undefined && s.url.replace(/^https:\/\//, '').replace(/\/$/, '') === s.citation;
      expect(inResearch || addressWrittenOut, s.citation).toBe(true);
    }
  });

  it('every address is built from a host and path the research gives (only https:// added)', () => {
    for (const s of allSources) {
      if (s.url === undefined) continue;
      const url = new URL(s.url);
      const written = `${url.hostname}${url.pathname}`.replace(/\/$/, '');
      // Either the whole host and path, or the research's shorthand for a sibling page ("…/articles/7039943, /7730893").
      const dir = written.slice(0, written.lastIndexOf('/'));
      const last = written.slice(written.lastIndexOf('/') + 1);
      const escape = (t: string) => t.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      const sibling = new RegExp(`${escape(dir)}/[^\\s,]+, /${escape(last)}(?![\\w/])`);
      expect(RESEARCH.includes(written) || sibling.test(RESEARCH), s.url).toBe(true);
    }
  });

  it('a truncated citation never gets an address', () => {
    for (const s of allSources) if (s.citation.includes('…')) expect(s.url, s.citation).toBeUndefined();
  });

  it('every date read is the one the research gives beside that source', () => {
    for (const s of allSources) {
      if (s.dateRead === undefined) continue;
      const line = RESEARCH.split('\n').find((l) => l.includes(`${s.citation} (${s.dateRead})`));
      expect(line, `${s.citation} ${s.dateRead}`).toBeDefined();
    }
  });

  it('every domain is named in the research', () => {
    for (const d of SITE_NOTE_RECORDS.flatMap((r) => r.domains)) expect(RESEARCH.includes(d), d).toBe(true);
  });

  it('rows the research marks not reviewed are not listed', () => {
    expect(findSiteNotes('meta.ai')).toBeUndefined();
    expect(findSiteNotes('chat.mistral.ai')).toBeUndefined();
    expect(RESEARCH).toMatch(/meta\.ai \| n\/r/);
  });
});

describe('resolved notes', () => {
  it('list every fact kind once, in order, unknown where nothing was read', () => {
    expect(ALL_SITE_NOTES).toHaveLength(SITE_NOTE_RECORDS.length);
    for (const [i, notes] of ALL_SITE_NOTES.entries()) {
      const record = SITE_NOTE_RECORDS[i]!;
      expect(notes.facts.map((f) => f.kind)).toEqual(FACT_KINDS);
      for (const fact of notes.facts) {
        const stored = record.facts[fact.kind];
        expect(fact.value).toBe(stored?.value ?? 'unknown');
        expect(fact.concern).toBe(concernOf(fact.kind, fact.value));
        if (fact.value === 'unknown') {
          expect(fact.quotes).toEqual([]);
          expect(fact.sources).toEqual([]);
          expect(fact.detail).toBeUndefined();
          expect(fact.detailKey).toBeUndefined();
        } else {
          expect(fact.sources.length).toBeGreaterThan(0);
        }
        if (fact.quotes.length > 0) expect(fact.sources.length).toBeGreaterThan(0);
      }
    }
  });

  it('carry the message keys of every label', () => {
    const chatgpt = findSiteNotes('chatgpt.com')!;
    const training = chatgpt.facts.find((f) => f.kind === 'trainingUse')!;
    expect(training).toMatchObject({
      value: 'opt-out',
      concern: 'high',
      titleKey: 'sites_fact_training_use',
      valueKey: 'sites_value_training_use_opt_out',
      detailKey: 'sites_detail_chatgpt_training_use',
    });
    expect(chatgpt.categoryKey).toBe('sites_category_ai_chat');
    expect(chatgpt.remarks[0]!.textKey).toBe('sites_remark_chatgpt_1');
    const noRemarks = resolveSiteNotes({ id: 'bare', name: 'Bare', domains: ['bare.example'], category: 'model-demo', links: {}, facts: {} });
    expect(noRemarks.remarks).toEqual([]);
    expect(noRemarks.facts.every((f) => f.value === 'unknown' && f.concern === 'unknown')).toBe(true);
  });
});

describe('messages', () => {
  const english = siteNotesEnglishMessages();

  it('every key the notes and questions use has an English string', () => {
    const used = new Set<string>();
    for (const notes of ALL_SITE_NOTES) {
      used.add(notes.categoryKey);
      for (const f of notes.facts) [f.titleKey, f.valueKey, f.detailKey].forEach((k) => k && used.add(k));
      for (const m of notes.remarks) used.add(m.textKey);
    }
    for (const kind of FACT_KINDS) {
      for (const value of FACT_VALUES[kind] as readonly FactValue[]) {
        used.add(resolveSiteNotes({ id: 'x', name: 'x', domains: ['x.example'], category: 'ai-chat', links: {}, facts: value === 'unknown' ? {} : { [kind]: { value, sources: [{ citation: 'x' }] } } }).facts.find((f) => f.kind === kind)!.valueKey);
      }
    }
    for (const c of CONCERN_ORDER) used.add(`sites_concern_${c}`);
    for (const q of UPLOAD_QUESTIONS) used.add(q.messageKey);
    for (const date of [undefined, '2026-01-01', '2025-12-31', '2025-01-01']) used.add(readAgeMessage(date, new Date('2026-01-01T12:00:00Z')).key);
    const missing = [...used].filter((k) => english[k] === undefined);
    expect(missing).toEqual([]);
    expect(used.size).toBeGreaterThan(100);
  });

  it('keys are valid _locales keys with the sites_ or question_ prefix, and texts need no escaping', () => {
    for (const [key, m] of Object.entries(english)) {
      expect(key).toMatch(/^(?:sites|question)_[a-z0-9_]+$/);
      expect(m.message.trim()).not.toBe('');
      expect(m.message.replace(/\$DAYS\$/, '')).not.toContain('$');
    }
    expect(english.sites_read_days_ago!.placeholders).toEqual({ days: { content: '$1', example: '40' } });
  });

  it('public/_locales/en/messages.json holds them all, unchanged (run src/data/site-notes-messages.ts after edits)', () => {
    const stale = Object.entries(english).filter(([key, m]) => JSON.stringify(MESSAGES[key]) !== JSON.stringify(m)).map(([k]) => k);
    expect(stale).toEqual([]);
    const orphans = Object.keys(MESSAGES).filter((k) => /^sites_(?:detail|remark)_/.test(k) && !(k in english));
    expect(orphans).toEqual([]);
  });

  it('the merge keeps other keys, drops stale details and remarks, and is idempotent', () => {
    const before: Record<string, ChromeMessage> = {
      extensionName: { message: 'Scan Privacy Guard' },
      sites_no_notes: { message: 'someone else’s key' },
      sites_detail_gone_training_use: { message: 'stale' },
      sites_fact_training_use: { message: 'old text' },
    };
    const merged = mergeSiteNotesMessages(before);
    expect(merged.extensionName).toEqual(before.extensionName);
    expect(merged.sites_no_notes).toEqual(before.sites_no_notes);
    expect(merged.sites_detail_gone_training_use).toBeUndefined();
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
    expect(idOf('chatgpt.com.')).toBe('chatgpt');
    expect(idOf('http://chatgpt.com:8443/path')).toBe('chatgpt');
    expect(idOf('chatgpt.com:443')).toBe('chatgpt');
    expect(idOf('chatgpt.com/share/abc')).toBe('chatgpt');
    expect(idOf('  https://claude.ai/new  ')).toBe('claude');
    expect(idOf('https://cdn.assets.chatgpt.com/x')).toBe('chatgpt');
    expect(idOf('https://someone-chest-xray.hf.space/')).toBe('huggingface');
    expect(idOf('https://huggingface.co/spaces/a/b')).toBe('huggingface');
    expect(idOf('https://blog.medicai.io/en/radiology-second-opinion')).toBe('medicai');
    expect(idOf('https://user:pw@x.com/i/grok')).toBe('grok');
  });

  it('does not match a parent of a listed host, or a sibling', () => {
    expect(idOf('openai.com')).toBeUndefined();
    expect(idOf('deepseek.com')).toBeUndefined();
    expect(idOf('https://google.com/')).toBeUndefined();
    expect(idOf('mail.google.com')).toBeUndefined();
    expect(idOf('pages.dev')).toBeUndefined();
    expect(idOf('other-43h.pages.dev')).toBeUndefined();
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
      'about:newtab',
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
      'https://',
      '://',
      'not a url at all',
      'chatgpt',
      '.',
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

  it('normalizeHost returns the host the popup shows', () => {
    expect(normalizeHost('https://WWW.Example.COM./a')).toBe('example.com');
    expect(normalizeHost('www.example.com')).toBe('example.com');
    expect(normalizeHost('www2.example.com')).toBe('www2.example.com');
    expect(normalizeHost('https://bücher.example/')).toBe('xn--bcher-kva.example');
    expect(normalizeHost('localhost')).toBeUndefined();
  });

  it('the most specific domain wins', () => {
    const site = (id: string, domains: string[]): SiteNoteRecord => ({ id, name: id, domains, category: 'ai-chat', links: {}, facts: {} });
    const lookup = createSiteNotesLookup([site('parent', ['example.com']), site('child', ['app.example.com']), site('grandchild', ['deep.app.example.com'])]);
    expect(lookup('example.com')?.id).toBe('parent');
    expect(lookup('www.example.com')?.id).toBe('parent');
    expect(lookup('other.example.com')?.id).toBe('parent');
    expect(lookup('app.example.com')?.id).toBe('child');
    expect(lookup('x.app.example.com')?.id).toBe('child');
    expect(lookup('deep.app.example.com')?.id).toBe('grandchild');
    expect(lookup('a.b.deep.app.example.com')?.id).toBe('grandchild');
    expect(lookup('notexample.com')).toBeUndefined();
    // Order in the database does not matter.
    const reversed = createSiteNotesLookup([site('child', ['app.example.com']), site('parent', ['example.com'])]);
    expect(reversed('x.app.example.com')?.id).toBe('child');
  });

  it('refuses a database that gives one domain to two sites', () => {
    const site = (id: string): SiteNoteRecord => ({ id, name: id, domains: ['same.example'], category: 'ai-chat', links: {}, facts: {} });
    expect(() => createSiteNotesLookup([site('a'), site('b')])).toThrow(/same\.example/);
  });

  it('finds every listed domain and its subdomains', () => {
    for (const r of SITE_NOTE_RECORDS) {
      for (const d of r.domains) {
        expect(findSiteNotes(d)?.id, d).toBe(r.id);
        expect(findSiteNotes(`https://www.${d}/upload`)?.id, d).toBe(r.id);
        expect(findSiteNotes(`https://a.b.${d}/`)?.id, d).toBe(r.id);
        expect(findSiteNotes(`https://not${d}/`), `not${d}`).toBeUndefined();
        expect(findSiteNotes(`https://${d}.evil.example/`), `${d}.evil.example`).toBeUndefined();
      }
    }
  });
});

describe('concern levels and worst-first order', () => {
  it('derive a concern for every kind and value; unknown only for unknown', () => {
    for (const kind of FACT_KINDS) {
      for (const value of FACT_VALUES[kind] as readonly FactValue[]) {
        const concern = concernOf(kind, value as FactValue<typeof kind>);
        if (value === 'unknown') expect(concern).toBe('unknown');
        else expect(['high', 'medium', 'low']).toContain(concern);
      }
    }
    expect(concernOf('trainingUse', 'yes')).toBe('high');
    expect(concernOf('trainingUse', 'opt-in')).toBe('low');
    expect(concernOf('serverLocation', 'china')).toBe('high');
    expect(concernOf('deletion', 'partial')).toBe('medium');
    expect(concernOf('gdpr', 'stated')).toBe('low');
    // A value from outside the closed set (untyped data) is treated as unknown.
    expect(concernOf('trainingUse', 'maybe' as FactValue<'trainingUse'>)).toBe('unknown');
  });

  it('a reassuring value is never ranked above a worrying one of the same kind', () => {
    const rank = (c: Concern) => CONCERN_ORDER.indexOf(c);
    expect(rank(concernOf('trainingUse', 'yes'))).toBeLessThan(rank(concernOf('trainingUse', 'no')));
    expect(rank(concernOf('retention', 'years'))).toBeLessThan(rank(concernOf('retention', 'days')));
    expect(rank(concernOf('deletion', 'no'))).toBeLessThan(rank(concernOf('deletion', 'yes')));
    expect(rank(concernOf('hipaa', 'not-covered'))).toBeLessThan(rank(concernOf('hipaa', 'covered')));
  });

  it('sorts high, medium, unknown, low; equal concerns keep the order of importance', () => {
    const f = (kind: FactKind, concern: Concern) => ({ kind, concern });
    const sorted = sortFactsWorstFirst([
      f('gdpr', 'low'),
      f('advertising', 'unknown'),
      f('dicomAccepted', 'medium'),
      f('trainingUse', 'unknown'),
      f('serverLocation', 'high'),
      f('humanReview', 'high'),
      f('retention', 'medium'),
    ]);
    expect(sorted.map((x) => `${x.concern}:${x.kind}`)).toEqual([
      'high:humanReview',
      'high:serverLocation',
      'medium:retention',
      'medium:dicomAccepted',
      'unknown:trainingUse',
      'unknown:advertising',
      'low:gdpr',
    ]);
  });

  it('sorts real notes worst first without changing them', () => {
    const deepseek = findSiteNotes('https://chat.deepseek.com/')!;
    const before = deepseek.facts.map((x) => x.kind);
    const sorted: SiteFact[] = sortFactsWorstFirst(deepseek.facts);
    expect(deepseek.facts.map((x) => x.kind)).toEqual(before);
    expect(sorted.slice(0, 2).map((x) => x.kind)).toEqual(['trainingUse', 'serverLocation']);
    const ranks = sorted.map((x) => CONCERN_ORDER.indexOf(x.concern));
    expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
    expect(sorted.at(-1)!.concern).toBe('unknown');
    const chirorad = sortFactsWorstFirst(findSiteNotes('chirorad.ai')!.facts);
    expect(chirorad[0]).toMatchObject({ kind: 'dicomAccepted', concern: 'medium' });
    expect(chirorad.at(-1)).toMatchObject({ kind: 'retention', concern: 'low' });
  });
});

describe('read dates', () => {
  const now = new Date('2026-05-21T09:30:00Z');

  it('parseIsoDate accepts real calendar dates only', () => {
    expect(parseIsoDate('2025-11-11')).toBe(Date.UTC(2025, 10, 11));
    expect(parseIsoDate('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
    for (const bad of ['2025-02-29', '2025-13-01', '2025-00-10', '2025-1-1', '20251111', '2025-11-11T00:00:00Z', '', 'yesterday']) {
      expect(parseIsoDate(bad), bad).toBeUndefined();
    }
  });

  it('daysSince counts UTC calendar days', () => {
    expect(daysSince('2026-05-21', now)).toBe(0);
    expect(daysSince('2026-05-20', now)).toBe(1);
    expect(daysSince('2026-04-11', now)).toBe(40);
    expect(daysSince('2025-11-11', now)).toBe(191);
    expect(daysSince('2026-05-20', new Date('2026-05-21T00:00:00Z'))).toBe(1);
    expect(daysSince('2026-05-20', new Date('2026-05-20T23:59:59Z'))).toBe(0);
    expect(daysSince('2026-06-01', now)).toBe(0); // a future date is "today", never negative
    expect(daysSince('not a date', now)).toBeUndefined();
    expect(daysSince('2026-05-01', new Date('invalid'))).toBeUndefined();
  });

  it('readAgeMessage names the message to show', () => {
    expect(readAgeMessage(undefined, now)).toEqual({ key: 'sites_read_not_recorded', substitutions: [] });
    expect(readAgeMessage('garbage', now)).toEqual({ key: 'sites_read_not_recorded', substitutions: [] });
    expect(readAgeMessage('2026-05-21', now)).toEqual({ key: 'sites_read_today', substitutions: [] });
    expect(readAgeMessage('2026-05-20', now)).toEqual({ key: 'sites_read_one_day_ago', substitutions: [] });
    expect(readAgeMessage('2026-04-11', now)).toEqual({ key: 'sites_read_days_ago', substitutions: ['40'] });
  });

  it('oldestDateRead picks the oldest recorded date of a fact\'s sources', () => {
    expect(oldestDateRead([])).toBeUndefined();
    expect(oldestDateRead([{ citation: 'a' }])).toBeUndefined();
    expect(oldestDateRead([{ citation: 'a', dateRead: '2026-01-02' }, { citation: 'b' }, { citation: 'c', dateRead: '2025-12-30' }])).toBe('2025-12-30');
    expect(oldestDateRead([{ citation: 'a', dateRead: 'bad' }, { citation: 'b', dateRead: '2026-01-02' }])).toBe('2026-01-02');
    const xray = findSiteNotes('xrayinterpreter.com')!.facts.find((f) => f.kind === 'retention')!;
    expect(oldestDateRead(xray.sources)).toBe('2025-11-11');
  });
});

describe('the questions to ask before uploading', () => {
  it('have stable ids, question_ message keys and refer only to known fact kinds', () => {
    expect(UPLOAD_QUESTIONS.map((q) => q.id)).toEqual([
      'who_can_see',
      'how_deidentified',
      'privacy_notice',
      'opt_out_training',
      'how_long_kept',
      'where_stored',
      'worth_uploading',
    ]);
    for (const q of UPLOAD_QUESTIONS) {
      expect(q.messageKey).toBe(`question_${q.id}`);
      for (const kind of q.facts) expect(FACT_KINDS).toContain(kind);
    }
  });
});
