// Site privacy notes: the types of the bundled database (src/data/site-notes.ts), matching a page's address to a
// site's notes (host, parent domains and an optional path), the three answers the popup leads with (worst first),
// concern levels, the order of disagreeing sources, the age of the notes, and the _locales message keys of every
// label. No DOM, no extension API.
import { SITE_NOTE_RECORDS } from '../data/site-notes';

// ---------------------------------------------------------------------------------------------------------------
// Closed vocabularies
// ---------------------------------------------------------------------------------------------------------------

/**
 * What kind of site it is. `ai-chat`: a general AI chat people upload scans to. `ai-image-reader`: an AI service
 * that reads medical images or documents. `model-demo`: a host of AI apps made by third parties.
 * `second-opinion`: a second-opinion service (doctors or radiologists, some adding AI). `imaging-service`: another
 * service that takes medical image uploads (an image archive, a sharing platform).
 */
export const SITE_CATEGORIES = ['ai-chat', 'ai-image-reader', 'model-demo', 'second-opinion', 'imaging-service'] as const;
export type SiteCategory = (typeof SITE_CATEGORIES)[number];

/**
 * The kinds of fact recorded about a site, in order of importance (the tie-break of every worst-first order), and
 * the values each may take (the value labels in site-notes-messages.ts say what each means in plain words):
 * - `trainingUse`: are uploads used to train AI models? `yes` (no way out found), `opt-out` (unless you turn it
 *   off), `limited` (in a narrower way the detail says), `depends` (on who runs the app), `opt-in` (only if you
 *   agree), `not-listed` (not among the uses the site lists), `no`.
 * - `humanReview`: who may look at what you upload? `yes` (people at the company), `owner` (whoever made the app),
 *   `limited` (a few staff, for stated reasons), `clinicians` (the doctors giving the opinion you asked for), `no`.
 * - `thirdPartyAi`: are uploads sent to other companies? `yes` (their AI models), `limited` (service providers or
 *   technical partners), `no`.
 * - `retention`: how long uploads are kept. `period` (up to a stated duration), `until-deleted`, `unstated` (kept,
 *   no limit stated), `as-needed` (as long as the company finds necessary), `depends`, `not-retained`.
 * - `deletion`: can uploads be deleted? `no`, `partial` (some copies stay), `on-request` (if you ask), `yes`,
 *   `automatic`. `yes`, `on-request` and `automatic` may carry a duration ("within 30 days").
 * - `serverLocation`: where uploads are stored or whose law applies. `china`, `russia`, `united-states`,
 *   `european-union`, `device` (they never leave your computer).
 * - `deidentification`: who removes identifying data? `user-responsibility`, `tool-offered` (the site offers a tool
 *   you must use), `for-training` (the site de-identifies what it trains on, not what it keeps), `by-site`.
 * - `hipaa`: `not-covered`, `left-to-user` (compliance is the user's job), `baa-pending` (agreements with its AI
 *   vendors not signed), `claims-compliance`, `voluntary` (not covered, follows the rules anyway), `baa-offered`.
 * - `gdpr`: `regulator-action` (a regulator acted against it), `other-law` (cites another country's law instead),
 *   `stated` (EU or UK data-protection rights are stated).
 * - `dicomAccepted`: does it take DICOM files (whose headers carry names and IDs)? `yes`, `not-named` (images or
 *   documents; DICOM is not named), `no`.
 * - `advertising`: `yes` (tied to advertising), `ads-shown` (ads shown; said to stay private from advertisers),
 *   `analytics`, `marketing` (newsletters), `no`.
 * Every kind also has `unknown`: nothing was found. It is never written down; a kind with no finding is unknown.
 */
