// The runtime messages between the service worker (src/background/index.ts) and the guard's content script,
// the popup and the options page: their types and checks. No extension API here, so every side can import it.
// Only counts, verdict kinds and host names travel in these messages: never a file name or a value from a file.

import type { ManagedKey } from '../core/settings';

/** What the guard did with some files; the background counts them per top-level site. */
export const GUARD_EVENT_KINDS = ['checked', 'warned', 'cancelled', 'deidentified', 'original'] as const;
export type GuardEventKind = (typeof GUARD_EVENT_KINDS)[number];

/** The largest file count one event may carry (a guard never reports more files than one upload can hold). */
export const MAX_EVENT_FILES = 1_000_000;

export interface GuardEvent {
  readonly kind: GuardEventKind;
  /** How many files this happened to (a whole number, at least 1). */
  readonly files: number;
}

/** Counts for one site, one per event kind (file counts, not upload counts). */
export type ActivityCounts = { readonly [K in GuardEventKind]: number };

// ---- content script → background -----------------------------------------------------------------------

/** Sent once by the guard in every frame at start. The top frame's hello also tells the background the tab's site. */
export interface HelloMessage {
  readonly type: 'spg:hello';
}
export interface HelloReply {
  /** The host of the tab's top-level page (`siteHost`), when the background knows it. */
  readonly topHost: string | null;
  /** Whether that site is one of the listed sites (it has site notes). */
  readonly listed: boolean;
  /**
   * Where on that site pictures and PDFs are checked too (an AI chat, AI image reader or second-opinion site of
   * the notes): path prefixes, `''` for the whole site; empty when nowhere. The guard matches its page's path.
   */
  readonly documentPaths: readonly string[];
}

/**
 * background → the guard in a tab's top frame (tabs.sendMessage, frameId 0): which site is this tab showing now?
 * No answer means the guard is not running there (a browser page, or a page loaded before the extension).
 */
export interface TopSiteQuery {
  readonly type: 'spg:top-site';
}
export interface TopSiteReply {
  /** `siteHost` of the top frame's URL; null for a page that is not a website. */
  readonly host: string | null;
}

export interface GuardEventMessage extends GuardEvent {
  readonly type: 'spg:guard-event';
}

// ---- popup → background ---------------------------------------------------------------------------------

/**
 * What the popup shows about a page. The popup reads it itself (src/background/popup-state.ts), so that opening it
 * never waits for the service worker; the background answers it after the popup's switch.
 */
export interface PopupState {
  /** The top-level page's URL as known (the `url` asked about, or the tab's), for display only. */
  readonly url: string | null;
  /** Its site host; null for a page that is not a website. */
  readonly host: string | null;
  readonly listed: boolean;
  readonly protected: boolean;
  /** Whether the person may flip protection for this site (not enforced, exceptions allowed). */
  readonly canChange: boolean;
  readonly managedKeys: readonly ManagedKey[];
  /** Counts on this site since the history was last cleared. */
  readonly activity: ActivityCounts;
  /** Files warned about in this tab since its page loaded (0 when asked by URL). */
  readonly tabWarnings: number;
  /** Whether the guard said hello from this tab's top frame (false: it is not running on the page). */
  readonly guardSeen: boolean;
}

/**
 * The popup's switch: protection on or off for the top-level site of `url`. The background changes the person's
 * site lists in storage.local (under the settings in force) and answers with the new PopupState for `url`.
 */
export interface SetSiteProtectionMessage {
  readonly type: 'spg:set-site-protection';
  readonly url: string;
  readonly on: boolean;
}

// ---- extension pages → background ------------------------------------------------------------------------

/** Extension pages ask for the per-install de-identification key when storage does not hold it yet. */
export interface DeidentificationKeyMessage {
  readonly type: 'spg:deidentification-key';
}
export interface DeidentificationKeyReply {
  /** 64 lower-case hex digits (see decodeDeidentificationKey in src/core/settings.ts). */
  readonly key: string;
}

/** The options page clears the history of counts. */
export interface ClearActivityMessage {
  readonly type: 'spg:clear-activity';
}
export interface ClearActivityReply {
  readonly cleared: true;
}

export type ToBackground =
  | HelloMessage
  | GuardEventMessage
  | SetSiteProtectionMessage
  | DeidentificationKeyMessage
  | ClearActivityMessage;

// ---- checks ------------------------------------------------------------------------------------------------

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A guard event as the background accepts it: a known kind and a whole, positive, bounded file count. */
export function parseGuardEvent(value: unknown): GuardEvent | undefined {
  if (!isRecord(value)) return undefined;
  const { kind, files } = value;
  if (typeof kind !== 'string' || !(GUARD_EVENT_KINDS as readonly string[]).includes(kind)) return undefined;
  if (typeof files !== 'number' || !Number.isInteger(files) || files < 1 || files > MAX_EVENT_FILES) return undefined;
  return { kind: kind as GuardEventKind, files };
}

/** A message to the background, checked; anything else is undefined (and ignored). */
export function parseToBackground(value: unknown): ToBackground | undefined {
  if (!isRecord(value) || typeof value.type !== 'string') return undefined;
  switch (value.type) {
    case 'spg:hello':
    case 'spg:deidentification-key':
    case 'spg:clear-activity':
      return { type: value.type };
    case 'spg:guard-event': {
      const event = parseGuardEvent(value);
      return event && { type: 'spg:guard-event', ...event };
    }
    case 'spg:set-site-protection':
      if (typeof value.url !== 'string' || value.url.length > 4096 || typeof value.on !== 'boolean') return undefined;
      return { type: 'spg:set-site-protection', url: value.url, on: value.on };
    default:
      return undefined;
  }
}
