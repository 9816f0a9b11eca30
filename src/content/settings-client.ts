// The guard's view of the settings (ISOLATED world, every frame): the person's settings from storage.local with the
// administrator's from storage.managed winning, kept current through storage.onChanged (an options change reaches
// open pages without a reload), and whether this frame's TOP-LEVEL site is protected. Also reports what the guard
// did to the background as counts (`reportGuardEvent`); never a file name or a value.
//
// Until both storage areas were read, `current().protected` is true (the guard fails closed); the other values are
// the person's as soon as storage.local was read (storage.managed can take up to 10 s right after the browser starts),
// so what the dialog offers waits for `settled()`.
// `watchSettings()` can be called synchronously at document_start.

import browser from 'webextension-polyfill';
import { DEFAULT_SETTINGS, SETTINGS_STORAGE_KEY, checksDocuments, effectiveSettings, isProtected, isUnderPath, siteHost, type Settings, type WarningMode } from '../core/settings';
import {
  MAX_EVENT_FILES,
  type GuardEventKind,
  type GuardEventMessage,
  type HelloMessage,
  type HelloReply,
  type TopSiteQuery,
  type TopSiteReply,
} from '../background/protocol';
import { readManagedPolicy } from '../background/managed-policy';

export interface EffectiveSettingsForThisSite {
  /** Whether the guard should hold uploads in this frame (decided for the top-level site). */
  readonly protected: boolean;
  readonly mode: WarningMode;
  /** False when "Upload the original anyway" must not be offered. */
  readonly allowOriginal: boolean;
}

export interface SettingsWatch {
  /** The settings in force for this frame now. */
  current(): EffectiveSettingsForThisSite;
  /**
   * The settings once both storage areas were read (at once after that): what the dialog may offer follows the
   * administrator's policy, which can take a few seconds to arrive right after the browser starts.
   */
  settled(): Promise<EffectiveSettingsForThisSite>;
  /** The settings when both storage areas were read already, else undefined. */
  settledNow(): EffectiveSettingsForThisSite | undefined;
  /**
   * Whether pictures and PDFs uploaded here are checked too (an AI chat, AI image reader or second-opinion site of
   * the notes, or a site the person or administrator added), for the page as it is now (a single-page app may
   * have moved to another path). Waits only for what it does not know yet: the background's answer about this
   * site, and the administrator's list when the browser has just started. Unknown after that: yes (fail closed).
   */
  checksDocumentsHere(): Promise<boolean>;
  /** The same from what is known now, without waiting (before the background answered: yes, fail closed). */
  checksDocumentsNow(): boolean;
}

/** How long the guard waits for the background's answer about the site before it assumes the worst. */
const HELLO_WAIT_MS = 2000;

const isTopFrame = ((): boolean => {
  try {
    return window.top === window;
  } catch {
    return false;
  }
})();

/** The top-level site as this frame can see it without asking: its own URL, or (Chromium) its top ancestor's origin. */
function topSiteFromFrame(): string | undefined {
  if (isTopFrame) return siteHost(location.href);
  try {
    const ancestors = location.ancestorOrigins;
    if (ancestors && ancestors.length > 0) return siteHost(ancestors[ancestors.length - 1]);
  } catch {
    // Not available (Firefox before ancestorOrigins): the background's answer decides.
  }
  return undefined;
}

let watch: SettingsWatch | undefined;

/** Starts watching (once per frame; later calls return the same watch). */
export function watchSettings(): SettingsWatch {
  watch ??= startWatching();
  return watch;
}