export const FACT_VALUES = {
  trainingUse: ['yes', 'opt-out', 'limited', 'depends', 'opt-in', 'not-listed', 'no', 'unknown'],
  humanReview: ['yes', 'owner', 'limited', 'clinicians', 'no', 'unknown'],
  thirdPartyAi: ['yes', 'limited', 'no', 'unknown'],
  retention: ['period', 'until-deleted', 'unstated', 'as-needed', 'depends', 'not-retained', 'unknown'],
  deletion: ['no', 'partial', 'on-request', 'yes', 'automatic', 'unknown'],
  serverLocation: ['china', 'russia', 'united-states', 'european-union', 'device', 'unknown'],
  deidentification: ['user-responsibility', 'tool-offered', 'for-training', 'by-site', 'unknown'],
  hipaa: ['not-covered', 'left-to-user', 'baa-pending', 'claims-compliance', 'voluntary', 'baa-offered', 'unknown'],
  gdpr: ['regulator-action', 'other-law', 'stated', 'unknown'],
  dicomAccepted: ['yes', 'not-named', 'no', 'unknown'],
  advertising: ['yes', 'ads-shown', 'analytics', 'marketing', 'no', 'unknown'],
} as const;

export type FactKind = keyof typeof FACT_VALUES;
export type FactValue<K extends FactKind = FactKind> = (typeof FACT_VALUES)[K][number];
/** A value the database may record: `unknown` is never written down, it is what a kind with no finding means. */
export type KnownFactValue<K extends FactKind = FactKind> = Exclude<FactValue<K>, 'unknown'>;

export const FACT_KINDS: readonly FactKind[] = [
  'trainingUse',
  'humanReview',
  'thirdPartyAi',
  'retention',
  'deletion',
  'serverLocation',
  'deidentification',
  'hipaa',
  'gdpr',
  'dicomAccepted',
  'advertising',
];

/** Kinds whose findings may say where to act (`how`): where to opt out of training, where to delete. */
export const HOW_KINDS: readonly FactKind[] = ['trainingUse', 'deletion'];

/** Values that carry a duration: required for `retention: period`, optional for these deletion values. */
export const DURATION_VALUES: { readonly [K in FactKind]?: readonly KnownFactValue<K>[] } = {
  retention: ['period'],
  deletion: ['yes', 'on-request', 'automatic'],
};

export const DURATION_UNITS = ['hour', 'day', 'month', 'year'] as const;
export type DurationUnit = (typeof DURATION_UNITS)[number];
export interface Duration {
  readonly amount: number;
  readonly unit: DurationUnit;
}

/** How much a fact should worry someone about to upload a scan. `unknown`: nothing was found. */
export type Concern = 'high' | 'medium' | 'low' | 'unknown';

/** Worst first: an unknown is worse than a reassuring fact, better than a worrying one. */
export const CONCERN_ORDER: readonly Concern[] = ['high', 'medium', 'unknown', 'low'];

type KnownConcern = Exclude<Concern, 'unknown'>;

const CONCERN: { readonly [K in FactKind]: Readonly<Record<KnownFactValue<K>, KnownConcern>> } = {
  trainingUse: { yes: 'high', 'opt-out': 'high', limited: 'medium', depends: 'medium', 'opt-in': 'low', 'not-listed': 'low', no: 'low' },
  // The app's owner is a stranger whose policy nobody checked; a doctor you asked for an opinion is the service.
  humanReview: { yes: 'high', owner: 'high', limited: 'medium', clinicians: 'low', no: 'low' },
  thirdPartyAi: { yes: 'high', limited: 'medium', no: 'low' },
  // `period` depends on the duration (periodConcern); this entry is never read for it.
  retention: { period: 'medium', 'until-deleted': 'medium', unstated: 'medium', 'as-needed': 'medium', depends: 'medium', 'not-retained': 'low' },
  deletion: { no: 'high', partial: 'medium', 'on-request': 'medium', yes: 'low', automatic: 'low' },
  // China and Russia: the states reported for their access to stored data; the United States: no general federal
  // privacy law, and abroad for most of the world; the EU: the GDPR applies; the device: nothing leaves it.
  serverLocation: { china: 'high', russia: 'high', 'united-states': 'medium', 'european-union': 'low', device: 'low' },
  deidentification: { 'user-responsibility': 'high', 'tool-offered': 'medium', 'for-training': 'medium', 'by-site': 'low' },
  hipaa: {
    'not-covered': 'high',
    'left-to-user': 'high',
    'baa-pending': 'high',
    'claims-compliance': 'medium',
    voluntary: 'medium',
    'baa-offered': 'low',
  },
  gdpr: { 'regulator-action': 'high', 'other-law': 'medium', stated: 'low' },
  // DICOM headers carry the patient's name, IDs and dates unless someone removes them.
  dicomAccepted: { yes: 'medium', 'not-named': 'medium', no: 'low' },
  advertising: { yes: 'high', 'ads-shown': 'medium', analytics: 'medium', marketing: 'medium', no: 'low' },
};

