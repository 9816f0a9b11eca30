// Service worker: per-tab site state and the toolbar badge, per-site counts of what the guard did (storage.local,
// keyed by top-level site host; counts only), the answers the popup and the guard's frames ask for, and the
// per-install de-identification key. Makes no network request; stores no file name and no value from a file.

import browser, { type Runtime } from 'webextension-polyfill';
import {
  SETTINGS_STORAGE_KEY,
  effectiveSettings,
  isProtected,
  siteHost,
  storableSettings,
  switchSiteProtection,
  type EffectiveSettings,
} from '../core/settings';
import { documentPathsOf, findSiteNotes, isListedHost as isListed } from '../core/site-notes';
import { badgeKind, badgeLook } from './badge';
import { ensureDeidentificationKey } from './deidentification-key';
import { readManagedPolicyAnswer } from './managed-policy';
import { cacheManagedPolicy } from './managed-policy-cache';
import { askTopFrame, composePopupState, readPopupPage } from './popup-state';
import { parseToBackground, type GuardEvent, type HelloReply, type PopupState, type ToBackground } from './protocol';
import { SITE_ACTIVITY_STORAGE_KEY, EMPTY_SITE_ACTIVITY, addGuardEvent, parseSiteActivity } from './site-activity';
import { allTabSites, getTabSite, tabClosed, tabNavigated, tabWarned, type TabSite } from './tab-sites';

const t = (key: string, substitutions?: string | string[]): string => browser.i18n.getMessage(key, substitutions) || key;

// ---- settings in force -----------------------------------------------------------------------------------

let localSettings: Promise<unknown> | undefined;
let managedPolicy: unknown;
let managedReady: Promise<void> = readManaged();

/** Reads storage.managed (no policy when it does not answer in time) and keeps a copy for the popup's first paint. */
function readManaged(): Promise<void> {
  return readManagedPolicyAnswer().then((read) => {
    managedPolicy = read?.policy ?? {};
    if (read) void cacheManagedPolicy(read.policy);
    void updateAllBadges();
  });
}

/**
 * The settings in force. The person's are read once and cached until they change; the administrator's are the last
 * ones read (none until storage.managed first answers).
 */
async function loadEffective(): Promise<EffectiveSettings> {
  localSettings ??= browser.storage.local
    .get(SETTINGS_STORAGE_KEY)
    .then((got) => got[SETTINGS_STORAGE_KEY])
    .catch(() => undefined);
  return effectiveSettings(await localSettings, managedPolicy);
}

// ---- history of counts (one writer: this worker; writes queued) -------------------------------------------

let writes: Promise<unknown> = Promise.resolve();

function queued<T>(task: () => Promise<T>): Promise<T> {
  const run = writes.then(task, task);
  writes = run.catch(() => undefined);
  return run;
}

async function readActivity() {
  const got = await browser.storage.local.get(SITE_ACTIVITY_STORAGE_KEY);
  return parseSiteActivity(got[SITE_ACTIVITY_STORAGE_KEY]);
}

function recordEvent(host: string | null, event: GuardEvent): Promise<void> {
  if (host === null) return Promise.resolve();
  return queued(async () => {
    const next = addGuardEvent(await readActivity(), host, event);
    await browser.storage.local.set({ [SITE_ACTIVITY_STORAGE_KEY]: next });
  });
}

function clearActivity(): Promise<void> {
  return queued(() => browser.storage.local.set({ [SITE_ACTIVITY_STORAGE_KEY]: EMPTY_SITE_ACTIVITY }));
}

// ---- the badge --------------------------------------------------------------------------------------------

async function updateBadge(tabId: number, site: TabSite | undefined): Promise<void> {
  const { settings } = await loadEffective();
  const host = site?.host ?? null;
  const notes = host === null ? undefined : findSiteNotes(host);
  const kind = badgeKind({
    warnings: site?.warnings ?? 0,
    protected: host === null ? undefined : isProtected(settings, host, isListed),
    category: notes?.category,
  });
  const look = badgeLook(kind, t, notes?.name ?? host ?? '', site?.warnings ?? 0);
  try {
    await browser.action.setBadgeText({ tabId, text: look.text });
    await browser.action.setBadgeBackgroundColor({ tabId, color: look.background });
    await browser.action.setBadgeTextColor?.({ tabId, color: look.color });
    await browser.action.setTitle({ tabId, title: look.title });
  } catch {
    // The tab closed meanwhile.
  }
}

