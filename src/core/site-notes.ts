// Site privacy notes: the types of the bundled database (src/data/site-notes.ts), matching a page's address to
// a site's notes by host and parent domains, and the small pure helpers the popup needs (concern levels, worst-first
// order, how long ago a source was read, the _locales message keys of every label). No DOM, no extension API.
import { SITE_NOTE_RECORDS } from '../data/site-notes';

// ---------------------------------------------------------------------------------------------------------------
// Closed vocabularies
// ---------------------------------------------------------------------------------------------------------------

/**
 * What kind of site it is. `ai-chat`: a general AI chat people upload scans to. `ai-image-reader`: a consumer AI
 * service that reads medical images or documents. `model-demo`: a host of third-party AI demo apps.
 * `second-opinion`: a direct-to-patient second-opinion service (human radiologists, some adding AI).
 * `imaging-service`: another service that takes medical image uploads.
 */
export const SITE_CATEGORIES = ['ai-chat', 'ai-image-reader', 'model-demo', 'second-opinion', 'imaging-service'] as const;
export type SiteCategory = (typeof SITE_CATEGORIES)[number];

/**
 * The facts recorded about a site, in order of importance (the tie-break of the worst-first order).
 * - `trainingUse`: are uploads used to train AI models? `yes` (no way out stated), `opt-out` (used unless you turn it
 *   off), `choice` (you are asked; the default was not recorded), `opt-in` (only with your consent), `no`.
 * - `humanReview`: may people at the company or its contractors look at what you upload? `yes`, `no`.
 * - `thirdPartyAi`: are (or may) images be sent to another company's AI? `yes`, `no`.
 * - `retention`: how long uploads are kept. `years` (a year or more), `until-deleted`, `as-needed` (an unbounded
 *   "as long as necessary"), `days` (a stated period under a year), `not-retained`.
 * - `deletion`: can uploads be deleted? `yes`, `partial` (some copies stay after deletion), `no`.
 * - `serverLocation`: where uploads are stored. `china`, `united-states`, `european-union`.
 * - `deidentification`: who removes identifying data? `by-site` (the site says it does, see the detail for when),
 *   `user-responsibility` (the site says that is up to you).
 * - `hipaa`: what the site says about HIPAA. `not-covered` (says it is not covered), `claims-compliance` (says it is
 *   HIPAA compliant in some respect), `voluntary` (says it is not covered but follows the rules voluntarily),
 *   `covered` (says it is a covered entity or business associate).
 * - `gdpr`: `stated` (the policy refers to the GDPR).
 * - `dicomAccepted`: does it take DICOM files (whose headers carry names and IDs)? `yes`, `no`.
 * - `advertising`: does it share data with advertising or analytics companies? `yes`, `no`.
 * Every kind also has `unknown`: nothing was read about it. An unknown fact has no quote, detail or source.
 */
export const FACT_VALUES = {
  trainingUse: ['yes', 'opt-out', 'choice', 'opt-in', 'no', 'unknown'],
  humanReview: ['yes', 'no', 'unknown'],
  thirdPartyAi: ['yes', 'no', 'unknown'],
  retention: ['years', 'until-deleted', 'as-needed', 'days', 'not-retained', 'unknown'],
  deletion: ['no', 'partial', 'yes', 'unknown'],
  serverLocation: ['china', 'united-states', 'european-union', 'unknown'],
  deidentification: ['user-responsibility', 'by-site', 'unknown'],
  hipaa: ['not-covered', 'claims-compliance', 'voluntary', 'covered', 'unknown'],
  gdpr: ['stated', 'unknown'],
  dicomAccepted: ['yes', 'no', 'unknown'],
  advertising: ['yes', 'no', 'unknown'],
} as const;

export type FactKind = keyof typeof FACT_VALUES;
export type FactValue<K extends FactKind = FactKind> = (typeof FACT_VALUES)[K][number];
/** A value the database may record: `unknown` is never written down, it is what a missing fact means. */
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

/** How much a fact should worry someone about to upload a scan. `unknown`: nothing was read. */
export type Concern = 'high' | 'medium' | 'low' | 'unknown';

/** Worst first: an unknown is worse than a reassuring fact, better than a worrying one. */
export const CONCERN_ORDER: readonly Concern[] = ['high', 'medium', 'unknown', 'low'];

