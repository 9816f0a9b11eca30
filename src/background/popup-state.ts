// What the toolbar popup shows about one page (its site, whether protection is on and may be changed, the counts, the
// warnings in the tab), read straight from the extension's storage and the tab by whoever asks: the popup itself,
// so that opening it never waits for the service worker to start, and the background after the popup's switch.
// The administrator's policy is a parameter: storage.managed can take seconds to answer right after the browser
// starts, so the caller decides which copy to show (see managed-policy-cache.ts). Host names and counts only.

import browser from 'webextension-polyfill';
import { SETTINGS_STORAGE_KEY, canChangeSiteProtection, effectiveSettings, isProtected, siteHost } from '../core/settings';
import { isListedHost } from '../core/site-notes';
import type { ManagedPolicyRead } from './managed-policy';
import { MANAGED_POLICY_CACHE_KEY, parseCachedManagedPolicy } from './managed-policy-cache';
import type { PopupState, TopSiteQuery, TopSiteReply } from './protocol';
import { SITE_ACTIVITY_STORAGE_KEY, activityFor, parseSiteActivity, type SiteActivity } from './site-activity';
import { getTabSite, type TabSite } from './tab-sites';

/** How long to wait for the guard in a tab's top frame to say which site it shows. */
export const TOP_FRAME_TIMEOUT_MS = 1_000;

/**
 * The site the tab's top frame shows now, asked of the guard running there: a host, null for a page that is not a
 * website, or undefined when no guard answers (a browser page, a page loaded before the extension, a closed tab).
 */
export async function askTopFrame(tabId: number): Promise<string | null | undefined> {
  const query: TopSiteQuery = { type: 'spg:top-site' };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const reply = (await Promise.race([
    browser.tabs.sendMessage(tabId, query, { frameId: 0 }).catch(() => undefined),
    new Promise((resolve) => (timer = setTimeout(() => resolve(undefined), TOP_FRAME_TIMEOUT_MS))),
  ])) as TopSiteReply | undefined;
  clearTimeout(timer);
  if (!reply || typeof reply !== 'object' || !('host' in reply)) return undefined;
  return typeof reply.host === 'string' ? (siteHost(reply.host) ?? null) : null;
}

/** What the popup is about: a site named by URL (`?url=`), or a tab (the active one, or `?tabId=`). */
export interface PopupTarget {
  readonly url?: string;
  readonly tabId?: number;
}

/** Everything the popup needs about the page except the administrator's policy (and the last copy of it read). */
export interface PopupPage {
  readonly url: string | null;
  readonly host: string | null;
  /** The person's settings as storage.local holds them. */
  readonly local: unknown;
  readonly activity: SiteActivity;
  readonly tab: TabSite | undefined;
  readonly guardSeen: boolean;
  /** The administrator's policy as last read (managed-policy-cache.ts), read in the same storage call. */
  readonly cachedPolicy: ManagedPolicyRead | undefined;
}

/**
 * Reads the page's site, the person's settings, the counts, the tab's warnings and the last copy of the policy, all
 * at once (one storage.local call, started before the target is known).
 */
export async function readPopupPage(which: PopupTarget | Promise<PopupTarget>): Promise<PopupPage> {
  const stored = browser.storage.local
    .get([SETTINGS_STORAGE_KEY, SITE_ACTIVITY_STORAGE_KEY, MANAGED_POLICY_CACHE_KEY])
    .catch(() => ({}) as Record<string, unknown>);
  const target = await which;
  let url = target.url ?? null;
  let host: string | null = siteHost(url) ?? null;
  let tab: TabSite | undefined;
  let guardSeen = false;
  if (target.url === undefined && target.tabId !== undefined) {
    // With activeTab (the popup was opened from the toolbar) the browser gives the tab's URL; the guard in the top
    // frame says which site it is even without it.
    const [live, fromGuard, known] = await Promise.all([
      browser.tabs.get(target.tabId).catch(() => undefined),
      askTopFrame(target.tabId),
      getTabSite(target.tabId),
    ]);
    guardSeen = fromGuard !== undefined;
    host = fromGuard !== undefined ? fromGuard : (siteHost(live?.url) ?? null);
    url = live?.url ?? (host === null ? null : `https://${host}/`);
    if (guardSeen && known?.host === host) tab = known;
  }
  const got = await stored;
  return {
    url,
    host,
    local: got[SETTINGS_STORAGE_KEY],
    activity: parseSiteActivity(got[SITE_ACTIVITY_STORAGE_KEY]),
    tab,
    guardSeen,
    cachedPolicy: parseCachedManagedPolicy(got[MANAGED_POLICY_CACHE_KEY]),
  };
}

/** The popup's state for a page under an administrator's policy. Pure. */
export function composePopupState(page: PopupPage, managed: unknown): PopupState {
  const eff = effectiveSettings(page.local, managed);
  const { host } = page;
  return {
    url: page.url,
    host,
    listed: host !== null && isListedHost(host),
    protected: host === null ? false : isProtected(eff.settings, host, isListedHost),
    canChange: canChangeSiteProtection(eff, host ?? undefined),
    managedKeys: eff.managedKeys,
    activity: activityFor(page.activity, host),
    tabWarnings: page.tab?.warnings ?? 0,
    guardSeen: page.guardSeen,
  };
}
