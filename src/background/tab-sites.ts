// What the background knows about each open tab: its top-level site (from the guard's hello in the top frame)
// and how many files were warned about since the page loaded. Kept in storage.session so that it survives the
// service worker being stopped, and forgotten when the tab closes. Host names and counts only.

import browser from 'webextension-polyfill';
import { siteHost } from '../core/settings';

const SESSION_KEY = 'tabSites';

export interface TabSite {
  /** Host of the top-level page, or null for a page that is not a website. */
  readonly host: string | null;
  readonly warnings: number;
}

let tabs: Map<number, TabSite> | undefined;
let loading: Promise<Map<number, TabSite>> | undefined;

function parse(stored: unknown): Map<number, TabSite> {
  const map = new Map<number, TabSite>();
  if (typeof stored !== 'object' || stored === null) return map;
  for (const [key, value] of Object.entries(stored as Record<string, unknown>)) {
    const tabId = Number(key);
    if (!Number.isInteger(tabId) || tabId < 0 || typeof value !== 'object' || value === null) continue;
    const { host, warnings } = value as Record<string, unknown>;
    map.set(tabId, {
      host: typeof host === 'string' ? (siteHost(host) ?? null) : null,
      warnings: typeof warnings === 'number' && Number.isInteger(warnings) && warnings > 0 ? warnings : 0,
    });
  }
  return map;
}

async function all(): Promise<Map<number, TabSite>> {
  if (tabs) return tabs;
  loading ??= browser.storage.session
    .get(SESSION_KEY)
    .then((got) => parse(got[SESSION_KEY]))
    .catch(() => new Map<number, TabSite>())
    .then((map) => (tabs = map));
  return loading;
}

function persist(map: Map<number, TabSite>): void {
  const stored: Record<string, TabSite> = {};
  for (const [tabId, site] of map) stored[String(tabId)] = site;
  browser.storage.session.set({ [SESSION_KEY]: stored }).catch(() => undefined);
}

export async function getTabSite(tabId: number): Promise<TabSite | undefined> {
  return (await all()).get(tabId);
}

export async function allTabSites(): Promise<Map<number, TabSite>> {
  return new Map(await all());
}

/** A new page loaded in the tab's top frame: its site, and no warnings yet. */
export async function tabNavigated(tabId: number, url: string | undefined): Promise<TabSite> {
  const map = await all();
  const site: TabSite = { host: siteHost(url) ?? null, warnings: 0 };
  map.set(tabId, site);
  persist(map);
  return site;
}

export async function tabWarned(tabId: number, files: number): Promise<TabSite | undefined> {
  const map = await all();
  const before = map.get(tabId);
  if (!before) return undefined;
  const site: TabSite = { ...before, warnings: before.warnings + files };
  map.set(tabId, site);
  persist(map);
  return site;
}

export async function tabClosed(tabId: number): Promise<void> {
  const map = await all();
  if (map.delete(tabId)) persist(map);
}