/** After a settings change: every tab the guard still runs in gets its badge again; the others are forgotten. */
async function updateAllBadges(): Promise<void> {
  for (const [tabId, site] of await allTabSites()) {
    const host = await askTopFrame(tabId);
    if (host === undefined) await tabClosed(tabId);
    else await updateBadge(tabId, host === site.host ? site : { host, warnings: 0 });
  }
}

// ---- where a message came from ----------------------------------------------------------------------------

/** The host of the sender's top-level page: the tab's URL when the browser gives it, else what the top frame said. */
async function topHostOf(sender: Runtime.MessageSender): Promise<string | null> {
  const fromTab = siteHost(sender.tab?.url);
  if (fromTab !== undefined) return fromTab;
  if (sender.frameId === 0) return siteHost(sender.url) ?? null;
  const tabId = sender.tab?.id;
  return tabId === undefined ? null : ((await getTabSite(tabId))?.host ?? null);
}

/** Whether the sender is one of this extension's own pages (popup, options, dialog), not a content script. */
function isExtensionPage(sender: Runtime.MessageSender): boolean {
  return sender.id === browser.runtime.id && typeof sender.url === 'string' && sender.url.startsWith(browser.runtime.getURL(''));
}

// ---- answers ------------------------------------------------------------------------------------------------

/** The popup's state after its switch, under the administrator's policy as read (the popup shows it at once). */
async function popupState(url: string): Promise<PopupState> {
  await managedReady;
  return composePopupState(await readPopupPage({ url }), managedPolicy);
}

/** The popup's switch: the person's site lists change in storage.local; storage.onChanged tells every guard. */
function setSiteProtection(url: string, on: boolean): Promise<void> {
  return queued(async () => {
    await managedReady;
    const got = await browser.storage.local.get(SETTINGS_STORAGE_KEY);
    const next = switchSiteProtection(got[SETTINGS_STORAGE_KEY], managedPolicy, url, on, isListed);
    localSettings = Promise.resolve(next);
    await browser.storage.local.set({ [SETTINGS_STORAGE_KEY]: storableSettings(next) });
  });
}

async function answer(message: ToBackground, sender: Runtime.MessageSender): Promise<unknown> {
  switch (message.type) {
    case 'spg:hello': {
      const tabId = sender.tab?.id;
      if (sender.frameId === 0 && tabId !== undefined) {
        const site = await tabNavigated(tabId, sender.url);
        void updateBadge(tabId, site);
      }
      const topHost = await topHostOf(sender);
      const reply: HelloReply = { topHost, listed: topHost !== null && isListed(topHost), documentPaths: topHost !== null ? documentPathsOf(topHost) : [] };
      return reply;
    }
    case 'spg:guard-event': {
      const event: GuardEvent = { kind: message.kind, files: message.files };
      await recordEvent(await topHostOf(sender), event);
      const tabId = sender.tab?.id;
      if (event.kind === 'warned' && tabId !== undefined) {
        const site = await tabWarned(tabId, event.files);
        if (site) void updateBadge(tabId, site);
      }
      return { recorded: true };
    }
    case 'spg:set-site-protection':
      if (!isExtensionPage(sender)) return undefined;
      await setSiteProtection(message.url, message.on);
      return popupState(message.url);
    case 'spg:deidentification-key':
      if (!isExtensionPage(sender)) return undefined;
      return { key: await ensureDeidentificationKey() };
    case 'spg:clear-activity':
      if (!isExtensionPage(sender)) return undefined;
      await clearActivity();
      return { cleared: true };
  }
}

// ---- listeners (registered synchronously, as a service worker must) ---------------------------------------------

browser.runtime.onMessage.addListener((raw: unknown, sender: Runtime.MessageSender) => {
  if (sender.id !== browser.runtime.id) return undefined;
  const message = parseToBackground(raw);
  if (!message) return undefined;
  return answer(message, sender);
});

browser.storage.onChanged.addListener((changes, area) => {
  if (area === 'managed') {
    managedReady = readManaged();
  } else if (area === 'local' && SETTINGS_STORAGE_KEY in changes) {
    localSettings = undefined;
    void updateAllBadges();
  }
});

browser.tabs.onRemoved.addListener((tabId) => {
  void tabClosed(tabId);
});

browser.runtime.onInstalled.addListener(() => {
  void ensureDeidentificationKey().catch(() => undefined);
});

browser.runtime.onStartup.addListener(() => {
  void ensureDeidentificationKey().catch(() => undefined);
});