const CONCERN: { readonly [K in FactKind]: Readonly<Record<KnownFactValue<K>, Exclude<Concern, 'unknown'>>> } = {
  trainingUse: { yes: 'high', 'opt-out': 'high', choice: 'medium', 'opt-in': 'low', no: 'low' },
  humanReview: { yes: 'high', no: 'low' },
  thirdPartyAi: { yes: 'high', no: 'low' },
  retention: { years: 'high', 'until-deleted': 'medium', 'as-needed': 'medium', days: 'low', 'not-retained': 'low' },
  deletion: { no: 'high', partial: 'medium', yes: 'low' },
  // China: the one location in the research reported for its state's access to stored data; the United States:
  // no general federal privacy law, and abroad for most of the world; the EU: the GDPR applies.
  serverLocation: { china: 'high', 'united-states': 'medium', 'european-union': 'low' },
  deidentification: { 'user-responsibility': 'high', 'by-site': 'low' },
  hipaa: { 'not-covered': 'high', 'claims-compliance': 'medium', voluntary: 'medium', covered: 'low' },
  gdpr: { stated: 'low' },
  // DICOM headers carry the patient's name, IDs and dates unless someone removes them.
  dicomAccepted: { yes: 'medium', no: 'low' },
  advertising: { yes: 'high', no: 'low' },
};

/** The concern of a fact, derived from its kind and value (never stored). */
export function concernOf<K extends FactKind>(kind: K, value: FactValue<K>): Concern {
  if (value === 'unknown') return 'unknown';
  return (CONCERN[kind] as Readonly<Record<string, Exclude<Concern, 'unknown'>>>)[value] ?? 'unknown';
}

// ---------------------------------------------------------------------------------------------------------------
// The database's records (what src/data/site-notes.ts holds) and the resolved notes (what the popup shows)
// ---------------------------------------------------------------------------------------------------------------

/** Where a fact comes from, as ../shared/research/sites.md names it. */
export interface SiteSource {
  /** The source as the research names it (a path, a publication, "site blog"). */
  readonly citation: string;
  /** The page, when the research gives a complete address (the research omits the scheme; https is added). */
  readonly url?: string;
  /** ISO date (YYYY-MM-DD) given beside the source in the research; absent when the research gives none. */
  readonly dateRead?: string;
}

export interface FactRecord<K extends FactKind = FactKind> {
  readonly value: KnownFactValue<K>;
  /** The source's own words, exactly as the research quotes them; absent when it paraphrases. */
  readonly quotes?: readonly string[];
  /** Plain English specifics (periods, conditions, names); translated through `sites_detail_<site>_<kind>`. */
  readonly detail?: string;
  /** At least one. */
  readonly sources: readonly SiteSource[];
}

/** A sourced statement about the site that is not one of the facts (what the service is, where it is based). */
export interface RemarkRecord {
  /** Plain English; translated through `sites_remark_<site>_<n>` (n from 1). */
  readonly text: string;
  readonly quotes?: readonly string[];
  readonly sources: readonly SiteSource[];
}

export interface SiteLinks {
  readonly privacy?: string;
  readonly terms?: string;
  /** A "legal" page that the research does not say is one or the other. */
  readonly legal?: string;
}

export interface SiteNoteRecord {
  /** Stable, lower-case letters and digits (it is part of message keys). */
  readonly id: string;
  readonly name: string;
  /** Lower-case host names without scheme, path, port or `www.`; subdomains match too. */
  readonly domains: readonly string[];
  readonly category: SiteCategory;
  readonly links: SiteLinks;
  /** Only what a source says; a kind that is absent is unknown. */
  readonly facts: { readonly [K in FactKind]?: FactRecord<K> };
  readonly remarks?: readonly RemarkRecord[];
}

interface SiteFactOf<K extends FactKind> {
  readonly kind: K;
  readonly value: FactValue<K>;
  readonly concern: Concern;
  readonly quotes: readonly string[];
  readonly sources: readonly SiteSource[];
  readonly detail?: string;
  /** `sites_fact_<kind>`: the fact's title. */
  readonly titleKey: string;
  /** `sites_value_<kind>_<value>`: the value in plain language. */
  readonly valueKey: string;
  readonly detailKey?: string;
}

export type SiteFact = { [K in FactKind]: SiteFactOf<K> }[FactKind];

