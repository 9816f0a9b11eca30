// The extension's settings: their type and version, defaults, migration of whatever storage holds, the
// administrator's managed settings winning over the person's, and whether a site is protected. Pure: no DOM,
// no extension API (src/background, src/content/settings-client.ts and the options page read storage and call these).

import { DEFAULT_PROFILE_OPTIONS, PROFILE_OPTION_NAMES, type ProfileOptions } from './dicom/profile-actions';

// ---------------------------------------------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------------------------------------------

/** The version of the stored settings object; `migrateSettings` upgrades anything older. */
export const SETTINGS_VERSION = 1;

/** storage.local key of the person's settings. */
export const SETTINGS_STORAGE_KEY = 'settings';

/**
 * What happens when a file identifies someone: `ask` (the dialog lets the person choose), `always-deidentify`
 * (a de-identified copy goes instead of the original), `block` (the files are never given to the site).
 */
export const WARNING_MODES = ['ask', 'always-deidentify', 'block'] as const;
export type WarningMode = (typeof WARNING_MODES)[number];

/**
 * Which sites the guard protects: `all-sites`, or `listed-sites`: the sites in the bundled site notes (AI and
 * second-opinion services) plus the ones the person adds. Per-site exceptions apply in both.
 */
export const PROTECTION_SCOPES = ['all-sites', 'listed-sites'] as const;
export type ProtectionScope = (typeof PROTECTION_SCOPES)[number];

/** The PS3.15 options the de-identifier offers, by the names of its `DeidentifyOptions`. */
export const DEIDENTIFY_OPTION_NAMES = PROFILE_OPTION_NAMES;
export type DeidentifyOptionName = keyof ProfileOptions;
export type DeidentifySettings = { readonly [K in DeidentifyOptionName]: boolean };

export interface Settings {
  readonly version: typeof SETTINGS_VERSION;
  readonly mode: WarningMode;
  /** False removes "Upload the original anyway" from the dialog. */
  readonly allowOriginal: boolean;
  readonly deidentify: DeidentifySettings;
  readonly protection: ProtectionScope;
  /** Sites the person added (protected also in `listed-sites`), as normalised site hosts (see `siteHost`). */
  readonly sites: readonly string[];
  /** Sites where protection is off, as normalised site hosts. A host also matches its subdomains. */
  readonly exceptions: readonly string[];
  /** Sites an administrator protects: always protected, no exception applies. Only managed settings set these. */
  readonly enforcedSites: readonly string[];
  /**
   * Sites where pictures (photos, screenshots) and PDFs are checked too, besides the AI chat, AI image reader
   * and second-opinion sites of the site notes, which always are. Elsewhere they pass untouched.
   */
  readonly documentSites: readonly string[];
  /** Sites where an administrator has pictures and PDFs checked. Only managed settings set these. */
  readonly enforcedDocumentSites: readonly string[];
}

/**
 * The Basic Profile with Retain Patient Characteristics (see DEFAULT_PROFILE_OPTIONS). Moved dates (Retain
 * Longitudinal Temporal Information with Modified Dates) and cleaned descriptions are options the person or an
 * administrator turns on.
 */
export const DEFAULT_DEIDENTIFY: DeidentifySettings = DEFAULT_PROFILE_OPTIONS;

export const DEFAULT_SETTINGS: Settings = Object.freeze({
  version: SETTINGS_VERSION,
  mode: 'ask',
  allowOriginal: true,
  deidentify: DEFAULT_DEIDENTIFY,
  protection: 'all-sites',
  sites: Object.freeze([]) as readonly string[],
  exceptions: Object.freeze([]) as readonly string[],
  enforcedSites: Object.freeze([]) as readonly string[],
  documentSites: Object.freeze([]) as readonly string[],
  enforcedDocumentSites: Object.freeze([]) as readonly string[],
});

/** No more than this many sites in one list (storage stays small; nobody types more by hand). */
export const MAX_SITES = 1000;

// ---------------------------------------------------------------------------------------------------------------
// Site hosts
// ---------------------------------------------------------------------------------------------------------------

const LABEL = /^(?!-)[a-z0-9_-]{1,63}$/;
const WITH_SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/**
 * The site a page belongs to, as settings and history key it: the host name of an http(s) URL (or a bare host
 * name, as a person types it), lower-case, without port, trailing dot, leading `www.` or leading `*.`.
 * IP addresses and `localhost` are sites too (the guard protects them). Undefined for anything else: extension and
 * browser pages, file:, data:, about:, and text that is not a host. Never throws.
 */