const UNIT_DAYS: Readonly<Record<DurationUnit, number>> = { hour: 1 / 24, day: 1, month: 30.44, year: 365.25 };

/** A duration in days (months and years at their average length). */
export function durationDays(duration: Duration): number {
  return duration.amount * UNIT_DAYS[duration.unit];
}

/** Kept a year or more: worrying; more than a month: worth a look; a month or less: reassuring. */
export function periodConcern(duration: Duration | undefined): KnownConcern {
  if (duration === undefined) return 'medium';
  const days = durationDays(duration);
  return days >= 365 ? 'high' : days > 31 ? 'medium' : 'low';
}

/** The concern of a value, derived from its kind and value (and, for a retention period, its length); never stored. */
export function concernOf<K extends FactKind>(kind: K, value: FactValue<K>, duration?: Duration): Concern {
  if (value === 'unknown') return 'unknown';
  if (kind === 'retention' && value === 'period') return periodConcern(duration);
  return (CONCERN[kind] as Readonly<Record<string, KnownConcern>>)[value] ?? 'unknown';
}

// ---------------------------------------------------------------------------------------------------------------
// The database's records (what src/data/site-notes.ts holds)
// ---------------------------------------------------------------------------------------------------------------

/** One page a finding comes from, as the research names it. */
export interface SiteSource {
  /** The page's address exactly as the research gives it. */
  readonly url: string;
  /** When the research read the page (YYYY-MM-DD). */
  readonly read: string;
  /** The page's own date as the research gives it ("Last updated: Feb 14, 2025", "Updated this week"); absent: undated. */
  readonly pageDate?: string;
  /** The date in `pageDate` as YYYY-MM-DD, when it names one (orders disagreeing sources, newest first). */
  readonly published?: string;
  /** A secondary source (a news report): the outlet as the research names it ("Reuters via CNA"). Absent: the site's own page. */
  readonly reportedBy?: string;
  /** A copy of the site's own page kept by a web archive (the live page was not available to the research). */
  readonly archived?: true;
}

/** One thing a source says about a site: one row of the research (or several rows that say the same). */
export interface FindingRecord<K extends FactKind = FactKind> {
  readonly value: KnownFactValue<K>;
  /** `retention: period`: up to how long; `deletion`: within how long. */
  readonly duration?: Duration;
  /** Plain English: what the finding applies to ("Temporary Chat", "if you allow training"); translated. */
  readonly about?: string;
  /** Plain English specifics that neither the value nor the quotes give; translated. */
  readonly detail?: string;
  /** The source's own words, exactly as the research quotes them (at least one). Never translated. */
  readonly quotes: readonly string[];
  /** BCP 47 language of the quotes when not English (the research quotes French and Romanian pages as they are). */
  readonly lang?: string;
  /** trainingUse and deletion: where to opt out or delete, in the source's words (part of one of `quotes`). */
  readonly how?: string;
  /** This finding contradicts another of the same kind (two official pages, or a page and a later report). */
  readonly disagree?: true;
  readonly sources: readonly SiteSource[];
}

/** A sourced statement that is not one of the facts (a feature, a warning, where the company is based). */
export interface RemarkRecord {
  /** Plain English; translated through `sites_remark_<site>_<n>`. */
  readonly text: string;
  readonly quotes?: readonly string[];
  readonly lang?: string;
  readonly sources: readonly SiteSource[];
}