function startWatching(): SettingsWatch {
  let local: unknown;
  let managed: unknown;
  let settings: Settings = DEFAULT_SETTINGS;
  let topSite = topSiteFromFrame();
  // Until the background says otherwise, the site counts as listed: protected in every scope (fail closed).
  let listed = true;
  // Where pictures and PDFs are checked on this site, once the background said (until then: unknown).
  let documentPaths: readonly string[] | undefined;
  let helloAnswered: () => void = () => undefined;
  const answered = new Promise<void>((resolve) => (helloAnswered = resolve));
  let localRead = false;
  let managedRead = false;

  const compute = (): EffectiveSettingsForThisSite => ({
    protected: !localRead || !managedRead || isProtected(settings, topSite, () => listed),
    mode: settings.mode,
    allowOriginal: settings.allowOriginal,
  });
  let snapshot = compute();
  let settle: () => void = () => undefined;
  const bothRead = new Promise<void>((resolve) => (settle = resolve));
  const storedChanged = (): void => {
    settings = effectiveSettings(local, managed).settings;
    snapshot = compute();
    if (localRead && managedRead) settle();
  };

  const readLocal = (): void => {
    void browser.storage.local
      .get(SETTINGS_STORAGE_KEY)
      .then((got) => {
        local = got[SETTINGS_STORAGE_KEY];
      })
      .catch(() => undefined)
      .then(() => {
        localRead = true;
        storedChanged();
      });
  };

  const refreshManaged = (): void => {
    // Rejects only when the extension was reloaded under this page: no policy then.
    void readManagedPolicy()
      .catch(() => ({}))
      .then((value) => {
        managed = value;
        managedRead = true;
        storedChanged();
      });
  };

  readLocal();
  refreshManaged();

  const hello: HelloMessage = { type: 'spg:hello' };
  try {
    (browser.runtime.sendMessage(hello) as Promise<HelloReply | undefined>)
      .then((reply) => {
        if (reply && typeof reply === 'object') {
          if (typeof reply.topHost === 'string') topSite = siteHost(reply.topHost) ?? topSite;
          if (typeof reply.listed === 'boolean') listed = reply.listed;
          if (Array.isArray(reply.documentPaths)) documentPaths = reply.documentPaths.filter((p): p is string => typeof p === 'string');
        }
        snapshot = compute();
      })
      .catch(() => undefined)
      .finally(() => helloAnswered());
  } catch {
    // The extension was reloaded under this page: the frame's own view of the site stands.
  }

  // The background asks the top frame which site the tab shows (its own record may be of an earlier page).
  if (isTopFrame) {
    try {
      browser.runtime.onMessage.addListener((message: unknown) => {
        const query: TopSiteQuery['type'] = 'spg:top-site';
        if (typeof message !== 'object' || message === null || (message as { type?: unknown }).type !== query) return undefined;
        const reply: TopSiteReply = { host: siteHost(location.href) ?? null };
        return Promise.resolve(reply);
      });
    } catch {
      // The extension was reloaded under this page.
    }
  }

  try {
    browser.storage.onChanged.addListener((changes, area) => {
      if (area === 'managed') refreshManaged();
      else if (area === 'local' && SETTINGS_STORAGE_KEY in changes) readLocal();
    });
  } catch {
    // The extension was reloaded under this page: the settings stay as they were read.
  }

  /** Under the settings read so far: the site notes say so (for this page's path), or a list names the site. */
  const documentsNow = (): boolean => {
    const paths = documentPaths;
    // A frame inside the page cannot see the top page's path: any part of the site that is checked counts.
    const noted = paths === undefined || (isTopFrame ? isUnderPath(location.pathname, paths) : paths.length > 0);
    return checksDocuments(settings, topSite, () => listed, () => noted);
  };
  const checksDocumentsHere = async (): Promise<boolean> => {
    if (documentPaths === undefined) await Promise.race([answered, new Promise((resolve) => setTimeout(resolve, HELLO_WAIT_MS))]);
    if (documentsNow()) return true;
    // The person's or the administrator's list may still name this site when they are not read yet.
    if (!localRead || !managedRead) await bothRead;
    return documentsNow();
  };

  return {
    current: () => snapshot,
    settled: () => bothRead.then(() => snapshot),
    settledNow: () => (localRead && managedRead ? snapshot : undefined),
    checksDocumentsHere,
    checksDocumentsNow: documentsNow,
  };
}

/**
 * Tells the background what the guard did, as counts for this tab's top-level site (the background works out the
 * site from the sender). Fire and forget: never throws, never waits. Events with no files are not sent.
 */
export function reportGuardEvent(e: { kind: GuardEventKind; files: number }): void {
  const files = Math.min(Math.floor(e.files), MAX_EVENT_FILES);
  if (!Number.isFinite(files) || files < 1) return;
  const message: GuardEventMessage = { type: 'spg:guard-event', kind: e.kind, files };
  try {
    browser.runtime.sendMessage(message).catch(() => undefined);
  } catch {
    // The extension was reloaded under this page.
  }
}