export interface SiteRemark {
  readonly text: string;
  readonly textKey: string;
  readonly quotes: readonly string[];
  readonly sources: readonly SiteSource[];
}

export interface SiteNotes {
  readonly id: string;
  readonly name: string;
  readonly domains: readonly string[];
  readonly category: SiteCategory;
  readonly categoryKey: string;
  readonly links: SiteLinks;
  /** Every kind, in FACT_KINDS order; unknown where nothing was read. Use sortFactsWorstFirst for display. */
  readonly facts: readonly SiteFact[];
  readonly remarks: readonly SiteRemark[];
}

// ---------------------------------------------------------------------------------------------------------------
// Message keys (public/_locales/<lang>/messages.json; keys allow only letters, digits and _)
// ---------------------------------------------------------------------------------------------------------------

const keyPart = (s: string): string => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`).replace(/-/g, '_');

export const categoryMessageKey = (category: SiteCategory): string => `sites_category_${keyPart(category)}`;
export const factTitleMessageKey = (kind: FactKind): string => `sites_fact_${keyPart(kind)}`;
export const factValueMessageKey = <K extends FactKind>(kind: K, value: FactValue<K>): string =>
  `sites_value_${keyPart(kind)}_${keyPart(value)}`;
export const concernMessageKey = (concern: Concern): string => `sites_concern_${concern}`;
export const factDetailMessageKey = (siteId: string, kind: FactKind): string => `sites_detail_${siteId}_${keyPart(kind)}`;
export const remarkMessageKey = (siteId: string, index: number): string => `sites_remark_${siteId}_${index + 1}`;

// ---------------------------------------------------------------------------------------------------------------
// Resolving records
// ---------------------------------------------------------------------------------------------------------------

function resolveFact<K extends FactKind>(siteId: string, kind: K, record: FactRecord<K> | undefined): SiteFactOf<K> {
  const value: FactValue<K> = record ? record.value : 'unknown';
  const fact: SiteFactOf<K> = {
    kind,
    value,
    concern: concernOf(kind, value),
    quotes: record?.quotes ?? [],
    sources: record?.sources ?? [],
    titleKey: factTitleMessageKey(kind),
    valueKey: factValueMessageKey(kind, value),
  };
  return record?.detail === undefined
    ? fact
    : { ...fact, detail: record.detail, detailKey: factDetailMessageKey(siteId, kind) };
}

/** The full notes of one record: every fact kind present (unknown where nothing was read), message keys filled in. */
export function resolveSiteNotes(record: SiteNoteRecord): SiteNotes {
  const facts = FACT_KINDS.map((kind) => resolveFact(record.id, kind, record.facts[kind])) as SiteFact[];
  return {
    id: record.id,
    name: record.name,
    domains: record.domains,
    category: record.category,
    categoryKey: categoryMessageKey(record.category),
    links: record.links,
    facts,
    remarks: (record.remarks ?? []).map((remark, i) => ({
      text: remark.text,
      textKey: remarkMessageKey(record.id, i),
      quotes: remark.quotes ?? [],
      sources: remark.sources,
    })),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Matching a page to its notes
// ---------------------------------------------------------------------------------------------------------------

/** Schemes that are never a website (extension pages, browser pages, local files, inline data). */
const NOT_A_SITE = /^(?:about|blob|chrome|chrome-extension|chrome-search|chrome-untrusted|data|devtools|edge|file|filesystem|javascript|mailto|moz-extension|opera|resource|safari-web-extension|tel|view-source|vivaldi):/i;
const WITH_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const LABEL = /^(?!-)[a-z0-9_-]{1,63}$/;

/**
 * The host a URL or bare host name stands for, lower-case, without a trailing dot or a leading `www.`; undefined
 * for anything that is not a public website: IP addresses, localhost, single-label names, non-http(s) URLs
 * (extension pages, about:, file:, data:) and anything that does not parse. Never throws.
 */
export function normalizeHost(urlOrHost: string): string | undefined {
  if (typeof urlOrHost !== 'string') return undefined;
  const input = urlOrHost.trim();
  if (input === '' || NOT_A_SITE.test(input)) return undefined;
  let hostname: string;
  try {
    const url = new URL(WITH_SCHEME.test(input) ? input : `http://${input}`);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    hostname = url.hostname;
  } catch {
    return undefined;
  }
  let host = hostname.toLowerCase();
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (host.startsWith('www.')) host = host.slice(4);
  const labels = host.split('.');
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label))) return undefined; // also IPv6 "[::1]"
  if (/^\d+$/.test(labels[labels.length - 1]!)) return undefined; // IPv4 (the URL parser normalises 127.1 etc.)
  if (labels[labels.length - 1] === 'localhost') return undefined;
  return host;
}