export interface SiteNoteRecord {
  /** Stable, lower-case letters and digits (it is part of message keys). */
  readonly id: string;
  readonly name: string;
  /**
   * Lower-case host names without scheme, port or `www.`, each optionally followed by a path ("x.com/i/grok"): a
   * page matches when its host is the domain or a subdomain of it and, for a domain with a path, when its path is
   * that path or below it. The most specific domain wins.
   */
  readonly domains: readonly string[];
  readonly category: SiteCategory;
  /** Only what a source says; a kind that is absent (or empty) is unknown. */
  readonly facts: { readonly [K in FactKind]?: readonly FindingRecord<K>[] };
  readonly remarks?: readonly RemarkRecord[];
}

// ---------------------------------------------------------------------------------------------------------------
// Message keys (public/_locales/<lang>/messages.json; keys allow only letters, digits and _)
// ---------------------------------------------------------------------------------------------------------------

const keyPart = (s: string): string => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`).replace(/-/g, '_');

export const categoryMessageKey = (category: SiteCategory): string => `sites_category_${keyPart(category)}`;
export const factTitleMessageKey = (kind: FactKind): string => `sites_fact_${keyPart(kind)}`;
/** The value's label; deletion values with a duration have their own ("…within $DURATION$"). */
export const factValueMessageKey = <K extends FactKind>(kind: K, value: FactValue<K>, withDuration = false): string =>
  `sites_value_${keyPart(kind)}_${keyPart(value)}${withDuration && kind === 'deletion' ? '_within' : ''}`;
export const concernMessageKey = (concern: Concern): string => `sites_concern_${concern}`;
export const findingAboutMessageKey = (siteId: string, kind: FactKind, index: number): string => `sites_about_${siteId}_${keyPart(kind)}_${index + 1}`;
export const findingDetailMessageKey = (siteId: string, kind: FactKind, index: number): string => `sites_detail_${siteId}_${keyPart(kind)}_${index + 1}`;
export const remarkMessageKey = (siteId: string, index: number): string => `sites_remark_${siteId}_${index + 1}`;

// ---------------------------------------------------------------------------------------------------------------
// Resolved notes (what the popup shows)
// ---------------------------------------------------------------------------------------------------------------

interface SiteFindingOf<K extends FactKind> {
  readonly kind: K;
  readonly value: KnownFactValue<K>;
  readonly concern: Exclude<Concern, 'unknown'>;
  readonly duration?: Duration;
  readonly valueKey: string;
  readonly about?: string;
  readonly aboutKey?: string;
  readonly detail?: string;
  readonly detailKey?: string;
  readonly quotes: readonly string[];
  /** The quotes' language ('en' unless the record says otherwise). */
  readonly lang: string;
  readonly how?: string;
  readonly disagree: boolean;
  readonly sources: readonly SiteSource[];
}
export type SiteFinding = { [K in FactKind]: SiteFindingOf<K> }[FactKind];

export interface SiteFact {
  readonly kind: FactKind;
  /** `sites_fact_<kind>`: the kind's title. */
  readonly titleKey: string;
  /** The worst concern of its findings; `unknown` when there are none. */
  readonly concern: Concern;
  /** In display order: disagreeing findings first, newest first; then the others, worst first. */
  readonly findings: readonly SiteFinding[];
  /** Whether some of its findings contradict each other. */
  readonly disagree: boolean;
}

export interface SiteRemark {
  readonly text: string;
  readonly textKey: string;
  readonly quotes: readonly string[];
  readonly lang: string;
  readonly sources: readonly SiteSource[];
}

export interface SiteNotes {
  readonly id: string;
  readonly name: string;
  readonly domains: readonly string[];
  readonly category: SiteCategory;
  readonly categoryKey: string;
  /** Every kind, in FACT_KINDS order; unknown (no findings) where nothing was found. */
  readonly facts: readonly SiteFact[];
  readonly remarks: readonly SiteRemark[];
  /** The oldest date any of its sources was read (YYYY-MM-DD); undefined for a site with no source. */
  readonly read: string | undefined;
}

/** Newest first by `published` (the newest of a finding's sources); undated findings after dated ones. */
function newestPublished(finding: { readonly sources: readonly SiteSource[] }): string {
  return finding.sources.reduce((newest, s) => (s.published !== undefined && s.published > newest ? s.published : newest), '');
}

/** Worst first: by concern, then the longer duration ("kept up to 3 years" before "up to 18 months"). */
export function worseFirst(a: { readonly concern: Concern; readonly duration?: Duration }, b: { readonly concern: Concern; readonly duration?: Duration }): number {
  const days = (d: Duration | undefined): number => (d === undefined ? 0 : durationDays(d));
  return CONCERN_ORDER.indexOf(a.concern) - CONCERN_ORDER.indexOf(b.concern) || days(b.duration) - days(a.duration);
}

/** A new array in display order: disagreeing findings first (newest first), then the rest worst first. Stable. */
export function orderFindings<F extends { readonly concern: Concern; readonly duration?: Duration; readonly disagree: boolean; readonly sources: readonly SiteSource[] }>(
  findings: readonly F[],
): F[] {
  const disagreeing = findings.filter((f) => f.disagree).sort((a, b) => newestPublished(b).localeCompare(newestPublished(a)));
  const others = findings.filter((f) => !f.disagree).sort(worseFirst);
  return [...disagreeing, ...others];
}

function resolveFinding<K extends FactKind>(siteId: string, kind: K, record: FindingRecord<K>, index: number): SiteFindingOf<K> {
  return {
    kind,
    value: record.value,
    concern: concernOf(kind, record.value, record.duration) as Exclude<Concern, 'unknown'>,
    ...(record.duration !== undefined && { duration: record.duration }),
    valueKey: factValueMessageKey(kind, record.value, record.duration !== undefined),
    ...(record.about !== undefined && { about: record.about, aboutKey: findingAboutMessageKey(siteId, kind, index) }),
    ...(record.detail !== undefined && { detail: record.detail, detailKey: findingDetailMessageKey(siteId, kind, index) }),
    quotes: record.quotes,
    lang: record.lang ?? 'en',
    ...(record.how !== undefined && { how: record.how }),
    disagree: record.disagree === true,
    sources: record.sources,
  };
}

function resolveFact<K extends FactKind>(siteId: string, kind: K, records: readonly FindingRecord<K>[] | undefined): SiteFact {
  const findings = orderFindings((records ?? []).map((r, i) => resolveFinding(siteId, kind, r, i) as SiteFinding));
  const concern = findings.reduce<Concern>((worst, f) => (CONCERN_ORDER.indexOf(f.concern) < CONCERN_ORDER.indexOf(worst) ? f.concern : worst), findings.length > 0 ? 'low' : 'unknown');
  return { kind, titleKey: factTitleMessageKey(kind), concern, findings, disagree: findings.some((f) => f.disagree) };
}

/** Every source a record cites, facts and remarks. */
export function sourcesOfRecord(record: SiteNoteRecord): SiteSource[] {
  return [...FACT_KINDS.flatMap((kind) => (record.facts[kind] ?? []).flatMap((f) => f.sources)), ...(record.remarks ?? []).flatMap((r) => r.sources)];
}

/** The full notes of one record: every fact kind present (unknown where nothing was found), message keys filled in. */
export function resolveSiteNotes(record: SiteNoteRecord): SiteNotes {
  const reads = sourcesOfRecord(record)
    .map((s) => s.read)
    .sort();
  return {
    id: record.id,
    name: record.name,
    domains: record.domains,
    category: record.category,
    categoryKey: categoryMessageKey(record.category),
    facts: FACT_KINDS.map((kind) => resolveFact(record.id, kind, record.facts[kind] as readonly FindingRecord[] | undefined)),
    remarks: (record.remarks ?? []).map((remark, i) => ({
      text: remark.text,
      textKey: remarkMessageKey(record.id, i),
      quotes: remark.quotes ?? [],
      lang: remark.lang ?? 'en',
      sources: remark.sources,
    })),
    read: reads[0],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The three answers the popup leads with
// ---------------------------------------------------------------------------------------------------------------

/** The questions people ask first, and the kinds that answer each. */
export const LEAD_QUESTIONS = [
  { id: 'training', kinds: ['trainingUse'] },
  { id: 'access', kinds: ['humanReview', 'thirdPartyAi'] },
  { id: 'keep', kinds: ['retention', 'deletion'] },
] as const satisfies readonly { id: string; kinds: readonly FactKind[] }[];
export type LeadQuestionId = (typeof LEAD_QUESTIONS)[number]['id'];

export interface LeadAnswer {
  readonly question: LeadQuestionId;
  /** `popup_question_<id>`: the question, short. */
  readonly questionKey: string;
  readonly kinds: readonly FactKind[];
  /** The worst finding (the first in `findings`): the one-line answer. Undefined when nothing was found. */
  readonly headline: SiteFinding | undefined;
  readonly concern: Concern;
  /** Every finding of its kinds, worst first (a kind's disagreeing findings stay together, newest first). */
  readonly findings: readonly SiteFinding[];
  /** Kinds of the question with nothing found. */
  readonly unknownKinds: readonly FactKind[];
  /** Where to opt out or delete, when a finding says so (worst finding first). */
  readonly how: readonly SiteFinding[];
}

/**
 * The three answers, worst first (equal concerns keep the questions' order). Each answer's findings are its kinds'
 * findings merged worst first (worseFirst); a kind's own display order (disagreeing findings together) is kept
 * among equals.
 */
export function leadAnswers(notes: SiteNotes): LeadAnswer[] {
  const rank = (c: Concern): number => CONCERN_ORDER.indexOf(c);
  const answers = LEAD_QUESTIONS.map((question): LeadAnswer => {
    const facts = question.kinds.map((kind) => notes.facts.find((f) => f.kind === kind)!);
    const findings = facts.flatMap((f) => f.findings).sort(worseFirst);
    const headline = findings[0];
    return {
      question: question.id,
      questionKey: `popup_question_${question.id}`,
      kinds: question.kinds,
      headline,
      concern: headline?.concern ?? 'unknown',
      findings,
      unknownKinds: facts.filter((f) => f.findings.length === 0).map((f) => f.kind),
      how: findings.filter((f) => f.how !== undefined),
    };
  });
  return answers.map((a, i) => ({ a, i })).sort((x, y) => rank(x.a.concern) - rank(y.a.concern) || x.i - y.i).map((x) => x.a);
}

/** The kinds the lead answers do not cover, for "more about this site". */
export const OTHER_KINDS: readonly FactKind[] = FACT_KINDS.filter((kind) => !LEAD_QUESTIONS.some((q) => (q.kinds as readonly FactKind[]).includes(kind)));

// ---------------------------------------------------------------------------------------------------------------
// Matching a page to its notes
// ---------------------------------------------------------------------------------------------------------------

/** Schemes that are never a website (extension pages, browser pages, local files, inline data). */
const NOT_A_SITE = /^(?:about|blob|chrome|chrome-extension|chrome-search|chrome-untrusted|data|devtools|edge|file|filesystem|javascript|mailto|moz-extension|opera|resource|safari-web-extension|tel|view-source|vivaldi):/i;
const WITH_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const LABEL = /^(?!-)[a-z0-9_-]{1,63}$/;

/** A page's host (as normalizeHost gives it) and path ("/" when there is none). */
export interface PageAddress {
  readonly host: string;
  readonly path: string;
}

/**
 * The host and path a URL or bare host name stands for: the host lower-case, without a trailing dot or a leading
 * `www.`; undefined for anything that is not a public website: IP addresses, localhost, single-label names,
 * non-http(s) URLs (extension pages, about:, file:, data:) and anything that does not parse. Never throws.
 */
export function parsePageAddress(urlOrHost: string): PageAddress | undefined {
  if (typeof urlOrHost !== 'string') return undefined;
  const input = urlOrHost.trim();
  if (input === '' || NOT_A_SITE.test(input)) return undefined;
  let url: URL;
  try {
    url = new URL(WITH_SCHEME.test(input) ? input : `http://${input}`);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  let host = url.hostname.toLowerCase();
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (host.startsWith('www.')) host = host.slice(4);
  const labels = host.split('.');
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label))) return undefined; // also IPv6 "[::1]"
  if (/^\d+$/.test(labels[labels.length - 1]!)) return undefined; // IPv4 (the URL parser normalises 127.1 etc.)
  if (labels[labels.length - 1] === 'localhost') return undefined;
  return { host, path: url.pathname || '/' };
}

