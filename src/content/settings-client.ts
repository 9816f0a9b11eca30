// The guard's view of the settings (ISOLATED world, every frame): the person's settings from storage.local with the
// administrator's from storage.managed winning, kept current through storage.onChanged (an options change reaches
// open pages without a reload), and whether this frame's TOP-LEVEL site is protected. Also reports what the guard
// did to the background as counts (`reportGuardEvent`); never a file name or a value.
//
// Until both storage areas were read, `current().protected` is true (the guard fails closed); the other values are
// the person's as soon as storage.local was read. storage.managed can take seconds to answer right after the browser
// starts: a guard about to offer "Upload the original anyway" should `await watch.ready` (settles within 10 s).
// `watchSettings()` can be called synchronously at document_start.

import browser from 'webextension-polyfill';
import {
  DEFAULT_SETTINGS,
  SETTINGS_STORAGE_KEY,
  effectiveSettings,
  isProtected,
  siteHost,
  type DeidentifySettings,
  type EffectiveSettings,
  type ManagedKey,
  type WarningMode,
} from '../core/settings';
import {
  MAX_EVENT_FILES,
  type GuardEventKind,
  type GuardEventMessage,
  type HelloMessage,
  type HelloReply,
  type TopSiteReply,
} from '../background/protocol';

export interface EffectiveSettingsForThisSite {
  /** True once both storage areas were read and the background answered (or could not). */
  readonly loaded: boolean;
  /** Host of the top-level page this frame belongs to; undefined when unknown or not a website. */
  readonly topSite: string | undefined;
  /** Whether the guard should hold uploads in this frame (decided for the top-level site). */
  readonly protected: boolean;
  readonly mode: WarningMode;
  /** False when "Upload the original anyway" must not be offered. */
  readonly allowOriginal: boolean;
  /** The options for a de-identified copy (the names of the de-identifier's DeidentifyOptions). */
  readonly deidentify: DeidentifySettings;
  /** What the administrator fixed. */
  readonly managedKeys: readonly ManagedKey[];
}

export interface SettingsWatch {
  /** The settings in force for this frame now. */
  current(): EffectiveSettingsForThisSite;
  /** Settles once both storage areas were read and the background answered (or failed to); at most about 10 s. */
  readonly ready: Promise<EffectiveSettingsForThisSite>;
  /** Called after every change; returns a function that removes the listener. */
  onChange(listener: (settings: EffectiveSettingsForThisSite) => void): () => void;
}

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

/** storage.managed can take seconds to answer after the browser starts; past this, no policy is assumed. */
const MANAGED_TIMEOUT_MS = 10_000;

function readManaged(): Promise<unknown> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({}), MANAGED_TIMEOUT_MS);
    const done = (value: unknown): void => {
      clearTimeout(timer);
      resolve(value);
    };
    try {
      // Firefox rejects when no managed storage manifest is installed: no policy then.
      browser.storage.managed.get().then(done, () => done({}));
    } catch {
      done({});
    }
  });
}

function startWatching(): SettingsWatch {
  let local: unknown;
  let managed: unknown;
  let stored: EffectiveSettings = { settings: DEFAULT_SETTINGS, managedKeys: [] };
  let topSite = topSiteFromFrame();
  // Until the background says otherwise, the site counts as listed: protected in every scope (fail closed).
  let listed = true;
  let localRead = false;
  let managedRead = false;
  let backgroundAnswered = false;
  const listeners = new Set<(settings: EffectiveSettingsForThisSite) => void>();

  const compute = (): EffectiveSettingsForThisSite => {
    const { settings, managedKeys } = stored;
    return {
      loaded: localRead && managedRead && backgroundAnswered,
      topSite,
      protected: !localRead || !managedRead || isProtected(settings, topSite, () => listed),
      mode: settings.mode,
      allowOriginal: settings.allowOriginal,
      deidentify: settings.deidentify,
      managedKeys,
    };
  };
  let snapshot = compute();
  const changed = (): void => {
    stored = effectiveSettings(local, managed);
    snapshot = compute();
    for (const listener of listeners) {
      try {
        listener(snapshot);
      } catch {
        // A listener's failure is its own.
      }
    }
  };

  const readLocal = (): Promise<void> =>
    browser.storage.local
      .get(SETTINGS_STORAGE_KEY)
      .then((got) => {
        local = got[SETTINGS_STORAGE_KEY];
      })
      .catch(() => undefined)
      .then(() => {
        localRead = true;
        changed();
      });

  const refreshManaged = (): Promise<void> =>
    readManaged().then((value) => {
      managed = value;
      managedRead = true;
      changed();
    });

  const localReady = readLocal();
  const managedReady = refreshManaged();

  const hello: HelloMessage = { type: 'spg:hello' };
  let backgroundReady: Promise<void>;
  try {
    backgroundReady = (browser.runtime.sendMessage(hello) as Promise<HelloReply | undefined>)
      .then((reply) => {
        if (reply && typeof reply === 'object') {
          if (typeof reply.topHost === 'string') topSite = siteHost(reply.topHost) ?? topSite;
          if (typeof reply.listed === 'boolean') listed = reply.listed;
        }
      })
      .catch(() => undefined);
  } catch {
    backgroundReady = Promise.resolve();
  }
  backgroundReady = backgroundReady.then(() => {
    backgroundAnswered = true;
    changed();
  });

  // The background asks the top frame which site the tab shows (its own record may be of an earlier page).
  if (isTopFrame) {
    try {
      browser.runtime.onMessage.addListener((message: unknown) => {
        if (typeof message !== 'object' || message === null || (message as { type?: unknown }).type !== 'spg:top-site') return undefined;
        const reply: TopSiteReply = { host: siteHost(location.href) ?? null };
        return Promise.resolve(reply);
      });
    } catch {
      // The extension was reloaded under this page.
    }
  }

  try {
    browser.storage.onChanged.addListener((changes, area) => {
      if (area === 'managed') void refreshManaged();
      else if (area === 'local' && SETTINGS_STORAGE_KEY in changes) void readLocal();
    });
  } catch {
    // The extension was reloaded under this page: the settings stay as they were read.
  }

  const ready = Promise.all([localReady, managedReady, backgroundReady]).then(() => snapshot);
  return {
    current: () => snapshot,
    ready,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
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