export type SiteNotesLookup = (urlOrHost: string) => SiteNotes | undefined;

/**
 * A lookup over the given records: a host matches a note domain when it equals it or ends with `.` + it, and the
 * most specific (longest) matching domain wins. Walking the host's parent domains finds exactly that. There is no
 * public-suffix list: the database lists registrable domains or hosts under them, never a public suffix on its own
 * except where the whole suffix deserves the note (hf.space: every Space is a third-party app).
 * Throws if two records claim the same domain (a database error the schema test also catches).
 */
export function createSiteNotesLookup(records: readonly SiteNoteRecord[]): SiteNotesLookup {
  const byDomain = new Map<string, SiteNotes>();
  for (const record of records) {
    const notes = resolveSiteNotes(record);
    for (const domain of record.domains) {
      if (byDomain.has(domain)) throw new Error(`site notes: domain ${domain} is listed twice`);
      byDomain.set(domain, notes);
    }
  }
  return (urlOrHost) => {
    const host = normalizeHost(urlOrHost);
    if (host === undefined) return undefined;
    const labels = host.split('.');
    for (let i = 0; i < labels.length - 1; i++) {
      const notes = byDomain.get(labels.slice(i).join('.'));
      if (notes) return notes;
    }
    return undefined;
  };
}

/** Every site in the bundled database, resolved. */
export const ALL_SITE_NOTES: readonly SiteNotes[] = SITE_NOTE_RECORDS.map(resolveSiteNotes);

/** The bundled notes for a page (full URL or bare host), or undefined when there are none. Never throws. */
export const findSiteNotes: SiteNotesLookup = createSiteNotesLookup(SITE_NOTE_RECORDS);

// ---------------------------------------------------------------------------------------------------------------
// Display helpers
// ---------------------------------------------------------------------------------------------------------------

/** A new array, worst concern first; facts of equal concern keep FACT_KINDS order. */
export function sortFactsWorstFirst<F extends { readonly kind: FactKind; readonly concern: Concern }>(facts: readonly F[]): F[] {
  const rank = (f: F): number => CONCERN_ORDER.indexOf(f.concern) * FACT_KINDS.length + FACT_KINDS.indexOf(f.kind);
  return [...facts].sort((a, b) => rank(a) - rank(b));
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** Milliseconds at UTC midnight of an ISO calendar date (YYYY-MM-DD), or undefined if it is not a real date. */
export function parseIsoDate(date: string): number | undefined {
  const m = ISO_DATE.exec(date);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(year, month - 1, day);
  const d = new Date(ms);
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day ? ms : undefined;
}

/** Whole days from an ISO date to `now` (UTC calendar days; 0 for today or a future date); undefined if invalid. */
export function daysSince(dateRead: string, now: Date): number | undefined {
  const then = parseIsoDate(dateRead);
  const today = now.getTime();
  if (then === undefined || Number.isNaN(today)) return undefined;
  const days = Math.floor((Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - then) / DAY_MS);
  return Math.max(0, days);
}

/** How to say when a source was read: a message key and its substitutions for `browser.i18n.getMessage`. */
export function readAgeMessage(dateRead: string | undefined, now: Date): { key: string; substitutions: string[] } {
  const days = dateRead === undefined ? undefined : daysSince(dateRead, now);
  if (days === undefined) return { key: 'sites_read_not_recorded', substitutions: [] };
  if (days === 0) return { key: 'sites_read_today', substitutions: [] };
  if (days === 1) return { key: 'sites_read_one_day_ago', substitutions: [] };
  return { key: 'sites_read_days_ago', substitutions: [String(days)] };
}

/** The oldest date any of a fact's sources was read (the one to show), or undefined when none is recorded. */
export function oldestDateRead(sources: readonly SiteSource[]): string | undefined {
  const dates = sources.map((s) => s.dateRead).filter((d): d is string => d !== undefined && parseIsoDate(d) !== undefined);
  return dates.sort()[0];
}

export { UPLOAD_QUESTIONS, type UploadQuestion } from '../data/site-notes';