/** The host part of parsePageAddress. */
export function normalizeHost(urlOrHost: string): string | undefined {
  return parsePageAddress(urlOrHost)?.host;
}

/** A database domain split into its host and path ("x.com/i/grok" → x.com, /i/grok; "x.com" → x.com, ""). */
export function splitDomain(domain: string): { host: string; path: string } {
  const slash = domain.indexOf('/');
  return slash < 0 ? { host: domain, path: '' } : { host: domain.slice(0, slash), path: domain.slice(slash).replace(/\/+$/, '') };
}

/** Whether a page path is `prefix` or below it, segment by segment ("/chat" covers "/chat/x", not "/chatty"). */
function pathUnder(path: string, prefix: string): boolean {
  if (prefix === '') return true;
  const lower = path.toLowerCase();
  return lower === prefix || lower.startsWith(`${prefix}/`);
}

export interface SiteNotesLookup {
  /** The notes for a page (full URL, or a bare host: then only domains without a path match). Never throws. */
  (urlOrHost: string): SiteNotes | undefined;
}

/**
 * A lookup over the given records: a page matches a domain when its host equals the domain's host or ends with `.`
 * + it, and its path is under the domain's path; the most specific match wins (the longest host, then the longest
 * path). There is no public-suffix list: the database lists registrable domains or hosts under them, never a public
 * suffix on its own except where the whole suffix deserves the note (hf.space: every Space is a third party's app).
 * Throws if two records claim the same domain (a database error the schema test also catches).
 */