export function siteHost(urlOrHost: unknown): string | undefined {
  if (typeof urlOrHost !== 'string') return undefined;
  let input = urlOrHost.trim();
  if (input === '' || input.length > 2048) return undefined;
  if (input.startsWith('*.')) input = input.slice(2);
  let hostname: string;
  try {
    const hasScheme = WITH_SCHEME.test(input) && !/^[^:/]+:\d+(?:[/?#]|$)/.test(input);
    const url = new URL(hasScheme ? input : `http://${input}`);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    if (!hasScheme && (url.username !== '' || url.password !== '')) return undefined;
    hostname = url.hostname;
  } catch {
    return undefined;
  }
  let host = hostname.toLowerCase();
  if (host.startsWith('[')) return host; // IPv6, as the URL parser normalised it
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (host.startsWith('www.') && host.length > 4) host = host.slice(4);
  const labels = host.split('.');
  if (!labels.every((label) => LABEL.test(label))) return undefined;
  return host;
}

/** Whether `host` is `site` or one of its subdomains (both normalised site hosts). */
export function hostMatchesSite(host: string, site: string): boolean {
  return host === site || host.endsWith(`.${site}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Migration: whatever storage holds, a valid Settings comes out
// ---------------------------------------------------------------------------------------------------------------

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function oneOf<T extends string>(allowed: readonly T[], value: unknown): T | undefined {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : undefined;
}

/** A list of site hosts: entries that are not hosts are dropped, duplicates removed, order kept, length capped. */
export function siteList(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const out: string[] = [];
  for (const entry of value) {
    const host = siteHost(entry);
    if (host !== undefined && !out.includes(host)) out.push(host);
    if (out.length >= MAX_SITES) break;
  }
  return out;
}

function deidentifyFrom(value: unknown, base: DeidentifySettings): DeidentifySettings {
  const out = { ...base } as { [K in DeidentifyOptionName]: boolean };
  if (isRecord(value)) {
    for (const name of DEIDENTIFY_OPTION_NAMES) {
      if (typeof value[name] === 'boolean') out[name] = value[name];
    }
  }
  return out;
}

/**
 * Upgrades stored settings of any earlier version to the current one; unknown fields are dropped, a field that
 * is missing or malformed gets its default. Never throws: garbage gives the defaults.
 * Version 0 (before versions were written): `protectedSites` for `sites`, `disabledSites` for `exceptions`.
 */
export function migrateSettings(stored: unknown): Settings {
  if (!isRecord(stored)) return DEFAULT_SETTINGS;
  // A version this code does not know (newer, or malformed) is read as the current one: what is understood is kept.
  const version = stored.version === undefined ? 0 : stored.version;
  if (version === 0) {
    return readV1({
      ...stored,
      sites: stored.sites ?? stored.protectedSites,
      exceptions: stored.exceptions ?? stored.disabledSites,
    });
  }
  return readV1(stored);
}

function readV1(stored: Record<string, unknown>): Settings {
  return {
    version: SETTINGS_VERSION,
    mode: oneOf(WARNING_MODES, stored.mode) ?? DEFAULT_SETTINGS.mode,
    allowOriginal: typeof stored.allowOriginal === 'boolean' ? stored.allowOriginal : DEFAULT_SETTINGS.allowOriginal,
    deidentify: deidentifyFrom(stored.deidentify, DEFAULT_DEIDENTIFY),
    protection: oneOf(PROTECTION_SCOPES, stored.protection) ?? DEFAULT_SETTINGS.protection,
    sites: siteList(stored.sites),
    exceptions: siteList(stored.exceptions),
    documentSites: siteList(stored.documentSites),
    // Never from the person's own storage: only an administrator protects a site beyond exceptions.
    enforcedSites: [],
    enforcedDocumentSites: [],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Managed settings (storage.managed, described by managed_schema.json at the repository root)
// ---------------------------------------------------------------------------------------------------------------

/** What an administrator may set (the policy names of managed_schema.json). */
export interface ManagedPolicy {
  mode?: WarningMode;
  allowOriginal?: boolean;
  protection?: ProtectionScope;
  /** Sites always protected, in every scope, whatever the person's exceptions. */
  extraSites?: string[];
  /** False: the person cannot turn protection off for a site (their exceptions are ignored). */
  allowSiteExceptions?: boolean;
  /** Sites where pictures and PDFs are checked too (added to the person's list, which they cannot shorten). */
  documentSites?: string[];
  deidentify?: Partial<Record<DeidentifyOptionName, boolean>>;
}

/** The settings the person cannot change because an administrator set them. */
export type ManagedKey =
  | 'mode'
  | 'allowOriginal'
  | 'protection'
  | 'enforcedSites'
  | 'exceptions'
  | 'documentSites'
  | `deidentify.${DeidentifyOptionName}`;

/** The administrator's policy as read from storage.managed: unknown names and malformed values are dropped. */
export function parseManagedPolicy(raw: unknown): ManagedPolicy {
  if (!isRecord(raw)) return {};
  const policy: ManagedPolicy = {};
  const mode = oneOf(WARNING_MODES, raw.mode);
  if (mode) policy.mode = mode;
  if (typeof raw.allowOriginal === 'boolean') policy.allowOriginal = raw.allowOriginal;
  const protection = oneOf(PROTECTION_SCOPES, raw.protection);
  if (protection) policy.protection = protection;
  if (Array.isArray(raw.extraSites)) {
    const sites = siteList(raw.extraSites);
    if (sites.length > 0) policy.extraSites = sites;
  }
  if (typeof raw.allowSiteExceptions === 'boolean') policy.allowSiteExceptions = raw.allowSiteExceptions;
  if (Array.isArray(raw.documentSites)) {
    const sites = siteList(raw.documentSites);
    if (sites.length > 0) policy.documentSites = sites;
  }
  if (isRecord(raw.deidentify)) {
    const deidentify: Partial<Record<DeidentifyOptionName, boolean>> = {};
    for (const name of DEIDENTIFY_OPTION_NAMES) {
      const value = raw.deidentify[name];
      if (typeof value === 'boolean') deidentify[name] = value;
    }
    if (Object.keys(deidentify).length > 0) policy.deidentify = deidentify;
  }
  return policy;
}

export interface EffectiveSettings {
  readonly settings: Settings;
  /** What the administrator fixed; the UI shows these as managed and does not let the person change them. */
  readonly managedKeys: readonly ManagedKey[];
}

/**
 * The settings in force: the person's (migrated from whatever storage.local holds), with every value the
 * administrator set (storage.managed) winning. Never throws.
 */
export function effectiveSettings(local: unknown, managed: unknown): EffectiveSettings {
  const base = migrateSettings(local);
  const policy = parseManagedPolicy(managed);
  const managedKeys: ManagedKey[] = [];
  let { mode, allowOriginal, protection, exceptions, enforcedSites, enforcedDocumentSites } = base;
  const deidentify = { ...base.deidentify } as { [K in DeidentifyOptionName]: boolean };
  if (policy.mode !== undefined) {
    mode = policy.mode;
    managedKeys.push('mode');
  }
  if (policy.allowOriginal !== undefined) {
    allowOriginal = policy.allowOriginal;
    managedKeys.push('allowOriginal');
  }
  if (policy.protection !== undefined) {
    protection = policy.protection;
    managedKeys.push('protection');
  }
  if (policy.extraSites !== undefined) {
    enforcedSites = policy.extraSites;
    managedKeys.push('enforcedSites');
  }
  if (policy.documentSites !== undefined) {
    enforcedDocumentSites = policy.documentSites;
    managedKeys.push('documentSites');
  }
  if (policy.allowSiteExceptions === false) {
    exceptions = [];
    managedKeys.push('exceptions');
  }
  for (const name of DEIDENTIFY_OPTION_NAMES) {
    const value = policy.deidentify?.[name];
    if (value !== undefined) {
      deidentify[name] = value;
      managedKeys.push(`deidentify.${name}`);
    }
  }
  return {
    settings: { ...base, mode, allowOriginal, protection, exceptions, enforcedSites, enforcedDocumentSites, deidentify },
    managedKeys,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Protection of one site
// ---------------------------------------------------------------------------------------------------------------

/** Whether a site host is one of the listed sites (in the extension: it has site notes). */
export type ListedSiteTest = (host: string) => boolean;

/**
 * Whether the guard protects uploads on the top-level site `urlOrHost` (a URL or a host). Sites the
 * administrator enforces always are; then a per-site exception turns protection off; then the scope decides:
 * `all-sites`, or `listed-sites`: a site for which `isListed` says yes, or one the person added.
 * A page that is not a site (file:, about:, undefined) has no exceptions: protected in `all-sites` only.
 * `isListed` is a parameter (not the site-notes database) so the guard's content script need not bundle the
 * database: the background answers it. Pass `(h) => findSiteNotes(h) !== undefined`.
 */
export function isProtected(settings: Settings, urlOrHost: string | undefined, isListed: ListedSiteTest): boolean {
  const host = siteHost(urlOrHost);
  if (host === undefined) return settings.protection === 'all-sites';
  if (settings.enforcedSites.some((site) => hostMatchesSite(host, site))) return true;
  if (settings.exceptions.some((site) => hostMatchesSite(host, site))) return false;
  if (settings.protection === 'all-sites') return true;
  return isListed(host) || settings.sites.some((site) => hostMatchesSite(host, site));
}

/**
 * Whether a page's path is under one of `paths` (site-notes.ts's createDocumentPathsLookup: `''` is every
 * path; "/chat" covers "/chat/x", not "/chatty"). Case-insensitive, as the site notes' paths are lower case.
 */
export function isUnderPath(pagePath: string, paths: readonly string[]): boolean {
  const lower = pagePath.toLowerCase().replace(/\/+$/, '');
  return paths.some((prefix) => prefix === '' || lower === prefix || lower.startsWith(`${prefix}/`));
}

/**
 * Whether pictures (photos, screenshots) and PDFs uploaded to the top-level site `urlOrHost` are checked: only
 * where uploads are protected at all, and only on a site `isDocumentSite` names (an AI chat, AI image reader
 * or second-opinion site of the site notes) or one the person or the administrator added. Everywhere else
 * they pass as they are, unread.
 */
export function checksDocuments(settings: Settings, urlOrHost: string | undefined, isListed: ListedSiteTest, isDocumentSite: ListedSiteTest): boolean {
  const host = siteHost(urlOrHost);
  if (host === undefined || !isProtected(settings, host, isListed)) return false;
  if (isDocumentSite(host)) return true;
  return [...settings.documentSites, ...settings.enforcedDocumentSites].some((site) => hostMatchesSite(host, site));
}

/** Whether the person can turn protection on or off for this site, given what the administrator fixed. */
export function canChangeSiteProtection(effective: EffectiveSettings, urlOrHost: string | undefined): boolean {
  const host = siteHost(urlOrHost);
  if (host === undefined) return false;
  if (effective.settings.enforcedSites.some((site) => hostMatchesSite(host, site))) return false;
  return !effective.managedKeys.includes('exceptions');
}

/**
 * The person's settings after the popup's switch: protection on or off for one site. Off: the site leaves the
 * person's own list and, if still protected, becomes an exception. On: exceptions covering it are removed and,
 * if it is still not protected (listed-sites scope, not listed), it is added to the person's list.
 * Returns the settings unchanged for a page that is not a site.
 */
export function withSiteProtection(settings: Settings, urlOrHost: string | undefined, on: boolean, isListed: ListedSiteTest): Settings {
  const host = siteHost(urlOrHost);
  if (host === undefined) return settings;
  if (on) {
    const exceptions = settings.exceptions.filter((site) => !hostMatchesSite(host, site));
    let next: Settings = { ...settings, exceptions };
    if (!isProtected(next, host, isListed)) next = { ...next, sites: [...next.sites, host].slice(0, MAX_SITES) };
    return next;
  }
  let next: Settings = { ...settings, sites: settings.sites.filter((site) => site !== host) };
  if (isProtected(next, host, isListed) && !next.exceptions.includes(host)) {
    next = { ...next, exceptions: [...next.exceptions, host].slice(0, MAX_SITES) };
  }
  return next;
}

/**
 * The popup's switch against what is stored: the person's settings (`local`, as storage holds them) after turning
 * protection on or off for one site, decided under the settings in force (the administrator's scope and enforced
 * sites count), ready to be written back. Only the person's site lists change; every other value stays theirs.
 */
export function switchSiteProtection(local: unknown, managed: unknown, urlOrHost: string | undefined, on: boolean, isListed: ListedSiteTest): Settings {
  const own = migrateSettings(local);
  const { settings } = effectiveSettings(own, managed);
  const next = withSiteProtection({ ...settings, exceptions: own.exceptions }, urlOrHost, on, isListed);
  return { ...own, sites: next.sites, exceptions: next.exceptions };
}

/** The settings to write to storage.local: the person's own, never the administrator's enforced sites. */
export function storableSettings(settings: Settings): Settings {
  return { ...migrateSettings(settings), enforcedSites: [], enforcedDocumentSites: [] };
}

// ---------------------------------------------------------------------------------------------------------------
// The per-install de-identification key (created by the background, read by extension pages)
// ---------------------------------------------------------------------------------------------------------------

/** storage.local key of the per-install de-identification key: 64 lower-case hex digits (32 random bytes). */
export const DEIDENTIFICATION_KEY_STORAGE_KEY = 'deidentificationKey';
export const DEIDENTIFICATION_KEY_BYTES = 32;

export function encodeDeidentificationKey(bytes: Uint8Array): string {
  if (bytes.length !== DEIDENTIFICATION_KEY_BYTES) throw new Error(`the de-identification key must be ${DEIDENTIFICATION_KEY_BYTES} bytes`);
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

/** The key's bytes from its stored form, or undefined when the stored value is not a well-formed key. */
export function decodeDeidentificationKey(stored: unknown): Uint8Array | undefined {
  if (typeof stored !== 'string' || !/^[0-9a-f]{64}$/.test(stored)) return undefined;
  const bytes = new Uint8Array(DEIDENTIFICATION_KEY_BYTES);
  for (let i = 0; i < DEIDENTIFICATION_KEY_BYTES; i++) bytes[i] = parseInt(stored.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}
