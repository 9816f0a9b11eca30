// The history the popup shows: per top-level site, how many files the guard checked, warned about, and that were
// cancelled, de-identified or uploaded as originals. Counts only, keyed by site host; never a file name or a value.
// Pure (the background reads and writes storage.local under SITE_ACTIVITY_STORAGE_KEY).

import { siteHost } from '../core/settings';
import { GUARD_EVENT_KINDS, type ActivityCounts, type GuardEvent } from './protocol';

export const SITE_ACTIVITY_STORAGE_KEY = 'siteActivity';
export const SITE_ACTIVITY_VERSION = 1;
/** At most this many sites are remembered; the one updated longest ago is forgotten first. */
export const MAX_ACTIVITY_SITES = 500;
/** A count never grows past this (storage stays well-formed whatever a page makes the guard report). */
export const MAX_COUNT = Number.MAX_SAFE_INTEGER;

export interface SiteActivity {
  readonly version: typeof SITE_ACTIVITY_VERSION;
  /** Site host → counts, least recently updated first. */
  readonly sites: Readonly<Record<string, ActivityCounts>>;
}

export const NO_ACTIVITY: ActivityCounts = Object.freeze({ checked: 0, warned: 0, cancelled: 0, deidentified: 0, original: 0 });
export const EMPTY_SITE_ACTIVITY: SiteActivity = Object.freeze({ version: SITE_ACTIVITY_VERSION, sites: Object.freeze({}) });

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function countsFrom(value: unknown): ActivityCounts | undefined {
  if (!isRecord(value)) return undefined;
  const counts = { ...NO_ACTIVITY } as { -readonly [K in keyof ActivityCounts]: number };
  for (const kind of GUARD_EVENT_KINDS) {
    const n = value[kind];
    if (typeof n === 'number' && Number.isInteger(n) && n > 0) counts[kind] = Math.min(n, MAX_COUNT);
  }
  return counts;
}

/** Whatever storage holds, as a valid history: malformed entries and hosts are dropped. Never throws. */
export function parseSiteActivity(stored: unknown): SiteActivity {
  if (!isRecord(stored) || !isRecord(stored.sites)) return EMPTY_SITE_ACTIVITY;
  const sites: Record<string, ActivityCounts> = {};
  for (const [key, value] of Object.entries(stored.sites)) {
    const host = siteHost(key);
    const counts = countsFrom(value);
    if (host === undefined || host !== key || counts === undefined) continue;
    sites[host] = counts;
  }
  const hosts = Object.keys(sites);
  for (const host of hosts.slice(0, Math.max(0, hosts.length - MAX_ACTIVITY_SITES))) delete sites[host];
  return { version: SITE_ACTIVITY_VERSION, sites };
}

/** The counts of one site (zeros when nothing happened there). */
export function activityFor(activity: SiteActivity, host: string | undefined | null): ActivityCounts {
  return (host && Object.prototype.hasOwnProperty.call(activity.sites, host) && activity.sites[host]) || NO_ACTIVITY;
}

/**
 * The history after one guard event on the site `host` (a site host or URL). The site moves to the end (most
 * recently updated) and the oldest sites beyond MAX_ACTIVITY_SITES are forgotten. A page that is not a site
 * is not recorded: the history is returned unchanged.
 */
export function addGuardEvent(activity: SiteActivity, hostOrUrl: string | undefined | null, event: GuardEvent): SiteActivity {
  const host = siteHost(hostOrUrl);
  if (host === undefined) return activity;
  const before = activityFor(activity, host);
  const counts: ActivityCounts = { ...before, [event.kind]: Math.min(before[event.kind] + event.files, MAX_COUNT) };
  const sites: Record<string, ActivityCounts> = {};
  const others = Object.keys(activity.sites).filter((h) => h !== host);
  for (const h of others.slice(Math.max(0, others.length - (MAX_ACTIVITY_SITES - 1)))) sites[h] = activity.sites[h]!;
  sites[host] = counts;
  return { version: SITE_ACTIVITY_VERSION, sites };
}

/** Whether anything was counted. */
export function hasActivity(counts: ActivityCounts): boolean {
  return GUARD_EVENT_KINDS.some((kind) => counts[kind] > 0);
}