export function createSiteNotesLookup(records: readonly SiteNoteRecord[]): SiteNotesLookup {
  const byHost = new Map<string, { path: string; record: SiteNoteRecord }[]>();
  for (const record of records) {
    for (const domain of record.domains) {
      const { host, path } = splitDomain(domain);
      const entries = byHost.get(host) ?? [];
      if (entries.some((e) => e.path === path)) throw new Error(`site notes: domain ${domain} is listed twice`);
      entries.push({ path, record });
      entries.sort((a, b) => b.path.length - a.path.length);
      byHost.set(host, entries);
    }
  }
  // A record is resolved the first time a page matches it (the popup needs one; resolving all costs the first paint).
  const resolved = new Map<SiteNoteRecord, SiteNotes>();
  const notesOf = (record: SiteNoteRecord): SiteNotes => {
    let notes = resolved.get(record);
    if (notes === undefined) resolved.set(record, (notes = resolveSiteNotes(record)));
    return notes;
  };
  return (urlOrHost) => {
    const page = parsePageAddress(urlOrHost);
    if (page === undefined) return undefined;
    const labels = page.host.split('.');
    for (let i = 0; i < labels.length - 1; i++) {
      const entries = byHost.get(labels.slice(i).join('.'));
      const match = entries?.find((e) => pathUnder(page.path, e.path));
      if (match) return notesOf(match.record);
    }
    return undefined;
  };
}

/**
 * Whether a host is one of the listed sites: its own domain or a parent of it is in the database, with or without a
 * path (x.com is listed because Grok lives at x.com/i/grok: protection covers the whole site).
 */
export function createListedHostTest(records: readonly SiteNoteRecord[]): (host: string) => boolean {
  const hosts = new Set(records.flatMap((r) => r.domains.map((d) => splitDomain(d).host)));
  return (host) => {
    const normal = normalizeHost(host);
    if (normal === undefined) return false;
    const labels = normal.split('.');
    for (let i = 0; i < labels.length - 1; i++) if (hosts.has(labels.slice(i).join('.'))) return true;
    return false;
  };
}

/**
 * The kinds of site where pictures (photos, screenshots) and PDFs are checked as well as DICOM: people upload
 * phone photos of scans and PDF reports there to be read (issue 13). Model demos and image archives are not.
 */
export const DOCUMENT_SITE_CATEGORIES: readonly SiteCategory[] = ['ai-chat', 'ai-image-reader', 'second-opinion'];

/**
 * For a host, the paths under which its pages are sites of DOCUMENT_SITE_CATEGORIES: `''` for the whole
 * host, `/chat` for huggingface.co's chat only; none when it has no such record. The guard matches its page's
 * path against them with settings.ts's `isUnderPath` (it does not bundle the database).
 */
export function createDocumentPathsLookup(records: readonly SiteNoteRecord[]): (host: string) => string[] {
  const byHost = new Map<string, string[]>();
  for (const record of records) {
    if (!DOCUMENT_SITE_CATEGORIES.includes(record.category)) continue;
    for (const domain of record.domains) {
      const { host, path } = splitDomain(domain);
      const paths = byHost.get(host) ?? [];
      if (!paths.includes(path)) paths.push(path);
      byHost.set(host, paths);
    }
  }
  return (host) => {
    const normal = normalizeHost(host);
    if (normal === undefined) return [];
    const labels = normal.split('.');
    const out: string[] = [];
    for (let i = 0; i < labels.length - 1; i++) out.push(...(byHost.get(labels.slice(i).join('.')) ?? []));
    return [...new Set(out)];
  };
}

let allNotes: readonly SiteNotes[] | undefined;

/** Every site in the bundled database, resolved (on first use). */
export function allSiteNotes(): readonly SiteNotes[] {
  allNotes ??= SITE_NOTE_RECORDS.map(resolveSiteNotes);
  return allNotes;
}

/** How many sites the bundled database has notes for. */
export const SITE_NOTES_COUNT: number = SITE_NOTE_RECORDS.length;

/** The bundled notes for a page (full URL, or bare host), or undefined when there are none. Never throws. */
export const findSiteNotes: SiteNotesLookup = createSiteNotesLookup(SITE_NOTE_RECORDS);

/** Whether the bundled database lists a host (settings' `isListed`). */
export const isListedHost: (host: string) => boolean = createListedHostTest(SITE_NOTE_RECORDS);

/** The paths of a host under which pictures and PDFs are checked (see createDocumentPathsLookup). */
export const documentPathsOf: (host: string) => string[] = createDocumentPathsLookup(SITE_NOTE_RECORDS);

// ---------------------------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------------------------

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Milliseconds at UTC midnight of an ISO calendar date (YYYY-MM-DD), or undefined if it is not a real date. */
export function parseIsoDate(date: string): number | undefined {
  const m = ISO_DATE.exec(date);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(year, month - 1, day);
  const d = new Date(ms);
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day ? ms : undefined;
}

/** How long notes stay current: older than this many months when the popup opens, it says they may be out of date. */
export const NOTES_FRESH_MONTHS = 12;

/**
 * Whether notes read on `read` (YYYY-MM-DD) are older than NOTES_FRESH_MONTHS at `now`: true from the day after the
 * same calendar day twelve months later (read 2026-12-05: stale from 2027-12-06, UTC). An invalid date is stale.
 */
export function notesAreStale(read: string, now: Date): boolean {
  const ms = parseIsoDate(read);
  if (ms === undefined || Number.isNaN(now.getTime())) return true;
  const then = new Date(ms);
  const limit = Date.UTC(then.getUTCFullYear(), then.getUTCMonth() + NOTES_FRESH_MONTHS, then.getUTCDate() + 1);
  return now.getTime() >= limit;
}

export { UPLOAD_QUESTIONS, type UploadQuestion } from '../data/site-notes';
